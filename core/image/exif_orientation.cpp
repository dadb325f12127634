#include "core/image/exif_orientation.h"

#include <cstring>

#include <opencv2/core.hpp>

namespace regionlab {
namespace {

// Reads the orientation from a TIFF structure (the body of an EXIF block).
int orientationFromTiff(const uint8_t* t, size_t n) {
  if (n < 8) return 1;
  const bool little = (t[0] == 'I' && t[1] == 'I');
  if (!little && !(t[0] == 'M' && t[1] == 'M')) return 1;
  auto u16 = [&](size_t off) -> uint32_t {
    return little ? uint32_t(t[off] | (t[off + 1] << 8)) : uint32_t((t[off] << 8) | t[off + 1]);
  };
  auto u32 = [&](size_t off) -> uint32_t {
    return little ? uint32_t(t[off]) | (uint32_t(t[off + 1]) << 8) | (uint32_t(t[off + 2]) << 16) | (uint32_t(t[off + 3]) << 24)
                  : (uint32_t(t[off]) << 24) | (uint32_t(t[off + 1]) << 16) | (uint32_t(t[off + 2]) << 8) | uint32_t(t[off + 3]);
  };
  const uint32_t ifd = u32(4);
  if (ifd + 2 > n) return 1;
  const uint32_t entries = u16(ifd);
  for (uint32_t i = 0; i < entries; ++i) {
    const size_t e = ifd + 2 + size_t(i) * 12;
    if (e + 12 > n) break;
    if (u16(e) == 0x0112) {
      const uint32_t value = u16(e + 8);
      return (value >= 1 && value <= 8) ? int(value) : 1;
    }
  }
  return 1;
}

int orientationFromJpeg(std::span<const uint8_t> b) {
  size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (b[pos] != 0xFF) return 1;
    const uint8_t marker = b[pos + 1];
    if (marker == 0xFF) { ++pos; continue; }
    if (marker == 0xDA || marker == 0xD9) return 1;  // image data starts: no EXIF before it
    const size_t len = (size_t(b[pos + 2]) << 8) | b[pos + 3];
    if (marker == 0xE1 && len >= 8 && pos + 2 + len <= b.size() && std::memcmp(&b[pos + 4], "Exif\0\0", 6) == 0) {
      return orientationFromTiff(&b[pos + 10], len - 8);
    }
    pos += 2 + len;
  }
  return 1;
}

int orientationFromPng(std::span<const uint8_t> b) {
  size_t pos = 8;
  while (pos + 12 <= b.size()) {
    const uint32_t len = (uint32_t(b[pos]) << 24) | (uint32_t(b[pos + 1]) << 16) | (uint32_t(b[pos + 2]) << 8) | b[pos + 3];
    if (pos + 12 + size_t(len) > b.size()) return 1;
    if (std::memcmp(&b[pos + 4], "eXIf", 4) == 0) return orientationFromTiff(&b[pos + 8], len);
    if (std::memcmp(&b[pos + 4], "IDAT", 4) == 0) return 1;  // eXIf must precede image data
    pos += 12 + size_t(len);
  }
  return 1;
}

}  // namespace

int readExifOrientation(std::span<const uint8_t> b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8) return orientationFromJpeg(b);
  if (b.size() >= 8 && b[0] == 0x89 && b[1] == 'P') return orientationFromPng(b);
  return 1;
}

cv::Mat applyExifOrientation(const cv::Mat& image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(image, out, 1); break;                                  // mirror horizontal
    case 3: cv::rotate(image, out, cv::ROTATE_180); break;
    case 4: cv::flip(image, out, 0); break;                                  // mirror vertical
    case 5: cv::transpose(image, out); break;                                // mirror across the main diagonal
    case 6: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: cv::transpose(image, out); cv::rotate(out, out, cv::ROTATE_180); break;  // transverse
    case 8: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: out = image; break;
  }
  return out;
}

}  // namespace regionlab
