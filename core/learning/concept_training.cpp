#include "core/learning/concept_training.h"

#include <chrono>
#include <random>

#include "core/base/error.h"

namespace regionlab {

std::vector<uint32_t> sampleWeakNegativeRows(size_t rows, int count, uint64_t seed, const std::unordered_set<uint32_t>& exclude) {
  std::vector<uint32_t> out;
  if (count <= 0 || rows == 0) return out;
  const size_t available = rows > exclude.size() ? rows - exclude.size() : 0;
  const size_t want = std::min(size_t(count), available);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<uint64_t> pick(0, rows - 1);
  std::unordered_set<uint32_t> taken;
  // Rejection sampling: `want` is far below `rows` in every real collection; when it is not,
  // fall back to a scan so the loop always ends.
  for (size_t attempts = 0; out.size() < want && attempts < 20 * want + 100; ++attempts) {
    const auto row = uint32_t(pick(rng));
    if (exclude.contains(row) || !taken.insert(row).second) continue;
    out.push_back(row);
  }
  for (uint32_t row = 0; out.size() < want && row < rows; ++row) {
    if (!exclude.contains(row) && taken.insert(row).second) out.push_back(row);
  }
  return out;
}

ConceptModel trainConcept(const ConceptTrainingSet& set, const RegionVectorSet& vectors, const ImageSlots& image_slots,
                          const ConceptTrainingOptions& options, const LinearModel* warm_start, const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  if (set.dim != vectors.dim()) {
    throw Error("concept examples are " + std::to_string(set.dim) + "-d, the collection's vectors " + std::to_string(vectors.dim()) + "-d");
  }
  if (set.positiveCount() == 0) throw Error("a concept needs at least one positive example (its query)");

  BinaryExamples examples;
  examples.dim = set.dim;
  const size_t total = set.positiveCount() + set.negativeCount() + set.weak_negative_rows.size();
  examples.x.reserve(total * size_t(set.dim));
  for (size_t i = 0; i < set.positiveCount(); ++i) examples.add(set.positives.data() + i * size_t(set.dim), true, 1.f);
  for (size_t i = 0; i < set.negativeCount(); ++i) examples.add(set.negatives.data() + i * size_t(set.dim), false, 1.f);
  for (const uint32_t row : set.weak_negative_rows) examples.add(vectors.vector(row), false, options.weak_negative_weight);

  ConceptModel result;
  LogisticRegressionResult trained = trainLogisticRegression(examples, options.classifier, warm_start, cancel);
  result.model = std::move(trained.model);
  result.optimizer = trained.optimizer;
  result.train_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (trained.optimizer.cancelled || (cancel && cancel->load())) return result;
  result.ranking = rankRegions(vectors, image_slots, result.model.w.data(), result.model.b, options.scoring_threads);
  result.score_seconds = result.ranking->seconds;
  return result;
}

}  // namespace regionlab
