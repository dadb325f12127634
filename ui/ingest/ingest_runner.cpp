#include "ui/ingest/ingest_runner.h"

#include <QMetaObject>
#include <QThread>

#include "ui/async/background_priority.h"
#include "ui/async/outcome.h"

namespace regionlab::ui {

IngestRunner::IngestRunner(QObject* parent) : QObject(parent) {}

IngestRunner::~IngestRunner() {
  cancel();
  wait();
  delete thread_;  // its completion message, still queued, dies with this object
}

bool IngestRunner::isRunning() const { return thread_ != nullptr && thread_->isRunning(); }

void IngestRunner::start(const std::filesystem::path& root, const IngestOptions& options) {
  if (thread_) return;
  job_ = std::make_shared<IngestJob>(root, options);
  job_->setProgressCallback([this](const IngestProgress& p) { onProgress(p); });
  job_->setImageCallback([this](const ImageEvent& e) { onImage(e); });
  thread_ = QThread::create([this, job = job_]() {
    // The job's stage threads are started from here and inherit the lower priority.
    lowerCurrentThreadPriority();
    Outcome<IngestReport> outcome = guarded([&] { return job->run(); });
    QMetaObject::invokeMethod(this, [this, outcome = std::move(outcome)]() {
      flush();  // images committed just before the end come first
      thread_->wait();
      thread_->deleteLater();
      thread_ = nullptr;
      job_.reset();
      emit finished(IngestOutcome{outcome.value, outcome.error});
    }, Qt::QueuedConnection);
  });
  thread_->setObjectName(QStringLiteral("ingest"));
  thread_->start();
  emit started();
}

void IngestRunner::cancel() {
  if (job_) job_->cancel();
}

void IngestRunner::wait() {
  if (thread_) thread_->wait();
}

void IngestRunner::onProgress(const IngestProgress& progress) {
  std::lock_guard lock(mutex_);
  pending_progress_ = progress;
  if (!flush_posted_) {
    flush_posted_ = true;
    QMetaObject::invokeMethod(this, &IngestRunner::flush, Qt::QueuedConnection);
  }
}

void IngestRunner::onImage(const ImageEvent& event) {
  std::lock_guard lock(mutex_);
  pending_images_.push_back(event);
  if (!flush_posted_) {
    flush_posted_ = true;
    QMetaObject::invokeMethod(this, &IngestRunner::flush, Qt::QueuedConnection);
  }
}

void IngestRunner::flush() {
  std::optional<IngestProgress> progress;
  std::vector<ImageEvent> images;
  {
    std::lock_guard lock(mutex_);
    progress.swap(pending_progress_);
    images.swap(pending_images_);
    flush_posted_ = false;
  }
  if (!images.empty()) emit imagesCommitted(images);
  if (progress) emit progressed(*progress);
}

}  // namespace regionlab::ui
