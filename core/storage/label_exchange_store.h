#pragma once
// The label queries behind import and export (core/io/label_exchange.h): reading every label with
// its mask and class, and writing imported masks as user labels. Kept apart from the labeling
// workflow's own store so each stays small; both use the schema v2 tables classes and labels.
//
// Import rules: a mask identical to one of the image's stored regions labels that region;
// any other mask becomes a new region of the generator model "import" (kind region_generator),
// which ingest later embeds like every user-labeled region. Labels are unique per (region, class,
// source), so importing the same file twice adds nothing the second time.
#include <cstdint>
#include <string>
#include <vector>

#include "core/regions/rle.h"

namespace regionlab {

class Database;

struct StoredImage {
  int64_t id = 0;
  std::string path;  // relative, '/'-separated
  int width = 0;     // analysed size: the size of the stored masks
  int height = 0;
  int orig_width = 0;  // upright original size: the size label files use
  int orig_height = 0;
};

struct StoredLabel {
  int64_t region_id = 0;
  int64_t image_id = 0;
  Rle mask;  // at the image's analysed size
  std::string class_name;
  bool is_auto = false;
  double confidence = 1.0;
};

struct StoredLabelQuery {
  bool include_auto = false;
  // Automatic labels below this confidence are left out; a region with a user label never
  // contributes its automatic ones, and of several automatic labels only the most confident.
  double min_auto_confidence = 0.5;
};

struct ImportedMask {
  int64_t image_id = 0;
  Rle mask;  // at the image's analysed size
  std::string class_name;
};

struct LabelWriteCounts {
  int regions_added = 0;
  int regions_reused = 0;   // identical to a stored region
  int labels_added = 0;
  int labels_existing = 0;  // already there (e.g. a second import of the same file)
  int classes_added = 0;
};

inline constexpr const char* kImportGeneratorName = "import";

class LabelExchangeStore {
public:
  explicit LabelExchangeStore(Database& db);

  // Images that finished ingest (their analysed size is known).
  std::vector<StoredImage> readIngestedImages();
  std::vector<std::string> readClassNames();
  // Ordered by image, then region.
  std::vector<StoredLabel> readLabels(const StoredLabelQuery& query);
  // All in one transaction: on any failure nothing is written.
  LabelWriteCounts writeUserLabels(const std::vector<ImportedMask>& masks);

private:
  int64_t ensureClass(const std::string& name, LabelWriteCounts& counts);
  Database& db_;
};

}  // namespace regionlab
