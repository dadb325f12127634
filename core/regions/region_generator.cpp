#include "core/regions/region_generator.h"

#include "core/base/error.h"
#include "core/regions/sam_region_generator.h"
#include "core/regions/superpixel_region_generator.h"

namespace regionlab {

std::vector<std::string> regionGeneratorNames() { return {"default", "sam+slic", "sam-l+slic", "sam-b+slic", "mobilesam+slic"}; }

namespace {

// The model manifest's ids (models/manifest.json), as `regionlab-cli models use` saves them in a
// collection's settings, name the SAM generators (each with the SLIC fill of the paper's pipeline).
std::string generatorNameOf(const std::string& name) {
  if (name == "sam_vit_h") return "sam+slic";
  if (name == "sam_vit_l") return "sam-l+slic";
  if (name == "sam_vit_b") return "sam-b+slic";
  if (name == "mobile_sam") return "mobilesam+slic";
  return name;
}

}  // namespace

std::unique_ptr<RegionGenerator> createRegionGenerator(const std::string& requested) {
  const std::string name = generatorNameOf(requested);
  if (name.empty() || name == "default") return std::make_unique<SuperpixelRegionGenerator>();
  if (auto sam = samRegionOptionsFor(name)) return std::make_unique<SamRegionGenerator>(name, *sam);
  std::string available;
  for (const auto& n : regionGeneratorNames()) available += (available.empty() ? "" : ", ") + n;
  throw Error("unknown region generator '" + requested + "' (available: " + available + ")");
}

}  // namespace regionlab
