#include "core/io/mask_polygons.h"

#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace regionlab {

namespace {

// fillPoly takes fixed-point coordinates: 8 fractional bits keep sub-pixel input exact enough.
constexpr int kShift = 8;

std::vector<cv::Point> toFixedPoint(const PolygonRing& ring) {
  std::vector<cv::Point> out;
  out.reserve(ring.size());
  for (const cv::Point2d& p : ring) {
    out.emplace_back(int(std::lround(p.x * (1 << kShift))), int(std::lround(p.y * (1 << kShift))));
  }
  return out;
}

}  // namespace

MaskOutline traceMaskOutline(const cv::Mat& mask) {
  CV_Assert(mask.type() == CV_8U);
  cv::Mat binary = mask != 0;
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  // RETR_CCOMP: two levels, outer boundaries and the holes directly inside them. A part inside a
  // hole is again a top-level outer boundary.
  cv::findContours(binary, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
  MaskOutline outline;
  std::vector<int> part_of_contour(contours.size(), -1);
  for (size_t i = 0; i < contours.size(); ++i) {
    if (hierarchy[i][3] < 0) {
      part_of_contour[i] = int(outline.parts.size());
      outline.parts.push_back(contours[i]);
    }
  }
  for (size_t i = 0; i < contours.size(); ++i) {
    if (hierarchy[i][3] >= 0) {
      outline.holes.push_back(contours[i]);
      outline.hole_parent.push_back(part_of_contour[hierarchy[i][3]]);
    }
  }
  return outline;
}

std::vector<PolygonRing> outerRings(const MaskOutline& outline) {
  std::vector<PolygonRing> rings;
  for (const auto& part : outline.parts) {
    PolygonRing ring;
    for (const cv::Point& p : part) ring.emplace_back(p.x, p.y);
    while (ring.size() < 3) ring.push_back(ring.front());
    rings.push_back(std::move(ring));
  }
  return rings;
}

namespace {

// Splices `other` into `ring` with a zero-width bridge between their nearest vertices, so the
// cut crosses as little of the mask as possible.
std::vector<cv::Point> spliceRing(const std::vector<cv::Point>& ring, const std::vector<cv::Point>& other) {
  size_t best_ring = 0, best_other = 0;
  double best = std::numeric_limits<double>::max();
  for (size_t i = 0; i < ring.size(); ++i) {
    for (size_t j = 0; j < other.size(); ++j) {
      const double d = cv::norm(ring[i] - other[j]);
      if (d < best) best = d, best_ring = i, best_other = j;
    }
  }
  std::vector<cv::Point> joined(ring.begin(), ring.begin() + long(best_ring) + 1);
  for (size_t k = 0; k <= other.size(); ++k) joined.push_back(other[(best_other + k) % other.size()]);
  joined.insert(joined.end(), ring.begin() + long(best_ring), ring.end());
  return joined;
}

}  // namespace

std::vector<cv::Point> bridgedRing(const MaskOutline& outline, int part) {
  std::vector<cv::Point> ring = outline.parts[size_t(part)];
  for (size_t h = 0; h < outline.holes.size(); ++h) {
    if (outline.hole_parent[h] == part) ring = spliceRing(ring, outline.holes[h]);
  }
  return ring;
}

std::vector<cv::Point> singleRing(const MaskOutline& outline) {
  if (outline.parts.empty()) return {};
  std::vector<cv::Point> ring = bridgedRing(outline, 0);
  for (size_t p = 1; p < outline.parts.size(); ++p) ring = spliceRing(ring, bridgedRing(outline, int(p)));
  return ring;
}

cv::Mat ringsToMask(const std::vector<PolygonRing>& rings, int height, int width) {
  cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
  for (const PolygonRing& ring : rings) {
    if (ring.empty()) continue;
    const std::vector<std::vector<cv::Point>> polys = {toFixedPoint(ring)};
    cv::fillPoly(mask, polys, cv::Scalar(1), cv::LINE_8, kShift);
  }
  return mask;
}

cv::Mat ringToMaskEvenOdd(const PolygonRing& ring, int height, int width) {
  cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
  if (ring.empty()) return mask;
  // fillPoly fills between pairs of edge crossings on each row (even-odd), and also draws the
  // outline, so a bridged hole's own border pixels (which belong to the object) stay set.
  const std::vector<std::vector<cv::Point>> polys = {toFixedPoint(ring)};
  cv::fillPoly(mask, polys, cv::Scalar(1), cv::LINE_8, kShift);
  return mask;
}

std::string ringOutOfRange(const PolygonRing& ring, int height, int width) {
  for (size_t i = 0; i < ring.size(); ++i) {
    const cv::Point2d& p = ring[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || p.x < -1.0 || p.y < -1.0 || p.x > width || p.y > height) {
      return "point " + std::to_string(i) + " (" + std::to_string(p.x) + ", " + std::to_string(p.y) + ") lies outside the " +
             std::to_string(width) + "x" + std::to_string(height) + " image";
    }
  }
  return {};
}

double maskIoU(const cv::Mat& a, const cv::Mat& b) {
  CV_Assert(a.size() == b.size());
  const int inter = cv::countNonZero((a != 0) & (b != 0));
  const int uni = cv::countNonZero((a != 0) | (b != 0));
  return uni == 0 ? 1.0 : double(inter) / double(uni);
}

}  // namespace regionlab
