#pragma once
// Binary masks as run-length encoding, in COCO's uncompressed convention (pycocotools `counts`):
// pixels are read in column-major order (down each column, columns left to right), counts
// alternate between runs of 0s and runs of 1s, and the first count is a run of 0s (possibly 0).
// This is what SAM's automatic mask generator emits and what COCO files store, so regions move
// between RegionLab, the models and the export formats without conversion.
#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct Rle {
  int height = 0;
  int width = 0;
  std::vector<uint32_t> counts;

  bool operator==(const Rle&) const = default;
};

// Pixel box, inclusive-exclusive: covers x in [x, x + width), y in [y, y + height).
struct BoundingBox {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool operator==(const BoundingBox&) const = default;
};

// mask: CV_8U, any non-zero pixel is inside.
Rle encodeMask(const cv::Mat& mask);
// One RLE per label 0..num_labels-1 of a CV_32S label image, in a single pass over the pixels.
std::vector<Rle> encodeLabelMap(const cv::Mat& labels, int num_labels);
// CV_8U mask with 1 inside, 0 outside.
cv::Mat decodeRle(const Rle& rle);

int64_t rleArea(const Rle& rle);
BoundingBox rleBoundingBox(const Rle& rle);  // empty box for an empty mask
int64_t rleIntersectionArea(const Rle& a, const Rle& b);
double rleIoU(const Rle& a, const Rle& b);
bool rleContains(const Rle& rle, int x, int y);
Rle rleComplement(const Rle& rle);
Rle rleIntersection(const Rle& a, const Rle& b);
Rle rleUnion(const Rle& a, const Rle& b);

// Checks the invariants (sizes positive, counts sum to height*width, no zero-length run except
// the first); throws Error naming `what` when violated. Used on everything read from disk.
void validateRle(const Rle& rle, const std::string& what);

// Storage form: the counts as little-endian uint32, height and width kept by the caller.
std::vector<uint8_t> rleCountsToBytes(const Rle& rle);
Rle rleFromCountBytes(std::span<const uint8_t> bytes, int height, int width);

// COCO's compressed string form of the counts (pycocotools rleToString / rleFrString).
std::string rleToCocoString(const Rle& rle);
Rle rleFromCocoString(const std::string& s, int height, int width);

}  // namespace regionlab
