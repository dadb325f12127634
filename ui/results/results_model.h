#pragma once
// The ranked results of the current query, with the user's ✓/✗ per result.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <unordered_map>

#include <QAbstractListModel>
#include <QPointer>

#include "ui/browser/thumbnail_cache.h"
#include "ui/query/result_set.h"
#include "ui/results/result_reranking.h"

namespace regionlab::ui {

class ResultsModel : public QAbstractListModel {
  Q_OBJECT

public:
  // RankChangeRole: places the result moved at the last re-ranking (+n up, −n down, 0 none);
  // NewRole: it joined the list at the last re-ranking.
  enum Role { ScoreRole = Qt::UserRole + 1, VerdictRole, ThumbnailRole, PathRole, RankRole, RankChangeRole, NewRole };

  // How a re-ranking changed the list.
  struct RankingChange {
    int moved = 0;        // listed results whose place changed
    int top_changed = 0;  // images in the new top `top` that were not in the old one
    int added = 0;        // results that joined the list
  };

  explicit ResultsModel(QObject* parent = nullptr);

  // Thumbnails come from the collection's cache, under the same keys as the browser's.
  void setThumbnails(ThumbnailCache* cache, std::function<ThumbnailKey(const QString& path)> key_of);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  void setResults(std::shared_ptr<const ResultSet> results);
  void clear();
  // Appends results of the shown query ("find more"); its verdicts stay. Ignored unless
  // `sequence` is the query shown.
  void appendResults(int sequence, const std::vector<ResultItem>& items, const QString& ranker, int classifier_version);
  // Replaces the list by its re-ranked version (same query; ignored otherwise, returning
  // nullopt); verdicts stay (by region: judged results keep their region).
  std::optional<RankingChange> applyReranking(const Reranking& reranking, int top = 20);
  RankingMode rankingMode() const { return mode_; }
  int rankChange(int row) const;
  bool isNew(int row) const;
  const std::shared_ptr<const ResultSet>& results() const { return results_; }
  int sequence() const { return results_ ? results_->sequence : 0; }
  const ResultItem& item(int row) const { return results_->items[size_t(row)]; }
  int rowOfRegion(int64_t region_id) const;
  int rowOfImage(int64_t image_id) const;

  // +1 ✓, -1 ✗, 0 none; ignored unless `sequence` is the query shown.
  void setVerdict(int sequence, int64_t region_id, int verdict);
  int verdict(int row) const;
  int count(int verdict) const;
  std::unordered_set<int64_t> judgedRegions() const;

private:
  void onThumbnailReady(const QString& path);

  std::shared_ptr<const ResultSet> results_;
  std::unordered_map<int64_t, int> verdicts_;  // by region id
  std::unordered_map<int64_t, int> rank_change_;  // by image id, from the last re-ranking
  std::unordered_set<int64_t> new_images_;
  RankingMode mode_ = RankingMode::Score;
  QPointer<ThumbnailCache> thumbnails_;  // the open collection's; gone when it closes
  std::function<ThumbnailKey(const QString&)> key_of_;
};

}  // namespace regionlab::ui
