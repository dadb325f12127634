#include "core/nets/sam_layers.h"

#include <malloc.h>

#include <algorithm>
#include <mutex>

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

// B×H×W×C rows of a grid → B·nh·nw × ws² × C windows, the padding filled with `fill` (C values).
at::Tensor windowPartition(const at::Tensor& grid, int64_t ws, const at::Tensor& fill) {
  const int64_t b = grid.size(0), h = grid.size(1), w = grid.size(2), c = grid.size(3);
  const int64_t nh = (h + ws - 1) / ws, nw = (w + ws - 1) / ws;
  at::Tensor windows = at::empty({b, nh, nw, ws, ws, c}, grid.options());
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t wy = 0; wy < nh; ++wy) {
      for (int64_t wx = 0; wx < nw; ++wx) {
        at::Tensor window = windows[i][wy][wx];
        const int64_t rows = std::min(ws, h - wy * ws), cols = std::min(ws, w - wx * ws);
        if (rows < ws || cols < ws) window.copy_(fill.expand({ws, ws, c}));
        window.narrow(0, 0, rows).narrow(1, 0, cols).copy_(grid[i].narrow(0, wy * ws, rows).narrow(1, wx * ws, cols));
      }
    }
  }
  return windows.view({b * nh * nw, ws * ws, c});
}

// The inverse, dropping the padding: windows B·nh·nw × ws² × C → B×H×W×C.
at::Tensor windowUnpartition(const at::Tensor& windows, int64_t ws, int64_t b, int64_t h, int64_t w) {
  const int64_t nh = (h + ws - 1) / ws, nw = (w + ws - 1) / ws, c = windows.size(2);
  const at::Tensor all = windows.view({b, nh, nw, ws, ws, c});
  at::Tensor grid = at::empty({b, h, w, c}, windows.options());
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t wy = 0; wy < nh; ++wy) {
      for (int64_t wx = 0; wx < nw; ++wx) {
        const int64_t rows = std::min(ws, h - wy * ws), cols = std::min(ws, w - wx * ws);
        grid[i].narrow(0, wy * ws, rows).narrow(1, wx * ws, cols).copy_(all[i][wy][wx].narrow(0, 0, rows).narrow(1, 0, cols));
      }
    }
  }
  return grid;
}

void keepFreedMemoryInProcess() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  });
}

}  // namespace regionlab::nets
