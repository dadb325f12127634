#pragma once
// The steps of segment-anything's SamAutomaticMaskGenerator (amg.py and
// automatic_mask_generator.py @ 6fdee8f, REFERENCE.md §D1.6), each reproducing the reference's
// arithmetic (float32 where the reference computes on float32 tensors, numpy's float64 for the
// point grid), so the generator built from them returns the official masks.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab::amg {

// Box as the reference keeps it: XYXY with inclusive x1, y1 (batched_mask_to_box).
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool operator==(const Box&) const = default;
};

// build_point_grid(n): numpy linspace(1/2n, 1 − 1/2n, n) on both axes, x fastest, in [0, 1].
std::vector<cv::Point2d> pointGrid(int points_per_side);
// build_all_layer_point_grids: layer i has int(n / scale^i) points per side.
std::vector<std::vector<cv::Point2d>> layerPointGrids(int points_per_side, int layers, int scale_per_layer);

struct CropBox {
  cv::Rect box;  // x0, y0, width, height in the image
  int layer = 0;
};
// generate_crop_boxes: layer 0 is the whole image; layer i ≥ 1 has 2^i crops per side.
std::vector<CropBox> cropBoxes(cv::Size image, int layers, double overlap_ratio);

// calculate_stability_score on one mask's logits: #(logit > t + offset) / #(logit > t − offset)
// in float32 (NaN when the union is empty).
float stabilityScore(const cv::Mat& logits, float threshold, float offset);
// The inclusive box of logits > threshold; {0,0,0,0} for an empty mask.
Box maskBox(const cv::Mat& logits, float threshold);
// is_box_near_crop_edge with atol 20: box in crop coordinates.
bool nearCropEdge(const Box& box, const cv::Rect& crop, cv::Size image, float tolerance = 20.0f);

// torchvision.ops.nms (batched_nms with one class): indices kept, sorted by descending score;
// ties keep input order (the CPU kernel's stable sort). Boxes are XYXY as float, IoU in float32,
// area (x1 − x0)·(y1 − y0) without +1, suppression when IoU > threshold.
std::vector<int> nms(const std::vector<Box>& boxes, const std::vector<float>& scores, double threshold);

// remove_small_regions: fills holes (mode holes) or removes islands smaller than min_area
// (8-connectivity); returns whether the mask changed. mask: CV_8U 0/1.
bool removeSmallRegions(cv::Mat& mask, int min_area, bool holes);

}  // namespace regionlab::amg
