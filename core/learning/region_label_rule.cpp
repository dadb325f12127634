#include "core/learning/region_label_rule.h"

#include "core/base/error.h"

namespace regionlab {

ColumnMajorLabels::ColumnMajorLabels(const cv::Mat& labels) : height_(labels.rows), width_(labels.cols) {
  if (labels.type() != CV_8U && labels.type() != CV_16U) throw Error("label maps must be 8- or 16-bit single-channel images");
  values_.resize(size_t(height_) * size_t(width_));
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      const int v = labels.type() == CV_8U ? labels.at<uint8_t>(y, x) : labels.at<uint16_t>(y, x);
      values_[size_t(x) * size_t(height_) + size_t(y)] = uint16_t(v);
      max_value_ = std::max(max_value_, v);
    }
  }
}

std::vector<int64_t> ColumnMajorLabels::histogram(const Rle& mask) const {
  if (mask.height != height_ || mask.width != width_) {
    throw Error("region mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + ", the label map " +
                std::to_string(width_) + "x" + std::to_string(height_));
  }
  std::vector<int64_t> h(size_t(max_value_) + 1, 0);
  size_t p = 0;
  for (size_t k = 0; k < mask.counts.size(); ++k) {
    if (k % 2 == 1) {
      for (size_t i = p; i < p + mask.counts[k]; ++i) ++h[values_[i]];
    }
    p += mask.counts[k];
  }
  return h;
}

std::optional<int> majorityLabel(const std::vector<int64_t>& histogram, int64_t area, const std::function<bool(int)>& is_valid) {
  for (size_t c = 0; c < histogram.size(); ++c) {
    if (2 * histogram[c] > area && is_valid(int(c))) return int(c);
  }
  return std::nullopt;
}

}  // namespace regionlab
