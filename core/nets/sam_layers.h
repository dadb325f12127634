#pragma once
// Small building blocks shared by the SAM encoders and decoder (internal to core/nets).
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

}  // namespace regionlab::nets
