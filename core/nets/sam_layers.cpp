#include "core/nets/sam_layers.h"

#include <ATen/ATen.h>

namespace regionlab::nets {

at::Tensor layerNorm2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps) {
  const at::Tensor u = x.mean(1, true);
  const at::Tensor centred = x - u;
  const at::Tensor s = centred.pow(2).mean(1, true);
  const at::Tensor normalised = centred / at::sqrt(s + eps);
  return weight.view({1, -1, 1, 1}) * normalised + bias.view({1, -1, 1, 1});
}

at::Tensor convTranspose2x2(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  // weight: Cin × Cout × 2 × 2 (ConvTranspose2d layout).
  const int64_t n = x.size(0), cin = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t cout = weight.size(1);
  const at::Tensor rows = x.permute({0, 2, 3, 1}).reshape({n * h * w, cin});
  at::Tensor out = at::matmul(rows, weight.reshape({cin, cout * 4}));  // (n h w) × (cout ky kx)
  out = out.view({n, h, w, cout, 2, 2}).permute({0, 3, 1, 4, 2, 5}).reshape({n, cout, h * 2, w * 2});
  return out + bias.view({1, -1, 1, 1});
}

}  // namespace regionlab::nets
