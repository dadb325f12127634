#pragma once
// Decodes one image file for RegionLab: any of JPEG, PNG, BMP, TIFF, WebP, PNM; 8- or 16-bit;
// grey, RGB or with alpha; always returned as upright 8-bit RGB. Every refusal is an
// Error(file, reason) that says what is wrong with that file.
#include <cstdint>
#include <filesystem>
#include <span>

#include "core/image/image.h"

namespace regionlab {

struct DecodeOptions {
  // Images with more pixels than this are refused (a 50 MP image already takes 150 MB as RGB
  // and several seconds per stage) unless downscale_large is set.
  int64_t max_pixels = 50'000'000;
  // When set, an image over max_pixels is decoded at reduced size (JPEG decodes at 1/2, 1/4, 1/8
  // directly) and resized to fit max_pixels instead of being refused.
  bool downscale_large = false;
  // Colour that transparent pixels are composited over (RGB), as a viewer on a light page shows them.
  cv::Scalar alpha_background{255, 255, 255};
};

// Reads and decodes the file.
Image decodeImageFile(const std::filesystem::path& file, const DecodeOptions& options = {});
// Decodes bytes already in memory; `file` is used for messages and recorded in the result.
Image decodeImageBytes(std::span<const uint8_t> bytes, const std::filesystem::path& file,
                       const DecodeOptions& options = {});

// File extensions (lower case, with the dot) that a collection scan treats as images.
bool hasImageExtension(const std::filesystem::path& file);

}  // namespace regionlab
