#pragma once
// Confusion counts and IoU for semantic segmentation, as the usual mIoU is computed (e.g. mmseg):
// IoU_c = TP / (TP + FP + FN) over all test pixels whose ground truth is not ignored; the mean
// runs over classes with a non-empty union. A pixel no region covers is predicted "nothing": it
// counts as a miss (FN) of its ground-truth class and a false positive of none.
#include <cstdint>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

class SegmentationScore {
public:
  explicit SegmentationScore(int num_values) : tp_(size_t(num_values), 0), fp_(tp_), fn_(tp_) {}

  // predicted: CV_32S class value per pixel (−1 = nothing); truth: CV_32S class value, or −1 to
  // ignore the pixel. Values ≥ num_values are refused (Error).
  void add(const cv::Mat& predicted, const cv::Mat& truth);

  int numValues() const { return int(tp_.size()); }
  std::optional<double> iou(int value) const;  // nullopt when the class never occurs (empty union)
  double meanIoU() const;                      // over classes with a union
  double pixelAccuracy() const;                // correct / evaluated pixels
  int64_t groundTruthPixels(int value) const { return tp_[size_t(value)] + fn_[size_t(value)]; }
  int64_t evaluatedPixels() const { return evaluated_; }
  int64_t uncoveredPixels() const { return uncovered_; }  // evaluated pixels predicted nothing

private:
  std::vector<int64_t> tp_, fp_, fn_;
  int64_t evaluated_ = 0, uncovered_ = 0;
};

}  // namespace regionlab
