#pragma once
// Identifies an image file from its first bytes and reads its dimensions without decoding the
// pixels, so that the pixel limit is enforced before a huge image is allocated and a text file
// named .jpg is reported as "not an image" rather than "cannot decode".
#include <cstdint>
#include <span>
#include <string>

namespace regionlab {

enum class ImageFormat { Unknown, Jpeg, Png, Bmp, Tiff, Webp, Pnm, Gif };

struct ImageHeader {
  ImageFormat format = ImageFormat::Unknown;
  // 0 when the format is known but its header does not give the size cheaply (TIFF, …).
  int64_t width = 0;
  int64_t height = 0;
};

ImageHeader readImageHeader(std::span<const uint8_t> bytes);
std::string imageFormatName(ImageFormat format);

// For JPEG: true when the entropy-coded data after the first start-of-scan ends with an
// end-of-image marker. libjpeg decodes a truncated file "successfully" (grey bottom rows and a
// warning on stderr); this check turns that into an error.
bool jpegHasEndOfImage(std::span<const uint8_t> bytes);
// For PNG: true when the IEND chunk is present (a truncated PNG loses it).
bool pngHasEndChunk(std::span<const uint8_t> bytes);

}  // namespace regionlab
