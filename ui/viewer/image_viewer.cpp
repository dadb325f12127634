#include "ui/viewer/image_viewer.h"

#include <algorithm>
#include <cmath>

#include <QCursor>
#include <QGraphicsPixmapItem>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include "ui/viewer/tiled_image_item.h"

namespace regionlab::ui {
namespace {

constexpr double kZoomStep = 1.25;
constexpr double kMinZoom = 0.01;
constexpr double kMaxZoom = 64.0;
constexpr int kClickSlop = 4;  // screen pixels a click may move and stay a click

}  // namespace

ImageViewer::ImageViewer(QWidget* parent) : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
  setScene(scene_);
  setObjectName(QStringLiteral("imageViewer"));
  image_item_ = new TiledImageItem;
  overlay_ = new RegionOverlayItem;
  emphasis_ = new RegionEmphasisItem;
  heat_item_ = new QGraphicsPixmapItem;
  heat_item_->setZValue(15);
  heat_item_->setTransformationMode(Qt::FastTransformation);
  heat_item_->setVisible(false);
  prompt_item_ = new PromptOverlayItem;
  scene_->addItem(image_item_);
  scene_->addItem(prompt_item_);
  scene_->addItem(overlay_);
  scene_->addItem(heat_item_);
  scene_->addItem(emphasis_);
  // The scene holds a few large items; a BSP index would only cost time.
  scene_->setItemIndexMethod(QGraphicsScene::NoIndex);
  setBackgroundBrush(QColor(48, 48, 48));
  setTransformationAnchor(AnchorUnderMouse);
  setResizeAnchor(AnchorViewCenter);
  setViewportUpdateMode(SmartViewportUpdate);
  setOptimizationFlags(DontSavePainterState);
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setDragMode(NoDrag);
  setOverlayOpacity(0.6);

  hover_label_ = new QLabel(viewport());
  hover_label_->setObjectName(QStringLiteral("hoverInfo"));
  hover_label_->setStyleSheet(QStringLiteral("QLabel { background: rgba(0,0,0,170); color: white; padding: 2px 6px; border-radius: 3px; }"));
  hover_label_->setAttribute(Qt::WA_TransparentForMouseEvents);
  hover_label_->hide();
  legend_ = new QLabel(viewport());
  legend_->setObjectName(QStringLiteral("heatLegend"));
  legend_->setAttribute(Qt::WA_TransparentForMouseEvents);
  legend_->hide();
  prompt_status_ = new QLabel(viewport());
  prompt_status_->setObjectName(QStringLiteral("promptStatus"));
  prompt_status_->setStyleSheet(QStringLiteral("QLabel { background: rgba(20,60,120,200); color: white; padding: 3px 8px; border-radius: 3px; }"));
  prompt_status_->setAttribute(Qt::WA_TransparentForMouseEvents);
  prompt_status_->move(8, 8);
  prompt_status_->hide();
}

void ImageViewer::setDocument(std::shared_ptr<const ImageDocument> doc) {
  doc_ = std::move(doc);
  hovered_ = -1;
  selected_.clear();
  stroke_.clear();
  matched_region_ = 0;
  hover_label_->hide();
  clearHeatMap();
  prompt_item_->setOverlay({});
  prompt_item_->setDragBox(std::nullopt);
  if (!doc_) {
    image_item_->setImage(nullptr, {});
    overlay_->setDocument(nullptr);
    emphasis_->setSceneSize({});
    prompt_item_->setSceneSize({});
    scene_->setSceneRect(QRectF());
    return;
  }
  image_item_->setImage(doc_->pixels, doc_->size);
  overlay_->setDocument(doc_);
  emphasis_->setSceneSize(doc_->size);
  prompt_item_->setSceneSize(doc_->size);
  scene_->setSceneRect(QRectF(QPointF(0, 0), QSizeF(doc_->size)));
  setQueryShape(query_image_id_, query_shape_);
  fitToWindow();
  emit selectionChanged();
}

void ImageViewer::clearDocument() { setDocument(nullptr); }

void ImageViewer::setOverlayMode(OverlayMode mode) { overlay_->setMode(mode); }
OverlayMode ImageViewer::overlayMode() const { return overlay_->mode(); }
void ImageViewer::setOverlayOpacity(double opacity) { overlay_->setOpacity(std::clamp(opacity, 0.0, 1.0)); }
double ImageViewer::overlayOpacity() const { return overlay_->opacity(); }
void ImageViewer::setRegionColors(std::unordered_map<int64_t, QColor> colors) { overlay_->setRegionColors(std::move(colors)); }

