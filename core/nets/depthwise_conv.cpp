#include "core/nets/depthwise_conv.h"

namespace regionlab::nets {
namespace {

__attribute__((target_clones("avx512f", "avx2", "default"))) void depthwiseRows(const float* __restrict in, int64_t h, int64_t w, int64_t c,
                                                                               int stride, const float* __restrict weight,
                                                                               const float* __restrict bias, float* __restrict out,
                                                                               int64_t row_begin, int64_t row_end) {
  const int64_t wo = (w - 1) / stride + 1;
  for (int64_t oy = row_begin; oy < row_end; ++oy) {
    for (int64_t ox = 0; ox < wo; ++ox) {
      float* __restrict o = out + (oy * wo + ox) * c;
      for (int64_t ch = 0; ch < c; ++ch) o[ch] = bias ? bias[ch] : 0.0f;
      for (int ky = 0; ky < 3; ++ky) {
        const int64_t iy = oy * stride + ky - 1;
        if (iy < 0 || iy >= h) continue;
        for (int kx = 0; kx < 3; ++kx) {
          const int64_t ix = ox * stride + kx - 1;
          if (ix < 0 || ix >= w) continue;
          const float* __restrict p = in + (iy * w + ix) * c;
          const float* __restrict k = weight + (ky * 3 + kx) * c;
          for (int64_t ch = 0; ch < c; ++ch) o[ch] += k[ch] * p[ch];
        }
      }
    }
  }
}

}  // namespace

void depthwiseConv3x3(const float* in, const DepthwiseConvShape& s, const float* weight, const float* bias, float* out, int64_t row_begin,
                      int64_t row_end) {
  depthwiseRows(in, s.height, s.width, s.channels, s.stride, weight, bias, out, row_begin, row_end);
}

}  // namespace regionlab::nets
