// The main window's labeling: classes, verdicts on results, and edits of the shown image's
// labels. Every edit is a command on the undo stack and is saved at once.
#include <QAction>
#include <QColorDialog>
#include <QInputDialog>
#include <QListView>
#include <QStatusBar>
#include <QUndoStack>

#include "ui/labels/class_list_model.h"
#include "ui/labels/label_commands.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {

void MainWindow::connectLabels() {
  connect(labels_, &LabelsPanel::renameClassRequested, this, &MainWindow::renameClass);
  connect(labels_, &LabelsPanel::regionsSelected, this, [this](const std::set<int64_t>& regions) { viewer_->setSelectedRegions(regions); });
  connect(viewer_, &ImageViewer::selectionChanged, this, [this] { labels_->setSelectedRegions(viewer_->selectedRegions()); });
  connect(viewer_, &ImageViewer::regionsPainted, this, &MainWindow::paintRegions);
  connect(labels_, &LabelsPanel::currentClassChanged, this, [this](std::optional<int64_t> id) {
    const ClassRecord* c = (session_ && id) ? session_->labels()->findClass(*id) : nullptr;
    QAction* accept = action(QStringLiteral("acceptResult"));
    accept->setText(c ? tr("&Accept as “%1” (✓)").arg(QString::fromStdString(c->name)) : tr("&Accept result (✓)"));
    accept->setIconText(c ? tr("✓ %1 (A)").arg(QString::fromStdString(c->name)) : tr("✓ Accept (A)"));
  });
}

void MainWindow::addClass(const QString& name) {
  if (!session_) return;
  const QString clean = name.trimmed();
  if (clean.isEmpty()) return;
  for (const ClassRecord& c : session_->labels()->classes()) {
    if (QString::fromStdString(c.name) == clean) {
      statusBar()->showMessage(tr("A class named “%1” exists already.").arg(clean), 6000);
      return;
    }
  }
  undo_->push(new AddClassCommand(session_->labels(), clean, session_->labels()->nextClassColor()));
}

void MainWindow::promptNewClass() {
  if (!session_) return;
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("New class"), tr("Name:"), QLineEdit::Normal, QString(), &ok);
  if (ok) addClass(name);
}

void MainWindow::renameClass(qint64 class_id, const QString& old_name, const QString& new_name) {
  if (!session_) return;
  for (const ClassRecord& c : session_->labels()->classes()) {
    if (c.id != class_id && QString::fromStdString(c.name) == new_name) {
      statusBar()->showMessage(tr("A class named “%1” exists already.").arg(new_name), 6000);
      return;
    }
  }
  undo_->push(new RenameClassCommand(session_->labels(), class_id, old_name, new_name));
}

void MainWindow::recolorClass(int64_t class_id, const QColor& color) {
  if (!session_ || !color.isValid()) return;
  const QColor old = session_->labels()->colorOf(class_id);
  if (old == color) return;
  undo_->push(new RecolorClassCommand(session_->labels(), class_id, old, color));
}

void MainWindow::chooseClassColor() {
  const std::optional<int64_t> cls = currentClass();
  if (!session_ || !cls) return;
  const QColor color = QColorDialog::getColor(session_->labels()->colorOf(*cls), this, tr("Class colour"));
  if (color.isValid()) recolorClass(*cls, color);
}

void MainWindow::setVerdictOnCurrentResult(int verdict) {
  ResultsModel* model = results_->model();
  const int row = results_->currentRow();
  if (!session_ || !model->results() || row < 0 || verdict == 0) return;
  std::optional<ClassRecord> cls;
  if (const std::optional<int64_t> id = currentClass()) {
    if (const ClassRecord* c = session_->labels()->findClass(*id)) cls = *c;
  }
  if (verdict > 0 && !cls) {
    statusBar()->showMessage(tr("Feedback saved; the classifier learns from it. Create a class (N) to also label the accepted regions."), 8000);
  }
  const ResultItem& item = model->item(row);
  const int previous = model->verdict(row);
  if (previous != verdict) {
    undo_->push(new VerdictCommand(session_->labels(), model, model->sequence(), model->results()->record, item.image_id,
                                   item.region_id, cls, verdict, previous));
  }
  results_->selectNextUnjudged();
}

std::vector<int64_t> MainWindow::selectedOrHoveredRegions() const {
  const auto& selected = viewer_->selectedRegions();
  if (!selected.empty()) return {selected.begin(), selected.end()};
  if (viewer_->hoveredRegion()) return {viewer_->hoveredRegion()};
  return {};
}

void MainWindow::assignClassToSelection() {
  const auto& doc = viewer_->document();
  const std::optional<int64_t> cls = currentClass();
  if (!session_ || !doc || !doc->image_id) return;
  if (!cls) {
    statusBar()->showMessage(tr("Create a class first (N)."), 6000);
    return;
  }
  const std::vector<int64_t> regions = selectedOrHoveredRegions();
  if (regions.empty()) return;
  UserLabelAssignment assignment;
  for (const int64_t r : regions) assignment[r] = *cls;
  undo_->push(new AssignClassCommand(session_->labels(), {doc->image_id}, std::move(assignment),
                                     tr("Label %n region(s)", nullptr, int(regions.size()))));
}

void MainWindow::deleteLabelsOfSelection() {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id) return;
  UserLabelAssignment assignment;
  for (const int64_t r : selectedOrHoveredRegions()) {
    const auto it = doc_user_classes_.find(r);
    if (it != doc_user_classes_.end() && it->second) assignment[r] = std::nullopt;
  }
  if (assignment.empty()) return;
  const int n = int(assignment.size());
  undo_->push(new AssignClassCommand(session_->labels(), {doc->image_id}, std::move(assignment), tr("Delete %n label(s)", nullptr, n)));
}

void MainWindow::mergeSelection() {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id) return;
  const auto& selected = viewer_->selectedRegions();
  if (selected.size() < 2) {
    statusBar()->showMessage(tr("Select two or more regions to merge (Ctrl+click)."), 6000);
    return;
  }
  undo_->push(new MergeRegionsCommand(session_->labels(), doc->image_id, {selected.begin(), selected.end()}, currentClass()));
  viewer_->setSelectedRegions({});
}

void MainWindow::paintRegions(const std::vector<int64_t>& region_ids, bool add) {
  const auto& doc = viewer_->document();
  const std::optional<int64_t> cls = currentClass();
  if (!session_ || !doc || !doc->image_id || !cls) {
    if (!cls) statusBar()->showMessage(tr("Create a class first (N): painting adds regions to the current class."), 6000);
    return;
  }
  UserLabelAssignment assignment;
  for (const int64_t r : region_ids) {
    const auto it = doc_user_classes_.find(r);
    const std::optional<int64_t> now = it == doc_user_classes_.end() ? std::nullopt : it->second;
    if (add && now != cls) assignment[r] = *cls;
    if (!add && now == cls) assignment[r] = std::nullopt;  // removing takes regions out of the current class only
  }
  if (assignment.empty()) return;
  const int n = int(assignment.size());
  undo_->push(new AssignClassCommand(session_->labels(), {doc->image_id}, std::move(assignment),
                                     add ? tr("Paint %n region(s)", nullptr, n) : tr("Erase %n region(s)", nullptr, n)));
}

}  // namespace regionlab::ui
