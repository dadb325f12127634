#include "ui/jobs/index_build_runner.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include "core/index/region_search_index.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab::ui {

IndexBuildRunner::IndexBuildRunner(QObject* parent) : QObject(parent) {}

IndexBuildRunner::~IndexBuildRunner() {
  cancel();
  wait();
}

void IndexBuildRunner::start(const std::filesystem::path& root) {
  if (running_) return;
  running_ = true;
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  QPointer<IndexBuildRunner> self(this);
  done_ = QtConcurrent::run([self, root, cancel = cancel_] {
    const auto started = std::chrono::steady_clock::now();
    const auto seconds = [started] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    Outcome<IndexBuildReport> outcome = guarded([&] {
      const CollectionPaths paths(root);
      auto db = Database::open(paths.database);
      const ActiveModels models = resolveActiveModels(*db, {}, false);
      SearchIndexOptions options;  // as the ingest builds it (always_build_hnsw)
      options.cancel = cancel;
      options.on_progress = [self, seconds](size_t inserted, size_t total) {
        const double elapsed = seconds();
        const double rate = elapsed > 0 ? double(inserted) / elapsed : 0;
        const double eta = rate > 0 ? double(total - inserted) / rate : -1;
        // Posted to the runner's thread; the runner outlives the build (its destructor waits).
        QMetaObject::invokeMethod(
            self.data(), [self, inserted, total, rate, eta] { if (self) emit self->progressed(qint64(inserted), qint64(total), rate, eta); },
            Qt::QueuedConnection);
      };
      const auto index = RegionSearchIndex::open(*db, paths, models.descriptor_id, models.descriptor->dim(), options);
      IndexBuildReport report;
      report.models = QString::fromStdString(models.summary());
      report.maintenance = QString::fromStdString(index->lastMaintenance());
      report.codes = QString::fromStdString(index->lastCodeMaintenance());
      report.vectors = int64_t(index->vectors().size());
      report.seconds = seconds();
      return report;
    });
    QMetaObject::invokeMethod(
        self.data(),
        [self, outcome] {
          if (!self) return;
          self->running_ = false;
          emit self->finished(outcome);
        },
        Qt::QueuedConnection);
  });
}

void IndexBuildRunner::cancel() {
  if (cancel_) cancel_->store(true);
}

void IndexBuildRunner::wait() { done_.waitForFinished(); }

}  // namespace regionlab::ui
