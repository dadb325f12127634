#pragma once
// The search side of a collection for one descriptor model: its region vectors in memory plus
// an HNSW graph persisted in .regionlab/index/ and DRQ region codes stored in the database
// (drq_code_index.h), both kept in step with the database (the source of truth). Opening appends
// vectors added since the index was saved, or rebuilds it when regions were removed or the file
// is missing or damaged; codes are loaded, completed or (re)trained per DrqCodeIndex's policy.
#include <atomic>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/index/drq_code_index.h"
#include "core/index/region_index.h"
#include "core/index/region_vector_set.h"

namespace regionlab {

class Database;
struct CollectionPaths;

// Exact: scan every vector. Hnsw: the graph proposes candidate images. Drq: the region codes
// are scored with asymmetric tables, the best regions' images are re-ranked exactly.
enum class SearchMethod { Auto, Exact, Hnsw, Drq };
SearchMethod searchMethodFromName(const std::string& name);  // throws Error for unknown names
std::string searchMethodName(SearchMethod method);

struct SearchIndexOptions {
  // Auto scans exactly below this many regions (faster than HNSW there, and exact) and uses the
  // HNSW graph above it.
  size_t exact_below = 100'000;
  HnswOptions hnsw;
  // Build the HNSW graph even when Auto would scan (ingest does, so it is ready when the
  // collection grows).
  bool always_build_hnsw = true;
  // Read-only: never write the index files. A saved graph is loaded when it matches the database
  // (and vectors added since are appended in memory only); otherwise the graph is built in
  // memory. For readers that share a collection with an ingest, which owns the files (a second
  // writer would race it on the same file and .tmp names).
  bool read_only = false;
  // Region codes (trained on the collection once it has drq.min_vectors vectors).
  DrqIndexOptions drq;
  // Progress of building or extending the HNSW graph (vectors inserted so far, vectors to insert),
  // called after each batch of hnsw_batch insertions on the thread that opens or refreshes the
  // index — the GUI's index job row shows it.
  std::function<void(size_t inserted, size_t total)> on_progress;
  size_t hnsw_batch = 2048;
  // Checked between batches: once true, open()/refresh() throw Error("… cancelled") and save
  // nothing (the saved graph stays as it was; the next open brings it up to date).
  std::shared_ptr<const std::atomic<bool>> cancel;
};

struct ImageHit {
  int64_t image_id = 0;
  int64_t region_id = 0;  // the image's best region for the query
  float score = 0;        // its inner product with the query
};

class RegionSearchIndex {
public:
  static std::unique_ptr<RegionSearchIndex> open(Database& db, const CollectionPaths& paths, int64_t model_id, int dim,
                                                 const SearchIndexOptions& options = {});
  ~RegionSearchIndex();

  // Brings vectors and graph up to date with the database; returns true when anything changed.
  bool refresh(Database& db);

  const RegionVectorSet& vectors() const { return vectors_; }
  int64_t modelId() const { return model_id_; }
  bool hasHnsw() const { return hnsw_ != nullptr; }
  bool hasCodes() const { return drq_ != nullptr; }
  const DrqCodeIndex* codes() const { return drq_.get(); }
  // What happened when the index was opened or refreshed ("loaded", "appended 120", "rebuilt: …"),
  // and to the region codes.
  const std::string& lastMaintenance() const { return last_maintenance_; }
  // Counts the times refresh() rebuilt the vector set (regions were removed or replaced): row
  // numbers of vectors() are only stable while this stays the same.
  int vectorSetGeneration() const { return generation_; }
  const std::string& lastCodeMaintenance() const { return code_maintenance_; }

  // Images ranked by their best region's inner product with the query (the regions paper's
  // max-over-regions score), skipping excluded_image_id (0 = none). Scores are exact for every
  // returned image; with HNSW the candidate images come from the graph, with DRQ from the codes.
  // Throws Error for Drq when the collection has no codes (fewer than drq.min_vectors vectors).
  std::vector<ImageHit> searchImages(const float* query, size_t top_images, int64_t excluded_image_id, SearchMethod method) const;

  SearchMethod resolve(SearchMethod method) const;

private:
  RegionSearchIndex(const CollectionPaths& paths, int64_t model_id, int dim, const SearchIndexOptions& options);
  std::vector<ImageHit> exactSearch(const float* query, size_t top_images, int64_t excluded_image_id) const;
  std::vector<ImageHit> hnswSearch(const float* query, size_t top_images, int64_t excluded_image_id) const;
  std::vector<ImageHit> drqSearch(const float* query, size_t top_images, int64_t excluded_image_id) const;
  std::vector<ImageHit> scoreImages(const float* query, std::span<const int64_t> images, size_t top_images) const;
  void syncCodes(Database& db);
  void rebuildHnsw(const std::string& why);
  // hnsw_->add in batches, reporting progress and honouring cancel (SearchIndexOptions).
  void addToHnsw(std::span<const int64_t> ids, const float* vectors);
  void saveHnsw();
  bool loadHnsw();

  std::filesystem::path index_file_, meta_file_;
  int64_t model_id_;
  int dim_;
  SearchIndexOptions options_;
  RegionVectorSet vectors_;
  std::unique_ptr<RegionIndex> hnsw_;
  std::unique_ptr<DrqCodeIndex> drq_;
  std::string last_maintenance_;
  int generation_ = 0;
  std::string code_maintenance_;
};

}  // namespace regionlab
