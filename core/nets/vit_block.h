#pragma once
// One pre-norm transformer block of a ViT as DINOv2 writes it (dinov2/layers/block.py,
// attention.py, mlp.py, swiglu_ffn.py, layer_scale.py; REFERENCE.md §D2):
//     x = x + ls1 · proj(attention(norm1(x)))
//     x = x + ls2 · ffn(norm2(x))          ffn = fc2(GELU(fc1)) or w3(SiLU(x1) · x2), [x1 x2] = w12
// with LayerNorm eps 1e-6, biases everywhere, softmax(q·kᵀ/√d)·v per head.
//
// Same numbers as the reference (to fp32 rounding), computed with less work: the norms' affine
// parts, the attention scale and the LayerScales are folded into the linear layers once at load
// (in float64), the residual is accumulated by the projection GEMMs themselves (beta = 1), q, k
// and v are read in place from the qkv output (no permute copies), and on the CPU each thread
// takes whole heads so the scores of one head stay in cache and the small GEMMs need no
// synchronisation. The residual stream stays float32 in every precision; bf16/fp16 apply to the
// GEMM inputs and outputs.
#include <memory>

#include "core/nets/inference_options.h"

namespace at {
class Tensor;
}

namespace regionlab::nets {

class StateDict;

enum class FeedForwardKind { Mlp, SwiGlu };

struct ViTBlockShape {
  int dim = 0;
  int heads = 0;
  FeedForwardKind ffn = FeedForwardKind::Mlp;
  int ffn_hidden = 0;        // fc1's width, or the SwiGLU width after the split (w3's input)
  bool layer_scale = true;   // ls1.gamma / ls2.gamma present
  double layer_norm_eps = 1e-6;
};

class ViTBlock {
public:
  // weights: the block's scope (e.g. StateDict::scope("blocks.3.")); shapes are checked.
  ViTBlock(const StateDict& weights, const ViTBlockShape& shape, const InferenceSettings& settings);
  // The shape checks alone (no tensor data is read): Error naming the key, expected and found shapes.
  static void checkWeights(const StateDict& weights, const ViTBlockShape& shape);
  ~ViTBlock();
  ViTBlock(ViTBlock&&) noexcept;
  ViTBlock& operator=(ViTBlock&&) noexcept;

  // x: the residual stream, (batch · tokens) × dim, float32, contiguous, on the settings' device;
  // updated in place.
  void forward(at::Tensor& x, int batch) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regionlab::nets
