#pragma once
// The region layers drawn over the image: every region (outlines or tinted fills, labeled ones
// in their class colour) and, above it at full opacity, the emphasised regions (under the
// cursor, selected, the query, the matched region, a painting stroke). Both draw only shapes
// that meet the exposed rectangle, with cosmetic pens (constant screen width at every zoom).
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <QColor>
#include <QGraphicsItem>
#include <QPainterPath>

#include "ui/viewer/image_document.h"

namespace regionlab::ui {

enum class OverlayMode { Outlines, Fills, Hidden };

class RegionOverlayItem : public QGraphicsItem {
public:
  RegionOverlayItem();
  void setDocument(std::shared_ptr<const ImageDocument> doc);
  void setMode(OverlayMode mode);
  OverlayMode mode() const { return mode_; }
  // Region id → class colour, for labeled regions.
  void setRegionColors(std::unordered_map<int64_t, QColor> colors);

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
  std::shared_ptr<const ImageDocument> doc_;
  OverlayMode mode_ = OverlayMode::Outlines;
  std::unordered_map<int64_t, QColor> colors_;
};

struct EmphasisStyle {
  QColor pen;
  double pen_width = 2.0;  // screen pixels
  QColor fill;             // transparent: no fill
  Qt::PenStyle pen_style = Qt::SolidLine;
};

class RegionEmphasisItem : public QGraphicsItem {
public:
  enum Layer { Selection, Stroke, Match, Query, Hover, LayerCount };  // drawn in this order

  RegionEmphasisItem();
  void setSceneSize(QSize size);
  void setShapes(Layer layer, std::vector<QPainterPath> shapes);
  void clear(Layer layer) { setShapes(layer, {}); }
  const std::vector<QPainterPath>& shapes(Layer layer) const { return layers_[layer]; }

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
  QSize size_;
  std::vector<QPainterPath> layers_[LayerCount];
};

}  // namespace regionlab::ui
