#pragma once
// What an ingest has to do for each image of the folder, decided from one read of the database:
// skip it (done with the active models, unchanged on disk), embed its stored regions (regions
// exist, vectors of the active descriptor do not), or process it fully (new or changed).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/image/image.h"
#include "core/pipeline/collection_scanner.h"
#include "core/storage/records.h"

namespace regionlab {

class Database;
struct ActiveModels;

enum class IngestWork {
  Full,         // new or changed image: regions and vectors
  VectorsOnly,  // regions of the active generator exist; embed those lacking the descriptor's vectors
};

// One image travelling through the pipeline stages.
struct IngestItem {
  ScannedFile file;
  std::optional<ImageRecord> existing;
  bool existing_complete = false;  // done with regions and vectors of the active models
  IngestWork work = IngestWork::Full;
  Image image;                            // pixels are released after the vector stage
  int width = 0, height = 0;              // of the decoded image, kept for the commit
  std::vector<Region> new_regions;        // Full: from the generator
  std::vector<RegionRecord> old_regions;  // stored regions that still need vectors
  std::vector<float> vectors;             // new_regions then old_regions, dim() each
  bool unchanged = false;                 // same content as a complete record: refresh size/mtime only
  std::string error;                      // why this image failed (empty when it did not)
};
using IngestItemPtr = std::unique_ptr<IngestItem>;

struct IngestPlan {
  std::vector<IngestItemPtr> items;
  int64_t skipped = 0;  // done before, untouched
};

// Failed images are planned again only when their file changed or retry_failed is set.
IngestPlan planIngest(Database& db, const ActiveModels& models, const std::vector<ScannedFile>& files, bool retry_failed);

}  // namespace regionlab
