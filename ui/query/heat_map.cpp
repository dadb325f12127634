#include "ui/query/heat_map.h"

#include <algorithm>
#include <array>
#include <limits>

#include <opencv2/core.hpp>

#include "ui/viewer/mask_raster.h"

namespace regionlab::ui {

QColor heatColor(double t) {
  // Control points of a "turbo"-like scale (Google's Turbo colormap, sampled at 6 stops).
  static constexpr std::array<std::array<double, 3>, 6> kStops = {{
      {0.19, 0.07, 0.23}, {0.16, 0.47, 0.93}, {0.10, 0.85, 0.71}, {0.64, 0.99, 0.24}, {0.98, 0.73, 0.22}, {0.80, 0.16, 0.02},
  }};
  t = std::clamp(t, 0.0, 1.0) * double(kStops.size() - 1);
  const size_t i = std::min(kStops.size() - 2, size_t(t));
  const double f = t - double(i);
  const auto mix = [&](int c) { return kStops[i][size_t(c)] * (1.0 - f) + kStops[i + 1][size_t(c)] * f; };
  return QColor::fromRgbF(float(mix(0)), float(mix(1)), float(mix(2)));
}

HeatMap buildHeatMap(QSize scene_size, const std::vector<std::pair<Rle, float>>& region_scores, int max_side) {
  HeatMap map;
  map.scene_size = scene_size;
  const SampleGrid grid = gridOverImage(scene_size.width(), scene_size.height(), max_side);
  map.step = grid.step;
  constexpr float kNone = -std::numeric_limits<float>::infinity();
  cv::Mat best(grid.rows, grid.cols, CV_32F, cv::Scalar(kNone));
  float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
  for (const auto& [mask, score] : region_scores) {
    lo = std::min(lo, score);
    hi = std::max(hi, score);
    forEachMaskedCell(mask, grid, [&](int i, int j) {
      float& cell = best.at<float>(i, j);
      cell = std::max(cell, score);
    });
  }
  if (region_scores.empty()) lo = hi = 0;
  map.min_score = lo;
  map.max_score = hi;
  const float range = hi > lo ? hi - lo : 1.0f;
  // 256 precomputed colours, 70% opaque so the image shows through.
  std::array<QRgb, 256> lut;
  for (int k = 0; k < 256; ++k) {
    QColor c = heatColor(k / 255.0);
    c.setAlphaF(0.7f);
    lut[size_t(k)] = qPremultiply(c.rgba());
  }
  map.image = QImage(grid.cols, grid.rows, QImage::Format_ARGB32_Premultiplied);
  for (int i = 0; i < grid.rows; ++i) {
    auto* line = reinterpret_cast<QRgb*>(map.image.scanLine(i));
    const float* scores = best.ptr<float>(i);
    for (int j = 0; j < grid.cols; ++j) {
      line[j] = scores[j] == kNone ? 0u : lut[size_t(std::clamp(int((scores[j] - lo) / range * 255.0f + 0.5f), 0, 255))];
    }
  }
  return map;
}

}  // namespace regionlab::ui
