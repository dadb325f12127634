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
//   - visits the grid coarse to fine in nested levels (32² grid, fast_coarse_points_per_side 8:
//     an 8² level, then the rest of the 16² level, then the rest of the 32² grid), in batches of
//     fast_points_per_batch so that what a batch finds steers the next one;
//   - skips a grid point that lies inside the smallest accepted mask of an earlier prompt
//     (fast_skip_covered_points: SAM's masks snap to object parts, so such a point returns the
//     same part hierarchy again);
//   - decodes a point of a finer level only where the coarser levels found something nearby
//     (fast_refine_near_found: a coarser point within one coarser grid step was covered or gave
//     an accepted mask): where every coarser prompt around failed the IoU/stability filters the
//     image holds nothing SAM segments confidently at that scale, and a finer prompt between them
//     would mostly fail too (the region generators fill such areas with SLIC pieces).
//   - stops after fast_max_prompts prompts per crop; within a level the points are visited in a
//     spread-out (bit-reversed Morton) order, so a budget ending inside a level leaves no part
//     of the crop unexplored while another is done densely.
// With the official 32² grid its cost is the 64 coarse prompts plus the refinement of what they
// found, capped at fast_max_prompts (96; mobilesam+slic: 48), instead of 1,024 prompts. (The
// encoder's precision is the model's: the fast region generator asks for bf16 where the CPU has
// native BF16.) Its agreement with exact mode is measured by
// `regionlab-bench sam --agreement <folder>`.
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
  // Fast mode: points per side of the coarsest level of the coarse-to-fine order (levels double
  // until the grid's points_per_side; ≥ points_per_side: one level, the plain grid order).
  int fast_coarse_points_per_side = 8;
  // Fast mode: decode a finer-level point only if a coarser-level point within one coarser grid
  // step was covered or gave an accepted mask.
  bool fast_refine_near_found = true;
  // Fast mode: prompts decoded together (small, so that coverage found by one batch skips points
  // of the next; the decoder's per-prompt cost hardly depends on the batch size).
  int fast_points_per_batch = 16;
  // Fast mode: at most this many prompts decoded per crop (0 = no limit); the coarse-to-fine,
  // spread-out order spends a budget on the coarsest unexplained places first. The decoder's
  // cost is per prompt (~36 ms on 2 cores), so this bounds the time whatever the image.
  int fast_max_prompts = 96;
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
  int64_t prompts_skipped = 0;           // fast mode: covered + not near anything found
  int64_t prompts_skipped_not_near = 0;  // fast mode: the part of prompts_skipped due to fast_refine_near_found
  int64_t prompts_over_budget = 0;       // fast mode: grid points left when fast_max_prompts was reached
};

// rgb: CV_8UC3, RGB. Output in the official order (after the last NMS).
std::vector<AmgMask> generateMasks(const cv::Mat& rgb, AmgMaskDecoder& decoder, const AmgOptions& options,
                                   AmgStatistics* statistics = nullptr);

}  // namespace regionlab
