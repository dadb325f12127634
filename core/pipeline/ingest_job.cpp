#include "core/pipeline/ingest_job.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/base/bounded_queue.h"
#include "core/base/error.h"
#include "core/index/region_search_index.h"
#include "core/pipeline/collection_scanner.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

using Clock = std::chrono::steady_clock;

enum class Work {
  Full,         // new or changed image: regions and vectors
  VectorsOnly,  // regions of the active generator exist; embed those lacking the descriptor's vectors
};

struct Item {
  ScannedFile file;
  std::optional<ImageRecord> existing;
  bool existing_complete = false;  // done with regions and vectors of the active models
  Work work = Work::Full;
  Image image;                            // pixels are released after the vector stage
  int width = 0, height = 0;              // of the decoded image, kept for the commit
  std::vector<Region> new_regions;        // Full: from the generator
  std::vector<RegionRecord> old_regions;  // stored regions that still need vectors
  std::vector<float> vectors;             // new_regions then old_regions, dim() each
  bool unchanged = false;                 // same content as a complete record: refresh size/mtime only
  std::string error;
};
using ItemPtr = std::unique_ptr<Item>;

class StageClock {
public:
  void add(Clock::duration d) { ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }
  double seconds() const { return double(ns_.load()) * 1e-9; }

private:
  std::atomic<int64_t> ns_{0};
};

// Runs `work` on every item popped from `in` and passes it on; the last thread to finish closes
// `out`. Failures of one image are recorded in the item, never thrown.
template <typename Fn>
std::vector<std::thread> startStage(int threads, BoundedQueue<ItemPtr>& in, BoundedQueue<ItemPtr>& out, StageClock& clock,
                                    const std::atomic<bool>& cancelled, Fn work) {
  auto remaining = std::make_shared<std::atomic<int>>(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, remaining, work]() mutable {
      while (auto item = in.pop()) {
        if (cancelled) break;
        Item& it = **item;
        if (it.error.empty() && !it.unchanged) {
          const auto start = Clock::now();
          try {
            work(it);
          } catch (const Error& e) {
            it.error = e.reason();
          } catch (const std::exception& e) {
            it.error = e.what();
          }
          clock.add(Clock::now() - start);
        }
        if (!out.push(std::move(*item))) break;
      }
      if (--*remaining == 0) out.close();
    });
  }
  return pool;
}

int stageThreads(int requested, int model_limit) { return model_limit > 0 ? std::min(requested, model_limit) : requested; }

