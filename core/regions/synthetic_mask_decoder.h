#pragma once
// The synthetic decoder defined in the golden file amg_synthetic.json ("decoder.definition"):
// for a prompt q, mask k is the ellipse logit 60·(1 − ((x+0.5−qx)²/(r_k·W)² + (y+0.5−qy)²/(r_k·H)²))
// over the W×H crop, with radii r = 0.08, 0.16, 0.3 and predicted IoU 0.86 + 0.04k − 0.1·|qx/W − 0.5|.
// q is the prompt in the 1024-resized frame divided by the resize scale, as in the reference run.
//
// A stand-in for the network behind AmgMaskDecoder that is fully specified, so the generator's
// algorithm can be compared with the official run (tests) and timed or compared between modes
// on real image sizes (benchmarks) without model weights. Not a production switch: no generator
// name creates it.
#include <array>

#include "core/regions/amg_mask_decoder.h"

namespace regionlab {

class SyntheticMaskDecoder final : public AmgMaskDecoder {
public:
  static constexpr std::array<double, 3> kRadii = {0.08, 0.16, 0.3};

  void setImage(const cv::Mat& rgb) override;
  std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) override;
  std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) override;

private:
  cv::Size size_;
  std::vector<cv::Point2d> prompts_;  // q of the last batch, crop pixels
};

}  // namespace regionlab
