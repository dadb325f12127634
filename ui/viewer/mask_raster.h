#pragma once
// Visits the pixels of an RLE mask on a sampling grid, straight from the runs, without decoding
// the full-size mask: what drawing overlays, picking and heat maps of a 6000×6000 image need.
#include <algorithm>
#include <cstdint>

#include "core/regions/rle.h"

namespace regionlab::ui {

// A grid of `cols`×`rows` cells over the image: cell (row i, column j) samples image pixel
// (x0 + j*step, y0 + i*step).
struct SampleGrid {
  int x0 = 0;
  int y0 = 0;
  int step = 1;
  int cols = 0;
  int rows = 0;
};

// A grid covering the whole w×h image with at most max_side cells along its longer side.
inline SampleGrid gridOverImage(int width, int height, int max_side) {
  const int step = std::max(1, (std::max(width, height) + max_side - 1) / max_side);
  return {0, 0, step, (width + step - 1) / step, (height + step - 1) / step};
}

// Calls visit(i, j) for every grid cell whose sample pixel is inside the mask. The runs are in
// COCO's column-major order, starting with a run of zeros.
template <typename Visit>
void forEachMaskedCell(const Rle& rle, const SampleGrid& grid, Visit&& visit) {
  const int64_t h = rle.height;
  if (h <= 0) return;
  int64_t pos = 0;
  bool ones = false;
  for (const uint32_t count : rle.counts) {
    if (ones && count > 0) {
      int64_t p = pos;
      const int64_t end = pos + count;
      while (p < end) {
        const int64_t col = p / h;
        const int64_t row = p % h;
        const int64_t segment_end = std::min<int64_t>(end, (col + 1) * h);
        const int64_t dx = col - grid.x0;
        if (dx >= 0 && dx % grid.step == 0 && dx / grid.step < grid.cols) {
          const int j = int(dx / grid.step);
          const int64_t row_end = row + (segment_end - p);
          int64_t r = std::max<int64_t>(row, grid.y0);
          const int64_t offset = (r - grid.y0) % grid.step;
          if (offset != 0) r += grid.step - offset;
          for (; r < row_end; r += grid.step) {
            const int i = int((r - grid.y0) / grid.step);
            if (i >= grid.rows) break;
            visit(i, j);
          }
        }
        p = segment_end;
      }
    }
    pos += count;
    ones = !ones;
  }
}

}  // namespace regionlab::ui
