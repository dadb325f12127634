// The main window's SAM prompt mode: finding the collection's click-to-mask model, the mode's
// action (S), the busy indicator while an image encodes, and what Enter does with the mask —
// a query by mask (QueryEngine, as `regionlab-cli query --mask`) and, with a class selected, a
// label (the mask stored as a user region of that class: ui/labels/mask_label_command.h).
#include <QAction>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenuBar>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <QtConcurrent/QtConcurrentRun>

#include "core/pipeline/active_models.h"
#include "core/storage/database.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/labels/mask_label_command.h"
#include "ui/query/query_service.h"
#include "ui/results/results_panel.h"
#include "ui/sam/sam_prompt_controller.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {

void MainWindow::createSamActions() {
  sam_ = new SamPromptController(viewer_, this);
  QAction* mode = makeAction("samPrompt", tr("&SAM prompt mode"), QKeySequence(Qt::Key_S));
  mode->setCheckable(true);
  mode->setIconText(tr("SAM (S)"));
  connect(mode, &QAction::triggered, this, [this](bool on) {
    if (!on) sam_auto_enable_ = false;  // the user's choice holds for the session
  });
  connect(mode, &QAction::toggled, this, [this](bool on) {
    // The other left-button tools go off first (their handlers reset the viewer's click mode).
    if (on) {
      for (const char* other : {"paintRegions", "brushMask"}) {
        QAction* tool = action(QString::fromLatin1(other));
        if (tool && tool->isChecked()) tool->setChecked(false);
      }
    }
    sam_->setActive(on);
  });
  QAction* split = makeAction("splitRegionWithSam", tr("S&plit region with the SAM mask"), QKeySequence(Qt::SHIFT | Qt::Key_S),
                              tr("Cut the selected region (Ctrl+click) — or the one under the first SAM point — along the SAM mask"));
  split->setIconText(tr("Split (Shift+S)"));
  connect(split, &QAction::triggered, this, &MainWindow::splitRegionWithSam);
  setSamAvailable(false, tr("no collection open"));

  connect(viewer_, &ImageViewer::promptAccepted, this, &MainWindow::useSamMask);
  connect(sam_, &SamPromptController::busyChanged, this, [this](bool busy) { sam_busy_->setVisible(busy); });
  connect(sam_, &SamPromptController::modelReady, this, [this](const QString& description) {
    statusBar()->showMessage(tr("SAM ready: %1").arg(description), 6000);
    setSamAvailable(true, {});
  });
  connect(sam_, &SamPromptController::modelFailed, this, [this](const QString& reason) { setSamAvailable(false, reason); });
  connect(sam_, &SamPromptController::imageEncoded, this, [this](qint64, double seconds, bool cached) {
    statusBar()->showMessage(cached ? tr("SAM: image embedding taken from the cache") : tr("SAM: image encoded in %1 s").arg(seconds, 0, 'f', 1), 5000);
  });
  connect(sam_, &SamPromptController::promptFailed, this, [this](const QString& reason) {
    statusBar()->showMessage(tr("SAM: %1").arg(reason), 8000);
  });

  sam_busy_ = new QProgressBar(this);
  sam_busy_->setObjectName(QStringLiteral("samBusy"));
  sam_busy_->setRange(0, 0);  // busy: the encoder reports no progress
  sam_busy_->setMaximumWidth(90);
  sam_busy_->setMaximumHeight(14);
  sam_busy_->setTextVisible(false);
  sam_busy_->setToolTip(tr("SAM is loading its model or encoding the image (prompts wait for it)"));
  sam_busy_->hide();
  statusBar()->insertPermanentWidget(0, sam_busy_);

  // The mode's button beside the viewer's overlay controls, its entries in the menus, and the
  // split button in the labels panel.
  if (auto* area = qobject_cast<QVBoxLayout*>(centralWidget()->layout())) {
    if (auto* bar = qobject_cast<QHBoxLayout*>(area->itemAt(0)->layout())) {
      auto* button = new QToolButton(centralWidget());
      button->setObjectName(QStringLiteral("samPromptButton"));
      button->setDefaultAction(mode);
      button->setToolButtonStyle(Qt::ToolButtonTextOnly);
      bar->insertWidget(bar->count() - 1, button);
    }
  }
  for (QAction* entry : menuBar()->actions()) {
    if (!entry->menu()) continue;
    if (entry->text() == tr("&Query")) {
      entry->menu()->addSeparator();
      entry->menu()->addAction(mode);
    } else if (entry->text() == tr("&Labels")) {
      entry->menu()->insertAction(action(QStringLiteral("clearSelection")), split);
    }
  }
  createBrushActions();
  labels_->setLabelActions({action(QStringLiteral("assignClass")), action(QStringLiteral("deleteLabel")),
                            action(QStringLiteral("mergeRegions")), action(QStringLiteral("paintRegions")), split,
                            action(QStringLiteral("brushMask"))});
}

