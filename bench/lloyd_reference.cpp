#include "bench/lloyd_reference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "bench/coco_public.h"

// The Fortran BLAS interface (every BLAS has it; Debian resolves libblas.so.3 to OpenBLAS when it
// is installed, as libtorch already requires).
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha, const float* a,
                       const int* lda, const float* b, const int* ldb, const float* beta, float* c, const int* ldc);

namespace regionlab::bench {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double squaredNorm(const float* v, int dim) {
  double s = 0;
  for (int d = 0; d < dim; ++d) s += double(v[d]) * v[d];
  return s;
}

float squaredDistance(const float* a, const float* b, int dim) {
  float s = 0;
  for (int d = 0; d < dim; ++d) s += (a[d] - b[d]) * (a[d] - b[d]);
  return s;
}

// Per vector, its nearest centroid and squared distance.
void assignInto(const float* x, size_t n, int dim, const float* centroids, uint32_t k, int threads, std::vector<uint32_t>& label,
                std::vector<float>& distance) {
  constexpr size_t kBlock = 4096;
  std::vector<float> centroid_norm(k);
  for (uint32_t c = 0; c < k; ++c) centroid_norm[c] = float(squaredNorm(centroids + size_t(c) * size_t(dim), dim));
  label.resize(n);
  distance.resize(n);
  const size_t blocks = (n + kBlock - 1) / kBlock;
  parallelOver(blocks, threads, [&](size_t b) {
    const size_t begin = b * kBlock, rows = std::min(kBlock, n - begin);
    thread_local std::vector<float> dots;
    dots.resize(rows * k);
    const int m = int(k), nn = int(rows), kk = dim;
    const float one = 1.0f, zero = 0.0f;
    // Column-major: dots (k × rows) = centroidsᵀ (k × dim) · x (dim × rows).
    sgemm_("T", "N", &m, &nn, &kk, &one, centroids, &kk, x + begin * size_t(dim), &kk, &zero, dots.data(), &m);
    for (size_t i = 0; i < rows; ++i) {
      const float* d = dots.data() + i * k;
      uint32_t best = 0;
      float best_value = std::numeric_limits<float>::infinity();
      for (uint32_t c = 0; c < k; ++c) {
        const float v = centroid_norm[c] - 2.0f * d[c];
        if (v < best_value) {
          best_value = v;
          best = c;
        }
      }
      // The exact distance of the winner (the expanded form loses precision near zero).
      label[begin + i] = best;
      distance[begin + i] = squaredDistance(x + (begin + i) * size_t(dim), centroids + size_t(best) * size_t(dim), dim);
    }
  });
}

double mean(const std::vector<float>& v) {
  double s = 0;
  for (const float f : v) s += f;
  return v.empty() ? 0.0 : s / double(v.size());
}

// k-means++ (Arthur & Vassilvitskii 2007) on m vectors: each next seed drawn with probability
// proportional to the squared distance to the nearest seed so far.
std::vector<float> seedKMeansPlusPlus(const float* x, size_t m, int dim, uint32_t k, std::mt19937_64& random, int threads) {
  std::vector<float> seeds;
  seeds.reserve(size_t(k) * size_t(dim));
  std::vector<double> nearest(m, std::numeric_limits<double>::infinity());
  size_t next = random() % m;
  constexpr size_t kChunk = 8192;
  const size_t chunks = (m + kChunk - 1) / kChunk;
  std::vector<double> chunk_sum(chunks);
  while (seeds.size() < size_t(k) * size_t(dim)) {
    const float* s = x + next * size_t(dim);
    seeds.insert(seeds.end(), s, s + dim);
    parallelOver(chunks, threads, [&](size_t c) {
      double sum = 0;
      for (size_t i = c * kChunk; i < std::min(m, (c + 1) * kChunk); ++i) {
        nearest[i] = std::min(nearest[i], double(squaredDistance(x + i * size_t(dim), s, dim)));
        sum += nearest[i];
      }
      chunk_sum[c] = sum;
    });
    double total = 0;
    for (const double v : chunk_sum) total += v;
    double target = std::uniform_real_distribution<double>(0.0, total)(random);
    next = m - 1;
    for (size_t c = 0; c < chunks; ++c) {
      if (target >= chunk_sum[c]) {
        target -= chunk_sum[c];
        continue;
      }
      for (size_t i = c * kChunk; i < std::min(m, (c + 1) * kChunk); ++i) {
        if ((target -= nearest[i]) < 0) {
          next = i;
          break;
        }
      }
      break;
    }
  }
  return seeds;
}

}  // namespace

NearestAssignment assignNearest(const float* x, size_t n, int dim, const float* centroids, uint32_t k, int threads) {
  NearestAssignment a;
  std::vector<float> distance;
  assignInto(x, n, dim, centroids, k, threads, a.label, distance);
  a.distortion = mean(distance);
  return a;
}

LloydResult lloydKMeans(const float* x, size_t n, int dim, const LloydOptions& o) {
  LloydResult r;
  const auto start = Clock::now();
  std::mt19937_64 random(o.seed);
  const size_t m = o.seeding_vectors == 0 ? n : std::min(n, o.seeding_vectors);
  std::vector<float> sample(m * size_t(dim));
  for (size_t i = 0; i < m; ++i) std::copy_n(x + (i * n / m) * size_t(dim), dim, sample.data() + i * size_t(dim));
  r.centroids = seedKMeansPlusPlus(sample.data(), m, dim, o.k, random, o.threads);
  r.seeding_seconds = secondsSince(start);

  std::vector<uint32_t> label;
  std::vector<float> distance;
  std::vector<double> sum(size_t(o.k) * size_t(dim));
  std::vector<size_t> count(o.k);
  for (int it = 0; it < o.iterations; ++it) {
    assignInto(x, n, dim, r.centroids.data(), o.k, o.threads, label, distance);
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      double* s = sum.data() + size_t(label[i]) * size_t(dim);
      const float* v = x + i * size_t(dim);
      for (int d = 0; d < dim; ++d) s[d] += v[d];
      ++count[label[i]];
    }
    // Empty clusters restart at the vectors farthest from their centroids (cv::kmeans moves them
    // to the farthest vector of the largest cluster).
    std::vector<size_t> far;
    for (uint32_t c = 0; c < o.k; ++c) {
      float* centroid = r.centroids.data() + size_t(c) * size_t(dim);
      if (count[c] > 0) {
        for (int d = 0; d < dim; ++d) centroid[d] = float(sum[size_t(c) * size_t(dim) + size_t(d)] / double(count[c]));
        continue;
      }
      if (far.empty()) {
        far.resize(n);
        for (size_t i = 0; i < n; ++i) far[i] = i;
        const size_t top = std::min<size_t>(n, o.k);
        std::partial_sort(far.begin(), far.begin() + ptrdiff_t(top), far.end(), [&](size_t a, size_t b) { return distance[a] > distance[b]; });
        far.resize(top);
        std::reverse(far.begin(), far.end());
      }
      std::copy_n(x + far.back() * size_t(dim), dim, centroid);
      far.pop_back();
    }
  }
  assignInto(x, n, dim, r.centroids.data(), o.k, o.threads, label, distance);
  r.distortion = mean(distance);
  r.seconds = secondsSince(start);
  return r;
}

}  // namespace regionlab::bench
