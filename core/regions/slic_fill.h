#pragma once
// The regions paper's SLIC fill (REFERENCE.md §A3): pixels no SAM mask covers are cut by SLIC
// superpixels (~50 per image), and each superpixel's uncovered part with ≥ 300 pixels becomes an
// extra region, appended after the SAM masks. Pieces are not split into connected components,
// and uncovered pixels whose piece is smaller stay uncovered (as in the paper's code).
//
// Difference from the paper: it used fast-slic 0.4.0 (L1 distance on quantised CIELAB plus a
// Manhattan spatial term, every 3rd row assigned per iteration, compactness 8); we use OpenCV's
// ximgproc SuperpixelSLIC (Achanta et al.'s SLIC on CIELAB, Euclidean distances) with the same
// number of superpixels (region_size = round(sqrt(H·W / 50))), 10 iterations and connectivity
// enforcement at 25 % of the nominal size. Superpixel boundaries differ in detail, so fill
// pieces are similar in size and placement but not pixel-identical to the paper's.
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/region.h"

namespace regionlab {

struct SlicFillOptions {
  int superpixels = 50;       // fast-slic num_components in the paper
  float ruler = 8.0f;         // compactness (the paper's value; OpenCV's scale differs)
  int iterations = 10;        // fast-slic max_iter
  int min_element_percent = 25;  // connectivity enforcement (fast-slic min_size_factor 0.25)
  int min_pixels = 300;       // the paper's min_pixels for a kept piece
};

// Pieces of uncovered pixels, in SLIC label order. rgb: CV_8UC3.
std::vector<Region> slicFillRegions(const cv::Mat& rgb, const std::vector<Region>& masks, const SlicFillOptions& options = {});

}  // namespace regionlab
