#pragma once
// Multi-class region classifier for semantic labeling, trained as in the regions paper
// (REFERENCE.md §A6; paper §3.2): cross-entropy over region vectors, each region weighted by
// its pixel area, with a linear head (default) or a one-hidden-layer MLP.
//
// What differs from the reference and why: the paper trains its linear head with AdamW (lr 5e-4,
// batch 8192, 16 epochs, cosine) on ~10⁶ ADE20K regions. A collection here has 10²–10⁵ labeled
// regions, where 16 epochs of 8192-region batches would be a few dozen steps; the linear head is
// convex, so we solve it to convergence with full-batch L-BFGS and an L2 penalty instead
// (deterministic, no learning rate to tune). The MLP is not convex and keeps the paper's recipe
// shape: AdamW mini-batches with a cosine learning-rate schedule.
// Area weights are normalised to mean 1 (the reference L2-normalises them per batch and takes
// the mean; both make the loss proportional to area).
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/learning/lbfgs.h"

namespace regionlab {

enum class RegionClassifierKind { Linear, Mlp };
std::string regionClassifierKindName(RegionClassifierKind kind);  // "linear" / "mlp"
RegionClassifierKind regionClassifierKindFromName(const std::string& name);  // throws Error

struct RegionClassifierOptions {
  RegionClassifierKind kind = RegionClassifierKind::Linear;
  // Linear head: λ of (λ/2)‖W‖² on the area-weighted mean cross-entropy.
  double l2 = 1e-4;
  LbfgsOptions optimizer{.max_iterations = 300, .history = 8, .gradient_tolerance = 1e-5, .relative_decrease_tolerance = 1e-10};
  // MLP head: hidden width, AdamW (the reference's optimiser, torch's default weight decay 0.01)
  // with a cosine schedule from learning_rate to 0 over all steps.
  int hidden = 256;
  int epochs = 40;
  int batch_size = 256;
  double learning_rate = 1e-3;
  double weight_decay = 1e-2;
  uint64_t seed = 1;  // MLP initialisation and batch order
};

// Training regions as one row-major matrix.
struct ClassExamples {
  int dim = 0;
  int num_classes = 0;
  std::vector<float> x;       // size() × dim
  std::vector<int> label;     // 0 .. num_classes−1
  std::vector<float> weight;  // region area (or any positive weight)

  size_t size() const { return label.size(); }
  void add(const float* vector, int cls, float w);
};

class RegionClassifier {
public:
  RegionClassifier() = default;
  // Throws Error when there are no examples or a label is out of range. Classes without any
  // example are allowed (they get a low probability everywhere).
  static RegionClassifier train(const ClassExamples& examples, const RegionClassifierOptions& options,
                                const std::atomic<bool>* cancel = nullptr);

  bool empty() const { return num_classes_ == 0; }
  int dim() const { return dim_; }
  int numClasses() const { return num_classes_; }
  RegionClassifierKind kind() const { return kind_; }
  // Optimiser iterations (linear) or epochs (MLP) that ran.
  int iterations() const { return iterations_; }
  double finalLoss() const { return final_loss_; }

  // Softmax probabilities of n vectors: n × numClasses(), row-major.
  std::vector<float> predictProbabilities(const float* x, size_t n) const;

private:
  void logits(const float* x, float* out, std::vector<float>& hidden_scratch) const;
  static RegionClassifier trainLinear(const ClassExamples& e, const RegionClassifierOptions& o, const std::atomic<bool>* cancel);
  static RegionClassifier trainMlp(const ClassExamples& e, const RegionClassifierOptions& o, const std::atomic<bool>* cancel);

  RegionClassifierKind kind_ = RegionClassifierKind::Linear;
  int dim_ = 0, num_classes_ = 0, hidden_ = 0;
  // Linear: w1 = num_classes × dim, b1 = num_classes. MLP: w1 = hidden × dim, b1 = hidden,
  // w2 = num_classes × hidden, b2 = num_classes. Row-major, rows are output units.
  std::vector<float> w1_, b1_, w2_, b2_;
  int iterations_ = 0;
  double final_loss_ = 0;
};

}  // namespace regionlab
