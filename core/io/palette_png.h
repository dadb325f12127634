#pragma once
// Indexed-colour PNG (colour type 3, 8 bits, PLTE chunk): the form of Pascal VOC's
// SegmentationClass images, where the pixel value is the class index and the palette only
// colours it for viewers. OpenCV's imwrite cannot write a palette, so this encoder does (zlib).
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace regionlab {

// indices: CV_8U. palette: up to 256 RGB entries. Returns the PNG file's bytes.
std::string encodePalettePng(const cv::Mat& indices, const std::vector<cv::Vec3b>& palette_rgb);

// The Pascal VOC colour map (class i → the bit-interleaved colour of the VOC devkit).
std::vector<cv::Vec3b> vocPalette();

}  // namespace regionlab
