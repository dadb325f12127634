#pragma once
// Plain rows of the collection database, as the rest of the library sees them.
#include <cstdint>
#include <string>

#include "core/regions/region.h"

namespace regionlab {

enum class ImageStatus { Pending, Done, Failed };
std::string imageStatusName(ImageStatus status);
ImageStatus imageStatusFromName(const std::string& name);

struct ImageRecord {
  int64_t id = 0;
  std::string path;  // relative to the collection folder, '/'-separated
  std::string sha256;
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
  int width = 0;  // of the analysed image (after EXIF rotation and any requested downscaling)
  int height = 0;
  int orig_width = 0;
  int orig_height = 0;
  ImageStatus status = ImageStatus::Pending;
  std::string error;  // reason of the last failure
};

// Kinds of models: what cut the regions, what embedded them, what embeds whole images.
inline constexpr const char* kRegionGeneratorKind = "region_generator";
inline constexpr const char* kDescriptorKind = "descriptor";
inline constexpr const char* kGlobalKind = "global";

struct ModelRecord {
  int64_t id = 0;
  std::string kind;
  std::string name;
  std::string sha256;  // identity: checkpoint hash, or a hash of the algorithm's parameters
  int dim = 0;
};

struct RegionRecord {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t generator_id = 0;
  Region region;
};

// Summary of the stored vectors of one model; an index built from them records the same numbers
// and is stale when they differ.
struct RegionVectorStats {
  int64_t count = 0;
  int64_t max_region_id = 0;
  int64_t region_id_sum = 0;
  bool operator==(const RegionVectorStats&) const = default;
};

struct CollectionCounts {
  int64_t images_done = 0;
  int64_t images_failed = 0;
  int64_t images_pending = 0;
  int64_t regions = 0;
  int64_t region_vectors = 0;
};

}  // namespace regionlab
