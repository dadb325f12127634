#include "ui/browser/collection_filter_model.h"

#include <algorithm>
#include <cmath>

#include "ui/browser/collection_model.h"

namespace regionlab::ui {

CollectionFilterModel::CollectionFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  // Statuses change one image at a time during ingest; only bulk changes re-filter (below).
  setDynamicSortFilter(false);
  // Ingest reports images a few at a time; re-filtering 20,000 rows for each batch would cost
  // the GUI thread more than the ingest saves, so changes are gathered for a quarter second.
  refilter_timer_.setSingleShot(true);
  refilter_timer_.setInterval(250);
  connect(&refilter_timer_, &QTimer::timeout, this, &CollectionFilterModel::refilter);
}

void CollectionFilterModel::scheduleRefilter(bool needed) {
  if (needed && !refilter_timer_.isActive()) refilter_timer_.start();
}

void CollectionFilterModel::setCollectionModel(CollectionModel* model) {
  if (collection_) disconnect(collection_, nullptr, this, nullptr);
  collection_ = model;
  setSourceModel(model);
  if (model) {
    connect(model, &CollectionModel::statusesChanged, this, [this] { scheduleRefilter(status_.has_value()); });
    connect(model, &CollectionModel::scoresChanged, this, [this] { scheduleRefilter(sort_key_ == SortKey::Score); });
    connect(model, &CollectionModel::classesChanged, this,
            [this] { scheduleRefilter(class_.has_value() || labels_ != LabelFilter::Any); });
  }
  refilter();
}

void CollectionFilterModel::setStatusFilter(std::optional<ImageStatus> status) {
  status_ = status;
  refilter();
}

void CollectionFilterModel::setClassFilter(std::optional<int64_t> class_id) {
  class_ = class_id;
  refilter();
}

void CollectionFilterModel::setLabelFilter(LabelFilter filter) {
  labels_ = filter;
  refilter();
}

void CollectionFilterModel::setSortKey(SortKey key) {
  sort_key_ = key;
  refilter();
}

void CollectionFilterModel::refilter() {
  refilter_timer_.stop();
  invalidate();
  // By name is the listing's own order: no sort needed (column -1 keeps the source order).
  sort(sort_key_ == SortKey::Score ? 0 : -1, Qt::AscendingOrder);
}

bool CollectionFilterModel::filterAcceptsRow(int source_row, const QModelIndex&) const {
  if (!collection_) return true;
  const CollectionEntry& e = collection_->entry(source_row);
  if (status_ && e.status != *status_) return false;
  if (class_ && std::find(e.classes.begin(), e.classes.end(), *class_) == e.classes.end()) return false;
  if (labels_ == LabelFilter::Labeled && e.classes.empty()) return false;
  if (labels_ == LabelFilter::Unlabeled && !e.classes.empty()) return false;
  return true;
}

bool CollectionFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  const CollectionEntry& a = collection_->entry(left.row());
  const CollectionEntry& b = collection_->entry(right.row());
  if (sort_key_ == SortKey::Score) {
    // Best score first; images without a score (not ingested, or no query) last.
    const bool a_none = std::isnan(a.score), b_none = std::isnan(b.score);
    if (a_none != b_none) return b_none;
    if (!a_none && a.score != b.score) return a.score > b.score;
  }
  return a.path < b.path;
}

}  // namespace regionlab::ui
