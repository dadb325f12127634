#pragma once
// SAM's prompt encoder (segment-anything PromptEncoder, REFERENCE.md §D1.3): points with labels,
// boxes and an optional low-resolution mask become sparse tokens and a dense embedding.
// Internal to core/nets: at::Tensor is only declared here.
#include <memory>

namespace at {
class Tensor;
}

namespace regionlab::nets {

class StateDict;

class SamPromptEncoder {
public:
  // `weights` scoped to "prompt_encoder.". The embedding grid is 64×64 for the 1024 input.
  explicit SamPromptEncoder(const StateDict& weights, int grid = 64, int input_size = 1024);
  ~SamPromptEncoder();

  // points: B×N×2 in the 1024 input frame, labels: B×N (1 fg, 0 bg, -1 padding), boxes: B×4
  // (x0, y0, x1, y1) in the input frame, masks: B×1×256×256 logits. Null pointers mean absent;
  // at least one of points/boxes gives the batch size. Without a box a padding point is appended
  // to the points, as the reference does. dense is 1×C×64×64 (shared) when no mask is given.
  void forward(const at::Tensor* points, const at::Tensor* labels, const at::Tensor* boxes, const at::Tensor* masks,
               at::Tensor& sparse, at::Tensor& dense) const;
  // Positional encoding of the 64×64 grid of cell centres: 1×C×64×64 (computed once).
  const at::Tensor& denseImagePe() const;
  int dim() const;

private:
  struct Weights;
  std::unique_ptr<Weights> w_;
};

}  // namespace regionlab::nets
