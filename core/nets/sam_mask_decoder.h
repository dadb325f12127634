#pragma once
// SAM's mask decoder (segment-anything MaskDecoder + TwoWayTransformer, REFERENCE.md §D1.4).
// Split into its two costs so the automatic mask generator can skip work that cannot change its
// result: runTransformer gives the IoU predictions (all the filter needs) and the per-prompt
// state; maskLogits upscales and applies the hypernetworks only for the prompts asked for.
// Internal to core/nets: at::Tensor is only declared here.
#include <memory>

namespace at {
class Tensor;
}

namespace regionlab::nets {

class StateDict;

struct SamDecoderState;  // per-prompt transformer outputs (defined in the .cpp)

class SamMaskDecoder {
public:
  // `weights` scoped to "mask_decoder.". The number of attention heads is not recorded in the
  // checkpoint (8 in every official model).
  SamMaskDecoder(const StateDict& weights, int heads);
  ~SamMaskDecoder();

  int numMaskTokens() const;

  // image_embedding: 1×C×64×64, image_pe: 1×C×64×64, sparse: B×T×C, dense: 1×C×64×64 (shared) or
  // B×C×64×64. iou: B×numMaskTokens. state keeps what maskLogits needs.
  void runTransformer(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& sparse, const at::Tensor& dense,
                      at::Tensor& iou, at::Tensor& mask_tokens, at::Tensor& keys) const;
  // keys: b×HW×C, mask_tokens: b×numMaskTokens×C (rows of runTransformer's outputs) → b×count×256×256
  // logits of mask outputs first..first+count-1.
  at::Tensor maskLogits(const at::Tensor& keys, const at::Tensor& mask_tokens, int first, int count) const;

  // The reference's forward: masks B×K×256×256 and iou B×K, K = 3 (outputs 1..3) with multimask,
  // else 1 (output 0).
  void forward(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& sparse, const at::Tensor& dense,
               bool multimask, at::Tensor& masks, at::Tensor& iou) const;

private:
  struct Weights;
  std::unique_ptr<Weights> w_;
};

}  // namespace regionlab::nets
