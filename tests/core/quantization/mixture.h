#pragma once
// Gaussian-mixture data for the quantization tests: clusters whose centres and members are known.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace regionlab::test {

struct Mixture {
  int dim = 0;
  std::vector<float> centres;     // components × dim
  std::vector<float> points;      // n × dim
  std::vector<int> component;     // per point
};

// n points from `components` isotropic Gaussians (standard deviation sigma) whose centres are
// drawn uniformly in [−spread, spread]^dim.
inline Mixture gaussianMixture(int dim, int components, size_t n, float spread, float sigma, uint64_t seed) {
  Mixture m;
  m.dim = dim;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<float> uniform(-spread, spread);
  std::normal_distribution<float> normal(0.0f, sigma);
  m.centres.resize(size_t(components) * size_t(dim));
  for (float& c : m.centres) c = uniform(random);
  m.points.resize(n * size_t(dim));
  m.component.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int c = int(random() % uint64_t(components));
    m.component[i] = c;
    for (int d = 0; d < dim; ++d) m.points[i * size_t(dim) + size_t(d)] = m.centres[size_t(c) * size_t(dim) + size_t(d)] + normal(random);
  }
  return m;
}

// Row-major n × dim → column-major dim × n (what trainDrqTree reads).
inline std::vector<float> toColumns(const std::vector<float>& rows, size_t n, int dim) {
  std::vector<float> columns(rows.size());
  for (size_t i = 0; i < n; ++i) {
    for (int d = 0; d < dim; ++d) columns[size_t(d) * n + i] = rows[i * size_t(dim) + size_t(d)];
  }
  return columns;
}

inline double squaredDistance(const float* a, const float* b, int dim) {
  double s = 0;
  for (int d = 0; d < dim; ++d) s += (double(a[d]) - b[d]) * (double(a[d]) - b[d]);
  return s;
}

}  // namespace regionlab::test
