#pragma once
// Internal: hnswlib compiled twice, once for the baseline CPU and once with AVX2/FMA
// (hnswlib picks its SIMD kernels at compile time). hnsw_region_index.cpp chooses one at run
// time from the CPU's features, so one binary is both fast and portable.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace regionlab::hnsw_detail {

class HnswBackend {
public:
  virtual ~HnswBackend() = default;
  virtual size_t size() const = 0;
  virtual void reserve(size_t capacity) = 0;
  virtual void add(const float* vector, uint64_t label) = 0;
  // (inner product, label) pairs, best first.
  virtual std::vector<std::pair<float, uint64_t>> search(const float* query, size_t k, size_t ef) const = 0;
  virtual void save(const std::string& file) const = 0;
};

std::unique_ptr<HnswBackend> createBaselineBackend(int dim, size_t capacity, int m, int ef_construction);
std::unique_ptr<HnswBackend> loadBaselineBackend(const std::string& file, int dim);
#if defined(REGIONLAB_HAVE_AVX2_BACKEND)
std::unique_ptr<HnswBackend> createAvx2Backend(int dim, size_t capacity, int m, int ef_construction);
std::unique_ptr<HnswBackend> loadAvx2Backend(const std::string& file, int dim);
#endif

}  // namespace regionlab::hnsw_detail
