#pragma once
// Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed., Alg. 7.4 two-loop
// recursion + Alg. 3.1 backtracking with the Armijo condition) for the smooth convex objectives
// of the region classifiers (L2-regularised logistic and softmax regression). Full-batch and
// deterministic: the same data and start give the same weights, which keeps retraining stable
// between feedback batches and tests reproducible. Warm starts come for free: pass the previous
// solution as x.
#include <atomic>
#include <functional>
#include <span>
#include <vector>

namespace regionlab {

struct LbfgsOptions {
  int max_iterations = 200;
  int history = 8;  // (s, y) pairs kept
  // Converged when the largest gradient component is below this (objectives here are mean
  // losses of order 1, so an absolute tolerance is meaningful).
  double gradient_tolerance = 1e-5;
  // ...or when an iteration lowers the objective by less than this fraction of its value.
  double relative_decrease_tolerance = 1e-10;
};

struct LbfgsResult {
  int iterations = 0;
  int evaluations = 0;  // objective + gradient evaluations
  double value = 0;
  bool converged = false;
  bool cancelled = false;
};

// Returns f(x) and writes ∇f(x) into grad (same size as x).
using Objective = std::function<double(std::span<const double> x, std::span<double> grad)>;

// Minimises f from x (updated in place). `cancel`, when given, is checked once per iteration.
LbfgsResult minimizeLbfgs(const Objective& f, std::vector<double>& x, const LbfgsOptions& options,
                          const std::atomic<bool>* cancel = nullptr);

}  // namespace regionlab
