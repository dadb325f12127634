#include "core/models/model_manifest.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace regionlab {

// Generated from models/manifest.json by CMake (core/models/embedded_manifest.cpp.in).
extern const char* const kEmbeddedModelManifest;

namespace {

std::string optionalString(const nlohmann::json& o, const char* key) {
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const ModelManifestEntry* ModelManifest::find(const std::string& id_or_file) const {
  for (const ModelManifestEntry& m : models) {
    if (m.id == id_or_file || m.file == id_or_file) return &m;
  }
  return nullptr;
}

const ModelManifestEntry& ModelManifest::require(const std::string& id_or_file) const {
  if (const ModelManifestEntry* m = find(id_or_file)) return *m;
  std::string known;
  for (const ModelManifestEntry& m : models) known += (known.empty() ? "" : ", ") + m.id;
  throw Error("unknown model '" + id_or_file + "' (known: " + known + ")");
}

ModelManifest parseModelManifest(const std::string& text, const std::filesystem::path& source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(source, std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("models") || !doc["models"].is_array()) throw Error(source, "models: missing or not an array");
  ModelManifest manifest;
  manifest.source = source;
  std::set<std::string> ids;
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const nlohmann::json& o = doc["models"][i];
    const std::string where = "models[" + std::to_string(i) + "]";
    ModelManifestEntry m;
    for (auto [field, target] : {std::pair{"id", &m.id}, {"kind", &m.kind}, {"file", &m.file}, {"url", &m.url}, {"license", &m.license}}) {
      *target = optionalString(o, field);
      if (target->empty()) throw Error(source, where + "." + field + ": missing");
    }
    if (m.kind != "region_generator" && m.kind != "descriptor" && m.kind != "global") {
      throw Error(source, where + ".kind: '" + m.kind + "' is not region_generator, descriptor or global");
    }
    if (!ids.insert(m.id).second) throw Error(source, where + ".id: '" + m.id + "' appears twice");
    m.family = optionalString(o, "family");
    m.title = optionalString(o, "title");
    m.sha256 = optionalString(o, "sha256");
    m.md5 = optionalString(o, "md5");
    m.license_url = optionalString(o, "license_url");
    m.notes = optionalString(o, "notes");
    if (const auto size = o.find("size"); size != o.end() && size->is_number_integer()) m.size = size->get<int64_t>();
    if (!m.sha256.empty() && m.sha256.size() != 64) throw Error(source, where + ".sha256: expected 64 hex digits");
    if (!m.md5.empty() && m.md5.size() != 32) throw Error(source, where + ".md5: expected 32 hex digits");
    manifest.models.push_back(std::move(m));
  }
  return manifest;
}

ModelManifest loadModelManifest() {
  if (const char* path = std::getenv("REGIONLAB_MANIFEST"); path && *path) {
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot read the model manifest ($REGIONLAB_MANIFEST)");
    std::stringstream text;
    text << in.rdbuf();
    return parseModelManifest(text.str(), path);
  }
  return parseModelManifest(kEmbeddedModelManifest, "(built-in manifest)");
}

}  // namespace regionlab
