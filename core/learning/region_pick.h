#pragma once
// Which stored region a click on an image picks: one rule shared by the point query of the
// engine and the CLI (QuerySpec::point) and by the GUI's viewer, so that a click queries exactly
// the region the viewer highlighted under the cursor.
//
// Candidates are the regions a query can start from: those of the collection's active region
// generator (they carry the search vectors) and those the user made (kUserRegionGenerator:
// merges, SAM masks, brushed masks). Auto-label masks and regions of other generators (left from
// before a model change) are never picked. Among the candidates containing the pixel, the
// smallest wins — the most specific object under the cursor, as in the regions paper's GUI —
// and equal areas go to the lower region id.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/storage/records.h"

namespace regionlab {

class Database;

// True when `a` is picked in preference to `b` where both contain the pixel.
inline bool pickPrecedes(int64_t area_a, int64_t id_a, int64_t area_b, int64_t id_b) {
  return area_a < area_b || (area_a == area_b && id_a < id_b);
}

// The image's pick candidates (see above), in region id order.
std::vector<RegionRecord> readPickCandidates(Database& db, int64_t image_id, int64_t active_generator_id);

// Index into `candidates` of the region picked at pixel (x, y), or nullopt when none contains it.
std::optional<size_t> pickRegionAt(std::span<const RegionRecord> candidates, int x, int y);

}  // namespace regionlab
