#include "core/features/classical_descriptor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/base/sha256.h"
#include "core/features/texture_words.h"

namespace regionlab {
namespace {

constexpr int kLBins = 4, kABins = 6, kBBins = 6;
constexpr float kAbRange = 48.0f;
constexpr int kOrientations = 8;
constexpr int kMagnitudeBins = 4;
constexpr float kMagnitudeEdges[kMagnitudeBins - 1] = {2.0f, 6.0f, 16.0f};  // L (0..255 scale) per pixel
constexpr int kLbpCodes = 10;
constexpr float kLbpThreshold = 3.0f;  // grey levels; suppresses sensor noise in flat areas
constexpr int kLayoutGrid = 4;
constexpr double kGradientSigmas[2] = {1.0, 2.5};

// Per-pixel codes at analysis resolution, stored column-major (index = x * height + y) so that
// a mask's column-major runs read them sequentially.
struct PixelCodes {
  int height = 0, width = 0, stride = 1;
  std::vector<uint8_t> colour, lbp, cell;
  std::vector<uint16_t> word;  // visual word + 1 at dense-SIFT keypoint centres, else 0
  std::array<std::vector<uint8_t>, 2> orientation, magnitude_bin;
  std::array<std::vector<float>, 2> magnitude;
};

std::vector<uint8_t> columnMajorU8(const cv::Mat& m) {
  cv::Mat t;
  cv::transpose(m, t);
  return std::vector<uint8_t>(t.ptr<uint8_t>(0), t.ptr<uint8_t>(0) + t.total());
}

std::vector<float> columnMajorF32(const cv::Mat& m) {
  cv::Mat t;
  cv::transpose(m, t);
  return std::vector<float>(t.ptr<float>(0), t.ptr<float>(0) + t.total());
}

cv::Mat lbpCodes(const cv::Mat& grey) {  // grey: CV_32F; rotation-invariant uniform LBP(8,1)
  cv::Mat codes(grey.size(), CV_8U, cv::Scalar(0));
  static const int dy[8] = {-1, -1, 0, 1, 1, 1, 0, -1}, dx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
  for (int y = 0; y < grey.rows; ++y) {
    uint8_t* out = codes.ptr<uint8_t>(y);
    for (int x = 0; x < grey.cols; ++x) {
      const float c = grey.at<float>(y, x) + kLbpThreshold;
      int bits[8];
      for (int k = 0; k < 8; ++k) {
        const int yy = std::clamp(y + dy[k], 0, grey.rows - 1), xx = std::clamp(x + dx[k], 0, grey.cols - 1);
        bits[k] = grey.at<float>(yy, xx) >= c;
      }
      int transitions = 0, ones = 0;
      for (int k = 0; k < 8; ++k) {
        transitions += bits[k] != bits[(k + 1) % 8];
        ones += bits[k];
      }
      out[x] = uint8_t(transitions <= 2 ? ones : 9);
    }
  }
  return codes;
}

// Dense SIFT on the analysis image's grey levels, each keypoint's word stored at its centre.
void computeWords(const cv::Mat& grey_f32, const DenseSiftOptions& sift_options, const TextureWords& vocabulary, PixelCodes& codes) {
  cv::Mat grey;
  grey_f32.convertTo(grey, CV_8U);
  const DenseSift sift = computeDenseSift(grey, sift_options);
  const std::vector<uint16_t> words = vocabulary.assign(sift.descriptors);
  codes.word.assign(size_t(codes.height) * size_t(codes.width), 0);
  for (size_t k = 0; k < words.size(); ++k) {
    const auto x = size_t(sift.points[k].x), y = size_t(sift.points[k].y);
    codes.word[x * size_t(codes.height) + y] = uint16_t(words[k] + 1);
  }
}

PixelCodes computePixelCodes(const cv::Mat& rgb, double max_pixels, const DenseSiftOptions* sift, const TextureWords* vocabulary) {
  PixelCodes codes;
  codes.stride = std::max(1, int(std::ceil(std::sqrt(double(rgb.total()) / max_pixels))));
  cv::Mat small = rgb;
  if (codes.stride > 1) {
    const cv::Size size((rgb.cols + codes.stride - 1) / codes.stride, (rgb.rows + codes.stride - 1) / codes.stride);
    cv::resize(rgb, small, size, 0, 0, cv::INTER_AREA);
  }
  codes.height = small.rows;
  codes.width = small.cols;

  cv::Mat lab;
  cv::cvtColor(small, lab, cv::COLOR_RGB2Lab);  // 8-bit: L*255/100, a+128, b+128
  cv::Mat colour(small.size(), CV_8U), grey(small.size(), CV_32F), cell(small.size(), CV_8U);
  for (int y = 0; y < lab.rows; ++y) {
    const cv::Vec3b* p = lab.ptr<cv::Vec3b>(y);
    uint8_t* c = colour.ptr<uint8_t>(y);
    float* g = grey.ptr<float>(y);
    uint8_t* cl = cell.ptr<uint8_t>(y);
    const int cell_row = y * kLayoutGrid / lab.rows;
    for (int x = 0; x < lab.cols; ++x) {
      const int l = p[x][0] * kLBins / 256;
      const float a = std::clamp(float(p[x][1]) - 128.0f, -kAbRange, kAbRange - 1e-3f);
      const float b = std::clamp(float(p[x][2]) - 128.0f, -kAbRange, kAbRange - 1e-3f);
      const int ab = int((a + kAbRange) * kABins / (2 * kAbRange));
      const int bb = int((b + kAbRange) * kBBins / (2 * kAbRange));
      c[x] = uint8_t((l * kABins + ab) * kBBins + bb);
      g[x] = float(p[x][0]);
      cl[x] = uint8_t(cell_row * kLayoutGrid + x * kLayoutGrid / lab.cols);
    }
  }
  codes.colour = columnMajorU8(colour);
  codes.cell = columnMajorU8(cell);

  for (int s = 0; s < 2; ++s) {
    cv::Mat smooth, dx, dy, magnitude, angle;
    cv::GaussianBlur(grey, smooth, cv::Size(), kGradientSigmas[s]);
    cv::Sobel(smooth, dx, CV_32F, 1, 0, 3, 1.0 / 8.0, 0, cv::BORDER_REPLICATE);
    cv::Sobel(smooth, dy, CV_32F, 0, 1, 3, 1.0 / 8.0, 0, cv::BORDER_REPLICATE);
    cv::cartToPolar(dx, dy, magnitude, angle, true);
    cv::Mat orientation(grey.size(), CV_8U), magnitude_bin(grey.size(), CV_8U);
    for (int y = 0; y < grey.rows; ++y) {
      const float* m = magnitude.ptr<float>(y);
      const float* a = angle.ptr<float>(y);
      uint8_t* o = orientation.ptr<uint8_t>(y);
      uint8_t* mb = magnitude_bin.ptr<uint8_t>(y);
      for (int x = 0; x < grey.cols; ++x) {
        const float unsigned_angle = std::fmod(a[x], 180.0f);  // edge polarity does not matter
        o[x] = uint8_t(std::min(kOrientations - 1, int(unsigned_angle * kOrientations / 180.0f)));
        int bin = 0;
        while (bin < kMagnitudeBins - 1 && m[x] >= kMagnitudeEdges[bin]) ++bin;
        mb[x] = uint8_t(bin);
      }
    }
    codes.orientation[s] = columnMajorU8(orientation);
    codes.magnitude_bin[s] = columnMajorU8(magnitude_bin);
    codes.magnitude[s] = columnMajorF32(magnitude);
    if (s == 0) codes.lbp = columnMajorU8(lbpCodes(smooth));
  }
  if (vocabulary) computeWords(grey, *sift, *vocabulary, codes);
  return codes;
}

// Calls visit(index into PixelCodes) for every analysis pixel sampled by the mask: with stride s,
// the mask pixels (x, y) with x % s == 0 and y % s == 0.
template <typename Visit>
int64_t forEachSampledPixel(const Rle& mask, const PixelCodes& codes, Visit&& visit) {
  const uint64_t h = uint64_t(mask.height);
  const int s = codes.stride;
  int64_t visited = 0;
  uint64_t pos = 0;
  for (size_t i = 0; i < mask.counts.size(); ++i) {
    const uint64_t end = pos + mask.counts[i];
    if ((i & 1) == 1) {
      if (s == 1) {
        for (uint64_t p = pos; p < end; ++p) visit(size_t(p));
        visited += int64_t(end - pos);
      } else {
        uint64_t p = pos;
        while (p < end) {
          const uint64_t x = p / h, y_begin = p % h;
          const uint64_t column_end = std::min(end, (x + 1) * h);
          const uint64_t y_end = column_end - x * h;  // exclusive
          if (x % s == 0) {
            for (uint64_t y = (y_begin + s - 1) / s * s; y < y_end; y += s) {
              visit(size_t((x / s) * uint64_t(codes.height) + y / s));
              ++visited;
            }
          }
          p = column_end;
        }
      }
    }
    pos = end;
  }
  return visited;
}

// L1-normalises and square-roots `values` into out, scaled by `weight` (a uniform histogram when empty).
void hellinger(const float* values, int n, float weight, float* out) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += values[i];
  for (int i = 0; i < n; ++i) out[i] = weight * float(std::sqrt(sum > 0 ? values[i] / sum : 1.0 / n));
}

// Spreads each colour bin's mass to its a/b neighbours (kernel 0.2 0.6 0.2), so nearby colours
// on either side of a bin edge still overlap.
void smoothColour(float* h) {
  float tmp[ClassicalDescriptor::kColourDim];
  auto idx = [](int l, int a, int b) { return (l * kABins + a) * kBBins + b; };
  for (int pass = 0; pass < 2; ++pass) {
    std::fill(tmp, tmp + ClassicalDescriptor::kColourDim, 0.0f);
    for (int l = 0; l < kLBins; ++l)
      for (int a = 0; a < kABins; ++a)
        for (int b = 0; b < kBBins; ++b) {
          const float v = h[idx(l, a, b)];
          if (v == 0) continue;
          tmp[idx(l, a, b)] += 0.6f * v;
          for (int d : {-1, 1}) {
            const int na = pass == 0 ? std::clamp(a + d, 0, kABins - 1) : a;
            const int nb = pass == 1 ? std::clamp(b + d, 0, kBBins - 1) : b;
            tmp[idx(l, na, nb)] += 0.2f * v;
          }
        }
    std::copy(tmp, tmp + ClassicalDescriptor::kColourDim, h);
  }
}

}  // namespace

