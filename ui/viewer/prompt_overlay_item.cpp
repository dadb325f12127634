#include "ui/viewer/prompt_overlay_item.h"

#include <QPainter>

namespace regionlab::ui {
namespace {

const QColor kPositive(40, 220, 90);
const QColor kNegative(235, 60, 60);
const QColor kOutline(30, 144, 255);

}  // namespace

PromptOverlayItem::PromptOverlayItem() {
  setZValue(25);  // above the regions, the heat map and the emphasised regions: the prompt is what the user works on
  setAcceptedMouseButtons(Qt::NoButton);
}

void PromptOverlayItem::setSceneSize(QSizeF size) {
  prepareGeometryChange();
  size_ = size;
}

void PromptOverlayItem::setOverlay(PromptOverlay overlay) {
  overlay_ = std::move(overlay);
  update();
}

void PromptOverlayItem::setDragBox(std::optional<QRectF> box) {
  drag_box_ = box;
  update();
}

void PromptOverlayItem::setBrushStroke(const std::vector<QPointF>& points, double radius, bool add) {
  brush_points_ = points;
  brush_radius_ = radius;
  brush_add_ = add;
  update();
}

void PromptOverlayItem::setBrushCursor(std::optional<QPointF> at, double radius) {
  brush_cursor_ = at;
  cursor_radius_ = radius;
  update();
}

QRectF PromptOverlayItem::boundingRect() const { return QRectF(QPointF(0, 0), size_); }

void PromptOverlayItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  if (overlay_.empty() && !drag_box_ && brush_points_.empty() && !brush_cursor_) return;
  painter->save();
  if (!brush_points_.empty()) {
    // The stroke as the mask will get it: a line of the brush's width with round ends.
    QPen pen(brush_add_ ? QColor(40, 220, 90, 140) : QColor(235, 60, 60, 140), 2 * brush_radius_, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    painter->setPen(pen);
    if (brush_points_.size() == 1) painter->drawPoint(brush_points_.front());
    else painter->drawPolyline(brush_points_.data(), int(brush_points_.size()));
  }
  if (brush_cursor_) {
    QPen pen(Qt::white, 1.5);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawEllipse(*brush_cursor_, cursor_radius_, cursor_radius_);
  }
  if (!overlay_.tint.isNull()) {
    painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter->drawImage(overlay_.tint_rect, overlay_.tint);
  }
  painter->setRenderHint(QPainter::Antialiasing, true);
  if (!overlay_.outline.isEmpty()) {
    QPen pen(kOutline, 2);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(overlay_.outline);
  }
  for (const std::optional<QRectF>& box : {overlay_.box, drag_box_}) {
    if (!box) continue;
    QPen pen(Qt::white, 1.5, Qt::DashLine);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(*box);
  }
  // Markers and the caption in screen pixels.
  const QTransform to_screen = painter->transform();
  painter->resetTransform();
  for (size_t k = 0; k < overlay_.points.size(); ++k) {
    const QPointF at = to_screen.map(overlay_.points[k]);
    const bool positive = k < overlay_.positive.size() && overlay_.positive[k];
    painter->setPen(QPen(Qt::white, 1.5));
    painter->setBrush(positive ? kPositive : kNegative);
    painter->drawEllipse(at, 6, 6);
    painter->setPen(QPen(Qt::white, 2));
    painter->drawLine(at - QPointF(3, 0), at + QPointF(3, 0));
    if (positive) painter->drawLine(at - QPointF(0, 3), at + QPointF(0, 3));
  }
  if (!overlay_.caption.isEmpty() && !overlay_.outline.isEmpty()) {
    const QRectF bounds = to_screen.mapRect(overlay_.outline.boundingRect());
    const QFontMetrics metrics(painter->font());
    const QRectF text = QRectF(metrics.boundingRect(overlay_.caption)).adjusted(-4, -2, 4, 2);
    const QPointF at(bounds.left(), std::max(0.0, bounds.top() - text.height() - 2));
    const QRectF label(at, text.size());
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 180));
    painter->drawRoundedRect(label, 3, 3);
    painter->setPen(Qt::white);
    painter->drawText(label, Qt::AlignCenter, overlay_.caption);
  }
  painter->restore();
}

}  // namespace regionlab::ui
