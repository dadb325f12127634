// The main window's learning and exchange: the concept's classifier (retrained on every ✓/✗,
// "find more"), semantic auto-labeling as a job, label export/import and the model manager.
// The work is learning's and formats' (ConceptSession, AutoLabelJob, core/io, core/models); this
// file only starts it off the GUI thread and shows what it reports.
#include <QAction>
#include <QFuture>

#include <chrono>
#include <unordered_set>

#include <QMessageBox>
#include <QStatusBar>
#include <QtConcurrent/QtConcurrentRun>

#include "core/base/error.h"
#include "core/learning/auto_label_job.h"
#include "core/models/model_store.h"
#include "core/storage/database.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/label_exchange_dialog.h"
#include "ui/labels/label_service.h"
#include "ui/model_manager_dialog.h"
#include "ui/results/result_reranking.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {
namespace {

const QString kAutoLabelJob = QStringLiteral("auto-label");
// Results a classifier page holds: the top of its ranking compared with the list shown, and
// what "find more" adds at a time.
constexpr size_t kConceptPage = 20;

}  // namespace

void MainWindow::createLearningActions() {
  connect(action(QStringLiteral("findMore")), &QAction::triggered, this, &MainWindow::findMore);
  QAction* uncertain = makeAction("uncertainFirst", tr("&Uncertain results first"), QKeySequence(Qt::Key_U),
                                  tr("Order the results by closeness to the classifier's decision boundary (active learning)"));
  uncertain->setCheckable(true);
  connect(uncertain, &QAction::toggled, this,
          [this](bool on) { results_->setRankingMode(on ? RankingMode::Uncertainty : RankingMode::Score); });
  connect(results_, &ResultsPanel::rankingModeChanged, this, [this](RankingMode mode) {
    action(QStringLiteral("uncertainFirst"))->setChecked(mode == RankingMode::Uncertainty);
    rerankResults(kConceptPage, SIZE_MAX);
  });
  connect(makeAction("autoLabel", tr("&Auto-label the collection"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                     tr("Train a region classifier on the user labels (two classes or more) and label every image")),
          &QAction::triggered, this, &MainWindow::startAutoLabel);
  connect(makeAction("cancelAutoLabel", tr("Cancel auto-&labeling"), QKeySequence()), &QAction::triggered, this, [this] {
    if (auto_label_) auto_label_->job->cancel();
  });
  connect(action(QStringLiteral("exportLabels")), &QAction::triggered, this, [this] { showLabelExchange(true); });
  connect(action(QStringLiteral("importLabels")), &QAction::triggered, this, [this] { showLabelExchange(false); });
  connect(makeAction("modelManager", tr("&Models…"), QKeySequence(), tr("Checkpoints: download, import, verify, use for this collection")),
          &QAction::triggered, this, &MainWindow::showModelManager);
}

void MainWindow::connectLearning() {
  LabelService* labels = session_->labels();
  connect(labels, &LabelService::classifierTrained, this, &MainWindow::onClassifierTrained);
  connect(labels, &LabelService::conceptPageReady, this, &MainWindow::onConceptPage);
}

void MainWindow::onClassifierTrained(int sequence, const TrainingReport& report) {
  ResultsModel* model = results_->model();
  if (!session_ || !model->results() || model->sequence() != sequence) return;
  if (!report.error.empty()) {
    results_->setClassifierStatus(tr("Classifier training failed: %1").arg(QString::fromStdString(report.error)));
    return;
  }
  if (report.version == 0) return;  // superseded by a newer verdict's training
  classifier_version_ = report.version;
  last_training_ = report;
  results_->setClassifierStatus(tr("Classifier v%1 retrained on %2 ✓ / %3 ✗ (+%4 weak negatives) in %5 ms; comparing its ranking…")
                                    .arg(report.version)
                                    .arg(report.positives)
                                    .arg(report.negatives)
                                    .arg(report.weak_negatives)
                                    .arg(report.train_seconds * 1000.0, 0, 'f', 0));
  emit classifierTrained(report.version);
  rerankResults(kConceptPage, SIZE_MAX);
}

void MainWindow::rerankResults(size_t depth, size_t max_new) {
  ResultsModel* model = results_->model();
  if (!session_ || !model->results()) return;
  const RankingMode mode = results_->rankingMode();
  if (mode == RankingMode::Uncertainty && classifier_version_ == 0) {
    results_->setClassifierStatus(tr("Uncertain first needs a classifier: accept or reject a result (A / X) to train one."));
    return;
  }
  // The list as shown now, rescored on the database thread by the concept's newest ranking.
  const auto shown = model->results();
  const int sequence = shown->sequence;
  session_->labels()->readConcept(
      shown->record,
      [sequence, items = shown->items, judged = model->judgedRegions(), mode, depth, max_new](const ConceptSession& concept_session,
                                                                                              Database& db) {
        return regionlab::ui::rerankResults(concept_session, db, sequence, items, judged, mode, depth, max_new);
      },
      [this](const Outcome<Reranking>& outcome) {
        if (!outcome.ok()) {
          results_->setClassifierStatus(tr("Re-ranking failed: %1").arg(outcome.error));
          return;
        }
        onReranked(*outcome.value);
      });
}

void MainWindow::onReranked(const Reranking& reranking) {
  const auto change = results_->applyReranking(reranking);
  if (!change) return;  // another query is shown now
  const bool uncertain = reranking.mode == RankingMode::Uncertainty;
  QString text = reranking.classifier_version > 0 && last_training_.version > 0
                     ? tr("Classifier v%1 retrained on %2 ✓ / %3 ✗")
                           .arg(reranking.classifier_version)
                           .arg(last_training_.positives)
                           .arg(last_training_.negatives)
                     : tr("Ranked by the %1").arg(reranking.ranker);
  text += (change->moved == 1 ? tr(" · 1 result moved") : tr(" · %1 results moved").arg(change->moved)) +
          tr(" · top-%1 changed %2").arg(kConceptPage).arg(change->top_changed);
  if (change->added > 0) text += tr(" · %1 new").arg(change->added);
  if (uncertain) text += tr(" · uncertain first");
  results_->setClassifierStatus(text);
  emit resultsReranked(change->moved, change->top_changed, change->added);
}

void MainWindow::findMore() {
  ResultsModel* model = results_->model();
  if (!session_ || !model->results()) return;
  if (results_->rankingMode() == RankingMode::Uncertainty && classifier_version_ > 0) {
    // Uncertain first: the next results nearest the boundary join the list, which stays in
    // that order.
    rerankResults(size_t(model->rowCount()) + kConceptPage, kConceptPage);
    return;
  }
  // The concept's ranking of unjudged images, deep enough to reach past what is listed.
  session_->labels()->requestConceptPage(model->results()->record, model->sequence(), 0,
                                         size_t(model->rowCount()) + kConceptPage);
}

void MainWindow::onConceptPage(const ConceptPage& page) {
  ResultsModel* model = results_->model();
  if (!session_ || !model->results() || model->sequence() != page.sequence) return;
  std::unordered_set<int64_t> listed;
  for (const ResultItem& item : model->results()->items) listed.insert(item.image_id);
  std::vector<ResultItem> fresh;
  for (const ResultItem& item : page.items) {
    if (!listed.contains(item.image_id)) fresh.push_back(item);
  }
  const QString ranker = page.ranker == QStringLiteral("classifier") ? tr("classifier v%1").arg(page.classifier_version) : tr("query");
  if (fresh.size() > kConceptPage) fresh.resize(kConceptPage);
  model->appendResults(page.sequence, fresh, page.ranker, page.classifier_version);
  results_->updateSummary();
  statusBar()->showMessage(fresh.empty() ? tr("No more results (%1 ranked by the %2)").arg(page.total).arg(ranker)
                                         : tr("%1 more results, ranked by the %2").arg(fresh.size()).arg(ranker),
                           6000);
  emit moreResultsShown(int(fresh.size()));
}

bool MainWindow::autoLabelRunning() const { return auto_label_ != nullptr; }

void MainWindow::startAutoLabel() {
  if (!session_ || auto_label_) return;
  auto run = std::make_unique<AutoLabelRun>();
  run->job = std::make_shared<AutoLabelJob>(session_->paths().root);
  JobRow* row = jobs_->startJob(kAutoLabelJob, tr("Auto-label"));
  connect(row, &JobRow::cancelRequested, this, [this] {
    if (auto_label_) auto_label_->job->cancel();
  });
  row->setBusy(tr("training the region classifier on the user labels…"));
  // Progress is posted to this window; stopAutoLabel() waits for the job before the window or
  // the collection goes, and posted events die with their receiver.
  const auto started = std::chrono::steady_clock::now();
  run->job->setProgressCallback([this, started](const AutoLabelProgress& p) {
    QMetaObject::invokeMethod(this, [this, p, started] {
      JobRow* r = jobs_->job(kAutoLabelJob);
      if (!r) return;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double rate = seconds > 0 ? double(p.finished) / seconds : 0;
      r->setProgress(p.finished, p.total, rate, rate > 0 ? double(p.total - p.finished) / rate : -1, QString::fromStdString(p.current));
      if (!p.error.empty()) jobs_->addFailures(tr("auto-label"), {{QString::fromStdString(p.current), QString::fromStdString(p.error)}});
    }, Qt::QueuedConnection);
  });
  // `done` is the job itself, not the continuation: stopAutoLabel() waits for it on the GUI
  // thread, where the continuation would have to run.
  run->done = QtConcurrent::run([job = run->job] { return guarded([&] { return job->run(); }); });
  run->done.then(this, [this](const Outcome<AutoLabelReport>& outcome) { onAutoLabelFinished(outcome); });
  auto_label_ = std::move(run);
  updateActionStates();
}

void MainWindow::onAutoLabelFinished(const Outcome<AutoLabelReport>& outcome) {
  auto_label_.reset();  // (already gone when stopAutoLabel() waited for it)
  updateActionStates();
  JobRow* row = jobs_->job(kAutoLabelJob);
  bool completed = false;
  if (!outcome.ok()) {
    if (row) row->finish(tr("Failed: %1").arg(outcome.error));
    statusBar()->showMessage(tr("Auto-labeling failed: %1").arg(outcome.error), 10000);
  } else {
    const AutoLabelReport& r = *outcome.value;
    completed = !r.cancelled;
    const QString text = tr("%1 %2 images, %3 masks, %4 classes (%5 training regions); %6 failed")
                             .arg(r.cancelled ? tr("Cancelled after") : tr("Labeled"))
                             .arg(r.images_labeled)
                             .arg(r.masks_written)
                             .arg(r.classes.size())
                             .arg(r.training_regions)
                             .arg(r.failed.size());
    if (row) row->finish(text);
    statusBar()->showMessage(text, 8000);
  }
  if (session_) {
    // Automatic labels are new regions: the shown image is read again, the grid's classes too.
    session_->labels()->loadClassesByImage();
    session_->labels()->reloadClasses();
    if (viewer_->document()) openImage(viewer_->document()->path);
  }
  emit autoLabelFinished(completed);
}

void MainWindow::stopAutoLabel() {
  if (!auto_label_) return;
  auto_label_->job->cancel();
  auto_label_->done.waitForFinished();
  auto_label_.reset();
}

void MainWindow::showLabelExchange(bool exporting) {
  if (!session_) return;
  LabelExchangeDialog dialog(exporting ? LabelExchangeDialog::Mode::Export : LabelExchangeDialog::Mode::Import, session_->paths().root,
                             this);
  dialog.exec();
  if (!exporting && session_) {
    session_->labels()->reloadClasses();
    session_->labels()->loadClassesByImage();
    if (viewer_->document()) openImage(viewer_->document()->path);
  }
}

void MainWindow::showModelManager() {
  try {
    ModelManagerDialog dialog(ModelStore::openDefault(), session_ ? session_->paths().root : std::filesystem::path(), this);
    bool changed = false;
    connect(&dialog, &ModelManagerDialog::modelsChanged, this, [&changed] { changed = true; });
    dialog.exec();
    if (changed && session_) onModelsChosen();
  } catch (const Error& e) {
    QMessageBox::warning(this, tr("Models"), QString::fromStdString(e.what()));
  }
}

}  // namespace regionlab::ui
