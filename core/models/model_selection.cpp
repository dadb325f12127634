#include "core/models/model_selection.h"

#include "core/base/error.h"
#include "core/storage/database.h"

namespace regionlab {

const std::vector<std::string>& modelKinds() {
  static const std::vector<std::string> kKinds = {"region_generator", "descriptor", "global"};
  return kKinds;
}

std::string modelSettingKey(const std::string& kind) {
  if (kind == "region_generator") return "region_generator";
  if (kind == "descriptor") return "descriptor";
  if (kind == "global") return "global_descriptor";
  throw Error("unknown model kind '" + kind + "' (region_generator, descriptor or global)");
}

std::string embeddedModelName(const std::string& kind) {
  if (kind == "region_generator") return "default";
  if (kind == "descriptor") return "classical";
  if (kind == "global") return "bovw";
  throw Error("unknown model kind '" + kind + "' (region_generator, descriptor or global)");
}

std::vector<ModelSelection> readModelSelections(Database& db, const ModelStore& store) {
  std::vector<ModelSelection> out;
  for (const std::string& kind : modelKinds()) {
    ModelSelection s;
    s.kind = kind;
    const auto setting = db.readSetting(modelSettingKey(kind));
    s.explicit_choice = setting.has_value();
    s.active = setting.value_or(embeddedModelName(kind));
    if (!setting) {
      s.reason = "no choice saved in this collection: the embedded default (no model weights)";
    } else if (const ModelManifestEntry* entry = store.manifest().find(s.active)) {
      s.checkpoint = store.status(entry->id);
      s.reason = "chosen for this collection (setting " + modelSettingKey(kind) + "); checkpoint " + modelFileStateName(s.checkpoint->state) +
                 ": " + s.checkpoint->detail;
    } else {
      s.reason = s.active == embeddedModelName(kind) ? "chosen for this collection: the embedded default (no model weights)"
                                                      : "chosen for this collection (setting " + modelSettingKey(kind) + ")";
    }
    out.push_back(std::move(s));
  }
  return out;
}

ModelSelection selectModel(Database& db, const ModelStore& store, const std::string& name, const std::string& kind) {
  if (const ModelManifestEntry* entry = store.manifest().find(name)) {
    if (!kind.empty() && kind != entry->kind) throw Error("model '" + entry->id + "' is a " + entry->kind + ", not a " + kind);
    const ModelStatus status = store.status(entry->id);
    if (status.state == ModelFileState::Missing || status.state == ModelFileState::Partial || status.state == ModelFileState::Mismatch) {
      throw Error(status.path, entry->id + " cannot be used: checkpoint " + modelFileStateName(status.state) + " (" + status.detail +
                                   "). Install it with 'regionlab-cli models download " + entry->id + "', or 'regionlab-cli models import " +
                                   entry->id + " <file>' on a machine without internet access.");
    }
    db.writeSetting(modelSettingKey(entry->kind), entry->id);
    for (ModelSelection& s : readModelSelections(db, store)) {
      if (s.kind == entry->kind) return s;
    }
  }
  if (kind.empty()) {
    throw Error("'" + name + "' is neither a model of the manifest nor, without a kind, an embedded default (try 'regionlab-cli models list')");
  }
  if (name != embeddedModelName(kind)) {
    throw Error("unknown " + kind + " '" + name + "' (the manifest's models, or the embedded '" + embeddedModelName(kind) + "')");
  }
  db.writeSetting(modelSettingKey(kind), name);
  for (ModelSelection& s : readModelSelections(db, store)) {
    if (s.kind == kind) return s;
  }
  throw Error("internal error: kind " + kind + " not listed");
}

void resetModelSelection(Database& db, const std::string& kind) { db.deleteSetting(modelSettingKey(kind)); }

}  // namespace regionlab
