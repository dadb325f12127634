#include "core/nets/sam_upscaling.h"

#include <cmath>
#include <cstring>
#include <vector>

// The vector helpers are always inlined into the clones, so no call passes an F16 across an ABI.
#pragma GCC diagnostic ignored "-Wpsabi"

#include "core/nets/vector_math.h"

namespace regionlab::nets {
namespace {

using namespace vec;

float geluScalar(float x) { return x * 0.5f * (1.0f + std::erf(x * 0.70710678118654752440f)); }

// Sum of the 16 lanes as a tree of halves (register extracts, not 16 scalar adds).
REGIONLAB_INLINE float total(F16 v) {
  using F8 = float __attribute__((vector_size(32)));
  using F4 = float __attribute__((vector_size(16)));
  F8 lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  const F8 s8 = lo + hi;
  F4 a, b;
  std::memcpy(&a, &s8, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&s8) + sizeof a, sizeof b);
  const F4 s4 = a + b;
  return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

// One pixel's c channels: LayerNorm (biased variance) then GELU, src → dst.
REGIONLAB_INLINE void normGelu(const float* src, int64_t c, const float* w, const float* b, float eps, float* dst) {
  if (c % kLanes == 0) {
    F16 sum{};
    for (int64_t i = 0; i < c; i += kLanes) sum += load(src + i);
    const float mean = total(sum) / float(c);
    F16 sq{};
    for (int64_t i = 0; i < c; i += kLanes) {
      const F16 d = load(src + i) - mean;
      sq += d * d;
    }
    const float rstd = 1.0f / std::sqrt(total(sq) / float(c) + eps);
    for (int64_t i = 0; i < c; i += kLanes) store(dst + i, gelu((load(src + i) - mean) * rstd * load(w + i) + load(b + i)));
    return;
  }
  float s = 0;
  for (int64_t i = 0; i < c; ++i) s += src[i];
  const float mean = s / float(c);
  float q = 0;
  for (int64_t i = 0; i < c; ++i) q += (src[i] - mean) * (src[i] - mean);
  const float rstd = 1.0f / std::sqrt(q / float(c) + eps);
  for (int64_t i = 0; i < c; ++i) dst[i] = geluScalar((src[i] - mean) * rstd * w[i] + b[i]);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void normGeluRows(const float* u, int64_t grid, int64_t c, const float* w,
                                                                              const float* b, float eps, float* v, int64_t y_begin,
                                                                              int64_t y_end) {
  const int64_t side = 2 * grid;
  for (int64_t y = y_begin; y < y_end; ++y) {
    for (int64_t x = 0; x < grid; ++x) {
      const float* row = u + (y * grid + x) * 4 * c;
      for (int64_t k = 0; k < 4; ++k) {
        const int64_t ky = k / 2, kx = k % 2;
        normGelu(row + k * c, c, w, b, eps, v + ((2 * y + ky) * side + 2 * x + kx) * c);
      }
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void maskRows(const float* p, int64_t side, int64_t c, const float* hyper,
                                                                          int count, float* masks, int64_t y_begin, int64_t y_end) {
  const int64_t out_side = 2 * side, plane = out_side * out_side;
  std::vector<float> g(static_cast<size_t>(c));
  for (int64_t y = y_begin; y < y_end; ++y) {
    for (int64_t x = 0; x < side; ++x) {
      const float* row = p + (y * side + x) * 4 * c;
      for (int64_t k = 0; k < 4; ++k) {
        const float* src = row + k * c;
        const int64_t at = (2 * y + k / 2) * out_side + 2 * x + k % 2;
        if (c % kLanes == 0) {
          for (int64_t i = 0; i < c; i += kLanes) store(g.data() + i, gelu(load(src + i)));
          for (int m = 0; m < count; ++m) {
            const float* h = hyper + m * c;
            F16 acc{};
            for (int64_t i = 0; i < c; i += kLanes) acc += load(g.data() + i) * load(h + i);
            masks[m * plane + at] = total(acc);
          }
        } else {
          for (int64_t i = 0; i < c; ++i) g[size_t(i)] = geluScalar(src[i]);
          for (int m = 0; m < count; ++m) {
            float acc = 0;
            for (int64_t i = 0; i < c; ++i) acc += g[size_t(i)] * hyper[m * c + i];
            masks[m * plane + at] = acc;
          }
        }
      }
    }
  }
}

}  // namespace

void upscaledNormGelu(const float* u, int64_t grid, int64_t c, const float* weight, const float* bias, float eps, float* v, int64_t y_begin,
                      int64_t y_end) {
  normGeluRows(u, grid, c, weight, bias, eps, v, y_begin, y_end);
}

void upscaledMasks(const float* p, int64_t side, int64_t c, const float* hyper, int count, float* masks, int64_t y_begin, int64_t y_end) {
  maskRows(p, side, c, hyper, count, masks, y_begin, y_end);
}

}  // namespace regionlab::nets
