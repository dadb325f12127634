// The main window's index job and model changes: after an ingest the region search index is
// built or brought up to date as a job row of its own (progress, rate, time left, Cancel); after
// the user picks other models in the model manager the query engine reopens with them (no
// restart), and the status bar says that existing images keep their old regions until they are
// ingested again, with a "Re-ingest now" link that runs the ingest as a cancellable job.
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

#include "ui/ingest/ingest_runner.h"
#include "ui/jobs/index_build_runner.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/query/query_service.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {
namespace {
const QString kIndexJob = QStringLiteral("index");
}

void MainWindow::connectJobs() {
  // After connectSession's handler, which writes the models label: the notice is appended.
  connect(session_->queries(), &QueryService::engineReady, this, [this](const QString& models, qint64) {
    if (!models_changed_) return;
    // The notice first: the models summary is long and the status bar cuts its end.
    models_label_->setText(tr("Models changed — images ingested before keep their old regions until re-ingested: "
                              "<a href=\"reingest\">Re-ingest now</a> · <a href=\"models\">Manage models…</a> · Models: %1")
                               .arg(models.toHtmlEscaped()));
    models_label_->setToolTip(models);
    emit modelsReloaded(models);
  });
  connect(session_->queries(), &QueryService::engineFailed, this, [this](const QString& reason) {
    if (models_changed_) emit modelsReloaded(tr("failed: %1").arg(reason));
  });
}

void MainWindow::startIndexBuild() {
  if (!session_) return;
  if (!index_build_) {
    // A child of the session: closing the collection cancels the build and waits for it.
    index_build_ = new IndexBuildRunner(session_);
    connect(index_build_, &IndexBuildRunner::progressed, this, [this](qint64 done, qint64 total, double rate, double eta) {
      if (JobRow* row = jobs_->job(kIndexJob)) row->setProgress(done, total, rate, eta, tr("HNSW graph"));
    });
    connect(index_build_, &IndexBuildRunner::finished, this, &MainWindow::onIndexBuildFinished);
  }
  if (index_build_->isRunning()) return;
  index_models_generation_ = ingest_models_generation_;
  JobRow* row = jobs_->startJob(kIndexJob, tr("Search index"));
  row->setUnit(tr("vectors"));
  row->setBusy(tr("reading the region vectors…"));
  connect(row, &JobRow::cancelRequested, index_build_.data(), &IndexBuildRunner::cancel);
  index_build_->start(session_->paths().root);
}

void MainWindow::onIndexBuildFinished(const Outcome<IndexBuildReport>& outcome) {
  JobRow* row = jobs_->job(kIndexJob);
  const bool cancelled = index_build_ && index_build_->cancelRequested();
  if (!outcome.ok()) {
    if (row) row->finish(cancelled ? tr("cancelled — the index is brought up to date at the next ingest") : tr("failed: %1").arg(outcome.error));
    if (!cancelled && session_) jobs_->addFailures(tr("index"), {{QString::fromStdString(session_->paths().index_dir.string()), outcome.error}});
  } else {
    const IndexBuildReport& r = *outcome.value;
    if (row) row->finish(tr("%1 vectors: %2; codes: %3 (%4)").arg(r.vectors).arg(r.maintenance, r.codes, formatDuration(r.seconds)));
  }
  if (session_) {
    session_->queries()->markStale();
    if (outcome.ok() && models_changed_ && index_models_generation_ == models_generation_) {
      // The ingest that just finished, started after the latest model change, gave every image
      // the chosen models' regions: the notice goes, with the engine reopened on what the
      // collection holds now. (An ingest from before the change finishing now must not clear it.)
      models_changed_ = false;
      session_->queries()->reopen();
    }
  }
  emit indexBuilt(outcome.ok());
}

void MainWindow::reloadModels() {
  if (!session_) return;
  models_changed_ = true;
  ++models_generation_;
  engine_ready_ = false;
  engine_requested_ = true;
  models_label_->setText(tr("Models: reloading…"));
  session_->queries()->reopen();
}

void MainWindow::reingest() {
  if (!session_ || session_->ingest()->isRunning()) return;
  startIngest();
}

void MainWindow::onModelsChosen() {
  reloadModels();
  QMessageBox box(QMessageBox::Information, tr("Models changed"),
                  tr("New images use the chosen models from now on. Images already ingested keep their old regions "
                     "and vectors until they are ingested again."),
                  QMessageBox::NoButton, this);
  QPushButton* now = box.addButton(tr("Re-ingest now"), QMessageBox::AcceptRole);
  box.addButton(tr("Later"), QMessageBox::RejectRole);
  box.exec();
  if (box.clickedButton() == now) reingest();
}

}  // namespace regionlab::ui
