#include "core/features/dense_sift.h"

#include <cmath>

#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

namespace regionlab {

DenseSift computeDenseSift(const cv::Mat& image, const DenseSiftOptions& options) {
  CV_Assert(image.type() == CV_8UC1 || image.type() == CV_8UC3);
  cv::Mat grey = image;
  if (image.channels() == 3) cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
  std::vector<cv::KeyPoint> keypoints;
  const int step = std::max(1, options.step);
  for (int y = step / 2; y < grey.rows; y += step) {
    for (int x = step / 2; x < grey.cols; x += step) keypoints.emplace_back(float(x), float(y), options.patch_size, 0.0f);
  }
  DenseSift out;
  if (keypoints.empty()) {
    out.descriptors.create(0, 128, CV_32F);
    return out;
  }
  // One SIFT object per call: cv::SIFT keeps no state between compute() calls we rely on, but a
  // fresh one keeps threads from sharing anything.
  cv::Ptr<cv::SIFT> sift = cv::SIFT::create();
  sift->compute(grey, keypoints, out.descriptors);
  out.points.reserve(keypoints.size());
  for (const cv::KeyPoint& k : keypoints) out.points.push_back(k.pt);
  if (options.root_sift) {
    for (int r = 0; r < out.descriptors.rows; ++r) {
      float* d = out.descriptors.ptr<float>(r);
      double sum = 0;
      for (int i = 0; i < 128; ++i) sum += std::abs(d[i]);
      const double inv = sum > 0 ? 1.0 / sum : 0.0;
      for (int i = 0; i < 128; ++i) d[i] = float(std::sqrt(std::abs(d[i]) * inv));
    }
  }
  return out;
}

}  // namespace regionlab
