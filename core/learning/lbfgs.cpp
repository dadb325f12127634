#include "core/learning/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace regionlab {

namespace {

double dot(std::span<const double> a, std::span<const double> b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double maxAbs(std::span<const double> a) {
  double m = 0;
  for (const double v : a) m = std::max(m, std::abs(v));
  return m;
}

struct Pair {
  std::vector<double> s, y;
  double rho = 0;
};

// d = -H·g by the two-loop recursion, with the initial Hessian scaled by s·y / y·y of the newest pair.
void searchDirection(const std::deque<Pair>& history, std::span<const double> g, std::vector<double>& d) {
  d.assign(g.begin(), g.end());
  std::vector<double> alpha(history.size());
  for (size_t k = history.size(); k-- > 0;) {
    const Pair& p = history[k];
    alpha[k] = p.rho * dot(p.s, d);
    for (size_t i = 0; i < d.size(); ++i) d[i] -= alpha[k] * p.y[i];
  }
  if (!history.empty()) {
    const Pair& newest = history.back();
    const double gamma = dot(newest.s, newest.y) / dot(newest.y, newest.y);
    for (double& v : d) v *= gamma;
  }
  for (size_t k = 0; k < history.size(); ++k) {
    const Pair& p = history[k];
    const double beta = p.rho * dot(p.y, d);
    for (size_t i = 0; i < d.size(); ++i) d[i] += (alpha[k] - beta) * p.s[i];
  }
  for (double& v : d) v = -v;
}

}  // namespace

LbfgsResult minimizeLbfgs(const Objective& f, std::vector<double>& x, const LbfgsOptions& options, const std::atomic<bool>* cancel) {
  constexpr double kArmijo = 1e-4;
  constexpr double kShrink = 0.5;
  constexpr int kMaxTrials = 40;

  const size_t n = x.size();
  LbfgsResult result;
  std::vector<double> g(n), d(n), x_new(n), g_new(n);
  double value = f(x, g);
  result.evaluations = 1;
  std::deque<Pair> history;

  for (; result.iterations < options.max_iterations; ++result.iterations) {
    if (maxAbs(g) <= options.gradient_tolerance) {
      result.converged = true;
      break;
    }
    if (cancel && cancel->load(std::memory_order_relaxed)) {
      result.cancelled = true;
      break;
    }
    searchDirection(history, g, d);
    double slope = dot(g, d);
    if (!(slope < 0)) {  // not a descent direction (numerical trouble): restart from steepest descent
      history.clear();
      for (size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = dot(g, d);
    }
    // The first step has no curvature information: keep it to unit length.
    double step = history.empty() ? std::min(1.0, 1.0 / std::sqrt(-slope)) : 1.0;
    double new_value = 0;
    bool accepted = false;
    for (int trial = 0; trial < kMaxTrials; ++trial) {
      for (size_t i = 0; i < n; ++i) x_new[i] = x[i] + step * d[i];
      new_value = f(x_new, g_new);
      ++result.evaluations;
      if (std::isfinite(new_value) && new_value <= value + kArmijo * step * slope) {
        accepted = true;
        break;
      }
      step *= kShrink;
    }
    if (!accepted) {  // no decrease along d: at the optimum to machine precision
      result.converged = true;
      break;
    }
    Pair p;
    p.s.resize(n);
    p.y.resize(n);
    for (size_t i = 0; i < n; ++i) {
      p.s[i] = x_new[i] - x[i];
      p.y[i] = g_new[i] - g[i];
    }
    const double sy = dot(p.s, p.y);
    if (sy > 1e-12 * std::sqrt(dot(p.y, p.y) * dot(p.s, p.s))) {  // keep only pairs with positive curvature
      p.rho = 1.0 / sy;
      history.push_back(std::move(p));
      if (int(history.size()) > options.history) history.pop_front();
    }
    const double decrease = value - new_value;
    x.swap(x_new);
    g.swap(g_new);
    value = new_value;
    if (decrease <= options.relative_decrease_tolerance * std::max(1.0, std::abs(value))) {
      ++result.iterations;
      result.converged = true;
      break;
    }
  }
  result.value = value;
  return result;
}

}  // namespace regionlab