void MainWindow::createBrushActions() {
  QAction* brush = makeAction("brushMask", tr("Mask &brush"), QKeySequence(Qt::Key_D),
                              tr("Draw on a mask label: left button adds, right button erases (the selected region, else the one "
                                 "under the stroke; on nothing, a new mask of the current class)"));
  brush->setCheckable(true);
  brush->setIconText(tr("Brush (D)"));
  // One left-button tool at a time: region painting, SAM prompts, the brush.
  const QStringList tools = {QStringLiteral("paintRegions"), QStringLiteral("samPrompt"), QStringLiteral("brushMask")};
  for (const QString& name : tools) {
    connect(action(name), &QAction::toggled, this, [this, name, tools](bool on) {
      if (!on) {
        if (name == QStringLiteral("brushMask") && viewer_->clickMode() == ImageViewer::ClickMode::BrushMask) {
          viewer_->setClickMode(ImageViewer::ClickMode::Query);
        }
        return;
      }
      for (const QString& other : tools) {
        if (other != name && action(other)->isChecked()) action(other)->setChecked(false);
      }
      if (name == QStringLiteral("brushMask")) viewer_->setClickMode(ImageViewer::ClickMode::BrushMask);
      if (name == QStringLiteral("paintRegions")) viewer_->setClickMode(ImageViewer::ClickMode::PaintRegions);
    });
  }
  connect(makeAction("brushLarger", tr("Larger brush"), QKeySequence(Qt::Key_Period)), &QAction::triggered, this, [this] {
    viewer_->setBrushRadius(viewer_->brushRadius() * 1.25);
    statusBar()->showMessage(tr("Brush radius %1 px").arg(viewer_->brushRadius(), 0, 'f', 0), 2000);
  });
  connect(makeAction("brushSmaller", tr("Smaller brush"), QKeySequence(Qt::Key_Comma)), &QAction::triggered, this, [this] {
    viewer_->setBrushRadius(viewer_->brushRadius() / 1.25);
    statusBar()->showMessage(tr("Brush radius %1 px").arg(viewer_->brushRadius(), 0, 'f', 0), 2000);
  });
  connect(viewer_, &ImageViewer::brushStroke, this, &MainWindow::brushMask);
  for (QAction* entry : menuBar()->actions()) {
    if (entry->menu() && entry->text() == tr("&Labels")) {
      for (const char* name : {"brushMask", "brushLarger", "brushSmaller"}) {
        entry->menu()->insertAction(action(QStringLiteral("clearSelection")), action(QString::fromLatin1(name)));
      }
    }
  }
}

void MainWindow::brushMask(const std::vector<QPointF>& points, double radius, bool add) {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id || points.empty()) return;
  // The stroke on the region grid (scene pixels): a line of the brush's width with round ends,
  // as drawn while dragging.
  cv::Mat stroke(doc->size.height(), doc->size.width(), CV_8U, cv::Scalar(0));
  const int thickness = std::max(1, int(std::lround(2 * radius)));
  const auto pixel = [](QPointF p) { return cv::Point(int(std::floor(p.x())), int(std::floor(p.y()))); };
  cv::circle(stroke, pixel(points.front()), int(std::lround(radius)), cv::Scalar(1), cv::FILLED);
  for (size_t k = 1; k < points.size(); ++k) cv::line(stroke, pixel(points[k - 1]), pixel(points[k]), cv::Scalar(1), thickness);
  Region region = makeRegion(encodeMask(stroke));
  if (region.area == 0) return;
  int64_t target = 0;
  if (viewer_->selectedRegions().size() == 1) {
    target = *viewer_->selectedRegions().begin();
  } else {
    const int index = doc->regionAt(points.front().x(), points.front().y());
    // A stroke that starts on a labeled region edits it; elsewhere an added stroke is a new mask.
    if (index >= 0 && doc_user_classes_.contains(doc->regions[size_t(index)].id)) target = doc->regions[size_t(index)].id;
  }
  if (!target && !add) {
    statusBar()->showMessage(tr("Erase: start the stroke on a labeled mask, or select one (Ctrl+click)"), 5000);
    return;
  }
  if (!target && !currentClass()) {
    statusBar()->showMessage(tr("Brush: select a class first (N makes one)"), 5000);
    return;
  }
  undo_->push(new BrushMaskCommand(session_->labels(), doc->image_id, target, std::move(region), add, currentClass()));
}

