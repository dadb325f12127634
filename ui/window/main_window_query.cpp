// The main window's looking and searching: opening images in the viewer, queries by click, the
// results and their heat maps.
#include <QAction>
#include <QFileInfo>
#include <QStatusBar>
#include <QLabel>
#include <QListView>

#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_model.h"
#include "ui/browser/thumbnail_delegate.h"
#include "ui/ingest/ingest_runner.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/query/query_service.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/sam/sam_prompt_controller.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/main_window.h"

namespace regionlab::ui {

void MainWindow::connectSession() {
  CollectionSession* s = session_;
  connect(s->ingest(), &IngestRunner::imagesCommitted, this, &MainWindow::onImagesCommitted);
  connect(s->ingest(), &IngestRunner::progressed, this, &MainWindow::onIngestProgress);
  connect(s->ingest(), &IngestRunner::finished, this, &MainWindow::onIngestFinished);

  connect(s->queries(), &QueryService::engineReady, this, [this](const QString& models, qint64 generator_id) {
    engine_ready_ = true;
    session_->setActiveGeneratorId(generator_id);
    models_label_->setText(tr("Models: %1 · <a href=\"models\">Manage models…</a>").arg(models.toHtmlEscaped()));
  });
  connect(s->queries(), &QueryService::engineFailed, this, [this](const QString& reason) {
    engine_requested_ = false;  // the next committed image tries again
    if (!engine_ready_) models_label_->setText(tr("Models: %1").arg(reason.toHtmlEscaped()));
  });
  connect(s->queries(), &QueryService::queryFinished, this, &MainWindow::onQueryFinished);
  connect(s->queries(), &QueryService::queryFailed, this, [this](int, const QString& reason) {
    results_->showError(reason);
    statusBar()->showMessage(tr("Query failed: %1").arg(reason), 8000);
    emit queryFailed(reason);
  });

  CollectionModel* model = s->model();
  results_->model()->setThumbnails(s->thumbnails(), [model](const QString& path) {
    const int row = model->rowOfPath(path);
    if (row < 0) return ThumbnailKey{path, 0, 0};
    const CollectionEntry& e = model->entry(row);
    return ThumbnailKey{e.path, e.file_size, e.mtime_ns};
  });

  LabelService* labels = s->labels();
  browser_->delegate()->setClassColors([labels](qint64 id) { return labels->colorOf(id); });
  connect(labels, &LabelService::classesChanged, this, [this](const std::vector<ClassRecord>& classes) {
    labels_->setClasses(classes);
    browser_->setClasses(classes);
    browser_->view()->viewport()->update();
    if (viewer_->document() && viewer_->document()->image_id) session_->labels()->loadImageLabels(viewer_->document()->image_id);
  });
  connect(labels, &LabelService::imageLabelsLoaded, this, &MainWindow::applyLabelsToViewer);
  connect(labels, &LabelService::classesByImageLoaded, this,
          [this](const std::unordered_map<int64_t, std::vector<int64_t>>& by_image) { session_->model()->setClassesByImage(by_image); });
  connect(labels, &LabelService::labelsChanged, this, [this](const std::vector<int64_t>& images, bool regions_changed) {
    const auto& doc = viewer_->document();
    if (!doc || std::find(images.begin(), images.end(), doc->image_id) == images.end()) return;
    if (regions_changed) openImage(doc->path);  // a merge made or removed a region: read the image's regions again
    else session_->labels()->loadImageLabels(doc->image_id);
  });
  connect(labels, &LabelService::editFailed, this, [this](const QString& reason) {
    statusBar()->showMessage(tr("Label edit failed: %1").arg(reason), 10000);
  });
  connect(labels, &LabelService::idle, this, &MainWindow::labelsIdle);
}

void MainWindow::openImage(const QString& relative_path) {
  if (!session_ || relative_path.isEmpty()) return;
  pending_document_ = relative_path;
  QPointer<CollectionSession> session = session_;
  session_->loadDocument(relative_path).then(this, [this, session, relative_path](const Outcome<std::shared_ptr<const ImageDocument>>& doc) {
    if (session != session_ || relative_path != pending_document_) return;  // superseded
    pending_document_.clear();
    if (!doc.ok()) {
      statusBar()->showMessage(doc.error, 10000);
      return;
    }
    showDocument(*doc.value);
  });
}

void MainWindow::showDocument(std::shared_ptr<const ImageDocument> doc) {
  viewer_->setDocument(doc);
  sam_->documentShown();  // encodes the image in SAM prompt mode
  doc_user_classes_.clear();
  if (doc->image_id) {
    labels_->setImageLabels(doc->path, {}, session_->labels()->classes());  // until the labels are read
    session_->labels()->loadImageLabels(doc->image_id);
  } else {
    labels_->clearImageLabels();
  }
  if (pending_match_region_) {
    viewer_->setMatchedRegion(pending_match_region_);
    pending_match_region_ = 0;
  }
  if (action(QStringLiteral("heatMap"))->isChecked()) requestHeatMap();
  QString state = doc->status;
  if (!doc->error.isEmpty()) state += QStringLiteral(": ") + doc->error;
  statusBar()->showMessage(tr("%1 — %2×%3, %4 regions (%5)")
                               .arg(doc->path)
                               .arg(doc->size.width())
                               .arg(doc->size.height())
                               .arg(doc->regions.size())
                               .arg(state),
                           6000);
  emit documentShown(doc->path);
}

void MainWindow::queryRegion(qint64 region_id) {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || !doc->image_id) return;
  const int index = doc->indexOfRegion(region_id);
  if (index < 0) return;
  // The query mask stays on screen while the results load.
  viewer_->setQueryShape(doc->image_id, doc->regions[size_t(index)].shape);
  viewer_->setMatchedRegion(0);
  results_->showSearching(tr("region %1 of %2").arg(region_id).arg(QFileInfo(doc->path).fileName()));
  QueryRequest request;
  request.image_id = doc->image_id;
  request.image_path = doc->path;
  request.region_id = region_id;
  session_->queries()->run(request);
}

