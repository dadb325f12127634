#include "core/learning/region_pick.h"

#include "core/storage/database.h"
#include "core/storage/label_store.h"

namespace regionlab {

std::vector<RegionRecord> readPickCandidates(Database& db, int64_t image_id, int64_t active_generator_id) {
  std::optional<int64_t> user_generator;
  for (const ModelRecord& m : db.readModels()) {
    if (m.kind == kRegionGeneratorKind && m.name == kUserRegionGenerator) user_generator = m.id;
  }
  std::vector<RegionRecord> out;
  for (RegionRecord& r : db.readRegionsOfImage(image_id)) {
    if (r.generator_id == active_generator_id || r.generator_id == user_generator) out.push_back(std::move(r));
  }
  return out;
}

std::optional<size_t> pickRegionAt(std::span<const RegionRecord> candidates, int x, int y) {
  std::optional<size_t> best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Region& r = candidates[i].region;
    const BoundingBox& b = r.bbox;
    if (x < b.x || y < b.y || x >= b.x + b.width || y >= b.y + b.height) continue;
    if (best && !pickPrecedes(r.area, candidates[i].id, candidates[*best].region.area, candidates[*best].id)) continue;
    if (rleContains(r.mask, x, y)) best = i;
  }
  return best;
}

}  // namespace regionlab
