#pragma once
// EXIF orientation (tag 0x0112) from JPEG APP1 and PNG eXIf chunks. Phones store photos in sensor
// order and set this tag; every viewer rotates them, so regions and labels must be computed on
// the rotated image or they will not line up with what the user sees.
#include <cstdint>
#include <span>

#include <opencv2/core.hpp>

namespace regionlab {

// 1..8 as defined by EXIF; 1 (upright) when absent or unreadable.
int readExifOrientation(std::span<const uint8_t> file_bytes);

// Returns the image as it should be displayed.
cv::Mat applyExifOrientation(const cv::Mat& image, int orientation);

}  // namespace regionlab
