#pragma once
// The image-token update that ends each two-way transformer block of SAM's mask decoder,
// keys = LayerNorm(keys + residual + bias), in one pass over the rows, which also writes
// keys + pe (the attention keys of the next block and of the final attention): ATen spends three
// to four passes over the prompt's 4 MB of image tokens on it. Same arithmetic as nn.LayerNorm
// (mean, biased variance, (x − mean)/√(var + eps)·w + b), sums taken in another order.
#include <cstdint>

namespace regionlab::nets {

struct RowLayerNormArgs {
  int64_t width = 0;             // C, the normalised dimension
  const float* weight = nullptr;  // C
  const float* bias = nullptr;    // C
  float eps = 1e-5f;
  const float* residual = nullptr;  // rows period×C added before the norm (row r gets row r % period); may be null
  const float* add = nullptr;       // C values added before the norm; may be null
  const float* pe = nullptr;        // rows period×C added after it into with_pe; may be null
  int64_t period = 1;
  float* with_pe = nullptr;  // out: rows × C, normalised + pe (when pe is given)
};

// x: rows × C, contiguous, normalised in place; rows first_row … first_row + rows − 1 of the
// periodic operands.
void rowLayerNorm(float* x, int64_t first_row, int64_t rows, const RowLayerNormArgs& args);

}  // namespace regionlab::nets
