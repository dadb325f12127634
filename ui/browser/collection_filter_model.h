#pragma once
// Filters and sorts the collection for the browser: by ingest status, by class, labeled or not;
// by name or by the current query's score (best first).
#include <cstdint>
#include <optional>

#include <QSortFilterProxyModel>
#include <QTimer>

#include "core/storage/records.h"

namespace regionlab::ui {

class CollectionModel;

class CollectionFilterModel : public QSortFilterProxyModel {
  Q_OBJECT

public:
  enum class LabelFilter { Any, Labeled, Unlabeled };
  enum class SortKey { Name, Score };

  explicit CollectionFilterModel(QObject* parent = nullptr);
  void setCollectionModel(CollectionModel* model);

  void setStatusFilter(std::optional<ImageStatus> status);
  void setClassFilter(std::optional<int64_t> class_id);
  void setLabelFilter(LabelFilter filter);
  void setSortKey(SortKey key);
  SortKey sortKey() const { return sort_key_; }

protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
  void refilter();
  void scheduleRefilter(bool needed);

  QTimer refilter_timer_;
  CollectionModel* collection_ = nullptr;
  std::optional<ImageStatus> status_;
  std::optional<int64_t> class_;
  LabelFilter labels_ = LabelFilter::Any;
  SortKey sort_key_ = SortKey::Name;
};

}  // namespace regionlab::ui
