#pragma once
// The click-to-mask prompt drawn over the image: the predicted mask tinted with its outline and
// predicted IoU, the prompt's points (green: positive, red: negative) and box, and the box being
// dragged. Markers and captions keep their screen size at any zoom.
#include <optional>
#include <vector>

#include <QGraphicsItem>
#include <QImage>
#include <QPainterPath>
#include <QString>

namespace regionlab::ui {

struct PromptOverlay {
  QImage tint;          // the mask tinted (transparent outside), drawn over tint_rect
  QRectF tint_rect;     // scene coordinates
  QPainterPath outline; // scene coordinates
  std::vector<QPointF> points;  // scene coordinates
  std::vector<bool> positive;
  std::optional<QRectF> box;
  QString caption;      // e.g. "SAM · IoU 0.93"
  bool empty() const { return tint.isNull() && outline.isEmpty() && points.empty() && !box; }
};

class PromptOverlayItem : public QGraphicsItem {
public:
  PromptOverlayItem();
  void setSceneSize(QSizeF size);
  void setOverlay(PromptOverlay overlay);
  const PromptOverlay& overlay() const { return overlay_; }
  // The box under the mouse while dragging (none: nullopt).
  void setDragBox(std::optional<QRectF> box);
  // The mask brush: the stroke being drawn (scene points, radius; add: green, erase: red) and
  // the brush's outline under the cursor.
  void setBrushStroke(const std::vector<QPointF>& points, double radius, bool add);
  void setBrushCursor(std::optional<QPointF> at, double radius);

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
  QSizeF size_;
  PromptOverlay overlay_;
  std::optional<QRectF> drag_box_;
  std::vector<QPointF> brush_points_;
  double brush_radius_ = 0;
  bool brush_add_ = true;
  std::optional<QPointF> brush_cursor_;
  double cursor_radius_ = 0;
};

}  // namespace regionlab::ui
