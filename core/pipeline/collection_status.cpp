#include "core/pipeline/collection_status.h"

#include <unordered_set>

#include "core/base/error.h"
#include "core/pipeline/active_models.h"
#include "core/pipeline/collection_scanner.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {

CollectionStatus readCollectionStatus(const std::filesystem::path& collection_root) {
  const CollectionPaths paths(collection_root);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  auto db = Database::open(paths.database);
  CollectionStatus status;
  status.root = paths.root;
  status.schema_version = db->schemaVersion();

  const auto files = scanCollection(paths.root);
  std::unordered_set<std::string> on_disk;
  for (const ScannedFile& f : files) on_disk.insert(f.relative_path);
  status.image_files = int64_t(files.size());
  int64_t known = 0;
  for (const ImageRecord& r : db->readImages()) {
    if (!on_disk.contains(r.path)) continue;
    if (r.status == ImageStatus::Done) ++status.done, ++known;
    else if (r.status == ImageStatus::Failed) ++status.failed, ++known, status.failures.push_back({r.path, r.error});
  }
  status.pending = status.image_files - known;
  const CollectionCounts counts = db->counts();
  status.regions = counts.regions;
  status.region_vectors = counts.region_vectors;

  const ActiveModels active = resolveActiveModels(*db, {}, false);
  status.active_models = active.summary();
  status.region_generator = active.generator->name();
  status.descriptor = active.descriptor->name();

  for (auto& [model, count] : db->readModelUsage()) status.models.push_back({std::move(model), count});
  return status;
}

}  // namespace regionlab
