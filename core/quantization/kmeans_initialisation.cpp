#include "core/quantization/kmeans_initialisation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "core/base/error.h"
#include "core/quantization/drq_codebook.h"

namespace regionlab {
namespace {

float squaredDistance(const float* a, const float* b, int n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) {
      const float d = a[i + l] - b[i + l];
      s[l] += d * d;
    }
  }
  float total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
  for (; i < n; ++i) total += (a[i] - b[i]) * (a[i] - b[i]);
  return total;
}

// Assigns every sample to its nearest centroid (in parallel); returns the summed squared distances.
double assignAll(const std::vector<float>& samples, size_t n, int dim, const std::vector<float>& centroids, uint32_t k,
                 std::vector<uint32_t>& assignment, int threads) {
  const int count = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<double> partial(size_t(count), 0.0);
  std::vector<std::thread> pool;
  const size_t step = (n + size_t(count) - 1) / size_t(count);
  for (int t = 0; t < count; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = size_t(t) * step; i < std::min(n, size_t(t + 1) * step); ++i) {
        const float* x = samples.data() + i * size_t(dim);
        float best = std::numeric_limits<float>::infinity();
        uint32_t arg = 0;
        for (uint32_t c = 0; c < k; ++c) {
          const float d = squaredDistance(x, centroids.data() + size_t(c) * size_t(dim), dim);
          if (d < best) {
            best = d;
            arg = c;
          }
        }
        assignment[i] = arg;
        partial[size_t(t)] += best;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  double total = 0;
  for (const double p : partial) total += p;
  return total;
}

}  // namespace

KMeansResult kmeansInitialisation(const float* descriptors, size_t n, int dim, const KMeansInitialisationOptions& options) {
  if (options.k < 1 || options.k > 32768) throw Error("k-means needs between 1 and 32768 centroids");
  if (dim < 1) throw Error("k-means needs descriptors with at least one dimension");
  const size_t samples = std::min(n, std::max<size_t>(options.max_samples, options.k));
  if (samples < options.k) {
    throw Error("k-means with k = " + std::to_string(options.k) + " needs at least as many descriptors, got " + std::to_string(n));
  }
  std::vector<float> data(samples * size_t(dim));
  for (size_t s = 0; s < samples; ++s) {
    float* row = data.data() + s * size_t(dim);
    std::copy_n(descriptors + (s * n / samples) * size_t(dim), dim, row);
    double norm = 0;
    for (int d = 0; d < dim; ++d) norm += double(row[d]) * row[d];
    if (norm > 0) {
      const auto inv = float(1.0 / std::sqrt(norm));
      for (int d = 0; d < dim; ++d) row[d] *= inv;
    }
  }

  // DRC seeding in a balanced PCA space of a power-of-two dimension.
  const DrqCodebookOptions drq = singleBookClusteringOptions(dim, options.k, options.drc_dim, 256, options.seed, options.threads);
  const DrqCodebook codebook = DrqCodebook::train(data.data(), samples, dim, drq);
  const uint32_t k = codebook.bookSize(0);  // below options.k only for degenerate data

  KMeansResult result;
  result.centroids.resize(size_t(k) * size_t(dim));
  for (uint32_t c = 0; c < k; ++c) {
    const auto code = uint16_t(c);
    codebook.decode(&code, result.centroids.data() + size_t(c) * size_t(dim));
  }
  result.assignment.resize(samples);
  double total = assignAll(data, samples, dim, result.centroids, k, result.assignment, options.threads);
  for (int it = 0; it < options.lloyd_iterations; ++it) {
    std::vector<double> sum(size_t(k) * size_t(dim), 0.0);
    std::vector<size_t> count(k, 0);
    for (size_t i = 0; i < samples; ++i) {
      const uint32_t c = result.assignment[i];
      const float* x = data.data() + i * size_t(dim);
      double* s = sum.data() + size_t(c) * size_t(dim);
      for (int d = 0; d < dim; ++d) s[d] += x[d];
      ++count[c];
    }
    for (uint32_t c = 0; c < k; ++c) {
      if (count[c] == 0) continue;  // an empty cluster keeps its centroid
      for (int d = 0; d < dim; ++d) result.centroids[size_t(c) * size_t(dim) + size_t(d)] = float(sum[size_t(c) * size_t(dim) + size_t(d)] / double(count[c]));
    }
    const double previous = total;
    total = assignAll(data, samples, dim, result.centroids, k, result.assignment, options.threads);
    if (previous - total <= 1e-7 * previous) break;  // converged
  }
  result.distortion = total / double(samples);
  return result;
}

}  // namespace regionlab
