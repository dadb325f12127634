#pragma once
// Builds or brings up to date the collection's region search index (core's RegionSearchIndex:
// the HNSW graph in .regionlab/index/ and the DRQ region codes) on a worker thread, as its own
// job after an ingest: the GUI's ingest leaves the index out (IngestOptions::update_index) so
// that the Jobs panel can show this step with its own progress, rate, time left and Cancel.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>

#include <QFuture>
#include <QObject>
#include <QString>

#include "ui/async/outcome.h"

namespace regionlab::ui {

struct IndexBuildReport {
  QString models;       // ActiveModels::summary()
  QString maintenance;  // what happened to the graph ("loaded 120 vectors", "rebuilt …")
  QString codes;        // what happened to the region codes
  int64_t vectors = 0;
  double seconds = 0;
};

class IndexBuildRunner : public QObject {
  Q_OBJECT

public:
  explicit IndexBuildRunner(QObject* parent = nullptr);
  ~IndexBuildRunner() override;  // cancels a running build and waits for it

  // Starts on `root` (its active descriptor); ignored while a build runs.
  void start(const std::filesystem::path& root);
  void cancel();
  bool isRunning() const { return running_; }
  bool cancelRequested() const { return cancel_ && cancel_->load(); }
  void wait();

signals:
  // Vectors inserted into the graph so far, of `total`; per second; seconds left (−1 unknown).
  void progressed(qint64 done, qint64 total, double per_second, double eta_seconds);
  // Fails with the reason (also "… cancelled" after cancel()).
  void finished(const regionlab::ui::Outcome<regionlab::ui::IndexBuildReport>& outcome);

private:
  QFuture<void> done_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  bool running_ = false;
};

}  // namespace regionlab::ui
