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
// Computes in float32 whatever the settings' precision (its layers are 64–320 wide, where bf16
// GEMMs gain little; describe() says so).
std::unique_ptr<SamImageEncoder> loadTinyVitEncoder(const StateDict& weights, const InferenceSettings& settings);

}  // namespace regionlab::nets
