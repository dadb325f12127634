#pragma once
// The image viewer: zoom (wheel, fit, 1:1) and pan (middle drag, or Space + drag) over a tiled
// image, regions drawn as outlines or tinted fills with adjustable opacity, the region under
// the cursor highlighted with its area. A click on a region asks for a query; in painting mode
// dragging across regions adds them to (left button) or removes them from (right button) the
// current class. With a click-to-mask model loaded (SAM), the prompt mode turns clicks into
// points (Shift: negative) and drags into boxes.
#include <cstdint>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include <QGraphicsView>

#include "ui/query/heat_map.h"
#include "ui/viewer/image_document.h"
#include "ui/viewer/prompt_overlay_item.h"
#include "ui/viewer/region_overlay_item.h"

class QGraphicsPixmapItem;
class QLabel;

namespace regionlab::ui {

class TiledImageItem;

class ImageViewer : public QGraphicsView {
  Q_OBJECT

public:
  enum class ClickMode { Query, PaintRegions, Prompt, BrushMask };

  explicit ImageViewer(QWidget* parent = nullptr);

  void setDocument(std::shared_ptr<const ImageDocument> doc);
  const std::shared_ptr<const ImageDocument>& document() const { return doc_; }
  void clearDocument();

  void setOverlayMode(OverlayMode mode);
  OverlayMode overlayMode() const;
  void setOverlayOpacity(double opacity);  // 0..1
  double overlayOpacity() const;
  // Region id → class colour of the labeled regions of the shown image.
  void setRegionColors(std::unordered_map<int64_t, QColor> colors);

  // The query region, drawn dashed while results load and afterwards (when the query's image is shown).
  void setQueryShape(int64_t image_id, const QPainterPath& shape);
  void clearQueryShape() { setQueryShape(0, {}); }
  const QPainterPath& queryShape() const { return query_shape_; }
  // The region a selected result matched with.
  void setMatchedRegion(int64_t region_id);
  void setHeatMap(const HeatMap& map);
  void clearHeatMap();
  bool hasHeatMap() const;

  // Prompt mode: the predicted mask, points and box (scene coordinates), and a line saying what
  // the click-to-mask model is doing ("Encoding image for SAM…"; empty hides it).
  void setPromptOverlay(PromptOverlay overlay);
  void clearPromptOverlay() { setPromptOverlay({}); }
  const PromptOverlay& promptOverlay() const;
  void setPromptStatus(const QString& text);
  QString promptStatus() const;

  void setClickMode(ClickMode mode);
  ClickMode clickMode() const { return click_mode_; }
  // The mask brush's radius in image (scene) pixels.
  void setBrushRadius(double radius);
  double brushRadius() const { return brush_radius_; }
  const std::set<int64_t>& selectedRegions() const { return selected_; }
  void setSelectedRegions(const std::set<int64_t>& ids);
  int64_t hoveredRegion() const;

  double zoom() const;  // screen pixels per image pixel
  bool fitsWindow() const { return fit_; }
  // Where an image pixel appears in the viewport (tests click there).
  QPoint viewportPointOf(QPointF image_point) const;
  const TiledImageItem* imageItem() const { return image_item_; }

public slots:
  void zoomIn();
  void zoomOut();
  void fitToWindow();
  void actualPixels();

signals:
  void regionClicked(qint64 region_id, QPointF image_point);
  void hoveredRegionChanged(qint64 region_id, qint64 area);
  void selectionChanged();
  // A painting stroke ended: the regions it crossed, to add (left button) or remove.
  void regionsPainted(const std::vector<int64_t>& region_ids, bool add);
  void zoomChanged(double zoom);
  // Prompt mode (click-to-mask models): points, boxes and the request to use the mask.
  void pointPrompt(QPointF image_point, bool positive);
  void boxPrompt(QRectF image_box);
  // Enter: use the mask (as the query, and as a label); Ctrl+Enter: only as the query.
  void promptAccepted(bool label);
  // Esc in prompt mode: forget the points and the mask.
  void promptCleared();
  // Mask brush mode: a stroke's points (scene coordinates) with the brush radius; left button
  // adds to the mask, right button erases.
  void brushStroke(const std::vector<QPointF>& points, double radius, bool add);

protected:
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  bool event(QEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

private:
  void setZoom(double zoom, bool keep_fit = false);
  void updateHover(QPointF scene_point);
  void setHovered(int index);
  void extendStroke(QPointF from, QPointF to);
  void finishStroke();
  void refreshSelectionShapes();
  void updateHoverLabel(QPoint viewport_pos);
  void updateLegend();

  QGraphicsScene* scene_;
  TiledImageItem* image_item_;
  RegionOverlayItem* overlay_;
  RegionEmphasisItem* emphasis_;
  QGraphicsPixmapItem* heat_item_;
  PromptOverlayItem* prompt_item_;
  QLabel* hover_label_;
  QLabel* prompt_status_;
  QLabel* legend_;
  std::shared_ptr<const ImageDocument> doc_;
  std::set<int64_t> selected_;
  int hovered_ = -1;
  bool fit_ = true;
  ClickMode click_mode_ = ClickMode::Query;

  // Mouse gesture state.
  enum class Gesture { None, Click, Pan, Stroke, Box, Brush };
  Gesture gesture_ = Gesture::None;
  Qt::MouseButton gesture_button_ = Qt::NoButton;
  QPoint press_pos_;
  QPoint last_pos_;
  bool space_held_ = false;
  bool stroke_add_ = true;
  std::vector<QPointF> brush_points_;
  double brush_radius_ = 8;
  std::vector<int64_t> stroke_;  // in crossing order, no repeats
  int64_t query_image_id_ = 0;
  QPainterPath query_shape_;
  int64_t matched_region_ = 0;
  HeatMap heat_;
};

}  // namespace regionlab::ui
