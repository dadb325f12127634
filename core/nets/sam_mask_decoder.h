#pragma once
// SAM's mask decoder (segment-anything MaskDecoder + TwoWayTransformer, REFERENCE.md §D1.4).
// Split into its two costs so the automatic mask generator can skip work that cannot change its
// result: runTransformer gives the IoU predictions (all the filter needs) and the per-prompt
// state; maskLogits upscales and applies the hypernetworks only for the prompts asked for.
// Internal to core/nets: at::Tensor is only declared here.
#include <memory>
#include <vector>

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

  // The automatic mask generator's case: one image embedding, no mask input (so the same dense
  // prompt), many single-point prompts. The prompt-independent parts of the transformer (the
  // image side of the first block) are computed once per image by prepareImage; runShared then
  // gives runTransformer's outputs (iou B×numMaskTokens, mask_tokens B×numMaskTokens×C, keys
  // B×HW×C) for sparse B×T×C, prompts processed in small groups so the per-prompt HW×C tensors
  // stay in cache. The attentions are reassociated (see the .cpp): same function, float rounding
  // differs by ~1e-6 (tests/core/nets/tst_sam_amg_decoder.cpp). keys is overwritten in place when
  // it comes in with the right shape and nothing else shares its storage (the caller's buffer of
  // the previous batch).
  struct SharedImage;
  std::shared_ptr<const SharedImage> prepareImage(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& dense) const;
  void runShared(const SharedImage& image, const at::Tensor& sparse, at::Tensor& iou, at::Tensor& mask_tokens, at::Tensor& keys) const;

  // maskLogits for one prompt of runShared's outputs (keys HW×C, mask_tokens numMaskTokens×C) →
  // count×256×256, computed channels-last: keys are already pixel rows, so the two transposed
  // convolutions are GEMMs without the NCHW round trips, the elementwise steps around them fused
  // into one pass each (sam_upscaling.h), and the hypernetwork product touches only `count`
  // output planes (same sums; tests at 1e-5).
  at::Tensor promptMaskLogits(const at::Tensor& keys, const at::Tensor& mask_tokens, int first, int count) const;

  // The reference's forward: masks B×K×256×256 and iou B×K, K = 3 (outputs 1..3) with multimask,
  // else 1 (output 0).
  void forward(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& sparse, const at::Tensor& dense,
               bool multimask, at::Tensor& masks, at::Tensor& iou) const;

private:
  struct Weights;
  std::unique_ptr<Weights> w_;
};

}  // namespace regionlab::nets
