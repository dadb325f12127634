#include "core/io/palette_png.h"

#include <zlib.h>

#include "core/base/error.h"

namespace regionlab {

namespace {

void putBigEndian32(std::string& out, uint32_t v) {
  out.push_back(char((v >> 24) & 255));
  out.push_back(char((v >> 16) & 255));
  out.push_back(char((v >> 8) & 255));
  out.push_back(char(v & 255));
}

void putChunk(std::string& out, const char* type, const std::string& data) {
  putBigEndian32(out, uint32_t(data.size()));
  const std::string typed = std::string(type, 4) + data;
  out += typed;
  putBigEndian32(out, uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), uInt(typed.size()))));
}

}  // namespace

std::string encodePalettePng(const cv::Mat& indices, const std::vector<cv::Vec3b>& palette_rgb) {
  CV_Assert(indices.type() == CV_8U && !palette_rgb.empty() && palette_rgb.size() <= 256);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  putBigEndian32(header, uint32_t(indices.cols));
  putBigEndian32(header, uint32_t(indices.rows));
  header += std::string("\x08\x03\x00\x00\x00", 5);  // 8-bit, indexed, deflate, adaptive filter, no interlace
  putChunk(png, "IHDR", header);
  std::string palette;
  for (const cv::Vec3b& c : palette_rgb) palette += {char(c[0]), char(c[1]), char(c[2])};
  putChunk(png, "PLTE", palette);
  // Filter type 0 on every row: class maps are flat areas that deflate compresses well as is.
  std::string raw;
  raw.reserve(size_t(indices.rows) * size_t(indices.cols + 1));
  for (int y = 0; y < indices.rows; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(indices.ptr<uint8_t>(y)), size_t(indices.cols));
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::string compressed(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), 9) != Z_OK) {
    throw Error("cannot compress a PNG image (zlib failed)");
  }
  compressed.resize(size);
  putChunk(png, "IDAT", compressed);
  putChunk(png, "IEND", "");
  return png;
}

std::vector<cv::Vec3b> vocPalette() {
  std::vector<cv::Vec3b> palette(256);
  for (int i = 0; i < 256; ++i) {
    int r = 0, g = 0, b = 0, c = i;
    for (int j = 0; j < 8; ++j) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    palette[size_t(i)] = cv::Vec3b(uchar(r), uchar(g), uchar(b));
  }
  return palette;
}

}  // namespace regionlab
