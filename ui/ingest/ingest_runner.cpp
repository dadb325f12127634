#include "ui/ingest/ingest_runner.h"

#include <QMetaObject>
#include <QThread>
#include <QTimer>

#include <utility>

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
      flush(true);  // images committed just before the end come first (the job has ended: no waiting)
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
  bool post = false;
  {
    std::lock_guard lock(mutex_);
    pending_progress_ = progress;
    post = !std::exchange(flush_posted_, true);
  }
  // Posted outside the lock: the lock is held only while this low-priority thread copies.
  if (post) QMetaObject::invokeMethod(this, [this] { flush(false); }, Qt::QueuedConnection);
}

void IngestRunner::onImage(const ImageEvent& event) {
  bool post = false;
  {
    std::lock_guard lock(mutex_);
    pending_images_.push_back(event);
    post = !std::exchange(flush_posted_, true);
  }
  if (post) QMetaObject::invokeMethod(this, [this] { flush(false); }, Qt::QueuedConnection);
}

void IngestRunner::flush(bool wait_for_lock) {
  std::optional<IngestProgress> progress;
  std::vector<ImageEvent> images;
  {
    // The commit thread runs at a lower priority and may be descheduled while it holds the
    // lock; the GUI thread never waits for it (that stalled the event loop for 200 ms on a loaded
    // machine) but comes back a moment later.
    std::unique_lock lock(mutex_, std::defer_lock);
    if (wait_for_lock) {
      lock.lock();
    } else if (!lock.try_lock()) {
      QTimer::singleShot(2, this, [this] { flush(false); });
      return;
    }
    progress.swap(pending_progress_);
    images.swap(pending_images_);
    flush_posted_ = false;
  }
  if (!images.empty()) emit imagesCommitted(images);
  if (progress) emit progressed(*progress);
}

}  // namespace regionlab::ui
