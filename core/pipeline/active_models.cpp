#include "core/pipeline/active_models.h"

#include "core/models/model_directory.h"
#include "core/storage/database.h"

namespace regionlab {

bool ActiveModels::usesEmbeddedDefault() const {
  return generator && descriptor && generator->name() == "default" && descriptor->name() == "classical";
}

std::string ActiveModels::summary() const {
  if (usesEmbeddedDefault()) {
    return "embedded default — no model weights (regions: SLIC + graph segmentation; descriptor: classical colour/texture/layout; "
           "no DINOv2 checkpoint configured: put e.g. dinov2_vitl14_pretrain.pth in " +
           modelDirectory().string() + " and choose --descriptor dinov2-vitl14)";
  }
  return "regions: " + generator->name() + "; descriptor: " + descriptor->name();
}

ActiveModels resolveActiveModels(Database& db, const ModelChoice& choice, bool remember) {
  const std::string generator_name =
      !choice.region_generator.empty() ? choice.region_generator : db.readSetting(kRegionGeneratorSetting).value_or("default");
  const std::string descriptor_name =
      !choice.descriptor.empty() ? choice.descriptor : db.readSetting(kDescriptorSetting).value_or("classical");
  ActiveModels models;
  models.generator = createRegionGenerator(generator_name);
  models.descriptor = createFeatureExtractor(descriptor_name, choice.descriptor_options);
  models.generator_id = db.ensureModel(kRegionGeneratorKind, models.generator->name(), models.generator->identity(), 0);
  models.descriptor_id =
      db.ensureModel(kDescriptorKind, models.descriptor->name(), models.descriptor->identity(), models.descriptor->dim());
  if (remember) {
    if (!choice.region_generator.empty()) db.writeSetting(kRegionGeneratorSetting, models.generator->name());
    if (!choice.descriptor.empty()) db.writeSetting(kDescriptorSetting, models.descriptor->name());
  }
  return models;
}

}  // namespace regionlab
