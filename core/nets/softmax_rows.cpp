#include "core/nets/softmax_rows.h"

#include <cstring>
#include <limits>
#include <vector>

// The vector helpers are always inlined into the clones, so no call passes an F16 across an ABI.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace regionlab::nets {
namespace {

// Helpers are inlined into each clone below, so they compile for that clone's instruction set.
#define REGIONLAB_INLINE inline __attribute__((always_inline))

// 16 floats as one GCC vector: each clone below compiles it to AVX-512, 2×AVX2 or 4×SSE.
using F16 = float __attribute__((vector_size(64)));
using I16 = int32_t __attribute__((vector_size(64)));
constexpr int kLanes = 16;

REGIONLAB_INLINE F16 splat(float v) { return F16{} + v; }
REGIONLAB_INLINE F16 vmax(F16 a, F16 b) { return a > b ? a : b; }
template <typename To, typename From>
REGIONLAB_INLINE To bits(From v) {
  To out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

// exp(x) for x ≤ 0 (and anything beside a row's max): x = n·ln2 + r, |r| ≤ ln2/2, exp(r) by
// Cephes' expf polynomial, 2^n written into the exponent bits. Adding 1.5·2^23 rounds x·log2(e)
// to an integer and leaves it in the low mantissa bits.
REGIONLAB_INLINE F16 expNonPositive(F16 x) {
  x = vmax(x, splat(-87.0f));  // exp(-87) ≈ 1.6e-38, still a normal float
  const F16 shifter = splat(12582912.0f);
  const F16 t = x * 1.44269504088896341f + shifter;
  const F16 n = t - shifter;
  F16 r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  F16 p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const I16 exponent = (bits<I16>(t) - bits<int32_t>(12582912.0f) + 127) << 23;
  return p * bits<F16>(exponent);
}

REGIONLAB_INLINE F16 load(const float* p) {
  F16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
REGIONLAB_INLINE void store(float* p, F16 v) { std::memcpy(p, &v, sizeof v); }

REGIONLAB_INLINE void softmaxRow(float* x, int64_t n) {
  const int64_t full = n - n % kLanes;
  F16 m = splat(std::numeric_limits<float>::lowest());
  for (int64_t i = 0; i < full; i += kLanes) m = vmax(m, load(x + i));
  float max = m[0];
  for (int k = 1; k < kLanes; ++k) max = max > m[k] ? max : m[k];
  for (int64_t i = full; i < n; ++i) max = max > x[i] ? max : x[i];

  F16 sum{};
  for (int64_t i = 0; i < full; i += kLanes) {
    const F16 e = expNonPositive(load(x + i) - max);
    store(x + i, e);
    sum += e;
  }
  float total = 0;
  for (int k = 0; k < kLanes; ++k) total += sum[k];
  if (full < n) {  // the last partial vector, padded with the max (exp 1, left out of the sum)
    F16 tail = splat(max);
    std::memcpy(&tail, x + full, size_t(n - full) * sizeof(float));
    const F16 e = expNonPositive(tail - max);
    for (int64_t k = 0; k < n - full; ++k) {
      x[full + k] = e[k];
      total += e[k];
    }
  }

  const float inverse = 1.0f / total;
  for (int64_t i = 0; i < full; i += kLanes) store(x + i, load(x + i) * inverse);
  for (int64_t i = full; i < n; ++i) x[i] *= inverse;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void softmaxRowsFloat(float* data, int64_t rows, int64_t cols, int64_t stride) {
  for (int64_t r = 0; r < rows; ++r) softmaxRow(data + r * stride, cols);
}

// Short contiguous rows (a handful of columns: softmaxRow would spend a 16-lane exp on each row
// alone): per chunk of rows, the row max subtracted, one vectorised exp over the whole chunk,
// then each row scaled by its inverse sum.
__attribute__((target_clones("avx512f", "avx2", "default"))) void softmaxShortRowsFloat(float* data, int64_t rows, int64_t cols) {
  constexpr int64_t kChunkRows = 256;
  for (int64_t start = 0; start < rows; start += kChunkRows) {
    const int64_t count = rows - start < kChunkRows ? rows - start : kChunkRows;
    float* x = data + start * cols;
    for (int64_t r = 0; r < count; ++r) {
      float* row = x + r * cols;
      float max = row[0];
      for (int64_t i = 1; i < cols; ++i) max = max > row[i] ? max : row[i];
      for (int64_t i = 0; i < cols; ++i) row[i] -= max;
    }
    const int64_t n = count * cols, full = n - n % kLanes;
    for (int64_t i = 0; i < full; i += kLanes) store(x + i, expNonPositive(load(x + i)));
    if (full < n) {
      F16 tail{};
      std::memcpy(&tail, x + full, size_t(n - full) * sizeof(float));
      const F16 e = expNonPositive(tail);
      std::memcpy(x + full, &e, size_t(n - full) * sizeof(float));
    }
    for (int64_t r = 0; r < count; ++r) {
      float* row = x + r * cols;
      float total = 0;
      for (int64_t i = 0; i < cols; ++i) total += row[i];
      const float inverse = 1.0f / total;
      for (int64_t i = 0; i < cols; ++i) row[i] *= inverse;
    }
  }
}

// bfloat16 rows: widened to float32 (exact), normalised there, rounded once to nearest even.
__attribute__((target_clones("avx512f", "avx2", "default"))) void softmaxRowsBf16(uint16_t* data, int64_t rows, int64_t cols, int64_t stride,
                                                                                 float* work) {
  for (int64_t r = 0; r < rows; ++r) {
    uint16_t* row = data + r * stride;
    for (int64_t i = 0; i < cols; ++i) work[i] = bits<float>(uint32_t(row[i]) << 16);
    softmaxRow(work, cols);
    for (int64_t i = 0; i < cols; ++i) {
      const uint32_t b = bits<uint32_t>(work[i]);
      row[i] = uint16_t((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
    }
  }
}

}  // namespace

void softmaxRowsInPlace(float* data, int64_t rows, int64_t cols, int64_t row_stride) { softmaxRowsFloat(data, rows, cols, row_stride); }

void softmaxShortRowsInPlace(float* data, int64_t rows, int64_t cols) { softmaxShortRowsFloat(data, rows, cols); }

void softmaxRowsInPlace(uint16_t* data, int64_t rows, int64_t cols, int64_t row_stride) {
  std::vector<float> work(static_cast<size_t>(cols));
  softmaxRowsBf16(data, rows, cols, row_stride, work.data());
}

}  // namespace regionlab::nets
