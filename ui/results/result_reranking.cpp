#include "ui/results/result_reranking.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "ui/query/result_items.h"

namespace regionlab::ui {

bool rankedBefore(const ResultItem& a, const ResultItem& b, RankingMode mode) {
  const float ka = mode == RankingMode::Score ? -a.score : std::abs(a.score);
  const float kb = mode == RankingMode::Score ? -b.score : std::abs(b.score);
  if (ka != kb) return ka < kb;
  return a.image_id < b.image_id;
}

Reranking rerankResults(const ConceptSession& session, Database& db, int sequence, const std::vector<ResultItem>& listed,
                        const std::unordered_set<int64_t>& judged_regions, RankingMode mode, size_t fresh, size_t max_new) {
  Reranking out;
  out.sequence = sequence;
  out.mode = mode;
  std::vector<int64_t> unjudged_images;
  std::unordered_set<int64_t> listed_images;
  for (const ResultItem& item : listed) {
    listed_images.insert(item.image_id);
    if (!judged_regions.contains(item.region_id)) unjudged_images.push_back(item.image_id);
  }
  // Unjudged results: the region the ranking picks now (its outline is read again if it moved).
  std::unordered_map<int64_t, RankedHit> hit_of;
  for (const RankedHit& hit : session.scoreImages(unjudged_images, mode)) hit_of[hit.image_id] = hit;
  for (const ResultItem& item : listed) {
    if (judged_regions.contains(item.region_id)) {
      ResultItem kept = item;
      if (const auto score = session.scoreOfRegion(item.region_id)) kept.score = *score;
      out.items.push_back(std::move(kept));
      continue;
    }
    const auto it = hit_of.find(item.image_id);
    if (it == hit_of.end()) {
      out.items.push_back(item);  // no vector any more (regions replaced): keep it as it was
    } else if (it->second.region_id == item.region_id) {
      ResultItem rescored = item;
      rescored.score = it->second.score;
      out.items.push_back(std::move(rescored));
    } else {
      out.items.push_back(readResultItem(db, item.image_id, item.path.toStdString(), it->second.region_id, it->second.score));
    }
  }
  // The ranking's best unjudged images that are not listed yet.
  RankRequest request;
  request.mode = mode;
  request.count = fresh;
  const RankedPage page = session.rank(request);
  out.ranker = QString::fromStdString(page.ranker);
  out.classifier_version = page.classifier_version;
  out.total = page.total;
  for (const RankedHit& hit : page.hits) {
    if (listed_images.contains(hit.image_id)) continue;
    if (out.new_images.size() >= max_new) break;
    out.items.push_back(readResultItem(db, hit.image_id, {}, hit.region_id, hit.score));
    out.new_images.insert(hit.image_id);
  }
  // Judged results first, in the order the user judged down the list (their work stays put);
  // then the rest in the ranking's order, which is what the next ✓/✗ works through.
  const auto unjudged = std::stable_partition(out.items.begin(), out.items.end(),
                                              [&](const ResultItem& item) { return judged_regions.contains(item.region_id); });
  std::stable_sort(unjudged, out.items.end(), [mode](const ResultItem& a, const ResultItem& b) { return rankedBefore(a, b, mode); });
  return out;
}

}  // namespace regionlab::ui
