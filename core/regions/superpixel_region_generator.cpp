#include "core/regions/superpixel_region_generator.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/segmentation.hpp>
#include <opencv2/ximgproc/slic.hpp>

#include "core/base/sha256.h"
#include "core/regions/region_filters.h"

namespace regionlab {
namespace {

// Label map at working resolution → full-resolution regions (nearest-neighbour upscaling keeps
// labels crisp; every label becomes one region).
std::vector<Region> regionsFromLabels(const cv::Mat& labels_small, cv::Size full_size) {
  double min_label, max_label;
  cv::minMaxLoc(labels_small, &min_label, &max_label);
  cv::Mat labels = labels_small;
  if (labels_small.size() != full_size) cv::resize(labels_small, labels, full_size, 0, 0, cv::INTER_NEAREST);
  std::vector<Rle> masks = encodeLabelMap(labels, int(max_label) + 1);
  std::vector<Region> regions;
  regions.reserve(masks.size());
  for (auto& m : masks) {
    Region r = makeRegion(std::move(m));
    if (r.area > 0) regions.push_back(std::move(r));
  }
  return regions;
}

}  // namespace

SuperpixelRegionGenerator::SuperpixelRegionGenerator(SuperpixelRegionOptions options) : options_(options) {}

std::string SuperpixelRegionGenerator::identity() const {
  std::ostringstream s;
  s << "superpixel-graph-v1 long=" << options_.work_long_side << " slic=" << options_.slic_regions << "/"
    << options_.slic_ruler << "/" << options_.slic_iterations << " graph=" << options_.graph_sigma << "/"
    << options_.graph_k_fine << "/" << options_.graph_k_coarse << "/" << options_.graph_min_size_fine << "/"
    << options_.graph_min_size_coarse << " dup=" << options_.duplicate_iou << " min=" << options_.min_area_fraction;
  const std::string text = s.str();
  return sha256Hex({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string SuperpixelRegionGenerator::description() const {
  return "embedded default regions: SLIC superpixels + Felzenszwalb graph segmentation at two scales (no model weights)";
}

std::vector<Region> SuperpixelRegionGenerator::generate(const cv::Mat& rgb) const {
  CV_Assert(rgb.type() == CV_8UC3);
  const cv::Size full = rgb.size();
  const double scale = std::min(1.0, double(options_.work_long_side) / double(std::max(full.width, full.height)));
  cv::Mat work = rgb;
  if (scale < 1.0) {
    cv::resize(rgb, work, cv::Size(std::max(1, int(std::lround(full.width * scale))), std::max(1, int(std::lround(full.height * scale)))),
               0, 0, cv::INTER_AREA);
  }
  const double work_pixels = double(work.total());

  std::vector<Region> all;
  auto append = [&](std::vector<Region> more) {
    for (auto& r : more) all.push_back(std::move(r));
  };

  // Coarse graph segments first: when a coarse and a fine segment coincide, the coarse one is
  // kept and the duplicate dropped.
  for (const auto& [k, min_size_fraction] : {std::pair{options_.graph_k_coarse, options_.graph_min_size_coarse},
                                             std::pair{options_.graph_k_fine, options_.graph_min_size_fine}}) {
    auto segmenter = cv::ximgproc::segmentation::createGraphSegmentation(
        options_.graph_sigma, k, std::max(1, int(min_size_fraction * work_pixels)));
    cv::Mat labels;
    segmenter->processImage(work, labels);
    append(regionsFromLabels(labels, full));
  }

  if (std::min(work.cols, work.rows) >= 8) {
    cv::Mat lab;
    cv::cvtColor(work, lab, cv::COLOR_RGB2Lab);
    const int region_size = std::max(4, int(std::lround(std::sqrt(work_pixels / options_.slic_regions))));
    auto slic = cv::ximgproc::createSuperpixelSLIC(lab, cv::ximgproc::SLIC, region_size, options_.slic_ruler);
    slic->iterate(options_.slic_iterations);
    slic->enforceLabelConnectivity(25);
    cv::Mat labels;
    slic->getLabels(labels);
    append(regionsFromLabels(labels, full));
  }

  const int64_t min_area = std::max<int64_t>(1, int64_t(std::ceil(options_.min_area_fraction * double(full.area()))));
  return removeNearDuplicates(dropSmallRegions(std::move(all), min_area), options_.duplicate_iou);
}

}  // namespace regionlab
