#pragma once
// SAM's image encoders: the ViT-B/L/H encoder of segment-anything (REFERENCE.md §D1.2) and
// MobileSAM's TinyViT-5M (§D3, in tiny_vit.h). Both map the 1×3×1024×1024 normalised input to
// the 1×256×64×64 image embedding the prompt encoder and mask decoder work on.
//
// Internal to core/nets: at::Tensor is only declared here (callers include ATen).
#include <memory>
#include <string>
#include <vector>

#include "core/nets/inference_options.h"

namespace at {
class Tensor;
}

namespace regionlab::nets {

class StateDict;

class SamImageEncoder {
public:
  virtual ~SamImageEncoder() = default;
  // input: 1×3×1024×1024 float (any device) → 1×C×64×64 float32 on the settings' device (C = neck
  // channels, 256 for the official models). Sets the settings' torch thread count first.
  virtual at::Tensor forward(const at::Tensor& input) const = 0;
  virtual int outChannels() const = 0;
  // "ViT-B (768 wide, 12 blocks, global attention in 2, 5, 8, 11)" — what the checkpoint holds.
  virtual std::string describe() const = 0;
};

// The shape of a ViT encoder found in a checkpoint (everything is read from tensor shapes).
struct SamVitShape {
  int width = 0;
  int depth = 0;
  int heads = 0;
  int window = 0;
  std::vector<int> global_blocks;
};

// `weights` is scoped to "image_encoder.". Throws Error naming the file on a missing key or
// inconsistent shapes. The weights are copied (norm affines, the q scale folded into the linear
// layers in float64) to the settings' device and GEMM precision; the residual stream stays fp32.
std::unique_ptr<SamImageEncoder> loadSamVitEncoder(const StateDict& weights, const InferenceSettings& settings,
                                                   SamVitShape* shape = nullptr);

}  // namespace regionlab::nets
