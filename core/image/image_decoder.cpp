#include "core/image/image_decoder.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/image/exif_orientation.h"
#include "core/image/image_header.h"

namespace regionlab {
namespace {

std::vector<uint8_t> readWholeFile(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) throw Error(file, "cannot open: " + ec.message());
  if (std::filesystem::is_directory(status)) throw Error(file, "is a directory, not an image file");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(file, std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f.get())) > 0) bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  if (std::ferror(f.get())) throw Error(file, std::string("read error: ") + std::strerror(errno));
  return bytes;
}

std::string megapixels(int64_t pixels) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << double(pixels) / 1e6 << " MP";
  return s.str();
}

std::string firstBytesDescription(std::span<const uint8_t> b) {
  std::string printable;
  for (size_t i = 0; i < std::min<size_t>(b.size(), 8); ++i) printable += (b[i] >= 32 && b[i] < 127) ? char(b[i]) : '.';
  return "\"" + printable + "\"";
}

// Composites straight (non-premultiplied) RGBA over an opaque background colour.
cv::Mat compositeOverBackground(const cv::Mat& rgba, const cv::Scalar& background_rgb) {
  std::vector<cv::Mat> ch;
  cv::split(rgba, ch);
  cv::Mat alpha;
  ch[3].convertTo(alpha, CV_32F, 1.0 / 255.0);
  const cv::Mat transparency = 1.0 - alpha;
  std::vector<cv::Mat> out(3);
  for (int c = 0; c < 3; ++c) {
    cv::Mat value;
    ch[c].convertTo(value, CV_32F);
    cv::Mat blended = value.mul(alpha) + transparency * background_rgb[c];
    blended.convertTo(out[c], CV_8U);
  }
  cv::Mat rgb;
  cv::merge(out, rgb);
  return rgb;
}

// Converts any decoded layout (grey, grey+alpha, BGR, BGRA; 8/16-bit or float) to 8-bit RGB.
cv::Mat toRgb8(const cv::Mat& decoded, const cv::Scalar& background_rgb) {
  cv::Mat img;
  if (decoded.depth() == CV_16U) {
    decoded.convertTo(img, CV_8U, 1.0 / 257.0);
  } else if (decoded.depth() == CV_32F || decoded.depth() == CV_64F) {
    decoded.convertTo(img, CV_8U, 255.0);
  } else if (decoded.depth() != CV_8U) {
    decoded.convertTo(img, CV_8U);
  } else {
    img = decoded;
  }
  cv::Mat out;
  switch (img.channels()) {
    case 1: cv::cvtColor(img, out, cv::COLOR_GRAY2RGB); return out;
    case 3: cv::cvtColor(img, out, cv::COLOR_BGR2RGB); return out;
    case 2: {
      std::vector<cv::Mat> ch;
      cv::split(img, ch);
      cv::merge(std::vector<cv::Mat>{ch[0], ch[0], ch[0], ch[1]}, out);
      return compositeOverBackground(out, background_rgb);
    }
    case 4: cv::cvtColor(img, out, cv::COLOR_BGRA2RGBA); return compositeOverBackground(out, background_rgb);
    default: throw std::runtime_error("unsupported channel count " + std::to_string(img.channels()));
  }
}

}  // namespace

bool hasImageExtension(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  static const char* kExtensions[] = {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pnm", ".ppm", ".pgm", ".pbm"};
  return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; });
}

Image decodeImageFile(const std::filesystem::path& file, const DecodeOptions& options) {
  const std::vector<uint8_t> bytes = readWholeFile(file);
  return decodeImageBytes(bytes, file, options);
}

Image decodeImageBytes(std::span<const uint8_t> bytes, const std::filesystem::path& file, const DecodeOptions& options) {
  if (bytes.empty()) throw Error(file, "file is empty (0 bytes)");
  const ImageHeader header = readImageHeader(bytes);
  if (header.format == ImageFormat::Unknown) {
    throw Error(file, "not an image: content matches no supported format (JPEG, PNG, BMP, TIFF, WebP, PNM); first bytes " +
                          firstBytesDescription(bytes));
  }
  if (header.format == ImageFormat::Gif) throw Error(file, "GIF images are not supported (convert to PNG)");
  if (header.format == ImageFormat::Jpeg && !jpegHasEndOfImage(bytes)) {
    throw Error(file, "truncated JPEG: the file ends before the end-of-image marker");
  }
  if (header.format == ImageFormat::Png && !pngHasEndChunk(bytes)) {
    throw Error(file, "truncated PNG: the file ends before the IEND chunk");
  }

  const int64_t header_pixels = header.width * header.height;
  int reduce_flag = 0;
  if (header_pixels > options.max_pixels) {
    if (!options.downscale_large) {
      throw Error(file, "image is " + std::to_string(header.width) + "x" + std::to_string(header.height) + " = " +
                            megapixels(header_pixels) + ", over the limit of " + megapixels(options.max_pixels) +
                            " (raise the limit or allow downscaling of large images)");
    }
    if (header.format == ImageFormat::Jpeg) {  // let libjpeg decode at 1/2, 1/4 or 1/8 scale
      const double needed = std::sqrt(double(header_pixels) / double(options.max_pixels));
      reduce_flag = needed > 4 ? cv::IMREAD_REDUCED_COLOR_8 : needed > 2 ? cv::IMREAD_REDUCED_COLOR_4 : cv::IMREAD_REDUCED_COLOR_2;
    }
  }

  cv::Mat decoded;
  try {
    const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    const int flags = reduce_flag != 0 ? (reduce_flag | cv::IMREAD_IGNORE_ORIENTATION) : cv::IMREAD_UNCHANGED;
    decoded = cv::imdecode(buffer, flags);
  } catch (const cv::Exception& e) {
    throw Error(file, "cannot decode " + imageFormatName(header.format) + ": " + e.err);
  }
  if (decoded.empty()) throw Error(file, "cannot decode " + imageFormatName(header.format) + " data (corrupt or unsupported variant)");

  Image image;
  image.path = file;
  image.file_size = int64_t(bytes.size());
  image.sha256 = sha256Hex(bytes);
  image.exif_orientation = readExifOrientation(bytes);
  try {
    cv::Mat rgb = toRgb8(decoded, options.alpha_background);
    rgb = applyExifOrientation(rgb, image.exif_orientation);
    const bool swaps_axes = image.exif_orientation >= 5;
    image.original_width = int(header.width > 0 ? (swaps_axes ? header.height : header.width) : rgb.cols);
    image.original_height = int(header.height > 0 ? (swaps_axes ? header.width : header.height) : rgb.rows);
    const int64_t pixels = int64_t(rgb.cols) * rgb.rows;
    if (pixels > options.max_pixels) {
      if (!options.downscale_large) {
        throw Error(file, "image is " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) + " = " + megapixels(pixels) +
                              ", over the limit of " + megapixels(options.max_pixels));
      }
      const double s = std::sqrt(double(options.max_pixels) / double(pixels));
      cv::resize(rgb, rgb, cv::Size(std::max(1, int(rgb.cols * s)), std::max(1, int(rgb.rows * s))), 0, 0, cv::INTER_AREA);
    }
    image.rgb = rgb;
  } catch (const cv::Exception& e) {
    throw Error(file, "cannot convert pixels: " + e.err);
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const Error*>(&e)) throw;
    throw Error(file, e.what());
  }
  return image;
}

}  // namespace regionlab
