#pragma once
// Small building blocks shared by the SAM encoders and decoder (internal to core/nets).
#include <cstdint>

namespace at {
class Tensor;
}

namespace regionlab::nets {

// segment-anything's LayerNorm2d: normalises over channels of an N×C×H×W map (mean, biased
// variance, then affine), written out as the reference does rather than via layer_norm.
at::Tensor layerNorm2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps = 1e-6);

// ConvTranspose2d with kernel 2 and stride 2 (SAM's output upscaling and nothing else): each input
// pixel writes its own 2×2 output block, so it is one GEMM (N·H·W × Cin) · (Cin × Cout·4) plus a
// rearrangement — far faster on CPU than the generic transposed convolution, same sums.
at::Tensor convTranspose2x2(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

// B×H×W×C rows of a grid → B·nh·nw × ws² × C windows (row-major windows, row-major tokens in
// each), the padding at the bottom and right filled with `fill` (C values): window_partition of
// segment-anything and TinyViT's window split, with the padded rows given rather than zeros.
at::Tensor windowPartition(const at::Tensor& grid, int64_t ws, const at::Tensor& fill);
// The inverse, dropping the padding: B·nh·nw × ws² × C → B×H×W×C.
at::Tensor windowUnpartition(const at::Tensor& windows, int64_t ws, int64_t b, int64_t h, int64_t w);

// The encoders allocate and free tensors of tens of MB per layer; glibc hands each such block
// back to the kernel (mmap/munmap) and the next layer faults it in again, page by page — a
// quarter of TinyViT's time on this machine, 2.4× the CPU time of the AMG decoder. Once per
// process: blocks up to 32 MB (glibc's largest allowed mmap threshold; mallopt refuses more) come
// from the heap, and up to 1 GB of freed heap is kept for reuse instead of being trimmed.
void keepFreedMemoryInProcess();

}  // namespace regionlab::nets
