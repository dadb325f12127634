#pragma once
// Flattening overlapping instances into one label per pixel, for the formats that store a map
// (COCO panoptic PNGs, Pascal VOC class PNGs). Larger instances are painted first and smaller
// ones over them (an object in front of the stuff around it keeps its pixels), and user labels
// over automatic ones. What an instance loses to others is counted so the writer can report it.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/io/label_set.h"

namespace regionlab {

struct PaintedInstances {
  cv::Mat owner;                      // CV_32S, index+1 of the instance that owns the pixel, 0 = none
  std::vector<int64_t> visible_area;  // per instance, pixels it owns in the end
};

PaintedInstances paintInstances(const LabeledImage& image);

// One warning line per instance that lost pixels ("<file>: instance 3 (cat) lost 120 of 900
// pixels to overlapping instances"), or an empty list.
std::vector<std::string> overlapWarnings(const LabeledImage& image, const PaintedInstances& painted);

}  // namespace regionlab
