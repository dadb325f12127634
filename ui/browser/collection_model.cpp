#include "ui/browser/collection_model.h"

#include <cmath>
#include <unordered_map>

#include <QFileInfo>

#include "core/pipeline/collection_scanner.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"

namespace regionlab::ui {

CollectionModel::CollectionModel(ThumbnailCache* thumbnails, QObject* parent) : QAbstractListModel(parent), thumbnails_(thumbnails) {
  if (thumbnails_) connect(thumbnails_, &ThumbnailCache::thumbnailReady, this, &CollectionModel::onThumbnailReady);
}

int CollectionModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(entries_.size()); }

QVariant CollectionModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(entries_.size())) return {};
  const CollectionEntry& e = entries_[size_t(index.row())];
  switch (role) {
    case Qt::DisplayRole: return QFileInfo(e.path).fileName();
    case Qt::ToolTipRole: {
      QString tip = e.path + QStringLiteral("\n") + QString::fromStdString(imageStatusName(e.status));
      if (e.regions >= 0) tip += tr(", %1 regions").arg(e.regions);
      if (!std::isnan(e.score)) tip += tr("\nscore %1").arg(double(e.score), 0, 'f', 3);
      if (!e.error.isEmpty()) tip += QStringLiteral("\n") + e.error;
      return tip;
    }
    case PathRole: return e.path;
    case ImageIdRole: return qlonglong(e.image_id);
    case StatusRole: return int(e.status);
    case ErrorRole: return e.error;
    case ScoreRole: return e.score;
    case ThumbnailRole:
      if (!thumbnails_) return {};
      return thumbnails_->thumbnail({e.path, e.file_size, e.mtime_ns}, this);
    case ThumbnailFailedRole: return thumbnails_ && thumbnails_->failed(e.path);
    case ClassesRole: {
      QList<qlonglong> ids;
      for (const int64_t id : e.classes) ids.push_back(qlonglong(id));
      return QVariant::fromValue(ids);
    }
    default: return {};
  }
}

void CollectionModel::setEntries(std::vector<CollectionEntry> entries) {
  beginResetModel();
  entries_ = std::move(entries);
  row_of_path_.clear();
  row_of_image_.clear();
  row_of_path_.reserve(int(entries_.size()));
  for (size_t row = 0; row < entries_.size(); ++row) {
    row_of_path_.insert(entries_[row].path, int(row));
    if (entries_[row].image_id) row_of_image_[entries_[row].image_id] = int(row);
  }
  endResetModel();
}

int CollectionModel::rowOfImage(int64_t image_id) const {
  const auto it = row_of_image_.find(image_id);
  return it == row_of_image_.end() ? -1 : it->second;
}

void CollectionModel::applyImageEvents(const std::vector<ImageEvent>& events) {
  int first = int(entries_.size()), last = -1;
  for (const ImageEvent& event : events) {
    const QString path = QString::fromStdString(event.path);
    int row = rowOfPath(path);
    if (row < 0) {
      row = int(entries_.size());
      beginInsertRows({}, row, row);
      CollectionEntry e;
      e.path = path;
      entries_.push_back(e);
      row_of_path_.insert(path, row);
      endInsertRows();
    }
    CollectionEntry& e = entries_[size_t(row)];
    e.image_id = event.image_id;
    e.status = event.ok ? ImageStatus::Done : ImageStatus::Failed;
    e.error = QString::fromStdString(event.reason);
    e.regions = event.regions;
    if (event.image_id) row_of_image_[event.image_id] = row;
    first = std::min(first, row);
    last = std::max(last, row);
  }
  if (last >= 0) {
    emit dataChanged(index(first), index(last), {StatusRole, ErrorRole, ImageIdRole, Qt::ToolTipRole});
    emit statusesChanged();
  }
}

void CollectionModel::setScores(const std::unordered_map<int64_t, float>& score_by_image) {
  for (CollectionEntry& e : entries_) {
    const auto it = score_by_image.find(e.image_id);
    e.score = it == score_by_image.end() ? std::numeric_limits<float>::quiet_NaN() : it->second;
  }
  if (!entries_.empty()) emit dataChanged(index(0), index(int(entries_.size()) - 1), {ScoreRole, Qt::ToolTipRole});
  emit scoresChanged();
}

void CollectionModel::clearScores() { setScores({}); }

void CollectionModel::setClassesByImage(const std::unordered_map<int64_t, std::vector<int64_t>>& classes) {
  for (CollectionEntry& e : entries_) {
    const auto it = classes.find(e.image_id);
    if (it == classes.end()) e.classes.clear(); else e.classes = it->second;
  }
  emit classesChanged();
}

void CollectionModel::retainThumbnails(const std::vector<int>& visible_rows) {
  if (!thumbnails_) return;
  QSet<QString> keep;
  for (const int row : visible_rows) {
    if (row >= 0 && row < int(entries_.size())) keep.insert(entries_[size_t(row)].path);
  }
  thumbnails_->retainOnly(this, keep);
}

void CollectionModel::onThumbnailReady(const QString& path) {
  const int row = rowOfPath(path);
  if (row >= 0) emit dataChanged(index(row), index(row), {ThumbnailRole, ThumbnailFailedRole});
}

std::vector<CollectionEntry> listCollection(const std::filesystem::path& root) {
  const CollectionPaths paths(root);
  std::unordered_map<std::string, ImageRecord> records;
  std::unordered_map<int64_t, std::vector<int64_t>> classes;
  if (paths.hasDatabase()) {
    auto db = Database::open(paths.database, Database::Access::ReadOnly);
    for (ImageRecord& r : db->readImages()) records.emplace(r.path, std::move(r));
    classes = LabelStore(*db).readClassesByImage();
  }
  std::vector<CollectionEntry> entries;
  for (const ScannedFile& f : scanCollection(paths.root)) {
    CollectionEntry e;
    e.path = QString::fromStdString(f.relative_path);
    e.file_size = f.file_size;
    e.mtime_ns = f.mtime_ns;
    if (const auto it = records.find(f.relative_path); it != records.end()) {
      e.image_id = it->second.id;
      // A file changed since it was ingested is pending again.
      const bool same = it->second.file_size == f.file_size && it->second.mtime_ns == f.mtime_ns;
      e.status = same ? it->second.status : ImageStatus::Pending;
      e.error = QString::fromStdString(it->second.error);
      if (const auto c = classes.find(e.image_id); c != classes.end()) e.classes = c->second;
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace regionlab::ui
