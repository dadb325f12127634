#include "core/nets/sam_preprocess.h"

#include <algorithm>
#include <cmath>

#include "core/base/error.h"

namespace regionlab::nets {
namespace {

// Pillow's 8-bit resampling precision (libImaging/Resample.c: PRECISION_BITS = 32 - 8 - 2).
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coefficients {
  int ksize = 0;
  std::vector<int> bounds;  // per output pixel: first input index, count
  std::vector<int> weights; // per output pixel: ksize fixed-point weights
};

// precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter, support 1.
Coefficients precomputeCoefficients(int in_size, int out_size) {
  const double scale = double(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  Coefficients c;
  c.ksize = int(std::ceil(support)) * 2 + 1;
  c.bounds.resize(size_t(out_size) * 2);
  c.weights.assign(size_t(out_size) * size_t(c.ksize), 0);
  std::vector<double> k(size_t(c.ksize));
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    std::fill(k.begin(), k.end(), 0.0);
    for (int x = 0; x < xmax; ++x) {
      double t = std::abs((x + xmin - center + 0.5) * ss);
      const double w = t < 1.0 ? 1.0 - t : 0.0;
      k[size_t(x)] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x) {
      if (ww != 0.0) k[size_t(x)] /= ww;
    }
    for (int x = 0; x < c.ksize; ++x) {
      const double v = k[size_t(x)];
      c.weights[size_t(xx) * size_t(c.ksize) + size_t(x)] =
          v < 0 ? int(-0.5 + v * (1 << kPrecisionBits)) : int(0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[size_t(xx) * 2] = xmin;
    c.bounds[size_t(xx) * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int v) {
  if (v >= (1 << (kPrecisionBits + 8))) return 255;
  if (v <= 0) return 0;
  return uint8_t(v >> kPrecisionBits);
}

}  // namespace

cv::Size samResizedSize(int height, int width, int target) {
  const double scale = double(target) / std::max(height, width);
  return {int(width * scale + 0.5), int(height * scale + 0.5)};
}

cv::Mat pillowBilinearResize(const cv::Mat& image, cv::Size size) {
  CV_Assert(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3));
  const int channels = image.channels();
  cv::Mat source = image;
  // Horizontal pass (rows of the input that the vertical pass reads), then the vertical pass,
  // each rounded to 8 bits, as ImagingResampleInner does.
  cv::Mat horizontal = source;
  if (size.width != source.cols) {
    const Coefficients c = precomputeCoefficients(source.cols, size.width);
    horizontal.create(source.rows, size.width, source.type());
    for (int y = 0; y < source.rows; ++y) {
      const uint8_t* in = source.ptr<uint8_t>(y);
      uint8_t* out = horizontal.ptr<uint8_t>(y);
      for (int xx = 0; xx < size.width; ++xx) {
        const int xmin = c.bounds[size_t(xx) * 2], xmax = c.bounds[size_t(xx) * 2 + 1];
        const int* k = &c.weights[size_t(xx) * size_t(c.ksize)];
        for (int ch = 0; ch < channels; ++ch) {
          int ss = 1 << (kPrecisionBits - 1);
          for (int x = 0; x < xmax; ++x) ss += int(in[(x + xmin) * channels + ch]) * k[x];
          out[xx * channels + ch] = clip8(ss);
        }
      }
    }
  }
  if (size.height == horizontal.rows) return horizontal.data == image.data ? image.clone() : horizontal;
  const Coefficients c = precomputeCoefficients(horizontal.rows, size.height);
  cv::Mat out(size.height, size.width, source.type());
  const int row_values = size.width * channels;
  std::vector<int> acc(static_cast<size_t>(row_values));
  for (int yy = 0; yy < size.height; ++yy) {
    const int ymin = c.bounds[size_t(yy) * 2], ymax = c.bounds[size_t(yy) * 2 + 1];
    const int* k = &c.weights[size_t(yy) * size_t(c.ksize)];
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0; y < ymax; ++y) {
      const uint8_t* in = horizontal.ptr<uint8_t>(ymin + y);
      const int w = k[y];
      for (int i = 0; i < row_values; ++i) acc[size_t(i)] += int(in[i]) * w;
    }
    uint8_t* o = out.ptr<uint8_t>(yy);
    for (int i = 0; i < row_values; ++i) o[i] = clip8(acc[size_t(i)]);
  }
  return out;
}

std::vector<float> samPreprocess(const cv::Mat& rgb, cv::Size* resized_size) {
  if (rgb.type() != CV_8UC3) throw Error("SAM input must be an 8-bit RGB image");
  if (rgb.empty()) throw Error("SAM input image is empty");
  const cv::Size size = samResizedSize(rgb.rows, rgb.cols);
  const cv::Mat resized = pillowBilinearResize(rgb, size);
  if (resized_size) *resized_size = size;
  static constexpr float kMean[3] = {123.675f, 116.28f, 103.53f};
  static constexpr float kStd[3] = {58.395f, 57.12f, 57.375f};
  const size_t plane = size_t(kSamInputSize) * kSamInputSize;
  std::vector<float> input(3 * plane, 0.0f);
  for (int y = 0; y < size.height; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    for (int x = 0; x < size.width; ++x) {
      for (int ch = 0; ch < 3; ++ch) {
        input[size_t(ch) * plane + size_t(y) * kSamInputSize + size_t(x)] = (float(row[x * 3 + ch]) - kMean[ch]) / kStd[ch];
      }
    }
  }
  return input;
}

}  // namespace regionlab::nets
