#pragma once
// The elementwise steps of SAM's output upscaling (MaskDecoder.output_upscaling and the
// hypernetwork product, REFERENCE.md §D1.4) fused around its two transposed-convolution GEMMs,
// computed channels-last: ATen spends a pass (and a tensor) on each of the reorder, LayerNorm2d,
// GELU, GELU, product and reorder; these do each side of the second GEMM in one pass over the
// rows. Same arithmetic (GELU with ATen's erf approximation), sums in another order.
#include <cstdint>

namespace regionlab::nets {

// First ConvTranspose2d's GEMM output u ((y x) rows × (ky kx c) columns, grid² rows) → v, the
// upscaled map channels-last ((2y+ky, 2x+kx) rows × c): GELU(LayerNorm2d(·)) per output pixel.
// Rows y in [y_begin, y_end) of u.
void upscaledNormGelu(const float* u, int64_t grid, int64_t c, const float* weight, const float* bias, float eps, float* v, int64_t y_begin,
                      int64_t y_end);

// Second ConvTranspose2d's GEMM output p ((Y X) rows × (ky kx c) columns, side² rows) → masks
// (count × 2side × 2side): mask m at (2Y+ky, 2X+kx) = GELU(p row)·hyper[m]. Rows Y in
// [y_begin, y_end) of p.
void upscaledMasks(const float* p, int64_t side, int64_t c, const float* hyper, int count, float* masks, int64_t y_begin, int64_t y_end);

}  // namespace regionlab::nets
