#include "ui/query/result_items.h"

#include "core/storage/database.h"
#include "ui/viewer/region_shapes.h"

namespace regionlab::ui {
namespace {

// Result thumbnails are ~200 px: outlines traced on 256 cells are exact enough.
constexpr int kThumbnailOutlineRaster = 256;

}  // namespace

ResultItem readResultItem(Database& db, int64_t image_id, const std::string& path, int64_t region_id, float score) {
  ResultItem item;
  item.image_id = image_id;
  item.region_id = region_id;
  item.score = score;
  if (!path.empty()) {
    item.path = QString::fromStdString(path);
  } else if (const auto image = db.readImage(image_id)) {
    item.path = QString::fromStdString(image->path);
  }
  if (const auto region = db.readRegion(region_id)) {
    const BoundingBox& b = region->region.bbox;
    item.bbox = QRect(b.x, b.y, b.width, b.height);
    item.image_size = QSize(region->region.mask.width, region->region.mask.height);
    item.outline = regionOutlinePath(region->region.mask, b, kThumbnailOutlineRaster);
  }
  return item;
}

}  // namespace regionlab::ui
