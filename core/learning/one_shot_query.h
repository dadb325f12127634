#pragma once
// One-shot retrieval (the regions paper, §A7 of REFERENCE.md): a query region's vector is
// compared with every region of the collection, and each image is scored by its best region,
//     score(image) = max over regions r of the image of q · r,
// a raw dot product (the descriptors are unit vectors, so it is a cosine). Images are returned
// best first with the region that scored, so the UI can light it up.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/index/region_search_index.h"
#include "core/pipeline/active_models.h"
#include "core/regions/region.h"
#include "core/storage/collection_paths.h"

namespace regionlab {

class Database;

struct QueryOptions {
  size_t top_k = 20;                // images returned
  bool include_query_image = false;  // the query's own image normally ranks first and is left out
  SearchMethod method = SearchMethod::Auto;
};

// What to search for: a stored region (by id), the region of `image` a click at a point picks
// (region_pick.h: the smallest region of the active generator or the user's containing it), or a
// mask given as a PNG the size of `image` (its non-zero pixels).
struct QuerySpec {
  std::string image;  // path, absolute or relative to the collection; optional with region_id
  std::optional<int64_t> region_id;
  std::optional<std::pair<int, int>> point;  // x, y in image pixels
  std::optional<std::filesystem::path> mask_png;
};

struct QueryHit {
  int64_t image_id = 0;
  std::string image;  // relative to the collection
  int64_t region_id = 0;
  float score = 0;
  BoundingBox bbox;
};

struct QueryResult {
  int64_t query_image_id = 0;
  std::string query_image;
  int64_t query_region_id = 0;  // 0 when the query is a mask that is not a stored region
  Region query_region;
  std::string descriptor;       // the descriptor model's name
  std::string method;           // "exact" or "hnsw"
  std::vector<QueryHit> results;
  double seconds = 0;
};

// Resolved query: its image, region and vector.
struct QueryVector {
  int64_t image_id = 0;
  std::string image;
  int64_t region_id = 0;
  Region region;
  std::vector<float> vector;
};

class QueryEngine {
public:
  // Opens the collection for searching with its active descriptor. Throws Error when the folder
  // has no database or no vectors of that descriptor.
  explicit QueryEngine(const std::filesystem::path& collection_root, const SearchIndexOptions& index_options = {});
  ~QueryEngine();

  QueryVector resolve(const QuerySpec& spec);
  QueryResult search(const QueryVector& query, const QueryOptions& options);
  QueryResult run(const QuerySpec& spec, const QueryOptions& options) { return search(resolve(spec), options); }
  // Picks up vectors committed since the engine opened (e.g. while an ingest runs).
  bool refresh();

  const CollectionPaths& paths() const { return paths_; }
  const ActiveModels& models() const { return models_; }
  const RegionSearchIndex& index() const { return *index_; }

private:
  std::optional<int64_t> findImageId(const std::string& image);
  CollectionPaths paths_;
  std::unique_ptr<Database> db_;
  ActiveModels models_;
  std::unique_ptr<RegionSearchIndex> index_;
  std::mutex mutex_;  // one query at a time per engine (the database connection is not shared)
};

}  // namespace regionlab
