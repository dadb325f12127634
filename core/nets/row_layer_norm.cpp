#include "core/nets/row_layer_norm.h"

#include <cmath>
#include <cstring>

namespace regionlab::nets {
namespace {

using F8 = float __attribute__((vector_size(32)));
constexpr int kLanes = 8;

inline __attribute__((always_inline)) F8 load(const float* p) {
  F8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline __attribute__((always_inline)) void store(float* p, F8 v) { std::memcpy(p, &v, sizeof v); }
inline __attribute__((always_inline)) float total(F8 v) {
  float s = 0;
  for (int k = 0; k < kLanes; ++k) s += v[k];
  return s;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void rowLayerNormKernel(float* x, int64_t first_row, int64_t rows,
                                                                                    const RowLayerNormArgs& a) {
  const int64_t c = a.width, full = c - c % kLanes;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * c;
    const int64_t periodic = (first_row + r) % a.period;
    const float* res = a.residual ? a.residual + periodic * c : nullptr;
    // x += residual + add; sum for the mean.
    F8 sum{};
    for (int64_t i = 0; i < full; i += kLanes) {
      F8 v = load(row + i);
      if (res) v += load(res + i);
      if (a.add) v += load(a.add + i);
      store(row + i, v);
      sum += v;
    }
    float s = total(sum);
    for (int64_t i = full; i < c; ++i) {
      if (res) row[i] += res[i];
      if (a.add) row[i] += a.add[i];
      s += row[i];
    }
    const float mean = s / float(c);
    F8 sq{};
    for (int64_t i = 0; i < full; i += kLanes) {
      const F8 d = load(row + i) - mean;
      sq += d * d;
    }
    float q = total(sq);
    for (int64_t i = full; i < c; ++i) q += (row[i] - mean) * (row[i] - mean);
    const float rstd = 1.0f / std::sqrt(q / float(c) + a.eps);
    const float* pe = a.pe ? a.pe + periodic * c : nullptr;
    float* out_pe = pe ? a.with_pe + r * c : nullptr;
    for (int64_t i = 0; i < full; i += kLanes) {
      const F8 y = (load(row + i) - mean) * rstd * load(a.weight + i) + load(a.bias + i);
      store(row + i, y);
      if (pe) store(out_pe + i, y + load(pe + i));
    }
    for (int64_t i = full; i < c; ++i) {
      row[i] = (row[i] - mean) * rstd * a.weight[i] + a.bias[i];
      if (pe) out_pe[i] = row[i] + pe[i];
    }
  }
}

}  // namespace

void rowLayerNorm(float* x, int64_t first_row, int64_t rows, const RowLayerNormArgs& args) { rowLayerNormKernel(x, first_row, rows, args); }

}  // namespace regionlab::nets