void ImageViewer::setQueryShape(int64_t image_id, const QPainterPath& shape) {
  query_image_id_ = image_id;
  query_shape_ = shape;
  const bool here = doc_ && image_id != 0 && doc_->image_id == image_id && !shape.isEmpty();
  emphasis_->setShapes(RegionEmphasisItem::Query, here ? std::vector<QPainterPath>{shape} : std::vector<QPainterPath>{});
}

void ImageViewer::setMatchedRegion(int64_t region_id) {
  matched_region_ = region_id;
  const int index = doc_ ? doc_->indexOfRegion(region_id) : -1;
  emphasis_->setShapes(RegionEmphasisItem::Match,
                       index >= 0 ? std::vector<QPainterPath>{doc_->regions[size_t(index)].shape} : std::vector<QPainterPath>{});
}

void ImageViewer::setHeatMap(const HeatMap& map) {
  if (!doc_ || map.image_id != doc_->image_id) return;
  heat_ = map;
  heat_item_->setPixmap(QPixmap::fromImage(map.image));
  heat_item_->setTransform(QTransform::fromScale(map.step, map.step));
  heat_item_->setVisible(true);
  updateLegend();
}

void ImageViewer::clearHeatMap() {
  heat_ = {};
  heat_item_->setVisible(false);
  heat_item_->setPixmap(QPixmap());
  legend_->hide();
}

bool ImageViewer::hasHeatMap() const { return heat_item_->isVisible(); }

void ImageViewer::updateLegend() {
  // A horizontal colour bar with the scale's ends: the lowest and highest region score.
  const int w = 160, h = 12;
  QPixmap bar(w + 2 * 44, h + 8);
  bar.fill(QColor(0, 0, 0, 170));
  QPainter p(&bar);
  for (int x = 0; x < w; ++x) {
    p.setPen(heatColor(double(x) / (w - 1)));
    p.drawLine(44 + x, 4, 44 + x, 4 + h - 1);
  }
  p.setPen(Qt::white);
  p.drawText(QRect(0, 0, 42, h + 8), Qt::AlignRight | Qt::AlignVCenter, QString::number(heat_.min_score, 'f', 2));
  p.drawText(QRect(44 + w + 2, 0, 42, h + 8), Qt::AlignLeft | Qt::AlignVCenter, QString::number(heat_.max_score, 'f', 2));
  p.end();
  legend_->setPixmap(bar);
  legend_->adjustSize();
  legend_->move(8, viewport()->height() - legend_->height() - 8);
  legend_->show();
}

void ImageViewer::setPromptOverlay(PromptOverlay overlay) { prompt_item_->setOverlay(std::move(overlay)); }

const PromptOverlay& ImageViewer::promptOverlay() const { return prompt_item_->overlay(); }

void ImageViewer::setPromptStatus(const QString& text) {
  prompt_status_->setText(text);
  prompt_status_->adjustSize();
  prompt_status_->setVisible(!text.isEmpty());
}

QString ImageViewer::promptStatus() const { return prompt_status_->isHidden() ? QString() : prompt_status_->text(); }

void ImageViewer::setBrushRadius(double radius) {
  brush_radius_ = std::clamp(radius, 1.0, 512.0);
  if (click_mode_ == ClickMode::BrushMask) prompt_item_->setBrushCursor(mapToScene(mapFromGlobal(QCursor::pos())), brush_radius_);
}

void ImageViewer::setClickMode(ClickMode mode) {
  click_mode_ = mode;
  if (mode != ClickMode::Prompt) prompt_item_->setDragBox(std::nullopt);
  if (mode != ClickMode::BrushMask) prompt_item_->setBrushCursor(std::nullopt, 0);
  viewport()->setCursor(mode == ClickMode::Query ? Qt::ArrowCursor : Qt::CrossCursor);
}

void ImageViewer::setSelectedRegions(const std::set<int64_t>& ids) {
  selected_ = ids;
  refreshSelectionShapes();
  emit selectionChanged();
}

void ImageViewer::refreshSelectionShapes() {
  std::vector<QPainterPath> shapes;
  if (doc_) {
    for (const int64_t id : selected_) {
      const int index = doc_->indexOfRegion(id);
      if (index >= 0) shapes.push_back(doc_->regions[size_t(index)].shape);
    }
  }
  emphasis_->setShapes(RegionEmphasisItem::Selection, std::move(shapes));
}

int64_t ImageViewer::hoveredRegion() const { return (doc_ && hovered_ >= 0) ? doc_->regions[size_t(hovered_)].id : 0; }

double ImageViewer::zoom() const { return transform().m11(); }

QPoint ImageViewer::viewportPointOf(QPointF image_point) const { return mapFromScene(image_point); }

void ImageViewer::setZoom(double zoom, bool keep_fit) {
  zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
  setTransform(QTransform::fromScale(zoom, zoom));
  fit_ = keep_fit;
  emit zoomChanged(zoom);
}

