#pragma once
// Depthwise 3×3 convolution (padding 1, stride 1 or 2) on channels-last maps, the form TinyViT's
// MBConv, local convolutions and patch merging need (REFERENCE.md §D3). ATen's CPU depthwise
// convolution on N×C×H×W maps runs one small convolution per channel; channels-last the nine
// taps are plain multiply-adds along contiguous channels, vectorised (AVX-512, AVX2 or baseline
// x86-64, chosen at load time). Torch-free: the caller splits the output rows between threads.
#include <cstdint>

namespace regionlab::nets {

struct DepthwiseConvShape {
  int64_t height = 0, width = 0, channels = 0;  // input H×W×C
  int stride = 1;
  int64_t outHeight() const { return (height - 1) / stride + 1; }  // (H + 2·1 − 3) / s + 1
  int64_t outWidth() const { return (width - 1) / stride + 1; }
};

// out[oy][ox][c] = bias[c] + Σ_{ky,kx} weight[ky][kx][c] · in[oy·s + ky − 1][ox·s + kx − 1][c]
// (zeros outside), for output rows [row_begin, row_end). weight: 3×3×C; bias: C (may be null).
void depthwiseConv3x3(const float* in, const DepthwiseConvShape& shape, const float* weight, const float* bias, float* out,
                      int64_t row_begin, int64_t row_end);

}  // namespace regionlab::nets