void MainWindow::onQueryFinished(std::shared_ptr<const ResultSet> results) {
  viewer_->setQueryShape(results->query_image_id, results->query_shape);
  session_->model()->setScores(results->score_by_image);
  // Keep the viewer on the query image until the user picks a result.
  {
    const QSignalBlocker block(results_);
    results_->showResults(results);
  }
  statusBar()->showMessage(tr("%1 results in %2 ms").arg(results->items.size()).arg(results->seconds * 1000.0, 0, 'f', 1), 6000);
  emit queryFinished(int(results->items.size()));
}

void MainWindow::showResult(int row) {
  const auto& shown = results_->model()->results();
  if (!session_ || !shown || row < 0 || row >= int(shown->items.size())) return;
  const ResultItem& item = shown->items[size_t(row)];
  const auto& doc = viewer_->document();
  if (doc && doc->image_id == item.image_id) {
    viewer_->setMatchedRegion(item.region_id);
    if (action(QStringLiteral("heatMap"))->isChecked()) requestHeatMap();
    return;
  }
  pending_match_region_ = item.region_id;
  openImage(item.path);
}

void MainWindow::requestHeatMap() {
  const auto& shown = results_->model()->results();
  const auto& doc = viewer_->document();
  if (!session_ || !shown || !doc || !doc->image_id) {
    statusBar()->showMessage(tr("The heat map needs a query and an ingested image in the viewer."), 5000);
    return;
  }
  QPointer<CollectionSession> session = session_;
  const int64_t image_id = doc->image_id;
  session_->queries()->heatMap(shown, image_id).then(this, [this, session, image_id](const Outcome<HeatMap>& map) {
    if (session != session_ || !action(QStringLiteral("heatMap"))->isChecked()) return;
    if (!map.ok()) {
      statusBar()->showMessage(map.error, 8000);
      return;
    }
    viewer_->setHeatMap(*map.value);
    emit heatMapShown(image_id);
  });
}

void MainWindow::applyLabelsToViewer(qint64 image_id, const std::vector<LabelRecord>& labels) {
  const auto& doc = viewer_->document();
  if (!session_ || !doc || doc->image_id != image_id) return;
  std::unordered_map<int64_t, QColor> colors;
  doc_user_classes_.clear();
  // Automatic labels first, so that the user's label of a region wins.
  for (const LabelRecord& label : labels) {
    if (label.source == LabelSource::Auto) colors[label.region_id] = session_->labels()->colorOf(label.class_id);
  }
  for (const LabelRecord& label : labels) {
    if (label.source != LabelSource::User) continue;
    colors[label.region_id] = session_->labels()->colorOf(label.class_id);
    doc_user_classes_[label.region_id] = label.class_id;
  }
  viewer_->setRegionColors(std::move(colors));
  labels_->setImageLabels(doc->path, labels, session_->labels()->classes());
}

}  // namespace regionlab::ui
