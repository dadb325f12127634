#include "core/regions/synthetic_mask_decoder.h"

#include <algorithm>
#include <cmath>

namespace regionlab {

void SyntheticMaskDecoder::setImage(const cv::Mat& rgb) { size_ = rgb.size(); }

std::vector<float> SyntheticMaskDecoder::decodeBatch(const std::vector<cv::Point2d>& points) {
  // ResizeLongestSide: the prompt goes to the resized frame with per-axis factors new/old, and the
  // synthetic decoder divides it by the single resize scale 1024 / long side.
  const double scale = 1024.0 / std::max(size_.width, size_.height);
  const double new_w = int(size_.width * scale + 0.5), new_h = int(size_.height * scale + 0.5);
  prompts_.clear();
  std::vector<float> iou;
  for (const cv::Point2d& p : points) {
    const cv::Point2d q(p.x * (new_w / size_.width) / scale, p.y * (new_h / size_.height) / scale);
    prompts_.push_back(q);
    for (int k = 0; k < 3; ++k) iou.push_back(float(0.86 + 0.04 * k - 0.1 * std::abs(q.x / size_.width - 0.5)));
  }
  return iou;
}

std::vector<cv::Mat> SyntheticMaskDecoder::maskLogits(const std::vector<int>& indices) {
  std::vector<cv::Mat> out;
  for (int index : indices) {
    const cv::Point2d q = prompts_[size_t(index / 3)];
    const double r = kRadii[size_t(index % 3)];
    const double rx2 = (r * size_.width) * (r * size_.width), ry2 = (r * size_.height) * (r * size_.height);
    cv::Mat logits(size_, CV_32F);
    std::vector<double> dx2(size_t(size_.width));
    for (int x = 0; x < size_.width; ++x) dx2[size_t(x)] = (x + 0.5 - q.x) * (x + 0.5 - q.x) / rx2;
    for (int y = 0; y < size_.height; ++y) {
      const double dy2 = (y + 0.5 - q.y) * (y + 0.5 - q.y) / ry2;
      float* row = logits.ptr<float>(y);
      for (int x = 0; x < size_.width; ++x) row[x] = float(60.0 * (1.0 - (dx2[size_t(x)] + dy2)));
    }
    out.push_back(logits);
  }
  return out;
}

}  // namespace regionlab