void ImageViewer::zoomIn() { setZoom(zoom() * kZoomStep); }
void ImageViewer::zoomOut() { setZoom(zoom() / kZoomStep); }
void ImageViewer::actualPixels() { setZoom(1.0); }

void ImageViewer::fitToWindow() {
  if (!doc_ || doc_->size.isEmpty()) return;
  const QSize area = viewport()->size() - QSize(4, 4);
  const double z = std::min(double(area.width()) / doc_->size.width(), double(area.height()) / doc_->size.height());
  setZoom(z, true);
  centerOn(QRectF(QPointF(0, 0), QSizeF(doc_->size)).center());
}

void ImageViewer::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (fit_) fitToWindow();
  if (legend_->isVisible()) legend_->move(8, viewport()->height() - legend_->height() - 8);
}

void ImageViewer::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  setZoom(zoom() * std::pow(kZoomStep, steps));
  event->accept();
}

void ImageViewer::updateHover(QPointF scene_point) {
  setHovered(doc_ ? doc_->regionAt(scene_point.x(), scene_point.y()) : -1);
}

void ImageViewer::setHovered(int index) {
  if (index == hovered_) return;
  hovered_ = index;
  if (index < 0) {
    emphasis_->clear(RegionEmphasisItem::Hover);
    hover_label_->hide();
    emit hoveredRegionChanged(0, 0);
    return;
  }
  const ViewerRegion& region = doc_->regions[size_t(index)];
  emphasis_->setShapes(RegionEmphasisItem::Hover, {region.shape});
  hover_label_->setText(tr("region %1 · %2 px").arg(region.id).arg(QLocale().toString(qlonglong(region.area))));
  hover_label_->adjustSize();
  hover_label_->show();
  emit hoveredRegionChanged(region.id, region.area);
}

void ImageViewer::updateHoverLabel(QPoint viewport_pos) {
  if (!hover_label_->isVisible()) return;
  QPoint at = viewport_pos + QPoint(16, 16);
  at.setX(std::min(at.x(), viewport()->width() - hover_label_->width() - 2));
  at.setY(std::min(at.y(), viewport()->height() - hover_label_->height() - 2));
  hover_label_->move(at);
}

void ImageViewer::mousePressEvent(QMouseEvent* event) {
  press_pos_ = last_pos_ = event->position().toPoint();
  gesture_button_ = event->button();
  const bool pan = event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && space_held_);
  if (pan) {
    gesture_ = Gesture::Pan;
    viewport()->setCursor(Qt::ClosedHandCursor);
  } else if (click_mode_ == ClickMode::PaintRegions && (event->button() == Qt::LeftButton || event->button() == Qt::RightButton)) {
    gesture_ = Gesture::Stroke;
    stroke_add_ = event->button() == Qt::LeftButton;
    stroke_.clear();
    extendStroke(mapToScene(press_pos_), mapToScene(press_pos_));
  } else if (click_mode_ == ClickMode::BrushMask && !(event->modifiers() & Qt::ControlModifier) &&
             (event->button() == Qt::LeftButton || event->button() == Qt::RightButton)) {
    gesture_ = Gesture::Brush;
    stroke_add_ = event->button() == Qt::LeftButton;
    brush_points_ = {mapToScene(press_pos_)};
    prompt_item_->setBrushStroke(brush_points_, brush_radius_, stroke_add_);
  } else if (event->button() == Qt::LeftButton) {
    gesture_ = Gesture::Click;
  } else {
    gesture_ = Gesture::None;
  }
  event->accept();
}

void ImageViewer::mouseMoveEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  switch (gesture_) {
    case Gesture::Pan: {
      const QPoint delta = pos - last_pos_;
      horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
      verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
      fit_ = false;
      break;
    }
    case Gesture::Stroke: extendStroke(mapToScene(last_pos_), mapToScene(pos)); break;
    case Gesture::Brush:
      brush_points_.push_back(mapToScene(pos));
      prompt_item_->setBrushStroke(brush_points_, brush_radius_, stroke_add_);
      break;
    case Gesture::Click:
      if (click_mode_ == ClickMode::Prompt && (pos - press_pos_).manhattanLength() > kClickSlop) gesture_ = Gesture::Box;
      break;
    case Gesture::Box: prompt_item_->setDragBox(QRectF(mapToScene(press_pos_), mapToScene(pos)).normalized()); break;
    default: break;
  }
  last_pos_ = pos;
  if (click_mode_ == ClickMode::BrushMask) prompt_item_->setBrushCursor(mapToScene(pos), brush_radius_);
  updateHover(mapToScene(pos));
  updateHoverLabel(pos);
  event->accept();
}

