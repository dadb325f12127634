#include "core/pipeline/ingest_plan.h"

#include <unordered_map>

#include "core/pipeline/active_models.h"
#include "core/storage/database.h"

namespace regionlab {

IngestPlan planIngest(Database& db, const ActiveModels& models, const std::vector<ScannedFile>& files, bool retry_failed) {
  std::unordered_map<std::string, ImageRecord> records;
  for (ImageRecord& r : db.readImages()) records.emplace(r.path, std::move(r));
  const auto with_regions = db.imagesWithRegionsOf(models.generator_id);
  const auto with_vectors = db.imagesWithVectorsOf(models.descriptor_id);
  IngestPlan plan;
  for (const ScannedFile& f : files) {
    const auto it = records.find(f.relative_path);
    const ImageRecord* rec = it == records.end() ? nullptr : &it->second;
    // Same size and mtime: the file is taken as unchanged without reading it (as rsync and git
    // do); otherwise the decode stage compares content hashes.
    const bool same_stat = rec && rec->file_size == f.file_size && rec->mtime_ns == f.mtime_ns;
    const bool has_regions = rec && rec->status == ImageStatus::Done && with_regions.contains(rec->id);
    const bool complete = has_regions && with_vectors.contains(rec->id);
    if (complete && same_stat) {
      ++plan.skipped;
      continue;
    }
    if (rec && rec->status == ImageStatus::Failed && same_stat && !retry_failed) continue;
    auto item = std::make_unique<IngestItem>();
    item->file = f;
    if (rec) item->existing = *rec;
    item->existing_complete = complete;
    item->work = (has_regions && same_stat) ? IngestWork::VectorsOnly : IngestWork::Full;
    plan.items.push_back(std::move(item));
  }
  return plan;
}

}  // namespace regionlab
