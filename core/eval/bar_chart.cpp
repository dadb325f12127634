#include "core/eval/bar_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"

namespace regionlab {

namespace {

constexpr int kWidth = 1000;
constexpr int kLabelWidth = 190;  // category names on the left
constexpr int kRightMargin = 30;
constexpr int kBarHeight = 7;
constexpr int kRowGap = 6;
constexpr int kTop = 86;  // title + two legend rows
constexpr int kBottom = 50;
const cv::Scalar kInk(40, 40, 40), kGrid(225, 225, 225);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void text(cv::Mat& img, const std::string& s, cv::Point at, double scale, const cv::Scalar& color, int thickness = 1) {
  cv::putText(img, s, at, kFont, scale, color, thickness, cv::LINE_AA);
}

std::string fitted(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "."; }

}  // namespace

cv::Mat renderBarChart(const BarChart& chart) {
  const int per_row = std::max<int>(1, int(chart.series.size())) * kBarHeight + kRowGap;
  const int plot_height = std::max(per_row, int(chart.categories.size()) * per_row);
  cv::Mat img(kTop + plot_height + kBottom, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  const int x0 = kLabelWidth, x1 = kWidth - kRightMargin, y0 = kTop, y1 = kTop + plot_height;
  const auto x_of = [&](double v) { return x0 + int(std::lround(std::clamp(v, 0.0, 1.0) * (x1 - x0))); };

  text(img, chart.title, {10, 24}, 0.6, kInk, 1);
  int legend_x = 10;
  for (const ChartSeries& s : chart.series) {
    cv::rectangle(img, cv::Rect(legend_x, 38, 14, 10), s.color, cv::FILLED);
    text(img, s.name, {legend_x + 18, 48}, 0.42, kInk);
    legend_x += 30 + int(s.name.size()) * 8;
  }
  legend_x = 10;
  for (const ChartLine& l : chart.lines) {  // second row: the reference lines
    cv::line(img, {legend_x, 63}, {legend_x + 14, 63}, l.color, 2);
    text(img, l.label, {legend_x + 18, 68}, 0.42, kInk);
    legend_x += 30 + int(l.label.size()) * 8;
  }
  for (int k = 0; k <= 10; ++k) {
    const int x = x_of(k / 10.0);
    cv::line(img, {x, y0}, {x, y1}, kGrid, 1);
    char tick[8];
    std::snprintf(tick, sizeof tick, "%.1f", k / 10.0);
    text(img, tick, {x - 10, y1 + 16}, 0.38, kInk);
  }
  text(img, chart.axis_label, {(x0 + x1) / 2 - 10, y1 + 38}, 0.45, kInk);

  for (size_t c = 0; c < chart.categories.size(); ++c) {
    const int row_y = y0 + int(c) * per_row;
    text(img, fitted(chart.categories[c], 24), {6, row_y + per_row / 2 + 3}, 0.38, kInk);
    for (size_t s = 0; s < chart.series.size(); ++s) {
      const double v = c < chart.series[s].values.size() ? chart.series[s].values[c] : NAN;
      if (std::isnan(v)) continue;
      const int y = row_y + int(s) * kBarHeight;
      cv::rectangle(img, cv::Rect(x0, y, std::max(1, x_of(v) - x0), kBarHeight - 1), chart.series[s].color, cv::FILLED);
    }
  }
  cv::line(img, {x0, y0}, {x0, y1}, kInk, 1);
  for (const ChartLine& l : chart.lines) cv::line(img, {x_of(l.value), y0}, {x_of(l.value), y1}, l.color, 2);
  return img;
}

void writeBarChart(const BarChart& chart, const std::filesystem::path& png) {
  if (!png.parent_path().empty()) std::filesystem::create_directories(png.parent_path());
  if (!cv::imwrite(png.string(), renderBarChart(chart))) throw Error(png, "cannot write the chart");
}

}  // namespace regionlab