void MainWindow::setSamAvailable(bool available, const QString& reason) {
  QAction* mode = action(QStringLiteral("samPrompt"));
  mode->setEnabled(available);
  mode->setToolTip(available ? tr("SAM prompt mode (S): click = object, Shift+click = exclude, drag = box, Enter = search with "
                                  "the mask (and label it with the current class), Esc = clear")
                             : tr("SAM prompt mode unavailable: %1").arg(reason));
  if (!available && mode->isChecked()) {
    const bool keep = sam_auto_enable_;
    mode->setChecked(false);
    sam_auto_enable_ = keep;
  }
  if (available && sam_auto_enable_ && !mode->isChecked()) mode->setChecked(true);
  action(QStringLiteral("splitRegionWithSam"))->setEnabled(available);
  emit samAvailabilityChanged(available, reason);
}

void MainWindow::startSam() {
  const std::filesystem::path cache = session_->paths().cache_dir / "sam";
  if (options_.sam_checkpoint) {
    sam_->start(*options_.sam_checkpoint, cache);
    return;  // modelReady or modelFailed follow
  }
  setSamAvailable(false, tr("looking for a SAM checkpoint…"));
  QPointer<CollectionSession> session = session_;
  const CollectionPaths paths = session_->paths();
  using Found = std::pair<std::optional<SamCheckpoint>, std::string>;
  QtConcurrent::run([paths] {
    return guarded([&] {
      std::string generator;
      if (paths.hasDatabase()) {
        generator = Database::open(paths.database, Database::Access::ReadOnly)->readSetting(kRegionGeneratorSetting).value_or("");
      }
      std::string why_not;
      std::optional<SamCheckpoint> found = findSamCheckpoint(generator, &why_not);
      return Found{std::move(found), why_not};
    });
  }).then(this, [this, session, cache](const Outcome<Found>& found) {
    if (session != session_ || !session_) return;  // another collection meanwhile
    if (!found.ok()) {
      setSamAvailable(false, found.error);
    } else if (!found.value->first) {
      setSamAvailable(false, QString::fromStdString(found.value->second));
    } else {
      sam_->start(*found.value->first, cache);
    }
  });
}

void MainWindow::stopSam() {
  sam_->stop();
  setSamAvailable(false, tr("no collection open"));
}

void MainWindow::useSamMask(bool label) {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id) return;
  const std::optional<Region> mask = sam_->maskAtImageResolution();
  if (!mask) {
    statusBar()->showMessage(sam_->waitingForMask() ? tr("SAM is still working on the mask") : tr("No SAM mask yet: click an object first"), 4000);
    return;
  }
  // The query mask stays on screen while the results load.
  viewer_->setQueryShape(doc->image_id, sam_->maskOutlineInScene());
  viewer_->setMatchedRegion(0);
  results_->showSearching(tr("SAM mask on %1").arg(QFileInfo(doc->path).fileName()));
  QueryRequest request;
  request.image_id = doc->image_id;
  request.image_path = doc->path;
  request.mask = *mask;
  session_->queries()->run(request);
  const std::optional<int64_t> cls = label ? currentClass() : std::nullopt;
  if (cls) {
    if (const std::optional<Region> grid = sam_->maskOnRegionGrid()) {
      const ClassRecord* record = session_->labels()->findClass(*cls);
      const QString name = record ? QString::fromStdString(record->name) : QString::number(*cls);
      undo_->push(new AddMaskLabelCommand(session_->labels(), doc->image_id, *grid, *cls, tr("Label SAM mask as %1").arg(name)));
    }
  }
  sam_->clear();
}

void MainWindow::splitRegionWithSam() {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id) return;
  const std::optional<Region> mask = sam_->maskOnRegionGrid();
  if (!mask) {
    statusBar()->showMessage(tr("Split: click the object with SAM first (S turns the prompt mode on)"), 5000);
    return;
  }
  int64_t target = 0;
  if (viewer_->selectedRegions().size() == 1) {
    target = *viewer_->selectedRegions().begin();
  } else if (!sam_->prompt().points.empty()) {
    // The region under the first positive point (scene = region grid; the prompt is in image pixels).
    for (size_t k = 0; k < sam_->prompt().points.size() && !target; ++k) {
      if (sam_->prompt().labels[k] != 1) continue;
      const QSize full = doc->pixels->fullSize();
      const cv::Point2f p = sam_->prompt().points[k];
      const int index = doc->regionAt(p.x * doc->size.width() / full.width(), p.y * doc->size.height() / full.height());
      if (index >= 0) target = doc->regions[size_t(index)].id;
    }
  }
  if (!target) {
    statusBar()->showMessage(tr("Split: select the region to split (Ctrl+click) or click inside it with SAM"), 5000);
    return;
  }
  undo_->push(new SplitRegionCommand(session_->labels(), doc->image_id, target, *mask));
  sam_->clear();
}

}  // namespace regionlab::ui
