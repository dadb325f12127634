#pragma once
// The production AmgMaskDecoder: SAM or MobileSAM behind the automatic mask generator. One image
// embedding per crop, shared by every prompt; IoU predictions come from the transformer alone and
// only the prompts with a mask that survives the IoU filter are upscaled (output upscaling,
// hypernetworks, then the official postprocess_masks: bilinear to 1024², crop, bilinear to the crop).
#include <memory>

#include "core/nets/sam_model.h"
#include "core/regions/amg_mask_decoder.h"

namespace regionlab::nets {

class SamAmgDecoder final : public AmgMaskDecoder {
public:
  explicit SamAmgDecoder(const SamModel& model);
  ~SamAmgDecoder() override;

  void setImage(const cv::Mat& rgb) override;
  // Uses an embedding computed elsewhere (the interactive predictor's cache) for the next batches.
  void setEmbedding(SamEmbedding embedding);
  std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) override;
  std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) override;
  std::vector<cv::Mat> lowResLogits(const std::vector<int>& indices, cv::Size* valid) override;
  std::vector<cv::Mat> upscaleLowRes(const std::vector<cv::Mat>& low_res) override;

  // Seconds spent so far (benchmarks): image encoder; decoder in all (transformer + masks); masks
  // alone (output upscaling, hypernetworks, postprocess_masks of the chosen masks).
  double encoderSeconds() const;
  double decoderSeconds() const;
  double maskSeconds() const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace regionlab::nets
