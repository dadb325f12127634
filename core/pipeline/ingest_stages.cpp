#include "core/pipeline/ingest_stages.h"

#include <algorithm>

#include "core/base/error.h"
#include "core/pipeline/active_models.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

int stageThreads(int requested, int model_limit) { return model_limit > 0 ? std::min(requested, model_limit) : requested; }

}  // namespace

IngestStages::IngestStages(std::vector<IngestItemPtr> items, const ActiveModels& models, const Options& options,
                           const std::atomic<bool>& cancelled)
    : models_(models),
      options_(options),
      cancelled_(cancelled),
      to_decode_(items.size() + 1),
      decoded_(options.queue_capacity),
      cut_(options.queue_capacity),
      embedded_(options.queue_capacity) {
  for (auto& item : items) to_decode_.push(std::move(item));
  to_decode_.close();

  // Decoding is light next to segmentation: half the threads keep the CPU stages fed.
  startStage(std::clamp(options_.threads / 2, 1, 4), to_decode_, decoded_, decode_clock,
             [this, reader = std::shared_ptr<Database>()](IngestItem& item) mutable { decode(item, reader); });
  startStage(stageThreads(options_.threads, models_.generator->maxConcurrency()), decoded_, cut_, region_clock,
             [this](IngestItem& item) {
               if (item.work == IngestWork::Full) item.new_regions = models_.generator->generate(item.image.rgb);
             });
  startStage(stageThreads(options_.threads, models_.descriptor->maxConcurrency()), cut_, embedded_, vector_clock,
             [this](IngestItem& item) {
               std::vector<Rle> masks;
               masks.reserve(item.new_regions.size() + item.old_regions.size());
               for (const Region& r : item.new_regions) masks.push_back(r.mask);
               for (const RegionRecord& r : item.old_regions) masks.push_back(r.region.mask);
               item.vectors = models_.descriptor->extract(item.image.rgb, masks);
               item.image.rgb.release();  // the commit stage needs no pixels
             });
}

IngestStages::~IngestStages() {
  abort();
  join();
}

// Reads, hashes and decodes; for images with stored regions, reads those that need vectors.
void IngestStages::decode(IngestItem& item, std::shared_ptr<Database>& reader) const {
  item.image = decodeImageFile(item.file.path, options_.decode);
  item.width = item.image.width();
  item.height = item.image.height();
  if (!item.existing) return;
  if (item.existing_complete && item.image.sha256 == item.existing->sha256) {
    item.unchanged = true;  // touched, not changed
    return;
  }
  if (!reader) reader = Database::open(options_.database, Database::Access::ReadOnly);
  // Full: the generator's regions are about to be replaced, only user-labeled ones stay.
  const auto generator = item.work == IngestWork::VectorsOnly ? std::optional<int64_t>(models_.generator_id) : std::nullopt;
  item.old_regions = reader->readRegionsNeedingVectors(item.existing->id, models_.descriptor_id, generator);
  std::erase_if(item.old_regions, [&](const RegionRecord& r) {
    return r.region.mask.height != item.height || r.region.mask.width != item.width;
  });
}

template <typename Work>
void IngestStages::startStage(int threads, BoundedQueue<IngestItemPtr>& in, BoundedQueue<IngestItemPtr>& out, StageClock& clock,
                              Work work) {
  // The last thread of a stage to finish closes the queue after it.
  auto remaining = std::make_shared<std::atomic<int>>(threads);
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this, &in, &out, &clock, remaining, work]() mutable {
      while (auto item = in.pop()) {
        if (cancelled_) break;
        IngestItem& it = **item;
        if (it.error.empty() && !it.unchanged) {
          const auto start = std::chrono::steady_clock::now();
          try {
            work(it);
          } catch (const Error& e) {
            it.error = e.reason();
          } catch (const std::exception& e) {
            it.error = e.what();
          }
          clock.add(std::chrono::steady_clock::now() - start);
        }
        if (!out.push(std::move(*item))) break;
      }
      if (--*remaining == 0) out.close();
    });
  }
}

IngestItemPtr IngestStages::next() {
  auto item = embedded_.pop();
  return item ? std::move(*item) : nullptr;
}

void IngestStages::abort() {
  to_decode_.abort();
  decoded_.abort();
  cut_.abort();
  embedded_.abort();
}

void IngestStages::join() {
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace regionlab
