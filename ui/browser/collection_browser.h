#pragma once
// The collection browser: a thumbnail grid (QListView over CollectionModel through
// CollectionFilterModel) with filters by status, class and labeled/unlabeled and sorting by
// name or score. Smooth at 20,000 images: uniform cells (no per-row size queries), thumbnails
// only for painted cells, and queued requests of cells scrolled away withdrawn.
#include <cstdint>
#include <vector>

#include <QTimer>
#include <QWidget>

#include "core/storage/label_store.h"

class QComboBox;
class QLabel;
class QListView;

namespace regionlab::ui {

class CollectionFilterModel;
class CollectionModel;
class ThumbnailDelegate;

class CollectionBrowser : public QWidget {
  Q_OBJECT

public:
  explicit CollectionBrowser(QWidget* parent = nullptr);

  void setModel(CollectionModel* model);  // not owned; null detaches
  CollectionModel* model() const { return model_; }
  CollectionFilterModel* filterModel() const { return filter_; }
  QListView* view() const { return view_; }
  ThumbnailDelegate* delegate() const { return delegate_; }
  void setClasses(const std::vector<ClassRecord>& classes);
  void setSortByScore(bool by_score);
  // Source rows of the cells currently visible.
  std::vector<int> visibleRows() const;
  // Selects and shows the image's cell.
  void selectPath(const QString& path);
  QString currentPath() const;

signals:
  void imageActivated(const QString& relative_path);
  void currentImageChanged(const QString& relative_path);

private:
  void applyFilters();
  void updateCount();
  void retainVisibleThumbnails();

  CollectionModel* model_ = nullptr;
  CollectionFilterModel* filter_;
  ThumbnailDelegate* delegate_;
  QListView* view_;
  QComboBox* status_box_;
  QComboBox* class_box_;
  QComboBox* labeled_box_;
  QComboBox* sort_box_;
  QLabel* count_label_;
  QTimer retain_timer_;
};

}  // namespace regionlab::ui
