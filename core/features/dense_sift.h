#pragma once
// Dense SIFT: 128-d SIFT descriptors (Lowe 2004: 4×4 spatial bins × 8 gradient orientations,
// normalised, clamped at 0.2, renormalised) on a regular grid of upright keypoints — the local
// features of bag-of-visual-words texture (Bosch et al. 2007, "PHOW"). Computed the way VLFeat's
// fast dense SIFT does (Vedaldi & Fulkerson 2010, vl_dsift): gradient magnitudes are split into
// 8 orientation channels once per image, each channel is filtered with a triangular kernel (two
// box filters) so that one sample gives a spatial bin's bilinear-weighted sum, and a keypoint's
// descriptor is 16 samples per channel, weighted by the SIFT Gaussian window. That makes a whole
// image's grid cost a few milliseconds instead of cv::SIFT's per-keypoint window loops (which
// the benchmark measured at ~20 µs per keypoint). Upright because region retrieval wants a
// stripe to match a stripe, not every rotation of it; a grid because regions need features
// everywhere, not only at blobs.
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct DenseSiftOptions {
  int step = 8;  // grid spacing in pixels
  // Width of one of the 4×4 spatial bins, in pixels (PHOW uses 4–10); a descriptor spans 4 bins.
  int bin_size = 6;
  bool root_sift = true;  // RootSIFT (L1 normalise, square root; Arandjelović & Zisserman 2012)
};

struct DenseSift {
  std::vector<cv::Point2f> points;  // keypoint centres (x, y)
  cv::Mat descriptors;              // points.size() × 128, CV_32F, continuous
};

// grey_or_rgb: CV_8UC1 or CV_8UC3 (RGB). Keypoints lie on the grid x, y = step/2 + i·step.
// Layout: descriptor[(by·4 + bx)·8 + o] for spatial bin (bx, by) and orientation o.
DenseSift computeDenseSift(const cv::Mat& grey_or_rgb, const DenseSiftOptions& options = {});

}  // namespace regionlab
