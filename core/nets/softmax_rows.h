#pragma once
// Row-wise softmax in place, the attention's hot loop on the CPU. ATen's CPU softmax in the
// Debian build evaluates exp one element at a time (~4 ns each; ViT-L at 518² needs 720 M of
// them per image); this one uses a vectorised exp (Cephes' polynomial, relative error < 2e-7)
// compiled for AVX-512, AVX2 and baseline x86-64, chosen at load time.
#include <cstdint>

namespace regionlab::nets {

// rows × cols floats, rows row_stride apart.
void softmaxRowsInPlace(float* data, int64_t rows, int64_t cols, int64_t row_stride);
// Contiguous rows × cols floats with few columns (SAM's image-to-token attention: rows of 7), the
// exp vectorised across rows.
void softmaxShortRowsInPlace(float* data, int64_t rows, int64_t cols);
// The same on bfloat16 values (as raw 16-bit patterns), computed in float32 and rounded to nearest even.
void softmaxRowsInPlace(uint16_t* data, int64_t rows, int64_t cols, int64_t row_stride);

}  // namespace regionlab::nets
