#include "core/io/instance_painting.h"

#include <algorithm>
#include <numeric>

namespace regionlab {

PaintedInstances paintInstances(const LabeledImage& image) {
  PaintedInstances out;
  out.owner = cv::Mat::zeros(image.height, image.width, CV_32S);
  const size_t n = image.instances.size();
  std::vector<int64_t> area(n);
  for (size_t i = 0; i < n; ++i) area[i] = rleArea(image.instances[i].mask);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const bool auto_a = image.instances[a].source == LabelSource::Auto, auto_b = image.instances[b].source == LabelSource::Auto;
    if (auto_a != auto_b) return auto_a;  // automatic labels first, so user labels end on top
    return area[a] > area[b];
  });
  for (size_t i : order) {
    const cv::Mat mask = decodeRle(image.instances[i].mask);
    out.owner.setTo(cv::Scalar(int(i) + 1), mask);
  }
  out.visible_area.assign(n, 0);
  for (int y = 0; y < out.owner.rows; ++y) {
    const int* row = out.owner.ptr<int>(y);
    for (int x = 0; x < out.owner.cols; ++x) {
      if (row[x] > 0) ++out.visible_area[size_t(row[x] - 1)];
    }
  }
  return out;
}

std::vector<std::string> overlapWarnings(const LabeledImage& image, const PaintedInstances& painted) {
  std::vector<std::string> warnings;
  for (size_t i = 0; i < image.instances.size(); ++i) {
    const int64_t area = rleArea(image.instances[i].mask);
    if (painted.visible_area[i] == area) continue;
    warnings.push_back(image.file_name + ": instance " + std::to_string(i + 1) + " (" + image.instances[i].class_name + ") lost " +
                       std::to_string(area - painted.visible_area[i]) + " of " + std::to_string(area) +
                       " pixels to overlapping instances" + (painted.visible_area[i] == 0 ? " (left out: fully covered)" : ""));
  }
  return warnings;
}

}  // namespace regionlab