void ImageViewer::mouseReleaseEvent(QMouseEvent* event) {
  const QPoint pos = event->position().toPoint();
  const QPointF scene_pos = mapToScene(pos);
  if (event->button() != gesture_button_) return;
  const Gesture gesture = gesture_;
  gesture_ = Gesture::None;
  switch (gesture) {
    case Gesture::Pan: setClickMode(click_mode_); break;  // restores the cursor
    case Gesture::Stroke: finishStroke(); break;
    case Gesture::Brush: {
      prompt_item_->setBrushStroke({}, 0, true);
      std::vector<QPointF> points;
      points.swap(brush_points_);
      emit brushStroke(points, brush_radius_, stroke_add_);
      break;
    }
    case Gesture::Box:
      prompt_item_->setDragBox(std::nullopt);
      emit boxPrompt(QRectF(mapToScene(press_pos_), scene_pos).normalized());
      break;
    case Gesture::Click: {
      if ((pos - press_pos_).manhattanLength() > kClickSlop || !doc_) break;
      if (click_mode_ == ClickMode::Prompt && !(event->modifiers() & Qt::ControlModifier)) {
        emit pointPrompt(scene_pos, !(event->modifiers() & Qt::ShiftModifier));
        break;
      }
      const int index = doc_->regionAt(scene_pos.x(), scene_pos.y());
      if (index < 0) break;
      const int64_t id = doc_->regions[size_t(index)].id;
      if (event->modifiers() & Qt::ControlModifier) {
        if (!selected_.erase(id)) selected_.insert(id);
        refreshSelectionShapes();
        emit selectionChanged();
      } else {
        emit regionClicked(id, scene_pos);
      }
      break;
    }
    default: break;
  }
  event->accept();
}

void ImageViewer::extendStroke(QPointF from, QPointF to) {
  if (!doc_) return;
  // Sample the segment densely enough (every pick cell) that a fast drag misses no region.
  const double length = std::hypot(to.x() - from.x(), to.y() - from.y());
  const int samples = std::max(1, int(std::ceil(length / doc_->pick_step)));
  bool grew = false;
  for (int k = 0; k <= samples; ++k) {
    const QPointF p = from + (to - from) * (double(k) / samples);
    const int index = doc_->regionAt(p.x(), p.y());
    if (index < 0) continue;
    const int64_t id = doc_->regions[size_t(index)].id;
    if (std::find(stroke_.begin(), stroke_.end(), id) != stroke_.end()) continue;
    stroke_.push_back(id);
    grew = true;
  }
  if (!grew) return;
  std::vector<QPainterPath> shapes;
  for (const int64_t id : stroke_) shapes.push_back(doc_->regions[size_t(doc_->indexOfRegion(id))].shape);
  emphasis_->setShapes(RegionEmphasisItem::Stroke, std::move(shapes));
}

void ImageViewer::finishStroke() {
  emphasis_->clear(RegionEmphasisItem::Stroke);
  std::vector<int64_t> regions;
  regions.swap(stroke_);
  if (!regions.empty()) emit regionsPainted(regions, stroke_add_);
}

void ImageViewer::keyPressEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    space_held_ = true;
    viewport()->setCursor(Qt::OpenHandCursor);
    event->accept();
    return;
  }
  if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && click_mode_ == ClickMode::Prompt) {
    emit promptAccepted(!(event->modifiers() & Qt::ControlModifier));
    event->accept();
    return;
  }
  if (event->key() == Qt::Key_Escape && click_mode_ == ClickMode::Prompt) {
    if (!selected_.empty()) setSelectedRegions({});
    emit promptCleared();
    event->accept();
    return;
  }
  QGraphicsView::keyPressEvent(event);
}

bool ImageViewer::event(QEvent* event) {
  // In prompt mode Esc and Enter belong to the prompt, ahead of the window's shortcuts (Esc
  // there clears the region selection).
  if (event->type() == QEvent::ShortcutOverride && click_mode_ == ClickMode::Prompt) {
    const int key = static_cast<QKeyEvent*>(event)->key();
    if (key == Qt::Key_Escape || key == Qt::Key_Return || key == Qt::Key_Enter) {
      event->accept();
      return true;
    }
  }
  return QGraphicsView::event(event);
}

void ImageViewer::keyReleaseEvent(QKeyEvent* event) {
  if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
    space_held_ = false;
    setClickMode(click_mode_);
    event->accept();
    return;
  }
  QGraphicsView::keyReleaseEvent(event);
}

void ImageViewer::leaveEvent(QEvent* event) {
  setHovered(-1);
  QGraphicsView::leaveEvent(event);
}

}  // namespace regionlab::ui
