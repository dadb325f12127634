#pragma once
// A straightforward transcription of the official SamAutomaticMaskGenerator order, for tests:
// every mask of every batch at full resolution, then IoU filter, stability, binarise, box, crop
// edge, RLE of the padded mask, per-crop NMS, cross-crop NMS (no small-region post-processing).
#include <vector>

#include "core/regions/automatic_mask_generator.h"

namespace regionlab::test {

std::vector<AmgMask> referenceGenerate(const cv::Mat& rgb, AmgMaskDecoder& decoder, const AmgOptions& o);

}  // namespace regionlab::test
