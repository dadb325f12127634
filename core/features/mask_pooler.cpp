#include "core/features/mask_pooler.h"

#include <algorithm>
#include <cmath>

#include "core/base/error.h"

namespace regionlab {
namespace {

// PyTorch's upsample_bilinear2d source index for align_corners = false (size given, so the
// scale is in/out): src = max((dst + 0.5) · in/out − 0.5, 0).
std::pair<int, float> sourceIndex(int dst, int in_size, int out_size) {
  const double scale = double(in_size) / double(out_size);
  const double src = std::max((double(dst) + 0.5) * scale - 0.5, 0.0);
  const int i0 = std::min(int(src), in_size - 1);
  return {i0, float(src - i0)};
}

}  // namespace

MaskPooler::MaskPooler(const PoolingGeometry& g) : geometry_(g) {
  if (g.grid_height <= 0 || g.grid_width <= 0 || g.upsampled_height < g.grid_height || g.upsampled_width < g.grid_width ||
      g.image_height <= 0 || g.image_width <= 0 || g.crop_top < 0 || g.crop_left < 0 ||
      g.crop_top + g.image_height > g.upsampled_height || g.crop_left + g.image_width > g.upsampled_width) {
    throw Error("invalid pooling geometry: grid " + std::to_string(g.grid_width) + "x" + std::to_string(g.grid_height) +
                ", upsampled " + std::to_string(g.upsampled_width) + "x" + std::to_string(g.upsampled_height) + ", crop at (" +
                std::to_string(g.crop_left) + "," + std::to_string(g.crop_top) + ") of " + std::to_string(g.image_width) + "x" +
                std::to_string(g.image_height));
  }
  auto makeTaps = [](int count, int offset, int in_size, int out_size) {
    std::vector<Tap> taps(count);
    for (int d = 0; d < count; ++d) {
      const auto [i0, lambda] = sourceIndex(d + offset, in_size, out_size);
      const int i1 = std::min(i0 + 1, in_size - 1);
      taps[d] = {i0, i1, 1.0f - lambda, lambda};
    }
    return taps;
  };
  row_taps_ = makeTaps(g.image_height, g.crop_top, g.grid_height, g.upsampled_height);
  column_taps_ = makeTaps(g.image_width, g.crop_left, g.grid_width, g.upsampled_width);

  const int h = g.grid_height;
  row_prefix_.assign(size_t(g.image_height + 1) * h, 0.0);
  for (int y = 0; y < g.image_height; ++y) {
    double* next = &row_prefix_[size_t(y + 1) * h];
    const double* prev = &row_prefix_[size_t(y) * h];
    std::copy(prev, prev + h, next);
    next[row_taps_[y].i0] += row_taps_[y].w0;
    next[row_taps_[y].i1] += row_taps_[y].w1;
  }
}

std::vector<std::pair<int, float>> MaskPooler::cellWeights(const Rle& mask) const {
  const PoolingGeometry& g = geometry_;
  if (mask.height != g.image_height || mask.width != g.image_width) {
    throw Error("mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + ", the pooling geometry expects " +
                std::to_string(g.image_width) + "x" + std::to_string(g.image_height));
  }
  const int h = g.grid_height, w = g.grid_width;
  std::vector<double> weights(size_t(h) * w, 0.0);
  std::vector<double> column(h, 0.0);  // Σ over the current column's mask rows of the row weights
  int column_lo = h, column_hi = -1;   // grid rows touched by the current column
  int current_x = -1;

  auto flushColumn = [&]() {
    if (current_x < 0 || column_hi < column_lo) return;
    const Tap& t = column_taps_[current_x];
    for (int i = column_lo; i <= column_hi; ++i) {
      if (column[i] == 0) continue;
      weights[size_t(i) * w + t.i0] += column[i] * t.w0;
      weights[size_t(i) * w + t.i1] += column[i] * t.w1;
      column[i] = 0;
    }
    column_lo = h;
    column_hi = -1;
  };

  const uint64_t H = uint64_t(mask.height);
  uint64_t pos = 0;
  for (size_t k = 0; k < mask.counts.size(); ++k) {
    const uint64_t end = pos + mask.counts[k];
    if ((k & 1) == 1) {
      uint64_t p = pos;
      while (p < end) {  // split the run at column boundaries
        const int x = int(p / H);
        const uint64_t column_end = std::min(end, uint64_t(x + 1) * H);
        const int y0 = int(p - uint64_t(x) * H), y1 = int(column_end - uint64_t(x) * H);  // rows [y0, y1)
        if (x != current_x) {
          flushColumn();
          current_x = x;
        }
        const int i_lo = row_taps_[y0].i0, i_hi = row_taps_[y1 - 1].i1;
        const double* top = &row_prefix_[size_t(y0) * h];
        const double* bottom = &row_prefix_[size_t(y1) * h];
        for (int i = i_lo; i <= i_hi; ++i) column[i] += bottom[i] - top[i];
        column_lo = std::min(column_lo, i_lo);
        column_hi = std::max(column_hi, i_hi);
        p = column_end;
      }
    }
    pos = end;
  }
  flushColumn();

  std::vector<std::pair<int, float>> sparse;
  for (size_t c = 0; c < weights.size(); ++c) {
    if (weights[c] != 0) sparse.emplace_back(int(c), float(weights[c]));
  }
  return sparse;
}

std::vector<float> MaskPooler::pool(const float* tokens, int channels, std::span<const Rle> masks) const {
  std::vector<float> out(masks.size() * size_t(channels), 0.0f);
  std::vector<double> accumulator(channels);
  for (size_t m = 0; m < masks.size(); ++m) {
    const auto weights = cellWeights(masks[m]);
    double total = 0;
    for (const auto& [cell, weight] : weights) total += weight;
    if (total <= 0) continue;
    std::fill(accumulator.begin(), accumulator.end(), 0.0);
    for (const auto& [cell, weight] : weights) {
      const float* t = tokens + size_t(cell) * channels;
      for (int c = 0; c < channels; ++c) accumulator[c] += double(weight) * t[c];
    }
    float* o = out.data() + m * size_t(channels);
    for (int c = 0; c < channels; ++c) o[c] = float(accumulator[c] / total);
  }
  return out;
}

}  // namespace regionlab
