#include "core/image/image_header.h"

#include <cstring>

namespace regionlab {
namespace {

uint32_t be32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }
uint16_t be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24); }
uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

bool startsWith(std::span<const uint8_t> b, const char* magic, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

// Walks JPEG marker segments up to the first start-of-frame and reads its size.
void readJpegSize(std::span<const uint8_t> b, ImageHeader& h) {
  size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (b[pos] != 0xFF) return;
    uint8_t marker = b[pos + 1];
    if (marker == 0xFF) { ++pos; continue; }  // fill byte
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
    const uint16_t len = be16(&b[pos + 2]);
    const bool is_sof = (marker >= 0xC0 && marker <= 0xCF) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_sof) {
      if (pos + 9 <= b.size()) {
        h.height = be16(&b[pos + 5]);
        h.width = be16(&b[pos + 7]);
      }
      return;
    }
    if (marker == 0xDA) return;  // start of scan before any frame: malformed
    pos += 2 + len;
  }
}

}  // namespace

ImageHeader readImageHeader(std::span<const uint8_t> b) {
  ImageHeader h;
  if (startsWith(b, "\xFF\xD8\xFF", 3)) {
    h.format = ImageFormat::Jpeg;
    readJpegSize(b, h);
  } else if (startsWith(b, "\x89PNG\r\n\x1a\n", 8)) {
    h.format = ImageFormat::Png;
    if (b.size() >= 24 && std::memcmp(&b[12], "IHDR", 4) == 0) {
      h.width = be32(&b[16]);
      h.height = be32(&b[20]);
    }
  } else if (startsWith(b, "BM", 2) && b.size() >= 26) {
    h.format = ImageFormat::Bmp;
    const uint32_t dib = le32(&b[14]);
    if (dib == 12) {
      h.width = le16(&b[18]);
      h.height = le16(&b[20]);
    } else {
      h.width = int32_t(le32(&b[18]));
      h.height = int32_t(le32(&b[22]));
      if (h.height < 0) h.height = -h.height;  // top-down bitmap
    }
  } else if (startsWith(b, "II*\0", 4) || startsWith(b, "MM\0*", 4)) {
    h.format = ImageFormat::Tiff;
  } else if (b.size() >= 12 && startsWith(b, "RIFF", 4) && std::memcmp(&b[8], "WEBP", 4) == 0) {
    h.format = ImageFormat::Webp;
  } else if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
    h.format = ImageFormat::Pnm;
  } else if (startsWith(b, "GIF87a", 6) || startsWith(b, "GIF89a", 6)) {
    h.format = ImageFormat::Gif;
  }
  return h;
}

std::string imageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Webp: return "WebP";
    case ImageFormat::Pnm: return "PNM";
    case ImageFormat::Gif: return "GIF";
    case ImageFormat::Unknown: break;
  }
  return "unknown";
}

bool jpegHasEndOfImage(std::span<const uint8_t> b) {
  // Find the first SOS marker by walking segments, then scan the entropy-coded data: inside it a
  // 0xFF byte is always followed by 0x00 (stuffing) or a restart marker, so 0xFF 0xD9 can only be
  // the real end-of-image marker. Trailing bytes after EOI (some cameras append data) are fine.
  size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (b[pos] != 0xFF) return false;
    const uint8_t marker = b[pos + 1];
    if (marker == 0xFF) { ++pos; continue; }
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
    if (marker == 0xD9) return true;
    const uint16_t len = be16(&b[pos + 2]);
    pos += 2 + len;
    if (marker == 0xDA) break;
  }
  for (size_t i = pos; i + 1 < b.size(); ++i) {
    if (b[i] == 0xFF && b[i + 1] == 0xD9) return true;
  }
  return false;
}

bool pngHasEndChunk(std::span<const uint8_t> b) {
  size_t pos = 8;
  while (pos + 12 <= b.size()) {
    const uint32_t len = be32(&b[pos]);
    if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) return true;
    if (uint64_t(pos) + 12 + len > b.size()) return false;
    pos += 12 + size_t(len);
  }
  return false;
}

}  // namespace regionlab
