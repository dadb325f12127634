#include "core/index/region_vector_set.h"

#include <algorithm>

#include "core/base/error.h"
#include "core/base/half_float.h"
#include "core/storage/database.h"

namespace regionlab {

std::vector<float> RegionVectorSet::evenlySpacedSample(size_t count) const {
  const size_t n = size(), samples = std::min(n, count), d = size_t(dim_);
  std::vector<float> out(samples * d);
  for (size_t s = 0; s < samples; ++s) std::copy_n(vector(s * n / samples), d, out.data() + s * d);
  return out;
}

std::optional<size_t> RegionVectorSet::rowOfRegion(int64_t region_id) const {
  const auto it = row_by_region_.find(region_id);
  if (it == row_by_region_.end()) return std::nullopt;
  return it->second;
}

std::span<const uint32_t> RegionVectorSet::rowsOfImage(int64_t image_id) const {
  const auto it = rows_by_image_.find(image_id);
  if (it == rows_by_image_.end()) return {};
  return it->second;
}

void RegionVectorSet::append(int64_t region_id, int64_t image_id, const float* vector) {
  const auto row = uint32_t(region_ids_.size());
  region_ids_.push_back(region_id);
  image_ids_.push_back(image_id);
  vectors_.insert(vectors_.end(), vector, vector + dim_);
  row_by_region_[region_id] = row;
  rows_by_image_[image_id].push_back(row);
}

size_t RegionVectorSet::appendFromDatabase(Database& db, int64_t model_id) {
  size_t added = 0;
  std::vector<float> v(dim_);
  db.forEachRegionVector(model_id, maxRegionId(), [&](int64_t region_id, int64_t image_id, std::span<const uint16_t> halves) {
    if (int(halves.size()) != dim_) {
      throw Error(db.file(), "region " + std::to_string(region_id) + " has a " + std::to_string(halves.size()) +
                                 "-d vector, the model's vectors are " + std::to_string(dim_) + "-d");
    }
    halvesToFloats(halves, v.data());
    append(region_id, image_id, v.data());
    ++added;
  });
  return added;
}

}  // namespace regionlab
