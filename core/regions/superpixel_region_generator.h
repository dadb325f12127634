#pragma once
// The embedded default region generator (no model weights): SLIC superpixels (Achanta et al.,
// TPAMI 2012; OpenCV ximgproc) for small, colour-coherent pieces, plus Felzenszwalb-Huttenlocher
// graph segmentation (IJCV 2004) at two scales for larger, object-like regions. The union is an
// overlapping set of candidate regions, like SAM's automatic masks: near-duplicates (mask IoU >
// 0.9) and tiny regions (< 0.1% of the image) are removed. Segmentation runs on a copy of the image
// scaled to `work_long_side`; masks are scaled back to full resolution.
#include "core/regions/region_generator.h"

namespace regionlab {

struct SuperpixelRegionOptions {
  // Long side of the working copy the segmenters run on (full resolution costs 4x more for a
  // 640-pixel photo and gives the same regions up to boundary detail).
  int work_long_side = 448;
  // SLIC: about this many superpixels per image (the regions paper fills holes with 50).
  int slic_regions = 50;
  float slic_ruler = 10.0f;   // compactness
  int slic_iterations = 10;
  // Felzenszwalb: Gaussian pre-smoothing and the two scale parameters k (larger k, larger segments).
  double graph_sigma = 0.8;
  float graph_k_fine = 300.0f;
  float graph_k_coarse = 1000.0f;
  // Minimum segment size as a fraction of the working image (merged into a neighbour below it).
  double graph_min_size_fine = 0.004;
  double graph_min_size_coarse = 0.01;
  // Regions overlapping an earlier region with mask IoU above this are dropped.
  double duplicate_iou = 0.9;
  // Regions smaller than this fraction of the image are dropped.
  double min_area_fraction = 0.001;
};

class SuperpixelRegionGenerator final : public RegionGenerator {
public:
  explicit SuperpixelRegionGenerator(SuperpixelRegionOptions options = {});
  std::string name() const override { return "default"; }
  std::string identity() const override;
  std::string description() const override;
  std::vector<Region> generate(const cv::Mat& rgb) const override;

  const SuperpixelRegionOptions& options() const { return options_; }

private:
  SuperpixelRegionOptions options_;
};

}  // namespace regionlab
