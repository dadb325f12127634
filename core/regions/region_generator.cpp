#include "core/regions/region_generator.h"

#include "core/base/error.h"
#include "core/regions/superpixel_region_generator.h"

namespace regionlab {

std::vector<std::string> regionGeneratorNames() { return {"default"}; }

std::unique_ptr<RegionGenerator> createRegionGenerator(const std::string& name) {
  if (name.empty() || name == "default") return std::make_unique<SuperpixelRegionGenerator>();
  throw Error("unknown region generator '" + name + "' (available: default)");
}

}  // namespace regionlab
