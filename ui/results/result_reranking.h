#pragma once
// The results list re-ranked by the concept's newest ranking (after a retrain on ✓/✗, or when
// the order mode changes): every listed image is rescored, the ranking's best unjudged images
// that are not listed yet join it. Judged results stay first, in their order; the others are
// sorted by the new scores (or by the distance to the decision boundary in uncertainty mode,
// for active learning). Runs on the label
// service's database thread; the GUI applies the result with ResultsModel::applyReranking().
#include <cstdint>
#include <cstddef>
#include <unordered_set>
#include <vector>

#include <QString>

#include "core/learning/concept_session.h"
#include "ui/query/result_set.h"

namespace regionlab {
class Database;
}

namespace regionlab::ui {

struct Reranking {
  int sequence = 0;  // of the ResultSet it re-ranks
  RankingMode mode = RankingMode::Score;
  std::vector<ResultItem> items;          // the new order
  std::unordered_set<int64_t> new_images;  // images that were not listed before
  QString ranker;                          // "query" / "classifier"
  int classifier_version = 0;
  size_t total = 0;  // unjudged images the ranking holds in this mode
};

// Listed results judged ✓/✗ keep their judged region (their score is that region's); the others
// take the region the ranking picks now. New ones are taken from the first `fresh` of the
// ranking's unjudged images, at most `max_new` ("find more" in uncertainty mode looks deeper).
Reranking rerankResults(const ConceptSession& session, Database& db, int sequence, const std::vector<ResultItem>& listed,
                        const std::unordered_set<int64_t>& judged_regions, RankingMode mode, size_t fresh, size_t max_new = SIZE_MAX);

// The sort key of the list: higher score first, or smaller |score| first (uncertainty); ties by
// image id, as in core's RegionRanking.
bool rankedBefore(const ResultItem& a, const ResultItem& b, RankingMode mode);

}  // namespace regionlab::ui
