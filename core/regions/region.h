#pragma once
// A region: one binary mask over an image, the atom RegionLab embeds, searches and labels.
#include <cstdint>

#include "core/regions/rle.h"

namespace regionlab {

struct Region {
  Rle mask;
  BoundingBox bbox;
  int64_t area = 0;
};

inline Region makeRegion(Rle mask) {
  Region r;
  r.bbox = rleBoundingBox(mask);
  r.area = rleArea(mask);
  r.mask = std::move(mask);
  return r;
}

}  // namespace regionlab
