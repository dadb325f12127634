// The main window's actions and menus: every frequent operation has a key, and Help ▸ Keyboard
// shortcuts lists them all from these same actions, so the list cannot drift from the code.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QListView>
#include <QSlider>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QUndoStack>

#include "core/base/build_info.h"
#include "ui/browser/collection_browser.h"
#include "ui/ingest/ingest_runner.h"
#include "ui/labels/labels_panel.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"
#include "ui/window/shortcuts_dialog.h"

namespace regionlab::ui {

QAction* MainWindow::makeAction(const QString& name, const QString& text, const QKeySequence& shortcut, const QString& tip) {
  auto* a = new QAction(text, this);
  a->setObjectName(name);
  if (!shortcut.isEmpty()) a->setShortcut(shortcut);
  a->setToolTip(tip.isEmpty() ? text : tip);
  a->setStatusTip(tip);
  addAction(a);  // shortcuts work wherever the focus is in the window
  actions_.push_back(a);
  return a;
}

void MainWindow::createActions() {
  createFileActions();
  createViewActions();
  createQueryActions();
  createLabelActions();
  createLearningActions();
  createJobActions();
}

void MainWindow::createFileActions() {
  connect(makeAction("openCollection", tr("&Open collection…"), QKeySequence::Open, tr("Open a folder of images")),
          &QAction::triggered, this, [this] {
            const QString folder = QFileDialog::getExistingDirectory(this, tr("Open collection folder"));
            if (!folder.isEmpty()) openCollection(folder);
          });
  connect(makeAction("closeCollection", tr("&Close collection"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W)), &QAction::triggered,
          this, &MainWindow::closeCollection);
  // Export and import (COCO, VOC, YOLO-seg, labelme, …) open the formats' dialogs
  // (main_window_learning.cpp).
  makeAction("exportLabels", tr("&Export labels…"), QKeySequence(Qt::CTRL | Qt::Key_E),
             tr("Export the collection's labels (COCO, Pascal VOC, YOLO-seg, labelme, …)"));
  makeAction("importLabels", tr("&Import labels…"), QKeySequence(Qt::CTRL | Qt::Key_I), tr("Import labels from COCO, labelme, …"));
  connect(makeAction("quit", tr("&Quit"), QKeySequence::Quit), &QAction::triggered, this, &QWidget::close);

  // Edit
  QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
  undo->setObjectName(QStringLiteral("undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
  redo->setObjectName(QStringLiteral("redo"));
  redo->setShortcut(QKeySequence::Redo);
  for (QAction* a : {undo, redo}) {
    addAction(a);
    actions_.push_back(a);
  }

  connect(makeAction("shortcuts", tr("&Keyboard shortcuts"), QKeySequence(Qt::Key_F1)), &QAction::triggered, this,
          &MainWindow::showShortcuts);
  connect(makeAction("about", tr("&About RegionLab"), QKeySequence()), &QAction::triggered, this, [this] {
    QMessageBox::about(this, tr("About RegionLab"),
                       tr("<b>RegionLab %1</b><p>Region-based labeling and search of image collections.</p><p>Qt %2, %3</p>")
                           .arg(QString::fromStdString(regionlabVersion()), QString::fromLatin1(qVersion()),
                                QString::fromStdString(libraryVersions())));
  });
}

void MainWindow::createViewActions() {
  connect(makeAction("zoomIn", tr("Zoom &in"), QKeySequence(Qt::Key_Plus), tr("Zoom in (or the mouse wheel)")), &QAction::triggered,
          viewer_, &ImageViewer::zoomIn);
  connect(makeAction("zoomOut", tr("Zoom &out"), QKeySequence(Qt::Key_Minus)), &QAction::triggered, viewer_, &ImageViewer::zoomOut);
  connect(makeAction("zoomFit", tr("&Fit to window"), QKeySequence(Qt::Key_F)), &QAction::triggered, viewer_, &ImageViewer::fitToWindow);
  connect(makeAction("zoomActual", tr("&Actual pixels (1:1)"), QKeySequence(Qt::Key_0)), &QAction::triggered, viewer_,
          &ImageViewer::actualPixels);
  connect(makeAction("cycleOverlay", tr("Cycle region &display (outlines, fills, none)"), QKeySequence(Qt::Key_O)),
          &QAction::triggered, this, [this] { overlay_box_->setCurrentIndex((overlay_box_->currentIndex() + 1) % 3); });
  connect(makeAction("opacityUp", tr("More overlay opacity"), QKeySequence(Qt::Key_BracketRight)), &QAction::triggered, this,
          [this] { opacity_slider_->setValue(opacity_slider_->value() + 10); });
  connect(makeAction("opacityDown", tr("Less overlay opacity"), QKeySequence(Qt::Key_BracketLeft)), &QAction::triggered, this,
          [this] { opacity_slider_->setValue(opacity_slider_->value() - 10); });
  QAction* heat = makeAction("heatMap", tr("Similarity &heat map"), QKeySequence(Qt::Key_H),
                             tr("Colour every region of the shown image by its similarity to the query"));
  heat->setCheckable(true);
  connect(heat, &QAction::toggled, this, [this](bool on) {
    if (on) requestHeatMap(); else viewer_->clearHeatMap();
  });
  connect(makeAction("focusBrowser", tr("Go to the collection &grid"), QKeySequence(Qt::Key_G)), &QAction::triggered, this,
          [this] { browser_->view()->setFocus(); });
  connect(makeAction("sortByScore", tr("Sort the grid by &score"), QKeySequence(Qt::CTRL | Qt::Key_R)), &QAction::triggered, this,
          [this] { browser_->setSortByScore(true); });
}

void MainWindow::createQueryActions() {
  connect(makeAction("queryHovered", tr("&Query the region under the cursor"), QKeySequence(Qt::Key_Q)), &QAction::triggered, this,
          [this] {
            if (viewer_->hoveredRegion()) queryRegion(viewer_->hoveredRegion());
          });
  connect(makeAction("acceptResult", tr("&Accept result (✓)"), QKeySequence(Qt::Key_A),
                     tr("The selected result shows the object: label its region with the current class")),
          &QAction::triggered, this, [this] { setVerdictOnCurrentResult(1); });
  connect(makeAction("rejectResult", tr("&Reject result (✗)"), QKeySequence(Qt::Key_X), tr("The selected result is wrong")),
          &QAction::triggered, this, [this] { setVerdictOnCurrentResult(-1); });
  connect(makeAction("nextResult", tr("&Next result"), QKeySequence(Qt::Key_J)), &QAction::triggered, this,
          [this] { results_->selectRow(results_->currentRow() + 1); });
  connect(makeAction("previousResult", tr("&Previous result"), QKeySequence(Qt::Key_K)), &QAction::triggered, this,
          [this] { results_->selectRow(results_->currentRow() - 1); });
  makeAction("findMore", tr("Find &more"), QKeySequence(Qt::SHIFT | Qt::Key_F),
             tr("The next unjudged images of the concept's ranking (its classifier's, once trained on ✓/✗)"));
  connect(makeAction("rerunQuery", tr("Re-run the &query (includes newly ingested images)"), QKeySequence(Qt::Key_F5)),
          &QAction::triggered, this, [this] {
            const auto& shown = results_->model()->results();
            if (shown && shown->query_region_id) queryRegion(shown->query_region_id);
          });
  connect(makeAction("cancelIngest", tr("&Cancel ingest"), QKeySequence(Qt::CTRL | Qt::Key_Period)), &QAction::triggered, this, [this] {
    if (session_) session_->ingest()->cancel();
  });
  connect(makeAction("resumeIngest", tr("&Resume ingest"), QKeySequence()), &QAction::triggered, this, &MainWindow::startIngest);
}

void MainWindow::createLabelActions() {
  connect(makeAction("newClass", tr("&New class…"), QKeySequence(Qt::Key_N)), &QAction::triggered, this, &MainWindow::promptNewClass);
  connect(makeAction("renameClass", tr("Rena&me class"), QKeySequence(Qt::Key_F2)), &QAction::triggered, this, [this] {
    labels_->classView()->setFocus();
    labels_->classView()->edit(labels_->classView()->currentIndex());
  });
  connect(makeAction("classColor", tr("Class &colour…"), QKeySequence(Qt::Key_C)), &QAction::triggered, this,
          &MainWindow::chooseClassColor);
  connect(makeAction("assignClass", tr("&Label selection with the current class"), QKeySequence(Qt::Key_L),
                     tr("Selected regions (Ctrl+click), or the one under the cursor")),
          &QAction::triggered, this, &MainWindow::assignClassToSelection);
  connect(makeAction("deleteLabel", tr("&Delete label"), QKeySequence(Qt::Key_Delete)), &QAction::triggered, this,
          &MainWindow::deleteLabelsOfSelection);
  connect(makeAction("mergeRegions", tr("&Merge selected regions"), QKeySequence(Qt::Key_M)), &QAction::triggered, this,
          &MainWindow::mergeSelection);
  QAction* paint = makeAction("paintRegions", tr("Region &painting"), QKeySequence(Qt::Key_B),
                              tr("Drag across regions: left button adds them to the current class, right button removes them"));
  paint->setCheckable(true);
  connect(paint, &QAction::toggled, this, [this](bool on) {
    viewer_->setClickMode(on ? ImageViewer::ClickMode::PaintRegions : ImageViewer::ClickMode::Query);
  });
  connect(makeAction("clearSelection", tr("Clear region selection"), QKeySequence(Qt::Key_Escape)), &QAction::triggered, this,
          [this] { viewer_->setSelectedRegions({}); });
  for (int k = 1; k <= 9; ++k) {
    connect(makeAction(QStringLiteral("selectClass%1").arg(k), tr("Select class %1").arg(k), QKeySequence(Qt::Key_0 + k)),
            &QAction::triggered, this, [this, k] { labels_->selectClassAt(k - 1); });
  }

}

void MainWindow::createMenus() {
  const auto add = [this](QMenu* menu, const QStringList& names) {
    for (const QString& name : names) {
      if (name.isEmpty()) menu->addSeparator(); else menu->addAction(action(name));
    }
  };
  QMenu* file = menuBar()->addMenu(tr("&File"));
  add(file, {"openCollection"});
  recent_menu_ = file->addMenu(tr("Open &recent"));
  add(file, {"closeCollection", "", "exportLabels", "importLabels", "", "modelManager", "", "quit"});
  add(menuBar()->addMenu(tr("&Edit")), {"undo", "redo"});
  add(menuBar()->addMenu(tr("&View")),
      {"zoomIn", "zoomOut", "zoomFit", "zoomActual", "", "cycleOverlay", "opacityUp", "opacityDown", "heatMap", "", "focusBrowser",
       "sortByScore", "", "showClusters"});
  add(menuBar()->addMenu(tr("&Query")), {"queryHovered", "rerunQuery", "", "acceptResult", "rejectResult", "nextResult",
                                         "previousResult", "", "findMore", "uncertainFirst"});
  QMenu* labels = menuBar()->addMenu(tr("&Labels"));
  add(labels, {"newClass", "renameClass", "classColor", "", "assignClass", "deleteLabel", "mergeRegions", "paintRegions",
               "clearSelection"});
  QMenu* classes = labels->addMenu(tr("Select &class"));
  for (int k = 1; k <= 9; ++k) classes->addAction(action(QStringLiteral("selectClass%1").arg(k)));
  add(menuBar()->addMenu(tr("&Jobs")), {"cancelIngest", "resumeIngest", "", "autoLabel", "cancelAutoLabel"});
  add(menuBar()->addMenu(tr("&Help")), {"shortcuts", "about"});

  // Short button labels that teach the keys (menus show the full text).
  const std::pair<const char*, QString> buttons[] = {
      {"acceptResult", tr("✓ Accept (A)")}, {"rejectResult", tr("✗ Reject (X)")},   {"findMore", tr("Find more")},
      {"heatMap", tr("Heat map (H)")},      {"newClass", tr("New (N)")},            {"renameClass", tr("Rename (F2)")},
      {"classColor", tr("Colour (C)")},     {"assignClass", tr("Label (L)")},       {"deleteLabel", tr("Delete (Del)")},
      {"mergeRegions", tr("Merge (M)")},    {"paintRegions", tr("Paint regions (B)")}};
  for (const auto& [name, text] : buttons) action(QString::fromLatin1(name))->setIconText(text);
  results_->setActions(action("acceptResult"), action("rejectResult"), action("findMore"), action("heatMap"));
  labels_->setClassActions({action("newClass"), action("renameClass"), action("classColor")});
  labels_->setLabelActions({action("assignClass"), action("deleteLabel"), action("mergeRegions"), action("paintRegions")});
  updateRecentMenu();
}

void MainWindow::updateActionStates() {
  const bool open = session_ != nullptr;
  const bool running = ingestRunning();
  for (const char* name : {"closeCollection", "newClass", "renameClass", "classColor", "assignClass", "deleteLabel", "mergeRegions",
                           "paintRegions", "queryHovered", "acceptResult", "rejectResult", "rerunQuery", "findMore", "uncertainFirst", "showClusters", "exportLabels",
                           "importLabels"}) {
    action(QString::fromLatin1(name))->setEnabled(open);
  }
  action(QStringLiteral("autoLabel"))->setEnabled(open && !autoLabelRunning());
  action(QStringLiteral("cancelAutoLabel"))->setEnabled(autoLabelRunning());
  action(QStringLiteral("cancelIngest"))->setEnabled(running);
  action(QStringLiteral("resumeIngest"))->setEnabled(open && !running);
}

void MainWindow::showShortcuts() {
  ShortcutsDialog dialog(actions_, this);
  dialog.exec();
}

}  // namespace regionlab::ui
