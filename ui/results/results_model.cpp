#include "ui/results/results_model.h"

#include <QFileInfo>

namespace regionlab::ui {

ResultsModel::ResultsModel(QObject* parent) : QAbstractListModel(parent) {}

void ResultsModel::setThumbnails(ThumbnailCache* cache, std::function<ThumbnailKey(const QString&)> key_of) {
  if (thumbnails_) disconnect(thumbnails_, nullptr, this, nullptr);
  thumbnails_ = cache;
  key_of_ = std::move(key_of);
  if (thumbnails_) connect(thumbnails_, &ThumbnailCache::thumbnailReady, this, &ResultsModel::onThumbnailReady);
}

int ResultsModel::rowCount(const QModelIndex& parent) const {
  return (parent.isValid() || !results_) ? 0 : int(results_->items.size());
}

QVariant ResultsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || !results_ || index.row() >= rowCount()) return {};
  const ResultItem& item = results_->items[size_t(index.row())];
  switch (role) {
    case Qt::DisplayRole: return QFileInfo(item.path).fileName();
    case Qt::ToolTipRole:
      return tr("%1\nscore %2 (region %3)").arg(item.path).arg(double(item.score), 0, 'f', 4).arg(item.region_id);
    case ScoreRole: return item.score;
    case VerdictRole: return verdict(index.row());
    case PathRole: return item.path;
    case RankRole: return index.row() + 1;
    case RankChangeRole: return rankChange(index.row());
    case NewRole: return isNew(index.row());
    case ThumbnailRole:
      if (!thumbnails_) return {};
      return thumbnails_->thumbnail(key_of_ ? key_of_(item.path) : ThumbnailKey{item.path, 0, 0}, this);
    default: return {};
  }
}

void ResultsModel::setResults(std::shared_ptr<const ResultSet> results) {
  beginResetModel();
  results_ = std::move(results);
  verdicts_.clear();
  rank_change_.clear();
  new_images_.clear();
  mode_ = RankingMode::Score;
  endResetModel();
}

void ResultsModel::clear() { setResults(nullptr); }

void ResultsModel::appendResults(int sequence, const std::vector<ResultItem>& items, const QString& ranker, int classifier_version) {
  if (!results_ || sequence != results_->sequence || items.empty()) return;
  // The set is shared read-only (heat maps hold it): the longer list is a new one.
  auto longer = std::make_shared<ResultSet>(*results_);
  longer->items.insert(longer->items.end(), items.begin(), items.end());
  longer->ranker = ranker;
  longer->classifier_version = classifier_version;
  const int first = rowCount();
  beginInsertRows({}, first, first + int(items.size()) - 1);
  results_ = std::move(longer);
  endInsertRows();
}

std::optional<ResultsModel::RankingChange> ResultsModel::applyReranking(const Reranking& reranking, int top) {
  if (!results_ || reranking.sequence != results_->sequence) return std::nullopt;
  std::unordered_map<int64_t, int> old_row;
  for (size_t row = 0; row < results_->items.size(); ++row) old_row.emplace(results_->items[row].image_id, int(row));
  std::unordered_set<int64_t> old_top;
  for (size_t row = 0; row < results_->items.size() && int(row) < top; ++row) old_top.insert(results_->items[row].image_id);
  RankingChange change;
  rank_change_.clear();
  new_images_.clear();
  for (size_t row = 0; row < reranking.items.size(); ++row) {
    const int64_t image = reranking.items[row].image_id;
    const auto was = old_row.find(image);
    if (was == old_row.end()) {
      new_images_.insert(image);
      ++change.added;
    } else if (was->second != int(row)) {
      rank_change_[image] = was->second - int(row);
      ++change.moved;
    }
    if (int(row) < top && !old_top.contains(image)) ++change.top_changed;
  }
  auto reranked = std::make_shared<ResultSet>(*results_);
  reranked->items = reranking.items;
  reranked->ranker = reranking.ranker;
  reranked->classifier_version = reranking.classifier_version;
  reranked->total = reranking.total;
  beginResetModel();
  results_ = std::move(reranked);
  mode_ = reranking.mode;
  endResetModel();
  return change;
}

int ResultsModel::rankChange(int row) const {
  if (!results_ || row < 0 || row >= rowCount()) return 0;
  const auto it = rank_change_.find(results_->items[size_t(row)].image_id);
  return it == rank_change_.end() ? 0 : it->second;
}

bool ResultsModel::isNew(int row) const {
  return results_ && row >= 0 && row < rowCount() && new_images_.contains(results_->items[size_t(row)].image_id);
}

int ResultsModel::rowOfImage(int64_t image_id) const {
  if (!results_) return -1;
  for (size_t row = 0; row < results_->items.size(); ++row) {
    if (results_->items[row].image_id == image_id) return int(row);
  }
  return -1;
}

int ResultsModel::rowOfRegion(int64_t region_id) const {
  if (!results_) return -1;
  for (size_t row = 0; row < results_->items.size(); ++row) {
    if (results_->items[row].region_id == region_id) return int(row);
  }
  return -1;
}

void ResultsModel::setVerdict(int sequence, int64_t region_id, int verdict) {
  if (!results_ || sequence != results_->sequence) return;
  if (verdict == 0) verdicts_.erase(region_id); else verdicts_[region_id] = verdict;
  const int row = rowOfRegion(region_id);
  if (row >= 0) emit dataChanged(index(row), index(row), {VerdictRole});
}

int ResultsModel::verdict(int row) const {
  if (!results_ || row < 0 || row >= rowCount()) return 0;
  const auto it = verdicts_.find(results_->items[size_t(row)].region_id);
  return it == verdicts_.end() ? 0 : it->second;
}

int ResultsModel::count(int verdict) const {
  int n = 0;
  for (const auto& [region, v] : verdicts_) n += v == verdict;
  return n;
}

std::unordered_set<int64_t> ResultsModel::judgedRegions() const {
  std::unordered_set<int64_t> regions;
  for (const auto& [region, v] : verdicts_) regions.insert(region);
  return regions;
}

void ResultsModel::onThumbnailReady(const QString& path) {
  if (!results_) return;
  for (size_t row = 0; row < results_->items.size(); ++row) {
    if (results_->items[row].path == path) emit dataChanged(index(int(row)), index(int(row)), {ThumbnailRole});
  }
}

}  // namespace regionlab::ui
