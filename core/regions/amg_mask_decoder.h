#pragma once
// "The decoder" as the automatic mask generator sees it: encode one (crop) image, then answer
// batches of single positive point prompts with three candidate masks each. Production: the SAM
// or MobileSAM network (core/nets/sam_amg_decoder.h). Tests: the exactly specified synthetic
// decoder of the golden amg_synthetic.json (synthetic_mask_decoder.h), so the generator's own
// algorithm is checked against the official one without model weights.
//
// The split into decodeBatch (IoU predictions only) and maskLogits (for chosen masks) is what
// lets the exact mode skip upscaling masks that the IoU filter drops anyway.
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

class AmgMaskDecoder {
public:
  virtual ~AmgMaskDecoder() = default;
  // Masks per point prompt (SAM's multimask output: 3).
  virtual int masksPerPoint() const { return 3; }
  // rgb: CV_8UC3 crop of the image; later calls refer to it.
  virtual void setImage(const cv::Mat& rgb) = 0;
  // points: pixel coordinates in the crop (the official grid × crop size). Returns the predicted
  // IoU of every (point, mask) pair, point-major (index = point · masksPerPoint() + mask).
  virtual std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) = 0;
  // Logits at the crop's resolution (CV_32F, mask = logits > 0) for masks of the last batch.
  virtual std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) = 0;
  // Low-resolution logits (CV_32F) for masks of the last batch, and the part of them that covers
  // the crop (the rest is SAM's padding): the fast mode scores and boxes masks at this scale.
  // The default upscales nothing: it returns maskLogits() and the whole image.
  virtual std::vector<cv::Mat> lowResLogits(const std::vector<int>& indices, cv::Size* valid) {
    std::vector<cv::Mat> full = maskLogits(indices);
    if (valid) *valid = full.empty() ? cv::Size() : full.front().size();
    return full;
  }
  // Low-resolution logits (as returned by lowResLogits, possibly of earlier batches) → logits at
  // the crop's resolution, as maskLogits would give them.
  virtual std::vector<cv::Mat> upscaleLowRes(const std::vector<cv::Mat>& low_res) { return low_res; }
};

}  // namespace regionlab