ClassicalDescriptor::ClassicalDescriptor(ClassicalDescriptorOptions options, std::string name)
    : options_(options), name_(std::move(name)) {
  if (options_.words_weight > 0 && !options_.vocabulary) options_.vocabulary = &TextureWords::shipped();
}

int ClassicalDescriptor::wordCount() const { return options_.words_weight > 0 ? int(options_.vocabulary->size()) : 0; }

std::string ClassicalDescriptor::identity() const {
  std::ostringstream s;
  s << "classical-v1 lab=" << kLBins << "x" << kABins << "x" << kBBins << "/" << kAbRange << " orient=" << kOrientations
    << " mag=" << kMagnitudeBins << " lbp=" << kLbpCodes << " grid=" << kLayoutGrid << " w=" << options_.colour_weight << ","
    << options_.texture_weight << "," << options_.layout_weight << " px=" << options_.analysis_max_pixels;
  if (wordCount() > 0) {
    // v2: the visual words and everything they depend on (the vocabulary is a versioned artifact).
    s << " v2 words=" << options_.vocabulary->id() << " k=" << wordCount() << " ww=" << options_.words_weight
      << " dsift=" << options_.sift.step << "/" << options_.sift.bin_size << "/" << options_.sift.root_sift;
  }
  const std::string text = s.str();
  return sha256Hex({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string ClassicalDescriptor::description() const {
  if (wordCount() > 0) {
    return "embedded default descriptor: Lab colour + gradient/LBP texture + dense-SIFT visual words (DRC codebook) + layout "
           "histograms, Hellinger-normalised (no model weights)";
  }
  return "embedded default descriptor: Lab colour + gradient/LBP texture + layout histograms, Hellinger-normalised (no model weights)";
}

std::vector<float> ClassicalDescriptor::extract(const cv::Mat& rgb, std::span<const Rle> masks) const {
  CV_Assert(rgb.type() == CV_8UC3);
  const int words = wordCount();
  const size_t dim = size_t(kFixedDim + words);
  std::vector<float> out(masks.size() * dim, 0.0f);
  if (masks.empty()) return out;
  const PixelCodes codes =
      computePixelCodes(rgb, options_.analysis_max_pixels, &options_.sift, words > 0 ? options_.vocabulary : nullptr);

  const float ww_raw = words > 0 ? options_.words_weight : 0.0f;
  const float norm = std::sqrt(options_.colour_weight * options_.colour_weight + options_.texture_weight * options_.texture_weight +
                               options_.layout_weight * options_.layout_weight + ww_raw * ww_raw);
  const float wc = options_.colour_weight / norm, wt = options_.texture_weight / norm, wl = options_.layout_weight / norm;
  const float ww = ww_raw / norm;
  std::vector<float> word_histogram(static_cast<size_t>(words), 0.0f);
  const float w_texture_part = wt / std::sqrt(5.0f);  // five texture histograms share the block equally

  for (size_t m = 0; m < masks.size(); ++m) {
    const Rle& mask = masks[m];
    CV_Assert(mask.height == rgb.rows && mask.width == rgb.cols);
    float colour[kColourDim] = {};
    float orientation[2][kOrientations] = {};
    float magnitude[2][kMagnitudeBins] = {};
    float lbp[kLbpCodes] = {};
    float cell[kLayoutGrid * kLayoutGrid] = {};
    std::fill(word_histogram.begin(), word_histogram.end(), 0.0f);
    auto visit = [&](size_t i) {
      if (words > 0 && codes.word[i] != 0) word_histogram[codes.word[i] - 1u] += 1.0f;
      colour[codes.colour[i]] += 1.0f;
      lbp[codes.lbp[i]] += 1.0f;
      cell[codes.cell[i]] += 1.0f;
      for (int s = 0; s < 2; ++s) {
        orientation[s][codes.orientation[s][i]] += codes.magnitude[s][i];
        magnitude[s][codes.magnitude_bin[s][i]] += 1.0f;
      }
    };
    if (forEachSampledPixel(mask, codes, visit) == 0) {
      // A mask thinner than the sampling stride: use the analysis pixel under its first pixel.
      uint64_t first = mask.counts.empty() ? 0 : mask.counts[0];
      if (first >= uint64_t(mask.height) * uint64_t(mask.width)) continue;  // empty mask: zero vector
      const uint64_t x = first / uint64_t(mask.height), y = first % uint64_t(mask.height);
      visit(size_t((x / codes.stride) * uint64_t(codes.height) + y / codes.stride));
    }
    smoothColour(colour);
    float* v = out.data() + m * dim;
    hellinger(colour, kColourDim, wc, v);
    float* t = v + kColourDim;
    hellinger(orientation[0], kOrientations, w_texture_part, t);
    hellinger(orientation[1], kOrientations, w_texture_part, t + kOrientations);
    hellinger(magnitude[0], kMagnitudeBins, w_texture_part, t + 2 * kOrientations);
    hellinger(magnitude[1], kMagnitudeBins, w_texture_part, t + 2 * kOrientations + kMagnitudeBins);
    hellinger(lbp, kLbpCodes, w_texture_part, t + 2 * kOrientations + 2 * kMagnitudeBins);
    hellinger(cell, kLayoutGrid * kLayoutGrid, wl, v + kColourDim + kTextureDim);
    // A region without keypoints gets the uniform histogram (hellinger's convention), so its
    // words block weighs the same as everyone's and the vector stays a unit vector.
    if (words > 0) hellinger(word_histogram.data(), words, ww, v + kFixedDim);
  }
  return out;
}

}  // namespace regionlab
