#include "ui/window/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPixmapCache>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTimer>

#include <utility>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/pipeline/collection_status.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/thumbnail_delegate.h"
#include "ui/clusters/cluster_page.h"
#include "ui/ingest/ingest_runner.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/query/query_service.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"

namespace regionlab::ui {
namespace {

constexpr int kRecentCollections = 8;
const QString kIngestJob = QStringLiteral("ingest");

QDockWidget* makeDock(QMainWindow* window, const QString& name, const QString& title, QWidget* content) {
  auto* dock = new QDockWidget(title, window);
  dock->setObjectName(name);  // saveState() keys the layout by object name
  dock->setWidget(content);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
  return dock;
}

}  // namespace

MainWindow::MainWindow(MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      settings_(options_.settings_file.isEmpty() ? std::make_unique<QSettings>()
                                                 : std::make_unique<QSettings>(options_.settings_file, QSettings::IniFormat)),
      undo_(new QUndoStack(this)),
      browser_(new CollectionBrowser(this)),
      viewer_(new ImageViewer(this)),
      results_(new ResultsPanel(this)),
      labels_(new LabelsPanel(this)),
      jobs_(new JobsPanel(this)) {
  setObjectName(QStringLiteral("mainWindow"));
  // Tiles of a large image at a few zoom levels (the default 10 MB holds ten).
  QPixmapCache::setCacheLimit(std::max(QPixmapCache::cacheLimit(), 96 * 1024));
  setCentralWidget(buildViewerArea());
  buildDocks();
  createActions();
  createMenus();
  buildStatusBar();
  connectLabels();
  createSamActions();

  connect(browser_, &CollectionBrowser::imageActivated, this, &MainWindow::openImage);
  connect(viewer_, &ImageViewer::regionClicked, this, [this](qint64 region_id, QPointF) { queryRegion(region_id); });
  connect(viewer_, &ImageViewer::hoveredRegionChanged, this, [this](qint64 id, qint64 area) {
    // The hint follows the viewer's tool: a click means something else in each.
    auto checked = [this](const char* name) {
      const QAction* tool = action(QString::fromLatin1(name));
      return tool && tool->isChecked();
    };
    const QString hint = checked("samPrompt")      ? tr("click adds a SAM point, Shift+click excludes, Enter uses the mask")
                         : checked("paintRegions") ? tr("drag: left button adds whole regions to the class, right button removes them")
                         : checked("brushMask")    ? tr("left button adds to the mask, right button erases")
                                                   : tr("click to find similar objects");
    if (id) statusBar()->showMessage(tr("Region %1: %2 pixels — %3").arg(id).arg(area).arg(hint));
    else statusBar()->clearMessage();
  });
  connect(viewer_, &ImageViewer::zoomChanged, this, [this](double zoom) { zoom_label_->setText(tr("%1 %").arg(zoom * 100.0, 0, 'f', 0)); });
  connect(results_, &ResultsPanel::currentResultChanged, this, &MainWindow::showResult);

  restoreSettings();
  updateTitle();
  updateActionStates();
}

MainWindow::~MainWindow() {
  stopAutoLabel();
  delete cluster_page_;  // waits for its clustering
  undo_->clear();  // commands refer to the session's services
  delete session_;
}

QWidget* MainWindow::buildViewerArea() {
  auto* area = new QWidget(this);
  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(4, 2, 4, 2);
  overlay_box_ = new QComboBox(area);
  overlay_box_->setObjectName(QStringLiteral("overlayMode"));
  overlay_box_->addItems({tr("Outlines"), tr("Tinted fills"), tr("No regions")});
  opacity_slider_ = new QSlider(Qt::Horizontal, area);
  opacity_slider_->setObjectName(QStringLiteral("overlayOpacity"));
  opacity_slider_->setRange(0, 100);
  opacity_slider_->setValue(60);
  opacity_slider_->setMaximumWidth(140);
  bar->addWidget(new QLabel(tr("Regions:"), area));
  bar->addWidget(overlay_box_);
  bar->addWidget(new QLabel(tr("Opacity:"), area));
  bar->addWidget(opacity_slider_);
  bar->addStretch(1);
  auto* layout = new QVBoxLayout(area);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(bar);
  layout->addWidget(viewer_, 1);
  connect(overlay_box_, &QComboBox::currentIndexChanged, this, [this](int index) { viewer_->setOverlayMode(OverlayMode(index)); });
  connect(opacity_slider_, &QSlider::valueChanged, this, [this](int value) { viewer_->setOverlayOpacity(value / 100.0); });
  return area;
}

void MainWindow::buildDocks() {
  setDockNestingEnabled(true);
  auto* browser = makeDock(this, QStringLiteral("browserDock"), tr("Collection"), browser_);
  auto* results = makeDock(this, QStringLiteral("resultsDock"), tr("Results"), results_);
  auto* labels = makeDock(this, QStringLiteral("labelsDock"), tr("Labels"), labels_);
  auto* jobs = makeDock(this, QStringLiteral("jobsDock"), tr("Jobs"), jobs_);
  auto* history = makeDock(this, QStringLiteral("historyDock"), tr("History"), new QUndoView(undo_, this));
  addDockWidget(Qt::LeftDockWidgetArea, browser);
  addDockWidget(Qt::RightDockWidgetArea, results);
  addDockWidget(Qt::RightDockWidgetArea, labels);
  addDockWidget(Qt::BottomDockWidgetArea, jobs);
  addDockWidget(Qt::RightDockWidgetArea, history);
  tabifyDockWidget(labels, history);
  labels->raise();
}

void MainWindow::applyDefaultDockSizes() {
  // The viewer gets most of the window; the grid shows two columns of thumbnails.
  const auto dock = [this](const char* name) { return findChild<QDockWidget*>(QString::fromLatin1(name)); };
  resizeDocks({dock("browserDock"), dock("resultsDock")}, {width() * 23 / 100, width() * 30 / 100}, Qt::Horizontal);
  resizeDocks({dock("resultsDock"), dock("labelsDock")}, {height() * 45 / 100, height() * 30 / 100}, Qt::Vertical);
  resizeDocks({dock("jobsDock")}, {height() * 12 / 100}, Qt::Vertical);
}

void MainWindow::buildStatusBar() {
  zoom_label_ = new QLabel(this);
  zoom_label_->setObjectName(QStringLiteral("zoomLabel"));
  ingest_label_ = new QLabel(this);
  ingest_label_->setObjectName(QStringLiteral("ingestLabel"));
  models_label_ = new QLabel(this);
  models_label_->setObjectName(QStringLiteral("modelsLabel"));
  models_label_->setTextFormat(Qt::RichText);
  models_label_->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
  connect(models_label_, &QLabel::linkActivated, this, [this](const QString& link) {
    if (link == QStringLiteral("reingest")) reingest(); else emit modelManagerRequested();
  });
  connect(this, &MainWindow::modelManagerRequested, this, &MainWindow::showModelManager);
  statusBar()->addPermanentWidget(ingest_label_);
  statusBar()->addPermanentWidget(zoom_label_);
  statusBar()->addPermanentWidget(models_label_);
  models_label_->setText(tr("No collection open"));
}

QAction* MainWindow::action(const QString& name) const {
  for (QAction* a : actions_) {
    if (a->objectName() == name) return a;
  }
  return nullptr;
}

CollectionSession* MainWindow::session() const { return session_; }

bool MainWindow::ingestRunning() const { return session_ && session_->ingest()->isRunning(); }

std::optional<int64_t> MainWindow::currentClass() const { return labels_->currentClass(); }

void MainWindow::restoreSettings() {
  if (!restoreGeometry(settings_->value(QStringLiteral("window/geometry")).toByteArray())) resize(1500, 950);
  default_layout_pending_ = !restoreState(settings_->value(QStringLiteral("window/state")).toByteArray());
  overlay_box_->setCurrentIndex(settings_->value(QStringLiteral("viewer/overlayMode"), 0).toInt());
  opacity_slider_->setValue(settings_->value(QStringLiteral("viewer/overlayOpacity"), 60).toInt());
  updateRecentMenu();
}

void MainWindow::saveSettings() {
  settings_->setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings_->setValue(QStringLiteral("window/state"), saveState());
  settings_->setValue(QStringLiteral("viewer/overlayMode"), overlay_box_->currentIndex());
  settings_->setValue(QStringLiteral("viewer/overlayOpacity"), opacity_slider_->value());
  settings_->sync();
}

void MainWindow::rememberCollection(const QString& folder) {
  QStringList recent = settings_->value(QStringLiteral("collections/recent")).toStringList();
  recent.removeAll(folder);
  recent.prepend(folder);
  while (recent.size() > kRecentCollections) recent.removeLast();
  settings_->setValue(QStringLiteral("collections/recent"), recent);
  settings_->setValue(QStringLiteral("collections/last"), folder);
  updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  const QStringList recent = settings_->value(QStringLiteral("collections/recent")).toStringList();
  for (const QString& folder : recent) {
    recent_menu_->addAction(folder, this, [this, folder] { openCollection(folder); });
  }
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::reopenLastCollection() {
  if (!options_.reopen_last_collection) return;
  const QString last = settings_->value(QStringLiteral("collections/last")).toString();
  if (!last.isEmpty() && QFileInfo(last).isDir()) openCollection(last);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  // Dock sizes apply once the window is laid out at its size.
  if (std::exchange(default_layout_pending_, false)) QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  closeCollection();
  event->accept();
}

void MainWindow::updateTitle() {
  setWindowTitle(session_ ? tr("%1 — RegionLab").arg(session_->displayName()) : tr("RegionLab"));
}

void MainWindow::openCollection(const QString& folder) {
  const QFileInfo info(folder);
  if (!info.isDir()) {
    QMessageBox::warning(this, tr("Open collection"), tr("%1: not a folder").arg(folder));
    return;
  }
  closeCollection();
  const QString absolute = info.absoluteFilePath();
  session_ = new CollectionSession(absolute.toStdString(), this);
  rememberCollection(absolute);
  browser_->setModel(session_->model());
  connectSession();
  connectLearning();
  startSam();
  connectJobs();
  models_label_->setText(tr("Models: resolving…"));
  updateTitle();
  updateActionStates();

  QPointer<CollectionSession> session = session_;
  session_->listImages().then(this, [this, session](const Outcome<std::vector<CollectionEntry>>& listing) {
    if (session != session_) return;  // another collection was opened meanwhile
    if (!listing.ok()) {
      jobs_->addFailures(tr("open"), {{QString::fromStdString(session_->paths().root.string()), listing.error}});
      return;
    }
    session_->model()->setEntries(*listing.value);
    emit collectionListed(int(listing.value->size()));
    if (session_->paths().hasDatabase()) requestEngine();
    session_->labels()->reloadClasses();
    startIngest();
  });
}

void MainWindow::closeCollection() {
  if (!session_) return;
  stopAutoLabel();
  stopSam();
  delete cluster_page_;  // waits for its clustering
  undo_->clear();
  viewer_->clearDocument();
  viewer_->clearQueryShape();
  results_->showResults(nullptr);
  results_->model()->setThumbnails(nullptr, {});
  labels_->clearImageLabels();
  labels_->setClasses({});
  browser_->setModel(nullptr);
  browser_->setClasses({});
  browser_->delegate()->setClassColors({});
  delete session_;  // stops the ingest, waits for work in flight
  engine_ready_ = false;
  engine_requested_ = false;
  models_changed_ = false;
  pending_document_.clear();
  doc_user_classes_.clear();
  ingest_label_->clear();
  models_label_->setText(tr("No collection open"));
  updateTitle();
  updateActionStates();
}

void MainWindow::requestEngine() {
  if (!session_ || engine_ready_ || engine_requested_) return;
  engine_requested_ = true;
  session_->queries()->open();
}

void MainWindow::startIngest() {
  if (!session_ || session_->ingest()->isRunning()) return;
  JobRow* row = jobs_->startJob(kIngestJob, tr("Ingest"));
  row->setBusy(tr("scanning %1…").arg(session_->displayName()));
  connect(row, &JobRow::cancelRequested, session_->ingest(), &IngestRunner::cancel);
  // The index is built by a job of its own when the ingest has finished (main_window_jobs.cpp).
  IngestOptions ingest = options_.ingest;
  ingest.update_index = false;
  ingest_models_generation_ = models_generation_;
  session_->ingest()->start(session_->paths().root, ingest);
  updateActionStates();
}

void MainWindow::onImagesCommitted(const std::vector<ImageEvent>& events) {
  session_->model()->applyImageEvents(events);
  std::vector<JobsPanel::Failure> failures;
  for (const ImageEvent& e : events) {
    if (!e.ok) failures.push_back({QString::fromStdString(e.path), QString::fromStdString(e.reason)});
  }
  if (!failures.empty()) jobs_->addFailures(tr("ingest"), failures);
  // Queries from now on see the new images; the engine opens with the first committed image.
  session_->queries()->markStale();
  requestEngine();
}

void MainWindow::onIngestProgress(const IngestProgress& p) {
  JobRow* row = jobs_->job(kIngestJob);
  const int64_t done = p.finished + p.skipped;
  if (row) {
    if (done >= p.total) {
      row->setBusy(tr("summarising the collection…"));
    } else {
      QString detail = QString::fromStdString(p.current);
      if (p.failed) detail = tr("%1 failed · %2").arg(p.failed).arg(detail);
      row->setProgress(done, p.total, p.images_per_second, p.eta_seconds, detail);
    }
  }
  ingest_label_->setText(tr("Ingest %1/%2").arg(done).arg(p.total));
}

void MainWindow::onIngestFinished(const IngestOutcome& outcome) {
  JobRow* row = jobs_->job(kIngestJob);
  bool completed = false;
  if (!outcome.report) {
    if (row) row->finish(tr("failed: %1").arg(outcome.error));
    jobs_->addFailures(tr("ingest"), {{session_->displayName(), outcome.error}});
    ingest_label_->setText(tr("Ingest failed"));
  } else {
    const IngestReport& r = *outcome.report;
    const QString summary = tr("%1 ingested, %2 already done, %3 failed, %4 regions in %5")
                                .arg(r.ingested)
                                .arg(r.skipped)
                                .arg(r.failed.size())
                                .arg(r.regions)
                                .arg(formatDuration(r.seconds));
    if (row) row->finish(r.cancelled ? tr("cancelled — %1 (resume with Jobs ▸ Resume ingest)").arg(summary) : summary);
    std::vector<JobsPanel::Failure> failures;
    for (const IngestFailure& f : r.failed) failures.push_back({QString::fromStdString(f.path), QString::fromStdString(f.reason)});
    if (!failures.empty()) jobs_->addFailures(tr("ingest"), failures);
    ingest_label_->setText(r.cancelled ? tr("Ingest cancelled") : tr("%1 images ingested").arg(r.done));
    completed = !r.cancelled;
  }
  session_->queries()->markStale();
  requestEngine();
  updateActionStates();
  if (completed) startIndexBuild();
  emit ingestFinished(completed);
}

}  // namespace regionlab::ui
