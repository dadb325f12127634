#include "core/nets/softmax_rows.h"

#include <cstring>
#include <limits>
#include <vector>

// The vector helpers are always inlined into the clones, so no call passes an F16 across an ABI.
#pragma GCC diagnostic ignored "-Wpsabi"

#include "core/nets/vector_math.h"

namespace regionlab::nets {
namespace {

using namespace vec;

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
