#include "core/regions/region_filters.h"

#include <algorithm>

namespace regionlab {

std::vector<Region> dropSmallRegions(std::vector<Region> regions, int64_t min_area) {
  std::erase_if(regions, [&](const Region& r) { return r.area < min_area || r.area == 0; });
  return regions;
}

std::vector<Region> removeNearDuplicates(std::vector<Region> regions, double max_iou) {
  std::vector<Region> kept;
  kept.reserve(regions.size());
  for (auto& candidate : regions) {
    bool duplicate = false;
    for (const Region& k : kept) {
      // IoU = inter / union <= min(box overlap, smaller area) / larger area: prune pairs that
      // cannot exceed the threshold before reading any mask.
      const int ix0 = std::max(k.bbox.x, candidate.bbox.x), iy0 = std::max(k.bbox.y, candidate.bbox.y);
      const int ix1 = std::min(k.bbox.x + k.bbox.width, candidate.bbox.x + candidate.bbox.width);
      const int iy1 = std::min(k.bbox.y + k.bbox.height, candidate.bbox.y + candidate.bbox.height);
      if (ix1 <= ix0 || iy1 <= iy0) continue;
      const double box_overlap = double(ix1 - ix0) * double(iy1 - iy0);
      const double small = double(std::min(k.area, candidate.area)), large = double(std::max(k.area, candidate.area));
      if (std::min(box_overlap, small) <= max_iou * large) continue;
      if (rleIoU(k.mask, candidate.mask) > max_iou) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) kept.push_back(std::move(candidate));
  }
  return kept;
}

}  // namespace regionlab
