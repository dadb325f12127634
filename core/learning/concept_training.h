#pragma once
// Training one concept's classifier and re-ranking the collection with it: the computation a
// ConceptSession runs after each batch of feedback (on its worker thread), kept free of storage
// and threads so the benchmark and the tests time and check exactly what the session runs.
//
// Examples (DESIGN.md "Teach"): positives are the query vector(s) and the accepted regions;
// negatives are the rejected regions plus a fixed random sample of the collection's regions as
// weak negatives (low weight: a few of them may show the concept, and they must not outvote a ✓).
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/learning/logistic_regression.h"
#include "core/learning/region_ranking.h"

namespace regionlab {

struct ConceptTrainingOptions {
  LogisticRegressionOptions classifier;
  int weak_negatives = 1000;          // random regions sampled as weak negatives
  float weak_negative_weight = 0.1f;  // relative to a rejected region's 1
  uint64_t seed = 1;                  // of the weak-negative sample
  int scoring_threads = 0;            // 0 = one per core
};

struct ConceptTrainingSet {
  int dim = 0;
  std::vector<float> positives;  // row-major, dim values each
  std::vector<float> negatives;
  std::vector<uint32_t> weak_negative_rows;  // rows of the RegionVectorSet

  size_t positiveCount() const { return dim ? positives.size() / size_t(dim) : 0; }
  size_t negativeCount() const { return dim ? negatives.size() / size_t(dim) : 0; }
};

// `count` distinct rows of [0, rows) not in `exclude`, drawn deterministically from `seed`
// (the same rows on every retrain, so warm starts stay close to the optimum).
std::vector<uint32_t> sampleWeakNegativeRows(size_t rows, int count, uint64_t seed, const std::unordered_set<uint32_t>& exclude);

struct ConceptModel {
  LinearModel model;
  LbfgsResult optimizer;
  std::shared_ptr<const RegionRanking> ranking;  // null when training was cancelled
  double train_seconds = 0;
  double score_seconds = 0;
};

// Trains (warm-started from `warm_start` when given) and re-ranks every region of `vectors`.
// Throws Error when the set has no positive.
ConceptModel trainConcept(const ConceptTrainingSet& set, const RegionVectorSet& vectors, const ImageSlots& image_slots,
                          const ConceptTrainingOptions& options, const LinearModel* warm_start = nullptr,
                          const std::atomic<bool>* cancel = nullptr);

}  // namespace regionlab
