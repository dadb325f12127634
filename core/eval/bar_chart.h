#pragma once
// A horizontal grouped bar chart written as a PNG with OpenCV: one row per category (class),
// one bar per series (method), values in [0, 1], optional vertical reference lines (e.g. the
// mean of each series). Enough to read an evaluation at a glance; no plotting library needed.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct ChartSeries {
  std::string name;
  cv::Scalar color;            // BGR
  std::vector<double> values;  // one per category; NaN = no bar
};

struct ChartLine {
  std::string label;
  double value = 0;
  cv::Scalar color;  // BGR
};

struct BarChart {
  std::string title;
  std::string axis_label;  // e.g. "AP"
  std::vector<std::string> categories;
  std::vector<ChartSeries> series;
  std::vector<ChartLine> lines;
};

// Renders the chart (width 1000 px, height growing with the categories).
cv::Mat renderBarChart(const BarChart& chart);
// Renders and writes it; throws Error when the file cannot be written.
void writeBarChart(const BarChart& chart, const std::filesystem::path& png);

}  // namespace regionlab
