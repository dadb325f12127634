#include "ui/viewer/tiled_image_item.h"

#include <atomic>
#include <cmath>

#include <QPainter>
#include <QPixmap>
#include <QPixmapCache>
#include <QStyleOptionGraphicsItem>

namespace regionlab::ui {
namespace {

std::atomic<qint64> g_next_image_key{1};

}  // namespace

TiledImageItem::TiledImageItem() {
  setFlag(ItemUsesExtendedStyleOption, true);  // exposedRect = the part to repaint
  setZValue(0);
}

void TiledImageItem::setImage(std::shared_ptr<const ImagePyramid> pixels, QSize scene_size) {
  prepareGeometryChange();
  pixels_ = std::move(pixels);
  scene_size_ = scene_size;
  cache_key_ = g_next_image_key++;
  update();
}

QRectF TiledImageItem::boundingRect() const { return QRectF(QPointF(0, 0), QSizeF(scene_size_)); }

int TiledImageItem::levelForScale(double scale) const {
  if (!pixels_ || pixels_->levels.empty()) return 0;
  // Screen pixels per level-0 pixel; the coarsest level still at least as sharp as the screen.
  const double per_full_pixel = scale * double(scene_size_.width()) / double(pixels_->fullSize().width());
  int level = 0;
  while (level + 1 < int(pixels_->levels.size()) && per_full_pixel * std::pow(2.0, level + 1) <= 1.0) ++level;
  return level;
}

void TiledImageItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
  if (!pixels_ || pixels_->levels.empty()) return;
  const double scale = QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
  const int level = levelForScale(scale);
  const QImage& image = pixels_->levels[size_t(level)];
  // Scene units per pixel of this level.
  const double sx = double(scene_size_.width()) / image.width();
  const double sy = double(scene_size_.height()) / image.height();
  const QRectF exposed = option->exposedRect.intersected(boundingRect());
  const int first_col = std::max(0, int(exposed.left() / sx) / kTileSide);
  const int last_col = std::min((image.width() - 1) / kTileSide, int(exposed.right() / sx) / kTileSide);
  const int first_row = std::max(0, int(exposed.top() / sy) / kTileSide);
  const int last_row = std::min((image.height() - 1) / kTileSide, int(exposed.bottom() / sy) / kTileSide);
  // Magnified pixels stay crisp squares (labeling needs to see them); reduced ones are smoothed.
  painter->setRenderHint(QPainter::SmoothPixmapTransform, scale * sx < 1.0);
  last_level_ = level;
  last_tiles_ = 0;
  for (int row = first_row; row <= last_row; ++row) {
    for (int col = first_col; col <= last_col; ++col) {
      const QRect tile(col * kTileSide, row * kTileSide, kTileSide, kTileSide);
      const QRect clipped = tile.intersected(image.rect());
      const QString key = QStringLiteral("rl-tile-%1-%2-%3-%4").arg(cache_key_).arg(level).arg(col).arg(row);
      QPixmap pixmap;
      if (!QPixmapCache::find(key, &pixmap)) {
        pixmap = QPixmap::fromImage(image.copy(clipped));
        QPixmapCache::insert(key, pixmap);
      }
      const QRectF target(clipped.x() * sx, clipped.y() * sy, clipped.width() * sx, clipped.height() * sy);
      painter->drawPixmap(target, pixmap, QRectF(pixmap.rect()));
      ++last_tiles_;
    }
  }
}

}  // namespace regionlab::ui
