#include "ui/viewer/region_overlay_item.h"

#include <cmath>

#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace regionlab::ui {
namespace {

// Unlabeled regions get a colour of their own, spread around the hue circle by the golden
// ratio so that neighbours differ.
QColor regionColor(int64_t region_id) {
  const double hue = std::fmod(double(region_id) * 0.618033988749895, 1.0);
  return QColor::fromHsvF(float(hue), 0.75f, 1.0f);
}

const EmphasisStyle& styleOf(RegionEmphasisItem::Layer layer) {
  static const EmphasisStyle kStyles[RegionEmphasisItem::LayerCount] = {
      {QColor(0, 220, 255), 2.5, QColor(0, 220, 255, 60), Qt::SolidLine},    // Selection
      {QColor(255, 255, 255), 1.5, QColor(255, 255, 255, 90), Qt::SolidLine},  // Stroke
      {QColor(40, 255, 90), 3.0, QColor(40, 255, 90, 50), Qt::SolidLine},      // Match
      {QColor(255, 220, 0), 3.0, QColor(255, 220, 0, 70), Qt::DashLine},       // Query
      {QColor(255, 255, 255), 2.5, QColor(255, 255, 255, 70), Qt::SolidLine},  // Hover
  };
  return kStyles[layer];
}

}  // namespace

RegionOverlayItem::RegionOverlayItem() {
  setFlag(ItemUsesExtendedStyleOption, true);
  setZValue(10);
}

void RegionOverlayItem::setDocument(std::shared_ptr<const ImageDocument> doc) {
  prepareGeometryChange();
  doc_ = std::move(doc);
  colors_.clear();
  update();
}

void RegionOverlayItem::setMode(OverlayMode mode) {
  mode_ = mode;
  update();
}

void RegionOverlayItem::setRegionColors(std::unordered_map<int64_t, QColor> colors) {
  colors_ = std::move(colors);
  update();
}

QRectF RegionOverlayItem::boundingRect() const { return doc_ ? QRectF(QPointF(0, 0), QSizeF(doc_->size)) : QRectF(); }

void RegionOverlayItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  if (!doc_ || mode_ == OverlayMode::Hidden) return;
  painter->setRenderHint(QPainter::Antialiasing, true);
  const QRectF exposed = option->exposedRect;
  for (const ViewerRegion& region : doc_->regions) {
    if (!exposed.intersects(QRectF(region.bbox).adjusted(-1, -1, 1, 1))) continue;
    const auto labeled = colors_.find(region.id);
    const bool has_class = labeled != colors_.end();
    const QColor color = has_class ? labeled->second : regionColor(region.id);
    QPen pen(color, has_class ? 2.0 : 1.0);
    pen.setCosmetic(true);
    painter->setPen(pen);
    if (mode_ == OverlayMode::Fills || has_class) {
      QColor fill = color;
      fill.setAlpha(has_class ? 110 : 80);
      painter->setBrush(fill);
    } else {
      painter->setBrush(Qt::NoBrush);
    }
    painter->drawPath(region.shape);
  }
}

RegionEmphasisItem::RegionEmphasisItem() {
  setFlag(ItemUsesExtendedStyleOption, true);
  setZValue(20);
}

void RegionEmphasisItem::setSceneSize(QSize size) {
  prepareGeometryChange();
  size_ = size;
  for (auto& layer : layers_) layer.clear();
  update();
}

void RegionEmphasisItem::setShapes(Layer layer, std::vector<QPainterPath> shapes) {
  // Repaint only where the old and the new shapes are.
  QRectF dirty;
  for (const QPainterPath& p : layers_[layer]) dirty |= p.boundingRect();
  for (const QPainterPath& p : shapes) dirty |= p.boundingRect();
  layers_[layer] = std::move(shapes);
  if (!dirty.isNull()) update(dirty.adjusted(-2, -2, 2, 2));
}

QRectF RegionEmphasisItem::boundingRect() const { return QRectF(QPointF(0, 0), QSizeF(size_)); }

void RegionEmphasisItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  painter->setRenderHint(QPainter::Antialiasing, true);
  const QRectF exposed = option->exposedRect;
  for (int layer = 0; layer < LayerCount; ++layer) {
    const EmphasisStyle& style = styleOf(Layer(layer));
    for (const QPainterPath& shape : layers_[layer]) {
      if (!exposed.intersects(shape.boundingRect().adjusted(-1, -1, 1, 1))) continue;
      // A dark halo under the pen keeps the outline visible on bright and dark pixels alike.
      QPen halo(QColor(0, 0, 0, 160), style.pen_width + 2.0);
      halo.setCosmetic(true);
      painter->setPen(halo);
      painter->setBrush(Qt::NoBrush);
      painter->drawPath(shape);
      QPen pen(style.pen, style.pen_width, style.pen_style);
      pen.setCosmetic(true);
      painter->setPen(pen);
      painter->setBrush(style.fill.alpha() > 0 ? QBrush(style.fill) : QBrush(Qt::NoBrush));
      painter->drawPath(shape);
    }
  }
}

}  // namespace regionlab::ui
