// Interactive learning speed: what a ConceptSession's worker runs after a batch of feedback —
// train the concept's logistic regression (warm-started) and rescore + re-rank every region —
// on a synthetic collection of N region vectors (structured: clusters of non-negative unit
// vectors, like the classical descriptor's), with F feedback items and W weak negatives.
// Goal (issue "learning"): retrain with 1,000 feedback items and rescore 1,000,000 regions in
// < 200 ms on this machine.
// Baselines measured in the same run: the query-only ranking through the same scorer, and the
// per-region hash-map max that RegionSearchIndex's exact scan uses, on the same vectors.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "bench/bench_options.h"
#include "bench/benchmarks.h"
#include "core/index/dot_product.h"
#include "core/learning/concept_training.h"

namespace regionlab::bench {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// N rows in images of `per_image` regions; row r belongs to cluster r % clusters.
RegionVectorSet syntheticVectors(size_t n, int dim, int per_image, int clusters, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<std::vector<float>> centres(static_cast<size_t>(clusters), std::vector<float>(static_cast<size_t>(dim)));
  for (auto& c : centres) {
    for (float& x : c) x = u(rng) < 0.2f ? u(rng) : 0.f;  // sparse, non-negative, like histograms
  }
  RegionVectorSet set(dim);
  std::vector<float> v(static_cast<size_t>(dim));
  uint64_t state = seed | 1;
  const auto noise = [&] {  // xorshift: cheap enough for 10⁸ values
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return float(state >> 40) / float(1 << 24);
  };
  for (size_t r = 0; r < n; ++r) {
    const auto& c = centres[r % size_t(clusters)];
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      v[size_t(j)] = c[size_t(j)] + 0.15f * noise();
      norm += double(v[size_t(j)]) * v[size_t(j)];
    }
    const float inv = float(1 / std::sqrt(norm));
    for (float& x : v) x *= inv;
    set.append(int64_t(r + 1), int64_t(r / size_t(per_image) + 1), v.data());
  }
  return set;
}

// RegionSearchIndex's exact scan: a hash map from image to its best score, per region.
size_t hashMapMaxOverRegions(const RegionVectorSet& vectors, const float* q) {
  std::unordered_map<int64_t, float> best;
  for (size_t row = 0; row < vectors.size(); ++row) {
    const float s = dotProduct(q, vectors.vector(row), vectors.dim());
    const auto [it, inserted] = best.try_emplace(vectors.imageId(row), s);
    if (!inserted && s > it->second) it->second = s;
  }
  return best.size();
}

}  // namespace

int benchLearning(const std::vector<std::string>& args) {
  const size_t n = size_t(intOption(args, "regions", 1'000'000));
  const int dim = intOption(args, "dim", 194);  // the embedded descriptor's
  const int feedback = intOption(args, "feedback", 1000);
  const int weak = intOption(args, "weak", 1000);
  const int per_image = intOption(args, "per-image", 100);
  const int threads = intOption(args, "threads", int(std::thread::hardware_concurrency()));
  const int repeats = intOption(args, "repeats", 5);
  std::printf("learning benchmark: %zu regions x %d-d (%d per image), %d feedback items + %d weak negatives, %d scoring threads\n", n, dim,
              per_image, feedback, weak, threads);

  auto t = Clock::now();
  const RegionVectorSet vectors = syntheticVectors(n, dim, per_image, 64, 7);
  const double vectors_ms = msSince(t);
  t = Clock::now();
  const ImageSlots image_slots = buildImageSlots(vectors);
  std::printf("setup: vectors %.0f ms, image slots %.0f ms (once per session)\n", vectors_ms, msSince(t));

  // Feedback: half accepted from the concept's cluster (0), half rejected from others.
  ConceptTrainingSet set;
  set.dim = dim;
  std::unordered_set<uint32_t> used;
  const float* query = vectors.vector(0);
  set.positives.assign(query, query + dim);
  for (int i = 0; i < feedback; ++i) {
    const bool accept = i % 2 == 0;
    const size_t row = accept ? size_t(64) * size_t(i + 1) % n : (size_t(64) * size_t(i + 1) + 1 + size_t(i % 63)) % n;
    used.insert(uint32_t(row));
    auto& target = accept ? set.positives : set.negatives;
    target.insert(target.end(), vectors.vector(row), vectors.vector(row) + dim);
  }
  set.weak_negative_rows = sampleWeakNegativeRows(n, weak, 1, used);
  ConceptTrainingOptions options;
  options.scoring_threads = threads;

  std::vector<double> base_rank, hash_scan, cold, cold_next, warm, warm_train, warm_score;
  int cold_iterations = 0, warm_iterations = 0;
  for (int rep = 0; rep < repeats; ++rep) {
    t = Clock::now();
    const auto query_ranking = rankRegions(vectors, image_slots, query, 0.f, threads);
    base_rank.push_back(msSince(t));
    t = Clock::now();
    (void)hashMapMaxOverRegions(vectors, query);
    hash_scan.push_back(msSince(t));

    t = Clock::now();
    const ConceptModel first = trainConcept(set, vectors, image_slots, options);
    cold.push_back(msSince(t));
    cold_iterations = first.optimizer.iterations;
    // The next batch: 20 more verdicts that move the boundary (accepts from a new mode of the
    // concept, cluster 1; rejects from cluster 2), then the warm-started retrain the session runs,
    // and for comparison the same training from scratch.
    ConceptTrainingSet next = set;
    for (int i = 0; i < 20; ++i) {
      const size_t row = (size_t(64) * size_t(feedback + i + 1) + 1 + size_t(i % 2)) % n;
      auto& target = i % 2 == 0 ? next.positives : next.negatives;
      target.insert(target.end(), vectors.vector(row), vectors.vector(row) + dim);
    }
    t = Clock::now();
    const ConceptModel second = trainConcept(next, vectors, image_slots, options, &first.model);
    warm.push_back(msSince(t));
    t = Clock::now();
    (void)trainConcept(next, vectors, image_slots, options);
    cold_next.push_back(msSince(t));
    warm_train.push_back(second.train_seconds * 1e3);
    warm_score.push_back(second.score_seconds * 1e3);
    warm_iterations = second.optimizer.iterations;
  }
  const double w = median(warm);
  std::printf("baseline query-only ranking (same scorer, %d threads):   %8.1f ms\n", threads, median(base_rank));
  std::printf("baseline hash-map max over regions (1 thread, as RegionSearchIndex::exactSearch): %8.1f ms\n", median(hash_scan));
  std::printf("cold train + rescore + rank:                             %8.1f ms (%d L-BFGS iterations)\n", median(cold), cold_iterations);
  std::printf("warm-started retrain + rescore + rank:                   %8.1f ms (train %.1f ms, %d iterations; rescore+rank %.1f ms)\n", w,
              median(warm_train), warm_iterations, median(warm_score));
  std::printf("same retrain from scratch (no warm start):              %8.1f ms\n", median(cold_next));
  std::printf("ratios: warm retrain+rescore = %.2fx the query-only ranking, %.2fx the hash-map scan; warm/cold = %.2f\n",
              w / median(base_rank), w / median(hash_scan), w / median(cold_next));
  std::printf("goal: retrain with %d feedback items + rescore %zu regions < 200 ms: %s (%.1f ms)\n", feedback, n, w < 200 ? "met" : "NOT met", w);
  return 0;
}

}  // namespace regionlab::bench
