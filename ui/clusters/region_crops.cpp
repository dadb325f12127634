#include "ui/clusters/region_crops.h"

#include <algorithm>
#include <map>
#include <optional>

#include <QPainter>

#include "core/base/error.h"
#include "core/image/image_decoder.h"
#include "core/storage/database.h"
#include "ui/viewer/region_shapes.h"

namespace regionlab::ui {
namespace {

QImage toQImage(const cv::Mat& rgb) {
  return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

QImage cropAround(const QImage& image, const Region& region, int side, double margin) {
  // The region grid may be smaller than the decoded image (large images are segmented downscaled).
  const double sx = double(image.width()) / std::max(1, region.mask.width);
  const double sy = double(image.height()) / std::max(1, region.mask.height);
  const BoundingBox& b = region.bbox;
  const double mx = b.width * margin, my = b.height * margin;
  QRectF box((b.x - mx) * sx, (b.y - my) * sy, (b.width + 2 * mx) * sx, (b.height + 2 * my) * sy);
  box = box.intersected(QRectF(0, 0, image.width(), image.height()));
  const QRect crop = box.toAlignedRect().intersected(image.rect());
  if (crop.isEmpty()) return {};
  const double scale = double(side) / std::max(crop.width(), crop.height());
  QImage out = image.copy(crop).scaled(std::max(1, int(crop.width() * scale)), std::max(1, int(crop.height() * scale)),
                                        Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                   .convertToFormat(QImage::Format_RGB32);
  QTransform to_crop;
  to_crop.scale(scale, scale);
  to_crop.translate(-crop.x(), -crop.y());
  to_crop.scale(sx, sy);
  const QPainterPath outline = to_crop.map(regionOutlinePath(region.mask, region.bbox, 256));
  QPainter painter(&out);
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setPen(QPen(QColor(0, 0, 0, 170), 3.0));
  painter.drawPath(outline);
  painter.setPen(QPen(QColor(255, 220, 40), 1.6));
  painter.drawPath(outline);
  return out;
}

}  // namespace

std::vector<RegionCrop> renderRegionCrops(Database& db, const std::filesystem::path& collection_root, const std::vector<int64_t>& region_ids,
                                          int side, double margin) {
  std::vector<RegionCrop> crops;
  std::map<int64_t, std::optional<QImage>> images;  // decoded once per image (nullopt: failed)
  std::map<int64_t, QString> image_errors;
  for (const int64_t id : region_ids) {
    RegionCrop crop;
    crop.region_id = id;
    const auto region = db.readRegion(id);
    if (!region) {
      crop.error = QStringLiteral("region %1 is gone").arg(id);
      crops.push_back(std::move(crop));
      continue;
    }
    crop.image_id = region->image_id;
    auto it = images.find(region->image_id);
    if (it == images.end()) {
      std::optional<QImage> decoded;
      try {
        const auto record = db.readImage(region->image_id);
        if (!record) throw Error("image " + std::to_string(region->image_id) + " is gone");
        decoded = toQImage(decodeImageFile(collection_root / record->path).rgb);
      } catch (const Error& e) {
        image_errors[region->image_id] = QString::fromStdString(e.what());
      }
      it = images.emplace(region->image_id, std::move(decoded)).first;
    }
    if (it->second) {
      crop.image = cropAround(*it->second, region->region, side, margin);
    } else {
      crop.error = image_errors[region->image_id];
    }
    crops.push_back(std::move(crop));
  }
  return crops;
}

}  // namespace regionlab::ui
