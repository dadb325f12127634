#pragma once
// The DINOv2 vision transformer (Oquab et al. 2023, "DINOv2: Learning Robust Visual Features
// without Supervision"; code facebookresearch/dinov2 @ b8931f7b, REFERENCE.md §D2): one
// implementation for ViT-S/B/L/g-14, with or without register tokens, MLP or SwiGLU FFN, with
// LayerScale, and both positional-embedding interpolation conventions of the hub models.
// Built from the official checkpoint as published (StateDict), it reproduces forward_features'
// x_norm outputs to 1e-4 (tests/core/nets/tst_dinov2.cpp, on ../shared/golden).
//
// The forward pass comes in stages so that ImAge (REFERENCE.md §B2) can insert its aggregation
// tokens between block I-1 and block I:
//     x = net.embed(image);                    // [CLS, registers, patches]
//     x = net.runBlocks(x, 0, I);
//     x = at::cat({aggregation_tokens, x}, 1);
//     x = net.finalNorm(net.runBlocks(x, I, net.architecture().depth));
#include <memory>
#include <string>

#include "core/nets/inference_options.h"
#include "core/nets/vit_block.h"

namespace at {
class Tensor;
}

namespace regionlab::nets {

class StateDict;
struct DinoV2Preset;

struct DinoV2Architecture {
  int patch_size = 14;
  int embed_dim = 0;
  int depth = 0;
  int num_heads = 0;
  int num_registers = 0;
  FeedForwardKind ffn = FeedForwardKind::Mlp;
  int ffn_hidden = 0;       // MLP: fc1's width; SwiGLU: the width after the split
  bool layer_scale = true;
  int pos_grid = 37;        // side of pos_embed's patch grid (img_size 518 / 14)
  // Pos-embed interpolation to an h×w grid (bicubic, A = -0.75, align_corners = false). With an
  // offset, the scale factor ((h + offset)/grid, (w + offset)/grid) is passed and sets the
  // sampling positions (non-register hub models, ImAge); with 0 the size itself is.
  double interpolate_offset = 0.1;
  bool interpolate_antialias = false;
  double layer_norm_eps = 1e-6;

  int tokensBeforePatches() const { return 1 + num_registers; }
  std::string summary() const;  // "dim 1024, depth 24, 16 heads, 4 registers, MLP 4096, patch 14"
};

// Widths, depth, registers, FFN kind and width, LayerScale, patch size and grid from the weights'
// shapes; the rest from the caller (a preset, or the golden manifest in tests). Throws Error
// naming the file when the weights are not a DINOv2 backbone.
DinoV2Architecture inferDinoV2Architecture(const StateDict& weights, int num_heads, double interpolate_offset, bool interpolate_antialias);
DinoV2Architecture inferDinoV2Architecture(const StateDict& weights, const DinoV2Preset& preset);

// Every shape the architecture implies, checked without reading tensor data (cheap on a mapped
// multi-GB file). Throws Error naming the key, the expected and the found shape.
void checkDinoV2Weights(const StateDict& weights, const DinoV2Architecture& architecture);

class DinoV2 {
public:
  // Copies (and folds) the weights, releasing the mapped pages of each part once it is copied, so
  // loading peaks near one copy of the weights; the StateDict may be dropped afterwards.
  DinoV2(const StateDict& weights, const DinoV2Architecture& architecture, const InferenceSettings& settings);
  ~DinoV2();

  const DinoV2Architecture& architecture() const;
  const InferenceSettings& settings() const;

  // image: B×3×H×W, normalised, H and W multiples of the patch size (any float type and device).
  // Returns the token sequence [CLS+pos, registers, patches+pos], B × (1+R+h·w) × D, float32.
  at::Tensor embed(const at::Tensor& image) const;
  // Blocks [begin, end) over any token sequence (B × T × D); the input is not modified.
  at::Tensor runBlocks(const at::Tensor& tokens, int begin, int end) const;
  // The final LayerNorm: forward_features' x_norm, float32.
  at::Tensor finalNorm(const at::Tensor& tokens) const;
  // embed → every block → finalNorm.
  at::Tensor forward(const at::Tensor& image) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace regionlab::nets
