#include "core/eval/segmentation_metrics.h"

#include "core/base/error.h"

namespace regionlab {

void SegmentationScore::add(const cv::Mat& predicted, const cv::Mat& truth) {
  if (predicted.type() != CV_32S || truth.type() != CV_32S || predicted.size() != truth.size()) {
    throw Error("segmentation score: prediction and ground truth must be CV_32S maps of the same size");
  }
  const int n = numValues();
  for (int y = 0; y < truth.rows; ++y) {
    const int* p = predicted.ptr<int>(y);
    const int* t = truth.ptr<int>(y);
    for (int x = 0; x < truth.cols; ++x) {
      if (t[x] < 0) continue;
      if (t[x] >= n || p[x] >= n) throw Error("segmentation score: class value " + std::to_string(std::max(t[x], p[x])) + " out of range");
      ++evaluated_;
      if (p[x] == t[x]) {
        ++tp_[size_t(t[x])];
        continue;
      }
      ++fn_[size_t(t[x])];
      if (p[x] >= 0) {
        ++fp_[size_t(p[x])];
      } else {
        ++uncovered_;
      }
    }
  }
}

std::optional<double> SegmentationScore::iou(int value) const {
  const size_t v = size_t(value);
  const int64_t uni = tp_[v] + fp_[v] + fn_[v];
  if (uni == 0) return std::nullopt;
  return double(tp_[v]) / double(uni);
}

double SegmentationScore::meanIoU() const {
  double sum = 0;
  int n = 0;
  for (int v = 0; v < numValues(); ++v) {
    if (const auto i = iou(v)) {
      sum += *i;
      ++n;
    }
  }
  return n ? sum / n : 0;
}

double SegmentationScore::pixelAccuracy() const {
  int64_t correct = 0;
  for (const int64_t t : tp_) correct += t;
  return evaluated_ ? double(correct) / double(evaluated_) : 0;
}

}  // namespace regionlab
