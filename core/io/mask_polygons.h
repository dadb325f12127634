#pragma once
// Between binary masks and polygons, for the polygon formats (COCO polygons, YOLO-seg, labelme).
//
// Coordinates are pixel indices (the centre of pixel (x, y) is the point (x, y)), the convention
// of OpenCV contours that labelme, Ultralytics and most converters use. Outlines come from
// cv::findContours (Suzuki-Abe border following) with CHAIN_APPROX_SIMPLE, and
// polygonsToMask rasterises with cv::fillPoly, which includes the outline pixels, so a mask
// written as polygons and read back is identical when it has no holes (tests check this).
//
// What polygons cannot say is reported, never dropped: a hole is either bridged into its outer
// ring (YOLO-seg, one ring per instance) or the writer switches to a format's mask form (COCO RLE,
// labelme "mask" shapes).
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

using PolygonRing = std::vector<cv::Point2d>;

struct MaskOutline {
  std::vector<std::vector<cv::Point>> parts;  // outer boundary of each 8-connected part
  std::vector<std::vector<cv::Point>> holes;  // boundaries of holes (on the mask's own pixels)
  std::vector<int> hole_parent;               // index into parts of each hole's enclosing part
  bool hasHoles() const { return !holes.empty(); }
};

// mask: CV_8U, non-zero inside.
MaskOutline traceMaskOutline(const cv::Mat& mask);

// Outer rings only, each with at least 3 points (a 1- or 2-pixel part repeats its points, as
// pycocotools needs 6 numbers per polygon).
std::vector<PolygonRing> outerRings(const MaskOutline& outline);

// One ring per part with every hole of that part joined to it by a zero-width bridge (a cut
// there and back along the same segment), so an even-odd fill of the ring gives back the part
// with its holes. Used where a format allows one polygon per object (YOLO-seg).
std::vector<cv::Point> bridgedRing(const MaskOutline& outline, int part);

// Every part (holes bridged as above) joined into one ring by further zero-width bridges: the
// Ultralytics convention for an object in several pieces (one line per object in YOLO-seg).
std::vector<cv::Point> singleRing(const MaskOutline& outline);

// Union of the filled rings (each ring filled on its own, as pycocotools merges an instance's
// polygons). Size height x width, CV_8U 0/1.
cv::Mat ringsToMask(const std::vector<PolygonRing>& rings, int height, int width);
// Even-odd fill of one ring (for bridged rings: the holes stay empty).
cv::Mat ringToMaskEvenOdd(const PolygonRing& ring, int height, int width);

// Empty when every point lies on the image, else why not. Pixel-index coordinates run from 0
// to size-1; files using COCO's pixel-edge convention reach size, so up to one pixel beyond
// either side is accepted (and clipped by the fill). Anything further is a wrong file.
std::string ringOutOfRange(const PolygonRing& ring, int height, int width);

// IoU of two CV_8U masks of the same size (1 when both are empty).
double maskIoU(const cv::Mat& a, const cv::Mat& b);

}  // namespace regionlab
