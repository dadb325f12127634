#pragma once
// Draws an image pyramid in tiles, from the level that matches the zoom, and only the tiles in
// the exposed part of the view: a 6000×6000 photo pans and zooms as fluidly as a small one.
#include <memory>

#include <QGraphicsItem>

#include "ui/viewer/image_document.h"

namespace regionlab::ui {

class TiledImageItem : public QGraphicsItem {
public:
  static constexpr int kTileSide = 512;

  TiledImageItem();
  // The pyramid is drawn into the scene rectangle (0, 0, scene_size).
  void setImage(std::shared_ptr<const ImagePyramid> pixels, QSize scene_size);

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  // Pyramid level drawn at a view scale (screen pixels per scene pixel); public for tests.
  int levelForScale(double scale) const;
  // What the last paint drew (tests check that only the visible part is drawn).
  int lastLevel() const { return last_level_; }
  int lastTileCount() const { return last_tiles_; }

private:
  std::shared_ptr<const ImagePyramid> pixels_;
  QSize scene_size_;
  qint64 cache_key_ = 0;  // distinguishes this image's tiles in QPixmapCache
  int last_level_ = -1;
  int last_tiles_ = 0;
};

}  // namespace regionlab::ui
