#include "core/learning/logistic_regression.h"

#include <cmath>

#include "core/base/error.h"
#include "core/index/dot_product.h"

namespace regionlab {

void BinaryExamples::add(const float* vector, bool positive, float w) {
  x.insert(x.end(), vector, vector + dim);
  label.push_back(positive ? 1.f : -1.f);
  weight.push_back(w);
}

size_t BinaryExamples::positives() const {
  size_t n = 0;
  for (const float y : label) n += y > 0;
  return n;
}

float LinearModel::decision(const float* x) const { return dotProduct(w.data(), x, dim()) + b; }

float sigmoid(float z) { return z >= 0 ? 1.f / (1.f + std::exp(-z)) : std::exp(z) / (1.f + std::exp(z)); }

namespace {

// log(1 + exp(t)) without overflow.
double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

std::vector<double> normalisedWeights(const BinaryExamples& e, bool balance) {
  double pos = 0, neg = 0;
  for (size_t i = 0; i < e.size(); ++i) (e.label[i] > 0 ? pos : neg) += e.weight[i];
  std::vector<double> c(e.size());
  for (size_t i = 0; i < e.size(); ++i) {
    c[i] = balance ? e.weight[i] / (e.label[i] > 0 ? 2 * pos : 2 * neg) : e.weight[i] / (pos + neg);
  }
  return c;
}

}  // namespace

LogisticRegressionResult trainLogisticRegression(const BinaryExamples& e, const LogisticRegressionOptions& options,
                                                 const LinearModel* warm_start, const std::atomic<bool>* cancel) {
  const size_t n = e.size();
  const int d = e.dim;
  const size_t positives = e.positives();
  if (positives == 0 || positives == n) {
    throw Error("a classifier needs positive and negative examples (have " + std::to_string(positives) + " positive, " +
                std::to_string(n - positives) + " negative)");
  }
  for (const float w : e.weight) {
    if (!(w > 0)) throw Error("example weights must be positive");
  }
  const std::vector<double> c = normalisedWeights(e, options.balance_classes);
  const double lambda = options.l2;

  // Parameters: w (d values) then b. The data stay fp32; sums are in double.
  std::vector<double> theta(size_t(d) + 1, 0.0);
  if (warm_start && warm_start->dim() == d) {
    for (int j = 0; j < d; ++j) theta[j] = warm_start->w[j];
    theta[d] = warm_start->b;
  }
  std::vector<float> wf(d);
  const Objective objective = [&](std::span<const double> t, std::span<double> grad) {
    for (int j = 0; j < d; ++j) wf[j] = float(t[j]);
    const double b = t[d];
    double loss = 0, gb = 0;
    std::fill(grad.begin(), grad.end(), 0.0);
    std::vector<float> coeff(n);
    for (size_t i = 0; i < n; ++i) {
      const float* xi = e.x.data() + i * size_t(d);
      const double margin = e.label[i] * (double(dotProduct(wf.data(), xi, d)) + b);
      loss += c[i] * softplus(-margin);
      // d/dz of softplus(−y z) = −y·sigmoid(−y z)
      const double r = -c[i] * e.label[i] * (1.0 / (1.0 + std::exp(margin)));
      coeff[i] = float(r);
      gb += r;
    }
    // ∇w = Σ r_i x_i, accumulated per example in float lanes then added in double.
    std::vector<float> gw(d, 0.f);
    for (size_t i = 0; i < n; ++i) {
      const float r = coeff[i];
      if (r == 0) continue;
      const float* xi = e.x.data() + i * size_t(d);
      for (int j = 0; j < d; ++j) gw[j] += r * xi[j];
    }
    double penalty = 0;
    for (int j = 0; j < d; ++j) {
      grad[j] = double(gw[j]) + lambda * t[j];
      penalty += t[j] * t[j];
    }
    grad[d] = gb;
    return loss + 0.5 * lambda * penalty;
  };

  LogisticRegressionResult result;
  result.optimizer = minimizeLbfgs(objective, theta, options.optimizer, cancel);
  result.model.w.resize(d);
  for (int j = 0; j < d; ++j) result.model.w[j] = float(theta[j]);
  result.model.b = float(theta[d]);
  return result;
}

}  // namespace regionlab
