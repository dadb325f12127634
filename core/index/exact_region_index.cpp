#include <algorithm>

#include "core/base/error.h"
#include "core/index/region_index.h"

namespace regionlab {
namespace {

// Brute-force scan: exact, and the fastest choice below ~100k vectors.
class ExactRegionIndex final : public RegionIndex {
public:
  explicit ExactRegionIndex(int dim) : dim_(dim) {}
  std::string kind() const override { return "exact"; }
  int dim() const override { return dim_; }
  size_t size() const override { return ids_.size(); }

  void add(std::span<const int64_t> region_ids, const float* vectors) override {
    ids_.insert(ids_.end(), region_ids.begin(), region_ids.end());
    vectors_.insert(vectors_.end(), vectors, vectors + region_ids.size() * size_t(dim_));
  }

  std::vector<IndexHit> search(const float* query, size_t k) const override {
    std::vector<IndexHit> hits(ids_.size());
    for (size_t i = 0; i < ids_.size(); ++i) {
      const float* v = vectors_.data() + i * size_t(dim_);
      float dot = 0;
      for (int d = 0; d < dim_; ++d) dot += query[d] * v[d];
      hits[i] = {ids_[i], dot};
    }
    k = std::min(k, hits.size());
    std::partial_sort(hits.begin(), hits.begin() + k, hits.end(), [](const IndexHit& a, const IndexHit& b) {
      return a.score > b.score || (a.score == b.score && a.region_id < b.region_id);
    });
    hits.resize(k);
    return hits;
  }

private:
  int dim_;
  std::vector<int64_t> ids_;
  std::vector<float> vectors_;
};

}  // namespace

std::unique_ptr<RegionIndex> createExactRegionIndex(int dim) { return std::make_unique<ExactRegionIndex>(dim); }

}  // namespace regionlab
