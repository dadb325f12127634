#include "core/quantization/lane_argmin.h"

#include <cstring>
#include <limits>

namespace regionlab::drc {
namespace {

// GCC vector extensions; the callers are built for AVX2 and for the baseline CPU, picked at load
// time (target_clones), and this body is inlined into each.
using Floats8 = float __attribute__((vector_size(32)));
using Ints8 = int32_t __attribute__((vector_size(32)));

template <bool kSum>
__attribute__((always_inline)) inline uint32_t laneArgmin(const float* a, const float* b, uint32_t k) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  Floats8 best = {kInf, kInf, kInf, kInf, kInf, kInf, kInf, kInf};
  Ints8 arg = {0, 0, 0, 0, 0, 0, 0, 0};
  Ints8 index = {0, 1, 2, 3, 4, 5, 6, 7};
  const Ints8 step = {8, 8, 8, 8, 8, 8, 8, 8};
  uint32_t j = 0;
  for (; j + 8 <= k; j += 8) {
    Floats8 v;
    std::memcpy(&v, a + j, sizeof(v));
    if constexpr (kSum) {
      Floats8 vb;
      std::memcpy(&vb, b + j, sizeof(vb));
      v += vb;
    }
    const Ints8 better = v < best;
    best = better ? v : best;
    arg = better ? index : arg;
    index += step;
  }
  float m = kInf;
  uint32_t am = 0;
  for (int l = 0; l < 8; ++l) {
    if (best[l] < m || (best[l] == m && uint32_t(arg[l]) < am)) {
      m = best[l];
      am = uint32_t(arg[l]);
    }
  }
  for (; j < k; ++j) {
    const float v = kSum ? a[j] + b[j] : a[j];
    if (v < m) {
      m = v;
      am = j;
    }
  }
  return am;
}

}  // namespace

__attribute__((target_clones("avx2", "default"))) uint32_t argminOf(const float* t, uint32_t k) { return laneArgmin<false>(t, nullptr, k); }

__attribute__((target_clones("avx2", "default"))) uint32_t argminOfSums(const float* a, const float* b, uint32_t k) {
  return laneArgmin<true>(a, b, k);
}

}  // namespace regionlab::drc
