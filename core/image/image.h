#pragma once
// A decoded image as every stage after decoding sees it: 8-bit RGB, upright (EXIF applied).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

struct Image {
  cv::Mat rgb;                       // CV_8UC3, channel order R, G, B
  std::filesystem::path path;
  std::string sha256;                // of the file's bytes (identifies content for resume)
  int64_t file_size = 0;
  int original_width = 0;            // upright size before any requested downscaling
  int original_height = 0;
  int exif_orientation = 1;

  int width() const { return rgb.cols; }
  int height() const { return rgb.rows; }
  bool downscaled() const { return rgb.cols != original_width || rgb.rows != original_height; }
};

}  // namespace regionlab
