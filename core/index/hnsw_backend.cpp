// Compiled twice (see core/CMakeLists.txt): REGIONLAB_HNSW_VARIANT is Baseline or Avx2. The
// macros below give each copy of hnswlib its own namespace and free-function names, so the two
// builds of the header-only library never meet at link time.
#include <mutex>
#include <stdexcept>

#include "core/index/hnsw_backend.h"

#define REGIONLAB_CAT2(a, b) a##b
#define REGIONLAB_CAT(a, b) REGIONLAB_CAT2(a, b)
#define hnswlib REGIONLAB_CAT(hnswlib_, REGIONLAB_HNSW_VARIANT)
#define cpuid REGIONLAB_CAT(regionlab_cpuid_, REGIONLAB_HNSW_VARIANT)
#define xgetbv REGIONLAB_CAT(regionlab_xgetbv_, REGIONLAB_HNSW_VARIANT)
#define AVXCapable REGIONLAB_CAT(regionlab_avx_capable_, REGIONLAB_HNSW_VARIANT)
#define AVX512Capable REGIONLAB_CAT(regionlab_avx512_capable_, REGIONLAB_HNSW_VARIANT)
#include <hnswlib/hnswlib.h>

namespace regionlab::hnsw_detail {
namespace {

class Backend final : public HnswBackend {
public:
  Backend(int dim, size_t capacity, int m, int ef_construction)
      : space_(size_t(dim)), index_(std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_, std::max<size_t>(capacity, 1), m, ef_construction)) {}
  Backend(const std::string& file, int dim) : space_(size_t(dim)) {
    index_ = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space_, file);
  }

  size_t size() const override { return index_->cur_element_count; }
  void reserve(size_t capacity) override {
    if (capacity > index_->max_elements_) index_->resizeIndex(capacity);
  }
  void add(const float* vector, uint64_t label) override {
    if (index_->cur_element_count >= index_->max_elements_) index_->resizeIndex(std::max<size_t>(16, index_->max_elements_ * 2));
    index_->addPoint(vector, label);
  }
  std::vector<std::pair<float, uint64_t>> search(const float* query, size_t k, size_t ef) const override {
    std::lock_guard lock(search_mutex_);  // ef is a member of the hnswlib index
    index_->setEf(std::max(ef, k));
    auto queue = index_->searchKnn(query, k);
    std::vector<std::pair<float, uint64_t>> out(queue.size());
    for (size_t i = out.size(); i-- > 0;) {  // the queue pops the worst first
      out[i] = {1.0f - queue.top().first, queue.top().second};  // hnswlib's IP distance is 1 - dot
      queue.pop();
    }
    return out;
  }
  void save(const std::string& file) const override { index_->saveIndex(file); }

private:
  hnswlib::InnerProductSpace space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index_;
  mutable std::mutex search_mutex_;
};

}  // namespace

std::unique_ptr<HnswBackend> REGIONLAB_CAT(REGIONLAB_CAT(create, REGIONLAB_HNSW_VARIANT), Backend)(int dim, size_t capacity, int m, int ef_construction) {
  return std::make_unique<Backend>(dim, capacity, m, ef_construction);
}

std::unique_ptr<HnswBackend> REGIONLAB_CAT(REGIONLAB_CAT(load, REGIONLAB_HNSW_VARIANT), Backend)(const std::string& file, int dim) {
  return std::make_unique<Backend>(file, dim);
}

}  // namespace regionlab::hnsw_detail
