#pragma once
// Clean-ups shared by the region generators.
#include <vector>

#include "core/regions/region.h"

namespace regionlab {

// Drops regions smaller than min_area pixels (order kept).
std::vector<Region> dropSmallRegions(std::vector<Region> regions, int64_t min_area);

// Keeps the first of every group of regions whose masks overlap with IoU > max_iou (order kept).
// Bounding boxes and areas prune pairs that cannot reach the threshold before any mask is read.
std::vector<Region> removeNearDuplicates(std::vector<Region> regions, double max_iou);

}  // namespace regionlab
