#pragma once
// Binary L2-regularised logistic regression on region vectors: the per-concept classifier of
// interactive learning (DESIGN.md "Teach"). Minimises
//     Σ_i c_i · log(1 + exp(−y_i (w·x_i + b)))  +  (λ/2)·‖w‖²
// with example weights c_i normalised to sum to 1; class-balanced, the positives' weights and
// the negatives' weights each sum to ½, so a handful of ✓ against hundreds of ✗ and random
// regions still pulls as hard as the negatives. The bias is not penalised. Solved with L-BFGS
// (full batch, deterministic), optionally warm-started from the previous model.
#include <atomic>
#include <cstddef>
#include <vector>

#include "core/learning/lbfgs.h"

namespace regionlab {

struct LogisticRegressionOptions {
  // λ of the penalty (λ/2)‖w‖² on the normalised (mean) loss. Region vectors are unit vectors,
  // so λ = 1e-3 allows weights of norm ~30: a sharp but still regularised separator.
  double l2 = 1e-3;
  bool balance_classes = true;
  LbfgsOptions optimizer{.max_iterations = 100, .history = 8, .gradient_tolerance = 1e-5, .relative_decrease_tolerance = 1e-9};
};

// Examples as one contiguous row-major matrix (what a dense mat-vec wants).
struct BinaryExamples {
  int dim = 0;
  std::vector<float> x;       // size() × dim
  std::vector<float> label;   // +1 or −1
  std::vector<float> weight;  // relative importance (> 0), before normalisation

  size_t size() const { return label.size(); }
  void add(const float* vector, bool positive, float w);
  size_t positives() const;
};

// f(x) = w·x + b; the probability of the positive class is sigmoid(f(x)).
struct LinearModel {
  std::vector<float> w;
  float b = 0;

  bool empty() const { return w.empty(); }
  int dim() const { return int(w.size()); }
  float decision(const float* x) const;
};

float sigmoid(float z);

struct LogisticRegressionResult {
  LinearModel model;
  LbfgsResult optimizer;
};

// Throws Error when there are no positives or no negatives. warm_start (same dim) is the
// starting point; otherwise training starts from zero.
LogisticRegressionResult trainLogisticRegression(const BinaryExamples& examples, const LogisticRegressionOptions& options,
                                                 const LinearModel* warm_start = nullptr, const std::atomic<bool>* cancel = nullptr);

}  // namespace regionlab
