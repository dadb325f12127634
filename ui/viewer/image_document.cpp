#include "ui/viewer/image_document.h"

#include "core/learning/region_pick.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/image/image_decoder.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "ui/viewer/mask_raster.h"
#include "ui/viewer/region_shapes.h"

namespace regionlab::ui {
namespace {

// Pick maps up to 2048 px on the long side: 16 MB for a 6000×6000 image, one lookup per move.
constexpr int kPickMaxSide = 2048;
constexpr int kSmallestLevelSide = 512;

QImage toQImage(const cv::Mat& rgb) {
  return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

}  // namespace

std::shared_ptr<const ImagePyramid> buildImagePyramid(const cv::Mat& rgb) {
  auto pyramid = std::make_shared<ImagePyramid>();
  cv::Mat level = rgb;
  pyramid->levels.push_back(toQImage(level));
  while (std::max(level.cols, level.rows) > kSmallestLevelSide) {
    cv::Mat half;
    cv::resize(level, half, cv::Size(std::max(1, level.cols / 2), std::max(1, level.rows / 2)), 0, 0, cv::INTER_AREA);
    pyramid->levels.push_back(toQImage(half));
    level = half;
  }
  return pyramid;
}

int ImageDocument::regionAt(double x, double y) const {
  if (pick.empty() || x < 0 || y < 0) return -1;
  const int j = int(x) / pick_step;
  const int i = int(y) / pick_step;
  if (i >= pick.rows || j >= pick.cols) return -1;
  return pick.at<int32_t>(i, j);
}

int ImageDocument::indexOfRegion(int64_t region_id) const {
  for (size_t k = 0; k < regions.size(); ++k) {
    if (regions[k].id == region_id) return int(k);
  }
  return -1;
}

std::shared_ptr<const ImageDocument> loadImageDocument(const CollectionPaths& paths, const QString& relative_path,
                                                       int64_t active_generator_id) {
  auto doc = std::make_shared<ImageDocument>();
  doc->path = relative_path;
  doc->status = QStringLiteral("pending");
  std::optional<ImageRecord> record;
  std::vector<RegionRecord> records;
  if (paths.hasDatabase()) {
    auto db = Database::open(paths.database, Database::Access::ReadOnly);
    record = db->findImage(relative_path.toStdString());
    if (record) {
      doc->image_id = record->id;
      doc->status = QString::fromStdString(imageStatusName(record->status));
      doc->error = QString::fromStdString(record->error);
      if (record->status == ImageStatus::Done) {
        records = active_generator_id ? readPickCandidates(*db, record->id, active_generator_id) : db->readRegionsOfImage(record->id);
      }
    }
  }
  // The viewer shows even images the ingest refused for size, downscaled.
  DecodeOptions options;
  options.downscale_large = true;
  const Image image = decodeImageFile(paths.absolutePath(relative_path.toStdString()), options);
  doc->pixels = buildImagePyramid(image.rgb);
  doc->size = (record && record->status == ImageStatus::Done && record->width > 0) ? QSize(record->width, record->height)
                                                                                    : QSize(image.width(), image.height());

  // Painted in reverse pick order (region_pick.h), so each cell ends up naming the region a
  // click there picks: the smallest, the lower id among equals.
  std::sort(records.begin(), records.end(), [](const RegionRecord& a, const RegionRecord& b) {
    return pickPrecedes(b.region.area, b.id, a.region.area, a.id);
  });
  const SampleGrid grid = gridOverImage(doc->size.width(), doc->size.height(), kPickMaxSide);
  doc->pick_step = grid.step;
  doc->pick = cv::Mat(grid.rows, grid.cols, CV_32S, cv::Scalar(-1));
  doc->regions.reserve(records.size());
  for (const RegionRecord& r : records) {
    if (r.region.mask.width != doc->size.width() || r.region.mask.height != doc->size.height()) continue;
    const int index = int(doc->regions.size());
    const BoundingBox& b = r.region.bbox;
    doc->regions.push_back({r.id, r.region.area, QRect(b.x, b.y, b.width, b.height), regionOutlinePath(r.region.mask, b)});
    forEachMaskedCell(r.region.mask, grid, [&](int i, int j) { doc->pick.at<int32_t>(i, j) = index; });
  }
  return doc;
}

}  // namespace regionlab::ui
