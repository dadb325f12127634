#include "core/eval/ranking_metrics.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/base/error.h"

namespace regionlab {

namespace {

std::vector<size_t> orderByScore(std::span<const float> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

void checkSizes(std::span<const float> scores, std::span<const uint8_t> relevant) {
  if (scores.size() != relevant.size()) throw Error("ranking metrics: scores and relevance differ in length");
}

}  // namespace

double averagePrecision(std::span<const float> scores, std::span<const uint8_t> relevant) {
  checkSizes(scores, relevant);
  const auto total_relevant = std::count_if(relevant.begin(), relevant.end(), [](uint8_t r) { return r != 0; });
  if (total_relevant == 0) return 0;
  const std::vector<size_t> order = orderByScore(scores);
  double ap = 0, previous_recall = 0;
  size_t seen = 0, hits = 0;
  while (seen < order.size()) {
    // One threshold: every item with this score.
    const float threshold = scores[order[seen]];
    while (seen < order.size() && scores[order[seen]] == threshold) hits += relevant[order[seen++]] != 0;
    const double recall = double(hits) / double(total_relevant);
    const double precision = double(hits) / double(seen);
    ap += (recall - previous_recall) * precision;
    previous_recall = recall;
  }
  return ap;
}

double precisionAtK(std::span<const float> scores, std::span<const uint8_t> relevant, int k) {
  checkSizes(scores, relevant);
  if (k <= 0) return 0;
  const std::vector<size_t> order = orderByScore(scores);
  size_t hits = 0;
  for (size_t i = 0; i < order.size() && i < size_t(k); ++i) hits += relevant[order[i]] != 0;
  return double(hits) / double(k);
}

double expectedRandomAveragePrecision(int64_t relevant, int64_t total) {
  if (relevant <= 0 || total <= 0) return 0;
  if (total == 1) return 1;
  double harmonic = 0;
  for (int64_t k = 1; k <= total; ++k) harmonic += 1.0 / double(k);
  const double n = double(total), r = double(relevant);
  return harmonic / n + (r - 1) * (n - harmonic) / (n * (n - 1));
}

}  // namespace regionlab
