#pragma once
// k centroids of a set of L2-normalised descriptors, for initialising learnt prototypes — e.g.
// ImAge's aggregation tokens (REFERENCE.md §B3: faiss k-means, k = 8, 100 iterations, on 500k
// L2-normalised DINOv2 patch tokens; the caller then scales c/||c|| by its NetVLAD alpha).
//
// DRC gives the seeding (a one-book codebook on a balanced PCA rotation of the descriptors,
// padded or reduced to a power of two, trained on histograms: its cost does not grow with the
// number of descriptors), then Lloyd iterations in the full space polish the centroids. Unlike
// random or k-means++ seeding, the result is deterministic for a seed and needs no pass over
// the data per centroid.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace regionlab {

struct KMeansInitialisationOptions {
  uint32_t k = 8;
  // Full-space Lloyd iterations after the DRC seeding (0 = the DRC centroids as they are).
  int lloyd_iterations = 20;
  // Descriptors used (evenly spaced) when more are given.
  size_t max_samples = 500'000;
  // Dimensions of the PCA space DRC clusters in (a power of two; 0 = the largest power of two
  // not above the descriptor dimension, at most 256).
  int drc_dim = 0;
  uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
};

struct KMeansResult {
  std::vector<float> centroids;  // k × dim, row-major (not normalised)
  std::vector<uint32_t> assignment;  // per sample used, its centroid
  double distortion = 0;             // mean squared distance of the samples to their centroids
};

// descriptors: n × dim, row-major, each L2-normalised (they are normalised again defensively).
// Throws Error when n < k or the options are impossible.
KMeansResult kmeansInitialisation(const float* descriptors, size_t n, int dim, const KMeansInitialisationOptions& options = {});

}  // namespace regionlab
