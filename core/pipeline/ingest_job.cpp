#include "core/pipeline/ingest_job.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <unordered_set>

#include "core/base/error.h"
#include "core/index/region_search_index.h"
#include "core/pipeline/collection_scanner.h"
#include "core/pipeline/ingest_plan.h"
#include "core/pipeline/ingest_stages.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Writes one image's outcome in one transaction: a process killed at any instant leaves the
// image either fully there or as it was before. Returns the image id.
int64_t commitItem(Database& db, const ActiveModels& models, const IngestItem& item) {
  ImageRecord record = item.existing.value_or(ImageRecord{});
  record.path = item.file.relative_path;
  record.file_size = item.file.file_size;
  record.mtime_ns = item.file.mtime_ns;
  Database::Transaction transaction(db);
  int64_t image_id = 0;
  if (!item.error.empty()) {
    record.status = ImageStatus::Failed;
    record.error = item.error;
    if (!item.image.sha256.empty()) record.sha256 = item.image.sha256;
    image_id = db.writeImage(record);
    db.deleteRegionsOfImage(image_id);
  } else if (item.unchanged) {
    image_id = db.writeImage(record);
  } else {
    record.sha256 = item.image.sha256;
    record.width = item.width;
    record.height = item.height;
    record.orig_width = item.image.original_width;
    record.orig_height = item.image.original_height;
    record.status = ImageStatus::Done;
    record.error.clear();
    image_id = db.writeImage(record);
    std::vector<int64_t> ids;
    if (item.work == IngestWork::Full) {
      db.deleteRegionsOfImage(image_id);
      ids = db.writeRegions(image_id, models.generator_id, item.new_regions);
    }
    for (const RegionRecord& r : item.old_regions) ids.push_back(r.id);
    db.writeRegionVectors(models.descriptor_id, ids, item.vectors.data(), models.descriptor->dim());
  }
  transaction.commit();
  return image_id;
}

// Totals over the images of this folder (a moved-away file's record is not counted).
void summariseCollection(Database& db, const std::vector<ScannedFile>& files, IngestReport& report) {
  std::unordered_set<std::string> on_disk;
  for (const ScannedFile& f : files) on_disk.insert(f.relative_path);
  for (const ImageRecord& r : db.readImages()) {
    if (!on_disk.contains(r.path)) continue;
    if (r.status == ImageStatus::Done) ++report.done;
    if (r.status == ImageStatus::Failed) report.failed.push_back({r.path, r.error});
  }
  report.regions = db.counts().regions;
}

}  // namespace

IngestJob::IngestJob(std::filesystem::path collection_root, IngestOptions options)
    : root_(std::move(collection_root)), options_(std::move(options)) {}

IngestJob::~IngestJob() = default;

void IngestJob::setProgressCallback(std::function<void(const IngestProgress&)> callback) { on_progress_ = std::move(callback); }
void IngestJob::setImageCallback(std::function<void(const ImageEvent&)> callback) { on_image_ = std::move(callback); }

void IngestJob::cancel() {
  cancelled_ = true;
  std::lock_guard lock(abort_mutex_);
  if (abort_queues_) abort_queues_();
}

IngestReport IngestJob::run() {
  const auto start = Clock::now();
  const CollectionPaths paths(root_);
  paths.createDataDirs();
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, options_.models, true);
  const std::vector<ScannedFile> files = scanCollection(paths.root);

  IngestReport report;
  report.images = int64_t(files.size());
  report.models = models.summary();
  IngestPlan plan = planIngest(*db, models, files, options_.retry_failed);
  report.skipped = plan.skipped;
  const size_t planned = plan.items.size();

  IngestStages::Options stage_options;
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  stage_options.threads = options_.threads > 0 ? options_.threads : cores;
  stage_options.queue_capacity = size_t(std::max(1, options_.queue_capacity));
  stage_options.decode = options_.decode;
  stage_options.database = paths.database;
  IngestStages stages(std::move(plan.items), models, stage_options, cancelled_);
  {
    std::lock_guard lock(abort_mutex_);
    abort_queues_ = [&stages] { stages.abort(); };
  }
  if (cancelled_) stages.abort();

  // Commit on this thread (it owns the database connection), one transaction per image.
  StageClock commit_clock;
  IngestProgress progress;
  progress.total = report.images;
  progress.skipped = report.skipped;
  std::optional<Error> fatal;
  while (IngestItemPtr item = stages.next()) {
    if (cancelled_) break;
    const auto commit_start = Clock::now();
    int64_t image_id = 0;
    try {
      image_id = commitItem(*db, models, *item);
    } catch (const Error& e) {  // the database itself failed (disk full, I/O): stop everything
      fatal = Error(e.file().empty() ? paths.database : e.file(), e.reason());
      cancelled_ = true;
      stages.abort();
      break;
    }
    commit_clock.add(Clock::now() - commit_start);
    const bool ok = item->error.empty();
    if (ok) {
      ++report.ingested;
      if (item->work == IngestWork::Full && !item->unchanged) report.regions_added += int64_t(item->new_regions.size());
    } else {
      ++report.failed_this_run;
      ++progress.failed;
    }
    ++progress.finished;
    progress.current = item->file.relative_path;
    progress.elapsed_seconds = secondsSince(start);
    progress.images_per_second = progress.elapsed_seconds > 0 ? double(progress.finished) / progress.elapsed_seconds : 0;
    progress.eta_seconds =
        progress.images_per_second > 0 ? double(planned - size_t(progress.finished)) / progress.images_per_second : -1;
    const int regions = int(item->new_regions.size() + item->old_regions.size());
    if (on_image_) on_image_({image_id, item->file.relative_path, ok, item->error, ok ? regions : 0});
    if (on_progress_) on_progress_(progress);
  }
  if (cancelled_) stages.abort();
  stages.join();
  {
    std::lock_guard lock(abort_mutex_);
    abort_queues_ = nullptr;
  }
  if (fatal) throw *fatal;

  report.cancelled = cancelled_.load();
  report.stage_seconds = {stages.decode_clock.seconds(), stages.region_clock.seconds(), stages.vector_clock.seconds(),
                          commit_clock.seconds(), 0};
  if (!report.cancelled && options_.update_index) {
    const auto index_start = Clock::now();
    auto index = RegionSearchIndex::open(*db, paths, models.descriptor_id, models.descriptor->dim());
    report.index_status = index->lastMaintenance();
    report.stage_seconds.index = secondsSince(index_start);
  }
  summariseCollection(*db, files, report);
  report.seconds = secondsSince(start);
  return report;
}

}  // namespace regionlab
