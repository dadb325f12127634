#pragma once
// Exact fast mask pooling (the regions paper's "upsample, then average in the mask", §A4 of
// REFERENCE.md) without materialising the upsampled feature map.
//
// The paper bilinearly upsamples a C×h×w patch-feature map to the padded image size Hp×Wp
// (align_corners = false), centre-crops it to the image's H×W and averages the C-vectors of the
// pixels inside each mask. Upsampling is linear, up(F) = F·U, so for a mask m
//     mean_{p∈m} up(F)[p] = F · (Uᵀm) / |m|.
// Uᵀm is an h×w weight map: each mask is "downsampled" once with the transposed bilinear weights
// (separable, computed from the mask's column runs with prefix sums), then one sparse product
// with the token matrix gives the pooled vector. Same numbers as the naive computation up to fp32
// rounding; cost O(mask runs · h + C · touched cells) instead of O(C·H·W) per image.
#include <span>
#include <utility>
#include <vector>

#include "core/regions/rle.h"

namespace regionlab {

struct PoolingGeometry {
  int grid_height = 0;       // h: rows of the feature map
  int grid_width = 0;        // w
  int upsampled_height = 0;  // Hp: the map is bilinearly upsampled to Hp×Wp
  int upsampled_width = 0;
  int crop_top = 0;          // the masks' pixel (0, 0) is upsampled pixel (crop_top, crop_left)
  int crop_left = 0;
  int image_height = 0;      // H×W: size of the masks
  int image_width = 0;
};

class MaskPooler {
public:
  explicit MaskPooler(const PoolingGeometry& geometry);

  // Uᵀm: the weight of every grid cell (row-major index i*w + j) for this mask, summing to the
  // mask's area. Cells with zero weight are omitted.
  std::vector<std::pair<int, float>> cellWeights(const Rle& mask) const;

  // tokens: (h·w) × channels, row-major, cell-major like a ViT's patch tokens.
  // Returns masks.size() × channels: the mean of the upsampled features over each mask
  // (zeros for an empty mask).
  std::vector<float> pool(const float* tokens, int channels, std::span<const Rle> masks) const;

  const PoolingGeometry& geometry() const { return geometry_; }

private:
  struct Tap {  // one output pixel's two source cells along an axis and their weights
    int i0, i1;
    float w0, w1;
  };
  PoolingGeometry geometry_;
  std::vector<Tap> row_taps_;     // per image row y (already offset by crop_top)
  std::vector<Tap> column_taps_;  // per image column x
  // row_prefix_[y * h + i] = Σ_{y' < y} weight of grid row i at image row y'
  std::vector<double> row_prefix_;
};

}  // namespace regionlab
