#pragma once
// Region-like masks for the benchmarks: each the union of 1-3 random filled ellipses on a
// size×size image (CV_8U, 1 inside).
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace regionlab::bench {

inline std::vector<cv::Mat> randomMasks(int count, int size, uint64_t seed) {
  cv::RNG rng(seed);
  std::vector<cv::Mat> masks;
  for (int i = 0; i < count; ++i) {
    cv::Mat m = cv::Mat::zeros(size, size, CV_8U);
    for (int blobs = rng.uniform(1, 4); blobs > 0; --blobs) {
      const int r = rng.uniform(size / 40, size / 4);
      cv::ellipse(m, {rng.uniform(0, size), rng.uniform(0, size)}, {r, rng.uniform(r / 3 + 1, r + 1)}, rng.uniform(0.0, 180.0), 0,
                  360, 1, cv::FILLED);
    }
    masks.push_back(m);
  }
  return masks;
}

}  // namespace regionlab::bench
