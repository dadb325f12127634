#include "core/regions/region_generator.h"

#include "core/base/error.h"
#include "core/regions/sam_region_generator.h"
#include "core/regions/superpixel_region_generator.h"

namespace regionlab {

std::vector<std::string> regionGeneratorNames() { return {"default", "sam+slic", "sam-l+slic", "sam-b+slic", "mobilesam+slic"}; }

std::unique_ptr<RegionGenerator> createRegionGenerator(const std::string& name) {
  if (name.empty() || name == "default") return std::make_unique<SuperpixelRegionGenerator>();
  if (auto sam = samRegionOptionsFor(name)) return std::make_unique<SamRegionGenerator>(name, *sam);
  std::string available;
  for (const auto& n : regionGeneratorNames()) available += (available.empty() ? "" : ", ") + n;
  throw Error("unknown region generator '" + name + "' (available: " + available + ")");
}

}  // namespace regionlab
