#pragma once
// From region class probabilities to a per-pixel labeling, as the regions paper does it
// (REFERENCE.md §A6, "Inference"): each pixel's class probabilities are the mean of the
// probabilities of all regions covering it, and its class is their argmax; pixels covered by no
// region stay unlabeled.
//
// Regions overlap (multi-scale superpixels, SAM masks), so pixels are grouped into cells: the
// sets of regions covering them. Each region's RLE runs move pixels from their cell to the cell
// "that set + this region"; the mean is then taken once per cell, not once per pixel, and no
// H×W×C probability volume is ever built.
#include <optional>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/rle.h"

namespace regionlab {

struct PixelLabeling {
  cv::Mat classes;     // CV_32S: class index, −1 where no region covers the pixel
  cv::Mat confidence;  // CV_32F: the winning class's mean probability (0 where uncovered)
  int num_classes = 0;
};

// probabilities: regions.size() × num_classes, row-major. Every mask must be height × width.
// Throws Error on a size mismatch.
PixelLabeling labelPixels(std::span<const Rle> regions, std::span<const float> probabilities, int num_classes, int height, int width);

// Per-class masks of a labeling (CV_8U, 255 inside), for classes present; index = class.
std::vector<cv::Mat> classMasks(const PixelLabeling& labeling);

}  // namespace regionlab
