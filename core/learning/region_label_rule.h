#pragma once
// Region labels from a pixel-level class map, as the regions paper derives its training labels
// (REFERENCE.md §A5): a region is a training example for class c when more than half of its
// pixels carry c and c is a valid class; otherwise it is not used for training. Also the
// region's label histogram, which the oracle evaluation reads.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/rle.h"

namespace regionlab {

// A class-index map read in RLE (column-major) order, so histograms follow the RLE runs.
class ColumnMajorLabels {
public:
  // labels: CV_8U or CV_16U, one class value per pixel.
  explicit ColumnMajorLabels(const cv::Mat& labels);
  int height() const { return height_; }
  int width() const { return width_; }
  int maxValue() const { return max_value_; }
  // Count of each label value (0..maxValue()) among the mask's pixels.
  std::vector<int64_t> histogram(const Rle& mask) const;

private:
  int height_ = 0, width_ = 0, max_value_ = 0;
  std::vector<uint16_t> values_;  // x·height + y
};

// The paper's rule: the value c with count > 50 % of `area` (the region's pixel count, ignored
// pixels included) when is_valid(c); nullopt otherwise.
std::optional<int> majorityLabel(const std::vector<int64_t>& histogram, int64_t area, const std::function<bool(int)>& is_valid);

}  // namespace regionlab