void commitItem(Database& db, const ActiveModels& models, Item& item, int64_t& image_id, int& region_count) {
  ImageRecord record = item.existing.value_or(ImageRecord{});
  record.path = item.file.relative_path;
  record.file_size = item.file.file_size;
  record.mtime_ns = item.file.mtime_ns;
  const int dim = models.descriptor->dim();
  Database::Transaction transaction(db);
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
    if (item.work == Work::Full) {
      db.deleteRegionsOfImage(image_id);
      ids = db.writeRegions(image_id, models.generator_id, item.new_regions);
    }
    for (const RegionRecord& r : item.old_regions) ids.push_back(r.id);
    db.writeRegionVectors(models.descriptor_id, ids, item.vectors.data(), dim);
    region_count = int(item.new_regions.size() + item.old_regions.size());
  }
  transaction.commit();
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

  // Plan: what each file needs, from one read of the database.
  std::unordered_map<std::string, ImageRecord> records;
  for (ImageRecord& r : db->readImages()) records.emplace(r.path, std::move(r));
  const auto with_regions = db->imagesWithRegionsOf(models.generator_id);
  const auto with_vectors = db->imagesWithVectorsOf(models.descriptor_id);
  std::vector<ItemPtr> work;
  for (const ScannedFile& f : files) {
    const auto it = records.find(f.relative_path);
    const ImageRecord* rec = it == records.end() ? nullptr : &it->second;
    const bool same_stat = rec && rec->file_size == f.file_size && rec->mtime_ns == f.mtime_ns;
    const bool has_regions = rec && rec->status == ImageStatus::Done && with_regions.contains(rec->id);
    const bool complete = has_regions && with_vectors.contains(rec->id);
    if (complete && same_stat) {
      ++report.skipped;
      continue;
    }
    if (rec && rec->status == ImageStatus::Failed && same_stat && !options_.retry_failed) continue;
    auto item = std::make_unique<Item>();
    item->file = f;
    if (rec) item->existing = *rec;
    item->existing_complete = complete;
    item->work = (has_regions && same_stat) ? Work::VectorsOnly : Work::Full;
    work.push_back(std::move(item));
  }

  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = options_.threads > 0 ? options_.threads : cores;
  const size_t capacity = size_t(std::max(1, options_.queue_capacity));
  BoundedQueue<ItemPtr> to_decode(work.size() + 1), decoded(capacity), with_regions_q(capacity), embedded(capacity);
  for (auto& item : work) to_decode.push(std::move(item));
  to_decode.close();
  const size_t planned = work.size();
  {
    std::lock_guard lock(abort_mutex_);
    abort_queues_ = [&] {
      to_decode.abort();
      decoded.abort();
      with_regions_q.abort();
      embedded.abort();
    };
  }
  if (cancelled_) abort_queues_();

  StageClock decode_clock, region_clock, vector_clock;
  const int64_t descriptor_id = models.descriptor_id;
  const std::filesystem::path database_file = paths.database;
  const DecodeOptions decode_options = options_.decode;

  // Decode: read + hash + decode; for images with stored regions, read those from the database
  // (one read-only connection per thread).
  auto decoders = startStage(std::clamp(threads / 2, 1, 4), to_decode, decoded, decode_clock, cancelled_,
                             [&, reader = std::shared_ptr<Database>()](Item& item) mutable {
                               item.image = decodeImageFile(item.file.path, decode_options);
                               item.width = item.image.width();
                               item.height = item.image.height();
                               if (!item.existing) return;
                               if (item.existing_complete && item.image.sha256 == item.existing->sha256) {
                                 item.unchanged = true;  // touched, not changed
                                 return;
                               }
                               if (!reader) reader = Database::open(database_file, Database::Access::ReadOnly);
                               item.old_regions = reader->readRegionsWithoutVectors(item.existing->id, descriptor_id,
                                                                                    item.work == Work::Full);
                               std::erase_if(item.old_regions, [&](const RegionRecord& r) {
                                 return r.region.mask.height != item.image.height() || r.region.mask.width != item.image.width();
                               });
                             });
  auto generators = startStage(stageThreads(threads, models.generator->maxConcurrency()), decoded, with_regions_q, region_clock,
                               cancelled_, [&](Item& item) {
                                 if (item.work == Work::Full) item.new_regions = models.generator->generate(item.image.rgb);
                               });
  auto embedders = startStage(stageThreads(threads, models.descriptor->maxConcurrency()), with_regions_q, embedded, vector_clock,
                              cancelled_, [&](Item& item) {
                                std::vector<Rle> masks;
                                masks.reserve(item.new_regions.size() + item.old_regions.size());
                                for (const Region& r : item.new_regions) masks.push_back(r.mask);
                                for (const RegionRecord& r : item.old_regions) masks.push_back(r.region.mask);
                                item.vectors = models.descriptor->extract(item.image.rgb, masks);
                                item.image.rgb.release();  // the commit stage needs no pixels
                              });

  // Commit on this thread, one transaction per image.
  StageClock commit_clock;
  IngestProgress progress;
  progress.total = report.images;
  progress.skipped = report.skipped;
  std::optional<Error> fatal;
  while (auto item = embedded.pop()) {
    if (cancelled_) break;
    Item& it = **item;
    int64_t image_id = 0;
    int region_count = 0;
    const auto commit_start = Clock::now();
    try {
      commitItem(*db, models, it, image_id, region_count);
    } catch (const Error& e) {
      fatal = Error(e.file().empty() ? paths.database : e.file(), e.reason());
      cancelled_ = true;
      abort_queues_();
      break;
    }
    commit_clock.add(Clock::now() - commit_start);
    if (it.error.empty()) {
      ++report.ingested;
      if (it.work == Work::Full && !it.unchanged) report.regions_added += int64_t(it.new_regions.size());
    } else {
      ++report.failed_this_run;
      ++progress.failed;
    }
    ++progress.finished;
    progress.current = it.file.relative_path;
    progress.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    progress.images_per_second = progress.elapsed_seconds > 0 ? double(progress.finished) / progress.elapsed_seconds : 0;
    progress.eta_seconds = progress.images_per_second > 0 ? double(planned - size_t(progress.finished)) / progress.images_per_second : -1;
    if (on_image_) on_image_({image_id, it.file.relative_path, it.error.empty(), it.error, region_count});
    if (on_progress_) on_progress_(progress);
  }
  if (cancelled_) abort_queues_();
  for (auto* pool : {&decoders, &generators, &embedders}) {
    for (std::thread& t : *pool) t.join();
  }
  {
    std::lock_guard lock(abort_mutex_);
    abort_queues_ = nullptr;
  }
  if (fatal) throw *fatal;

  report.cancelled = cancelled_.load();
  report.stage_seconds = {decode_clock.seconds(), region_clock.seconds(), vector_clock.seconds(), commit_clock.seconds(), 0};
  if (!report.cancelled && options_.update_index) {
    const auto index_start = Clock::now();
    auto index = RegionSearchIndex::open(*db, paths, models.descriptor_id, models.descriptor->dim());
    report.index_status = index->lastMaintenance();
    report.stage_seconds.index = std::chrono::duration<double>(Clock::now() - index_start).count();
  }

  // Totals over the whole collection (images of this folder only).
  std::unordered_map<std::string, bool> on_disk;
  for (const ScannedFile& f : files) on_disk.emplace(f.relative_path, true);
  for (const ImageRecord& r : db->readImages()) {
    if (!on_disk.contains(r.path)) continue;
    if (r.status == ImageStatus::Done) ++report.done;
    if (r.status == ImageStatus::Failed) report.failed.push_back({r.path, r.error});
  }
  report.regions = db->counts().regions;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace regionlab
