// The main window's cluster page (View ▸ Clusters): the page clusters the collection's regions
// and shows them; labeling a selection goes through the undo stack like every label edit.
#include <QAction>
#include <QStatusBar>
#include <QUndoStack>

#include "ui/clusters/cluster_page.h"
#include "ui/labels/label_commands.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {

void MainWindow::createJobActions() {
  connect(makeAction("showClusters", tr("&Clusters…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K),
                     tr("Group similar regions of the collection into clusters and label a whole cluster at once")),
          &QAction::triggered, this, &MainWindow::showClusters);
}

ClusterPage* MainWindow::clusterPage() const { return cluster_page_; }

void MainWindow::showClusters() {
  if (!session_) return;
  const bool fresh = !cluster_page_;
  if (fresh) {
    cluster_page_ = new ClusterPage(session_->paths().root, this);
    cluster_page_->setWindowFlag(Qt::Window, true);
    connect(cluster_page_, &ClusterPage::labelRequested, this, &MainWindow::labelClusterRegions);
    connect(session_->labels(), &LabelService::classesChanged, cluster_page_, [this] { updateClusterPageClass(); });
    connect(labels_, &LabelsPanel::currentClassChanged, cluster_page_, [this] { updateClusterPageClass(); });
  }
  updateClusterPageClass();
  cluster_page_->show();
  cluster_page_->raise();
  if (fresh) cluster_page_->cluster(true);  // the stored clustering, or a new one
}

void MainWindow::updateClusterPageClass() {
  if (!cluster_page_ || !session_) return;
  const std::optional<int64_t> id = currentClass();
  const ClassRecord* cls = id ? session_->labels()->findClass(*id) : nullptr;
  cluster_page_->setCurrentClassName(cls ? QString::fromStdString(cls->name) : QString());
}

void MainWindow::labelClusterRegions(const std::vector<int64_t>& region_ids, const std::vector<int64_t>& image_ids) {
  const std::optional<int64_t> id = currentClass();
  if (!session_ || !id || region_ids.empty()) {
    statusBar()->showMessage(tr("Create a class first (N)."), 6000);
    return;
  }
  UserLabelAssignment assignment;
  for (const int64_t r : region_ids) assignment[r] = *id;
  undo_->push(new AssignClassCommand(session_->labels(), image_ids, std::move(assignment),
                                     tr("Label %1 cluster regions").arg(region_ids.size())));
  const ClassRecord* cls = session_->labels()->findClass(*id);
  if (cluster_page_) cluster_page_->showLabeled(int(region_ids.size()), cls ? QString::fromStdString(cls->name) : QString());
}

}  // namespace regionlab::ui
