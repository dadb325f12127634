#pragma once
// What `regionlab-cli info` and the GUI's status line report about a collection.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/pipeline/ingest_job.h"
#include "core/storage/records.h"

namespace regionlab {

struct ModelUsage {
  ModelRecord model;
  int64_t regions = 0;  // regions it cut (generators) or embedded (descriptors)
};

struct CollectionStatus {
  std::filesystem::path root;
  int schema_version = 0;
  int64_t image_files = 0;  // image files in the folder now
  int64_t done = 0;
  int64_t failed = 0;
  int64_t pending = 0;      // in the folder, not yet ingested
  int64_t regions = 0;
  int64_t region_vectors = 0;
  std::string active_models;  // ActiveModels::summary()
  std::string region_generator;
  std::string descriptor;
  std::vector<ModelUsage> models;
  std::vector<IngestFailure> failures;
};

// Throws Error when the folder is missing or holds no RegionLab database.
CollectionStatus readCollectionStatus(const std::filesystem::path& collection_root);

}  // namespace regionlab
