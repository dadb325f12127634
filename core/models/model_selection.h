#pragma once
// Which model a collection uses for each role — region generator, region descriptor, global image
// descriptor — and why: `regionlab-cli models use` and the model manager dialog write the choice
// into the collection's settings (the keys resolveActiveModels reads), `regionlab-cli models`
// shows it with the reason and whether the checkpoint is there.
#include <optional>
#include <string>
#include <vector>

#include "core/models/model_store.h"

namespace regionlab {

class Database;

// The settings key of each kind: region_generator, descriptor (as in pipeline/active_models.h),
// global_descriptor.
std::string modelSettingKey(const std::string& kind);
// The embedded defaults that need no weights: "default" (SLIC + graph regions), "classical"
// (colour/texture/layout descriptor), "bovw" (bag of visual words global descriptor).
std::string embeddedModelName(const std::string& kind);
const std::vector<std::string>& modelKinds();

struct ModelSelection {
  std::string kind;
  std::string active;  // model id or embedded name
  bool explicit_choice = false;
  std::optional<ModelStatus> checkpoint;  // for manifest models
  std::string reason;  // one sentence: why this one is active, and what is wrong if anything
};

std::vector<ModelSelection> readModelSelections(Database& db, const ModelStore& store);

// Selects a manifest model (its kind decides the role) or an embedded name (kind needed to
// tell which role). Refuses a manifest model whose checkpoint is missing, partial or mismatched,
// saying how to install it; an unverified file is accepted (verification is recommended).
ModelSelection selectModel(Database& db, const ModelStore& store, const std::string& name, const std::string& kind = "");
// Back to the embedded default for that role.
void resetModelSelection(Database& db, const std::string& kind);

}  // namespace regionlab
