#include "core/nets/composed_bilinear.h"

#include <algorithm>
#include <map>

namespace regionlab::nets {

int ResampleAxis::sourceExtent() const {
  int extent = 0;
  for (int f : first) extent = std::max(extent, f + taps);
  return extent;
}

ResampleAxis bilinearAxis(int in, int out) {
  // ATen 1.13's CPU kernel (align_corners=False, no scale factor given): scale = in / out in
  // float, source = max(scale·(i + 0.5) − 0.5, 0) and its fraction in double, the fraction then
  // rounded to float (measured: these reproduce its weights bit for bit).
  const float scale = float(in) / float(out);
  ResampleAxis axis;
  axis.taps = 2;
  axis.first.resize(size_t(out));
  axis.weights.resize(size_t(out) * 2);
  for (int i = 0; i < out; ++i) {
    const double source = std::max(double(scale) * (i + 0.5) - 0.5, 0.0);
    const int i0 = int(source);
    const float lambda1 = (i0 < in - 1) ? float(source - i0) : 0.0f;  // the last sample reads itself
    axis.first[size_t(i)] = std::min(i0, in - 2 < 0 ? 0 : in - 2);
    // Weights of samples first, first+1 (at the end the pair is shifted one back: weight 0, 1).
    if (axis.first[size_t(i)] == i0) {
      axis.weights[size_t(i) * 2] = 1.0f - lambda1;
      axis.weights[size_t(i) * 2 + 1] = lambda1;
    } else {
      axis.weights[size_t(i) * 2] = 0.0f;
      axis.weights[size_t(i) * 2 + 1] = 1.0f;
    }
  }
  if (in == 1) {  // a single source sample: one tap
    axis.taps = 1;
    for (int i = 0; i < out; ++i) {
      axis.first[size_t(i)] = 0;
      axis.weights[size_t(i)] = 1.0f;
    }
    axis.weights.resize(size_t(out));
  }
  return axis;
}

ResampleAxis composedBilinearAxis(int in, int mid, int crop, int out) {
  const ResampleAxis up = bilinearAxis(in, mid), down = bilinearAxis(crop, out);
  std::vector<std::map<int, double>> rows(static_cast<size_t>(out));
  int taps = 1;
  for (int i = 0; i < out; ++i) {
    std::map<int, double>& row = rows[size_t(i)];
    for (int t = 0; t < down.taps; ++t) {
      const double wd = down.weights[size_t(i * down.taps + t)];
      const int j = down.first[size_t(i)] + t;
      for (int s = 0; s < up.taps; ++s) {
        const double wu = up.weights[size_t(j * up.taps + s)];
        if (wd * wu != 0.0) row[up.first[size_t(j)] + s] += wd * wu;
      }
    }
    if (row.empty()) row[0] = 0.0;
    taps = std::max(taps, row.rbegin()->first - row.begin()->first + 1);
  }
  ResampleAxis axis;
  axis.taps = taps;
  axis.first.resize(size_t(out));
  axis.weights.assign(size_t(out) * size_t(taps), 0.0f);
  for (int i = 0; i < out; ++i) {
    const std::map<int, double>& row = rows[size_t(i)];
    const int first = std::min(row.begin()->first, in - taps);  // keep the span inside the source
    axis.first[size_t(i)] = std::max(first, 0);
    for (const auto& [k, w] : row) axis.weights[size_t(i * taps + k - axis.first[size_t(i)])] = float(w);
  }
  return axis;
}

namespace {

// Columns first: work row k = L row k resampled along x (a gather per output column), then each
// output row = a weighted sum of `taps` work rows, contiguous and vectorised.
template <int kTaps>
__attribute__((always_inline)) inline void resampleWithTaps(const float* src, int64_t src_stride, const ResampleAxis& rows,
                                                            const ResampleAxis& cols, float* dst, int64_t dst_stride, float* work,
                                                            int taps_x) {
  const int64_t width = int64_t(cols.first.size()), height = int64_t(rows.first.size());
  const int extent = rows.sourceExtent();
  for (int k = 0; k < extent; ++k) {
    const float* s = src + k * src_stride;
    float* w = work + int64_t(k) * width;
    for (int64_t x = 0; x < width; ++x) {
      const float* cw = cols.weights.data() + x * taps_x;
      const float* sx = s + cols.first[size_t(x)];
      float v = 0.0f;
      for (int t = 0; t < taps_x; ++t) v += cw[t] * sx[t];
      w[x] = v;
    }
  }
  const int taps_y = kTaps > 0 ? kTaps : rows.taps;
  for (int64_t y = 0; y < height; ++y) {
    const float* rw = rows.weights.data() + y * taps_y;
    const float* w0 = work + int64_t(rows.first[size_t(y)]) * width;
    float* d = dst + y * dst_stride;
    for (int64_t x = 0; x < width; ++x) {
      float v = 0.0f;
      for (int t = 0; t < taps_y; ++t) v += rw[t] * w0[t * width + x];
      d[x] = v;
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void resampleDispatch(const float* src, int64_t src_stride,
                                                                                  const ResampleAxis& rows, const ResampleAxis& cols,
                                                                                  float* dst, int64_t dst_stride, float* work) {
  switch (rows.taps) {
    case 2: resampleWithTaps<2>(src, src_stride, rows, cols, dst, dst_stride, work, cols.taps); break;
    case 3: resampleWithTaps<3>(src, src_stride, rows, cols, dst, dst_stride, work, cols.taps); break;
    default: resampleWithTaps<0>(src, src_stride, rows, cols, dst, dst_stride, work, cols.taps); break;
  }
}

}  // namespace

void resampleSeparable(const float* src, int64_t src_stride, const ResampleAxis& rows, const ResampleAxis& cols, float* dst,
                       int64_t dst_stride, float* work) {
  resampleDispatch(src, src_stride, rows, cols, dst, dst_stride, work);
}

}  // namespace regionlab::nets
