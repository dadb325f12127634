#include "core/features/feature_extractor.h"

#include "core/base/error.h"
#include "core/features/classical_descriptor.h"

namespace regionlab {

std::vector<std::string> featureExtractorNames() { return {"classical", "classical-plain"}; }

std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string& name) {
  if (name.empty() || name == "classical" || name == "default") return std::make_unique<ClassicalDescriptor>();
  if (name == "classical-plain") {
    // The 194-d descriptor without visual words (identity v1): cheaper, 6% lower mAP.
    ClassicalDescriptorOptions options;
    options.words_weight = 0.0f;
    return std::make_unique<ClassicalDescriptor>(options, "classical-plain");
  }
  throw Error("unknown region descriptor '" + name + "' (available: classical, classical-plain)");
}

}  // namespace regionlab
