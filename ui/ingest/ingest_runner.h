#pragma once
// Runs core's IngestJob on a worker thread and turns its callbacks into Qt signals on the GUI
// thread (the adapter DESIGN.md's "Threads" section calls for). Callbacks arrive once per image
// from the job's commit thread; they are coalesced, so a fast ingest posts at most one progress
// update and one batch of image events per GUI event-loop turn and never floods the loop.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>

#include "core/pipeline/ingest_job.h"

class QThread;

namespace regionlab::ui {

struct IngestOutcome {
  std::optional<IngestReport> report;  // absent when the job failed as a whole
  QString error;                       // why it failed
};

class IngestRunner : public QObject {
  Q_OBJECT

public:
  explicit IngestRunner(QObject* parent = nullptr);
  ~IngestRunner() override;  // cancels a running job and waits for it

  // Starts ingesting `root`; ignored while a job runs.
  void start(const std::filesystem::path& root, const IngestOptions& options = {});
  void cancel();
  bool isRunning() const;
  // Blocks until the job's thread has ended (tests and shutdown only).
  void wait();

signals:
  void started();
  void progressed(const regionlab::IngestProgress& progress);
  // Images committed since the last emission, in commit order.
  void imagesCommitted(const std::vector<regionlab::ImageEvent>& events);
  void finished(const regionlab::ui::IngestOutcome& outcome);

private:
  void onProgress(const IngestProgress& progress);
  void onImage(const ImageEvent& event);
  void flush(bool wait_for_lock);

  QThread* thread_ = nullptr;
  std::shared_ptr<IngestJob> job_;
  std::mutex mutex_;  // guards the pending_* members, written by the job's commit thread
  std::optional<IngestProgress> pending_progress_;
  std::vector<ImageEvent> pending_images_;
  bool flush_posted_ = false;
};

}  // namespace regionlab::ui
