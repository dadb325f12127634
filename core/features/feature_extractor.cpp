#include "core/features/feature_extractor.h"

#include "core/base/error.h"
#include "core/features/classical_descriptor.h"

namespace regionlab {

std::vector<std::string> featureExtractorNames() { return {"classical"}; }

std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string& name) {
  if (name.empty() || name == "classical" || name == "default") return std::make_unique<ClassicalDescriptor>();
  throw Error("unknown region descriptor '" + name + "' (available: classical)");
}

}  // namespace regionlab
