#pragma once
// MobileSAM's image encoder: TinyViT-5M (Wu et al., ECCV 2022) as modified by MobileSAM
// (ChaoningZhang/MobileSAM, tiny_vit_sam.py; REFERENCE.md §D3): a conv patch embedding and an
// MBConv stage at 1/4 resolution, three windowed-attention stages, patch merging with stride 2
// except the last merge (stride 1 for out_dim 320, hard-coded by MobileSAM), then SAM's neck.
// Quirks reproduced: the qkv projection is head-major (per head a contiguous [q | k | v]); the
// attention bias table is indexed by (|Δy|·ws + |Δx|); window padding is zeros before the
// attention's own LayerNorm and unmasked; BatchNorm runs with its running statistics.
#include <memory>

#include "core/nets/sam_image_encoder.h"

namespace regionlab::nets {

// `weights` is scoped to "image_encoder.". Stage widths, depths, heads and window sizes are read
// from the tensor shapes (attention_biases is heads × ws²).
// BatchNorms are folded into their convolutions and the weights copied to the settings' device.
// Precision: fp32 by default (the golden parity, 1e-6). With bf16 (or fp16 on CUDA) the GEMMs (1×1
// convolutions, qkv/proj/MLP) and the two patch-embedding convolutions run in that precision while
// the rows between layers, the depthwise convolutions, attention and norms stay float32: ~35%
// fewer CPU seconds on an AVX512-BF16 CPU (regionlab-bench sam-encoder), embedding within 0.2%
// relative L2 of fp32 (tests/core/nets/tst_sam_model.cpp). describe() says which.
std::unique_ptr<SamImageEncoder> loadTinyVitEncoder(const StateDict& weights, const InferenceSettings& settings);

}  // namespace regionlab::nets
