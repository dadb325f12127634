#include "tests/support/bad_input_files.h"

#include <fstream>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tests/support/synthetic_images.h"

namespace regionlab::test {
namespace {

void writeBytes(const std::filesystem::path& file, const std::vector<unsigned char>& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::vector<unsigned char> encode(const std::string& ext, const cv::Mat& bgr, const std::vector<int>& params = {}) {
  std::vector<unsigned char> bytes;
  if (!cv::imencode(ext, bgr, bytes, params)) throw std::runtime_error("cannot encode " + ext);
  return bytes;
}

cv::Mat bgrShapes(uint32_t seed, cv::Size size) {
  cv::Mat bgr;
  cv::cvtColor(makeShapesImage(seed, size), bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

}  // namespace

std::vector<unsigned char> greyAlphaPng(const cv::Mat& grey, const cv::Mat& alpha) {
  // PNG colour type 4 (grey + alpha, 8-bit). OpenCV cannot write it, so the file is assembled
  // here: filter byte 0 per row, zlib stream of stored (uncompressed) deflate blocks.
  auto crc32 = [](const unsigned char* p, size_t n, uint32_t crc = 0xffffffffu) {
    for (size_t i = 0; i < n; ++i) {
      crc ^= p[i];
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc;
  };
  auto be32 = [](std::vector<unsigned char>& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back((unsigned char)(v >> s));
  };
  auto chunk = [&](std::vector<unsigned char>& out, const char* type, const std::vector<unsigned char>& data) {
    be32(out, uint32_t(data.size()));
    std::vector<unsigned char> body(type, type + 4);
    body.insert(body.end(), data.begin(), data.end());
    out.insert(out.end(), body.begin(), body.end());
    be32(out, crc32(body.data(), body.size()) ^ 0xffffffffu);
  };
  std::vector<unsigned char> raw;
  for (int y = 0; y < grey.rows; ++y) {
    raw.push_back(0);
    for (int x = 0; x < grey.cols; ++x) {
      raw.push_back(grey.at<uint8_t>(y, x));
      raw.push_back(alpha.at<uint8_t>(y, x));
    }
  }
  std::vector<unsigned char> z = {0x78, 0x01};
  for (size_t pos = 0; pos < raw.size(); pos += 65535) {
    const size_t n = std::min<size_t>(65535, raw.size() - pos);
    z.push_back(pos + n == raw.size() ? 1 : 0);
    z.push_back((unsigned char)(n & 0xff));
    z.push_back((unsigned char)(n >> 8));
    z.push_back((unsigned char)(~n & 0xff));
    z.push_back((unsigned char)((~n >> 8) & 0xff));
    z.insert(z.end(), raw.begin() + long(pos), raw.begin() + long(pos + n));
  }
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  be32(z, (b << 16) | a);
  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<unsigned char> ihdr;
  be32(ihdr, uint32_t(grey.cols));
  be32(ihdr, uint32_t(grey.rows));
  ihdr.insert(ihdr.end(), {8, 4, 0, 0, 0});
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", {});
  return png;
}

std::vector<unsigned char> jpegWithOrientation(const std::vector<unsigned char>& jpeg, int orientation) {
  // APP1: "Exif\0\0" + little-endian TIFF header + one IFD entry (0x0112 SHORT 1 orientation).
  const unsigned char app1[] = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0, 1, 0,
                                0x12, 0x01, 3, 0, 1, 0, 0, 0, (unsigned char)orientation, 0, 0, 0, 0, 0, 0, 0};
  std::vector<unsigned char> out;
  out.reserve(jpeg.size() + sizeof(app1));
  out.push_back(jpeg.at(0));
  out.push_back(jpeg.at(1));
  for (unsigned char c : app1) out.push_back(c);
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

std::vector<CorpusFile> writeBadInputCorpus(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<CorpusFile> files;

  writeBytes(dir / "good.jpg", encode(".jpg", bgrShapes(1, {320, 240})));
  files.push_back({"good.jpg", true, ""});
  writeBytes(dir / "good.png", encode(".png", bgrShapes(2, {300, 200})));
  files.push_back({"good.png", true, ""});

  cv::Mat deep;
  bgrShapes(3, {256, 192}).convertTo(deep, CV_16UC3, 257.0);
  writeBytes(dir / "deep16.png", encode(".png", deep));
  files.push_back({"deep16.png", true, ""});

  cv::Mat grey;
  cv::cvtColor(bgrShapes(4, {200, 160}), grey, cv::COLOR_BGR2GRAY);
  cv::Mat alpha(grey.size(), CV_8U, cv::Scalar(255));
  cv::circle(alpha, {100, 80}, 40, cv::Scalar(0), cv::FILLED);
  writeBytes(dir / "grey_alpha.png", greyAlphaPng(grey, alpha));
  files.push_back({"grey_alpha.png", true, ""});

  writeBytes(dir / "rotated.jpg", jpegWithOrientation(encode(".jpg", bgrShapes(5, {240, 160})), 6));
  files.push_back({"rotated.jpg", true, ""});

  writeBytes(dir / "name with spaces é ü.jpg", encode(".jpg", bgrShapes(6, {320, 240})));
  files.push_back({"name with spaces é ü.jpg", true, ""});

  auto full = encode(".jpg", bgrShapes(7, {320, 240}));
  full.resize(full.size() * 6 / 10);
  writeBytes(dir / "truncated.jpg", full);
  files.push_back({"truncated.jpg", false, "truncated"});

  writeBytes(dir / "empty.jpg", {});
  files.push_back({"empty.jpg", false, "empty"});

  const std::string text = "These are my notes, not a picture.\n";
  writeBytes(dir / "notes.jpg", std::vector<unsigned char>(text.begin(), text.end()));
  files.push_back({"notes.jpg", false, "not an image"});
  return files;
}

}  // namespace regionlab::test
