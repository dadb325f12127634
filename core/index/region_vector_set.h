#pragma once
// All region vectors of one descriptor model, in memory as fp32, with the image each region
// belongs to: what exact scoring and re-ranking read.
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace regionlab {

class Database;

class RegionVectorSet {
public:
  explicit RegionVectorSet(int dim = 0) : dim_(dim) {}

  int dim() const { return dim_; }
  size_t size() const { return region_ids_.size(); }
  const float* vector(size_t row) const { return vectors_.data() + row * size_t(dim_); }
  int64_t regionId(size_t row) const { return region_ids_[row]; }
  int64_t imageId(size_t row) const { return image_ids_[row]; }
  int64_t maxRegionId() const { return region_ids_.empty() ? 0 : region_ids_.back(); }
  std::span<const int64_t> regionIds() const { return region_ids_; }
  const float* data() const { return vectors_.data(); }

  std::optional<size_t> rowOfRegion(int64_t region_id) const;
  // Rows of one image's regions (empty when the image has none).
  std::span<const uint32_t> rowsOfImage(int64_t image_id) const;
  size_t imageCount() const { return rows_by_image_.size(); }
  // min(count, size()) vectors evenly spaced through the set (row s·n/count), one after another:
  // a training sample that spans the whole collection.
  std::vector<float> evenlySpacedSample(size_t count) const;

  // Appends a vector; region ids must increase.
  void append(int64_t region_id, int64_t image_id, const float* vector);
  // Appends the database's vectors of the model with region id > maxRegionId(); returns how many.
  size_t appendFromDatabase(Database& db, int64_t model_id);

private:
  int dim_;
  std::vector<int64_t> region_ids_;
  std::vector<int64_t> image_ids_;
  std::vector<float> vectors_;
  std::unordered_map<int64_t, uint32_t> row_by_region_;
  std::unordered_map<int64_t, std::vector<uint32_t>> rows_by_image_;
};

}  // namespace regionlab
