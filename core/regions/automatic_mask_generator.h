#pragma once
// Segment Anything's automatic mask generator (Kirillov et al., ICCV 2023;
// segment-anything SamAutomaticMaskGenerator @ 6fdee8f, REFERENCE.md §D1.6), the source of the
// regions paper's regions (§A1), over any AmgMaskDecoder.
//
// Exact mode returns the official masks (same grid, batches, filters, NMS, crops, RLE) but
// reorders the work so nothing is computed for a mask that a later step drops regardless:
//   - the IoU filter runs on the decoder's IoU predictions before any mask is upscaled
//     (the official code upscales all 3 masks of all 1,024 points to full resolution first);
//   - only IoU survivors are upscaled, and the decoder upscales only the prompts that have one;
//   - the image embedding is computed once per crop and shared by every prompt (no per-prompt copy).
// tests/core/regions/tst_automatic_mask_generator.cpp checks exact mode against a straightforward
// transcription of the official algorithm, and against the official outputs (amg_synthetic.json).
//
// Fast mode (ours; not the official algorithm) additionally
//   - scores stability, boxes, crop-edge filter and NMS on the decoder's low-resolution logits
//     and upscales only the masks that survive NMS;
//   - skips grid points that already lie inside the smallest accepted mask of an earlier prompt
//     (SAM's masks snap to object parts, so such a point returns the same part hierarchy),
//     visiting the grid coarse-to-fine (every other point first) so parts are found early.
// Its agreement with exact mode is measured by `regionlab-bench sam --agreement <folder>`.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/amg_mask_decoder.h"
#include "core/regions/amg_steps.h"
#include "core/regions/rle.h"

namespace regionlab {

struct AmgOptions {
  // Official parameters and defaults (SamAutomaticMaskGenerator.__init__), the paper's settings.
  int points_per_side = 32;          // grid of points_per_side² single-point prompts per crop
  int points_per_batch = 64;         // prompts decoded together
  double pred_iou_thresh = 0.88;     // keep masks with predicted IoU above this (0 disables)
  double stability_score_thresh = 0.95;  // keep masks with stability ≥ this (0 disables)
  double stability_score_offset = 1.0;   // logit offset of the stability score's two thresholds
  double box_nms_thresh = 0.7;       // box IoU for NMS within a crop
  int crop_n_layers = 0;             // extra layers of crops (layer i: 2^i crops per side)
  double crop_nms_thresh = 0.7;      // box IoU for NMS across crops
  double crop_overlap_ratio = 512.0 / 1500.0;  // overlap of neighbouring crops (of the short side)
  int crop_n_points_downscale_factor = 1;      // grid side shrinks by this per crop layer
  int min_mask_region_area = 0;      // > 0: fill holes and remove islands below this area
  // Ours: see the header comment. false = the official masks.
  bool fast = false;
  // Fast mode: skip grid points inside the smallest accepted mask of an earlier prompt.
  bool fast_skip_covered_points = true;
};

// One mask, with the fields of the official record.
struct AmgMask {
  Rle segmentation;
  int64_t area = 0;
  amg::Box box;                 // XYXY, inclusive (official "bbox" is x0, y0, x1 − x0, y1 − y0)
  float predicted_iou = 0;
  float stability_score = 0;
  cv::Point2d point;            // the prompt, image pixels
  cv::Rect crop_box;
};

// Work counters, for benchmarks and tests.
struct AmgStatistics {
  int64_t prompts_decoded = 0;
  int64_t masks_upscaled = 0;
  int64_t prompts_skipped = 0;
};

// rgb: CV_8UC3, RGB. Output in the official order (after the last NMS).
std::vector<AmgMask> generateMasks(const cv::Mat& rgb, AmgMaskDecoder& decoder, const AmgOptions& options,
                                   AmgStatistics* statistics = nullptr);

}  // namespace regionlab
