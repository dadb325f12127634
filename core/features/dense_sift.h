#pragma once
// Dense SIFT: upright 128-d SIFT descriptors (Lowe 2004; OpenCV's cv::SIFT, patent expired) on a
// regular grid of keypoints, the local features of bag-of-visual-words texture (Fei-Fei &
// Perona 2005; Bosch et al. 2007 "PHOW"). Upright because region retrieval wants a stripe to
// match a stripe, not any rotation of it; a grid because regions need features everywhere, not
// only at blobs.
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct DenseSiftOptions {
  int step = 8;            // grid spacing in pixels
  float patch_size = 16;   // keypoint diameter (cv::KeyPoint::size); the descriptor spans ~3× it
  bool root_sift = true;   // RootSIFT (L1 normalise, square root), as drvq trains on
};

struct DenseSift {
  std::vector<cv::Point2f> points;  // keypoint centres (x, y)
  cv::Mat descriptors;              // points.size() × 128, CV_32F
};

// grey_or_rgb: CV_8UC1 or CV_8UC3 (RGB). The grid starts half a step in from the top-left corner.
DenseSift computeDenseSift(const cv::Mat& grey_or_rgb, const DenseSiftOptions& options = {});

}  // namespace regionlab
