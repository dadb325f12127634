#include "core/features/dense_sift.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace regionlab {
namespace {

constexpr int kOrientations = 8;
constexpr int kSpatialBins = 4;
constexpr float kClamp = 0.2f;  // Lowe 2004: limits the influence of large gradients

}  // namespace

DenseSift computeDenseSift(const cv::Mat& image, const DenseSiftOptions& options) {
  CV_Assert(image.type() == CV_8UC1 || image.type() == CV_8UC3);
  const int bin = std::max(1, options.bin_size), step = std::max(1, options.step);
  // Per-thread scratch images: ingest calls this for every image, and fresh multi-megabyte
  // buffers would cost a page fault per 4 KiB each time.
  thread_local cv::Mat grey8, grey, dx, dy, magnitude, angle;
  thread_local std::array<cv::Mat, kOrientations> channels;
  if (image.channels() == 3) {
    cv::cvtColor(image, grey8, cv::COLOR_RGB2GRAY);
    grey8.convertTo(grey, CV_32F, 1.0 / 255.0);
  } else {
    image.convertTo(grey, CV_32F, 1.0 / 255.0);
  }
  // vl_dsift's pre-smoothing: a Gaussian of variance (bin / magnif)² − 0.25, magnif = 6.
  const double sigma = std::sqrt(std::max(0.0, (bin / 6.0) * (bin / 6.0) - 0.25));
  if (sigma > 0.1) cv::GaussianBlur(grey, grey, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);

  cv::Sobel(grey, dx, CV_32F, 1, 0, 1, 0.5, 0, cv::BORDER_REPLICATE);
  cv::Sobel(grey, dy, CV_32F, 0, 1, 1, 0.5, 0, cv::BORDER_REPLICATE);
  cv::cartToPolar(dx, dy, magnitude, angle, false);

  // Gradient magnitude split linearly between the two nearest of 8 orientations.
  for (cv::Mat& c : channels) {
    c.create(grey.size(), CV_32F);
    c.setTo(0);
  }
  for (int y = 0; y < grey.rows; ++y) {
    const float* m = magnitude.ptr<float>(y);
    const float* a = angle.ptr<float>(y);
    std::array<float*, kOrientations> out;
    for (int o = 0; o < kOrientations; ++o) out[size_t(o)] = channels[size_t(o)].ptr<float>(y);
    for (int x = 0; x < grey.cols; ++x) {
      const float t = a[x] * float(kOrientations / (2 * CV_PI));
      const float floor_t = std::floor(t);
      const int o0 = int(floor_t) & (kOrientations - 1);
      const float f = t - floor_t;
      out[size_t(o0)][x] += m[x] * (1.0f - f);
      out[size_t((o0 + 1) & (kOrientations - 1))][x] += m[x] * f;
    }
  }
  // A triangular kernel of half-width `bin`: one sample at a spatial bin's centre is the
  // bilinearly weighted sum of the bin's gradients, as SIFT's trilinear interpolation gives.
  cv::Mat kernel(2 * bin - 1, 1, CV_32F);
  for (int k = -(bin - 1); k <= bin - 1; ++k) kernel.at<float>(k + bin - 1) = float(bin - std::abs(k)) / float(bin * bin);
  for (cv::Mat& c : channels) cv::sepFilter2D(c, c, CV_32F, kernel, kernel, cv::Point(-1, -1), 0, cv::BORDER_CONSTANT);

  // SIFT's Gaussian window (σ = half the descriptor width) evaluated at the bin centres.
  std::array<float, kSpatialBins * kSpatialBins> window;
  for (int by = 0; by < kSpatialBins; ++by) {
    for (int bx = 0; bx < kSpatialBins; ++bx) {
      const float u = float(bx) - 1.5f, v = float(by) - 1.5f;
      window[size_t(by * kSpatialBins + bx)] = std::exp(-(u * u + v * v) / 8.0f);
    }
  }

  DenseSift out;
  for (int y = step / 2; y < grey.rows; y += step) {
    for (int x = step / 2; x < grey.cols; x += step) out.points.emplace_back(float(x), float(y));
  }
  out.descriptors.create(int(out.points.size()), 128, CV_32F);
  for (size_t k = 0; k < out.points.size(); ++k) {
    float* d = out.descriptors.ptr<float>(int(k));
    const int x0 = int(out.points[k].x), y0 = int(out.points[k].y);
    for (int by = 0; by < kSpatialBins; ++by) {
      const int sy = std::clamp(y0 + int(std::lround((float(by) - 1.5f) * float(bin))), 0, grey.rows - 1);
      for (int bx = 0; bx < kSpatialBins; ++bx) {
        const int sx = std::clamp(x0 + int(std::lround((float(bx) - 1.5f) * float(bin))), 0, grey.cols - 1);
        const float w = window[size_t(by * kSpatialBins + bx)];
        for (int o = 0; o < kOrientations; ++o) d[(by * kSpatialBins + bx) * kOrientations + o] = w * channels[size_t(o)].at<float>(sy, sx);
      }
    }
    // Lowe's normalisation: unit length, clamp at 0.2, unit length again.
    auto l2 = [&] {
      double s = 0;
      for (int i = 0; i < 128; ++i) s += double(d[i]) * d[i];
      if (s <= 1e-18) return false;
      const auto inv = float(1.0 / std::sqrt(s));
      for (int i = 0; i < 128; ++i) d[i] *= inv;
      return true;
    };
    if (!l2()) {
      std::fill(d, d + 128, 0.0f);  // a flat patch: no gradient, a zero descriptor
      continue;
    }
    for (int i = 0; i < 128; ++i) d[i] = std::min(d[i], kClamp);
    l2();
    if (options.root_sift) {
      double s = 0;
      for (int i = 0; i < 128; ++i) s += d[i];
      const double inv = s > 0 ? 1.0 / s : 0.0;
      for (int i = 0; i < 128; ++i) d[i] = float(std::sqrt(d[i] * inv));
    }
  }
  return out;
}

}  // namespace regionlab
