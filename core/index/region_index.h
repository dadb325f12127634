#pragma once
// Nearest-neighbour search over region vectors by inner product (the descriptors are unit
// vectors, so this is cosine similarity). A small interface in the manner of hnswlib's, so that
// an exact scan, HNSW or DRQ codes can stand behind it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace regionlab {

struct IndexHit {
  int64_t region_id = 0;
  float score = 0;  // inner product with the query
};

class RegionIndex {
public:
  virtual ~RegionIndex() = default;
  virtual std::string kind() const = 0;  // "exact", "hnsw"
  virtual int dim() const = 0;
  virtual size_t size() const = 0;
  // vectors: region_ids.size() × dim(), row-major.
  virtual void add(std::span<const int64_t> region_ids, const float* vectors) = 0;
  // Up to k hits, best first.
  virtual std::vector<IndexHit> search(const float* query, size_t k) const = 0;
};

struct HnswOptions {
  int m = 16;                 // graph degree (hnswlib's M)
  int ef_construction = 200;  // candidate list while building
  int ef_search = 256;        // candidate list while searching (raised to k when k is larger)
};

std::unique_ptr<RegionIndex> createExactRegionIndex(int dim);
std::unique_ptr<RegionIndex> createHnswRegionIndex(int dim, const HnswOptions& options = {});
// Throws Error(file, reason) when the file cannot be read as an index of this dimension.
std::unique_ptr<RegionIndex> loadHnswRegionIndex(const std::filesystem::path& file, int dim, const HnswOptions& options = {});
// Writes atomically (temporary file, then rename): a crash never leaves a half-written index.
void saveHnswRegionIndex(const RegionIndex& index, const std::filesystem::path& file);

}  // namespace regionlab
