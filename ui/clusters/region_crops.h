#pragma once
// Thumbnails of single regions for the cluster page: the image cropped around the region's box
// (with a margin, so the object is seen in its context) and the region's outline drawn on it.
#include <cstdint>
#include <filesystem>
#include <vector>

#include <QImage>

namespace regionlab {
class Database;
}

namespace regionlab::ui {

struct RegionCrop {
  int64_t region_id = 0;
  int64_t image_id = 0;
  QImage image;  // `side` × `side` at most; null when the image could not be read
  QString error;
};

// Crops of the given regions (read from the database; each image decoded once), `side` pixels
// on the longer side; `margin` is the share of the box added on every side.
std::vector<RegionCrop> renderRegionCrops(Database& db, const std::filesystem::path& collection_root, const std::vector<int64_t>& region_ids,
                                          int side = 112, double margin = 0.35);

}  // namespace regionlab::ui
