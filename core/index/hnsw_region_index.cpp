#include <filesystem>

#include "core/base/error.h"
#include "core/index/hnsw_backend.h"
#include "core/index/region_index.h"

namespace regionlab {
namespace {

using hnsw_detail::HnswBackend;

bool cpuHasAvx2() {
#if defined(REGIONLAB_HAVE_AVX2_BACKEND) && (defined(__x86_64__) || defined(__i386__))
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

std::unique_ptr<HnswBackend> createBackend(int dim, const HnswOptions& o) {
#if defined(REGIONLAB_HAVE_AVX2_BACKEND)
  if (cpuHasAvx2()) return hnsw_detail::createAvx2Backend(dim, 1024, o.m, o.ef_construction);
#endif
  return hnsw_detail::createBaselineBackend(dim, 1024, o.m, o.ef_construction);
}

std::unique_ptr<HnswBackend> loadBackend(const std::string& file, int dim) {
#if defined(REGIONLAB_HAVE_AVX2_BACKEND)
  if (cpuHasAvx2()) return hnsw_detail::loadAvx2Backend(file, dim);
#endif
  return hnsw_detail::loadBaselineBackend(file, dim);
}

// Labels are region ids; hnswlib's inner-product space scores 1 - dot.
class HnswRegionIndex final : public RegionIndex {
public:
  HnswRegionIndex(int dim, std::unique_ptr<HnswBackend> backend, const HnswOptions& options)
      : dim_(dim), backend_(std::move(backend)), options_(options) {}
  std::string kind() const override { return "hnsw"; }
  int dim() const override { return dim_; }
  size_t size() const override { return backend_->size(); }

  void add(std::span<const int64_t> region_ids, const float* vectors) override {
    backend_->reserve(backend_->size() + region_ids.size());
    for (size_t i = 0; i < region_ids.size(); ++i) backend_->add(vectors + i * size_t(dim_), uint64_t(region_ids[i]));
  }

  std::vector<IndexHit> search(const float* query, size_t k) const override {
    if (k == 0 || size() == 0) return {};
    const auto found = backend_->search(query, std::min(k, size()), size_t(options_.ef_search));
    std::vector<IndexHit> hits;
    hits.reserve(found.size());
    for (const auto& [score, label] : found) hits.push_back({int64_t(label), score});
    return hits;
  }

  void save(const std::filesystem::path& file) const { backend_->save(file.string()); }

private:
  int dim_;
  std::unique_ptr<HnswBackend> backend_;
  HnswOptions options_;
};

}  // namespace

std::unique_ptr<RegionIndex> createHnswRegionIndex(int dim, const HnswOptions& options) {
  return std::make_unique<HnswRegionIndex>(dim, createBackend(dim, options), options);
}

std::unique_ptr<RegionIndex> loadHnswRegionIndex(const std::filesystem::path& file, int dim, const HnswOptions& options) {
  if (!std::filesystem::exists(file)) throw Error(file, "index file does not exist");
  try {
    return std::make_unique<HnswRegionIndex>(dim, loadBackend(file.string(), dim), options);
  } catch (const std::exception& e) {
    throw Error(file, std::string("cannot load HNSW index: ") + e.what());
  }
}

void saveHnswRegionIndex(const RegionIndex& index, const std::filesystem::path& file) {
  const auto* hnsw = dynamic_cast<const HnswRegionIndex*>(&index);
  if (!hnsw) throw Error(file, "only an HNSW index can be saved");
  const std::filesystem::path temporary = file.string() + ".tmp";
  try {
    hnsw->save(temporary);
  } catch (const std::exception& e) {
    std::filesystem::remove(temporary);
    throw Error(file, std::string("cannot write index: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) {
    std::filesystem::remove(temporary);
    throw Error(file, "cannot replace index file: " + ec.message());
  }
}

}  // namespace regionlab
