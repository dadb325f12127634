#pragma once
// View ▸ Clusters: the collection's regions grouped into K clusters of similar regions (core's
// RegionClusters — DRC clustering of the active descriptor's vectors, the same function as
// `regionlab-cli clusters`), computed in the background with a busy bar and Cancel. Clusters
// are listed largest first; the selected cluster's most typical regions show as a page of
// thumbnails (the image cropped around the region, its outline drawn). Selecting some or all
// and "Label selected" asks the main window to give them the current class (one undoable edit,
// saved at once).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include <QThreadPool>
#include <QWidget>

#include "core/index/region_clusters.h"

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace regionlab::ui {

class ClusterPage : public QWidget {
  Q_OBJECT

public:
  explicit ClusterPage(std::filesystem::path collection_root, QWidget* parent = nullptr);
  ~ClusterPage() override;  // waits for its background work

  QSpinBox* clusterCount() const { return k_; }
  QListWidget* clusterList() const { return clusters_; }
  QListWidget* regionGrid() const { return regions_; }
  QPushButton* labelButton() const { return label_; }
  QLabel* status() const { return status_; }
  bool busy() const { return running_ > 0; }
  // Regions per page of the selected cluster (the most typical ones).
  static constexpr int kPageSize = 48;

  // Names the class "Label selected" assigns (the main window's current class; empty: none).
  void setCurrentClassName(const QString& name);
  // Shown after the main window assigned the class.
  void showLabeled(int regions, const QString& class_name);

public slots:
  // Clusters the collection again with the spin box's K (stored, replacing the previous
  // clustering); loads the stored clustering when `load_stored` and there is one.
  void cluster(bool load_stored = false);
  void cancel();
  void selectAllRegions();
  void labelSelected();

signals:
  void clustersReady(int clusters);
  void pageReady(int regions);
  void failed(const QString& reason);
  // The user asked to label these regions (of these images) with the current class.
  void labelRequested(const std::vector<int64_t>& region_ids, const std::vector<int64_t>& image_ids);

private:
  void showClusters(const std::shared_ptr<const RegionClusters>& clusters, double seconds, bool built);
  void showCluster(int list_row);
  void setRunning(bool running, const QString& text);
  void updateLabelButton();

  std::filesystem::path root_;
  QSpinBox* k_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* bar_;
  QLabel* status_;
  QListWidget* clusters_;
  QListWidget* regions_;
  QPushButton* select_all_;
  QPushButton* label_;
  QString class_name_;
  std::shared_ptr<const RegionClusters> shown_;
  std::shared_ptr<std::atomic<bool>> cancel_flag_;
  int running_ = 0;
  int page_generation_ = 0;
  QThreadPool pool_;  // the clustering and the page's crops; waited for by the destructor
};

}  // namespace regionlab::ui
