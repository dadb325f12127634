#include "core/regions/slic_fill.h"

#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/slic.hpp>

namespace regionlab {

std::vector<Region> slicFillRegions(const cv::Mat& rgb, const std::vector<Region>& masks, const SlicFillOptions& o) {
  CV_Assert(rgb.type() == CV_8UC3);
  cv::Mat covered = cv::Mat::zeros(rgb.size(), CV_8U);
  for (const Region& r : masks) covered |= decodeRle(r.mask);
  if (std::min(rgb.cols, rgb.rows) < 2) return {};
  cv::Mat lab;
  cv::cvtColor(rgb, lab, cv::COLOR_RGB2Lab);
  const int region_size = std::max(2, int(std::lround(std::sqrt(double(rgb.total()) / o.superpixels))));
  auto slic = cv::ximgproc::createSuperpixelSLIC(lab, cv::ximgproc::SLIC, region_size, o.ruler);
  slic->iterate(o.iterations);
  slic->enforceLabelConnectivity(o.min_element_percent);
  cv::Mat labels;
  slic->getLabels(labels);
  // Covered pixels get label −1 → outside every piece.
  labels.setTo(-1, covered);
  const int count = slic->getNumberOfSuperpixels();
  cv::Mat shifted = labels + 1;  // 0 = covered
  const std::vector<Rle> pieces = encodeLabelMap(shifted, count + 1);
  std::vector<Region> out;
  for (size_t v = 1; v < pieces.size(); ++v) {
    Region r = makeRegion(pieces[v]);
    if (r.area >= o.min_pixels) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace regionlab
