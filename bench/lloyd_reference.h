#pragma once
// The k-means reference DRC is compared with in regionlab-bench drq: nearest-centroid assignment
// of many vectors through a BLAS matrix product (‖x − c‖² = ‖x‖² − 2x·c + ‖c‖², the products
// by sgemm), and Lloyd's algorithm built on it (the algorithm of cv::kmeans: k-means++ seeding,
// then alternate assignment and mean updates), so that k-means runs on the full ≥ 1M vectors in
// minutes and every codebook's distortion is measured on the same vectors.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace regionlab::bench {

struct NearestAssignment {
  std::vector<uint32_t> label;  // per vector, its nearest centroid
  double distortion = 0;        // mean squared distance to it
};

// n row-major vectors of `dim` values, k row-major centroids; `threads` blocks of rows in parallel.
NearestAssignment assignNearest(const float* x, size_t n, int dim, const float* centroids, uint32_t k, int threads);

struct LloydOptions {
  uint32_t k = 4096;
  int iterations = 10;  // as the bench's cv::kmeans
  // k-means++ seeding runs on this many vectors drawn evenly from the set (each seed costs one
  // pass over them, so seeding on 1M vectors would cost more than the iterations); 0 = all.
  size_t seeding_vectors = 100'000;
  uint64_t seed = 1;
  int threads = 1;
};

struct LloydResult {
  std::vector<float> centroids;  // k × dim
  double distortion = 0;         // of the final assignment (cv::kmeans' compactness / n)
  double seconds = 0;
  double seeding_seconds = 0;
};

LloydResult lloydKMeans(const float* x, size_t n, int dim, const LloydOptions& options);

}  // namespace regionlab::bench
