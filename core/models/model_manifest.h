#pragma once
// The manifest of supported checkpoints (models/manifest.json in the source tree, installed as
// share/regionlab/manifest/models.json, and compiled into the library so a build runs from
// anywhere): for each, its id, what it does (kind), the official file name and URL, the
// published size and hash where there is one, and the licence.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace regionlab {

struct ModelManifestEntry {
  std::string id;      // "sam_vit_b": also the name `use` stores and the factories accept
  std::string kind;    // region_generator | descriptor | global (as models.kind in the database)
  std::string family;  // sam | mobile_sam | dinov2 | image
  std::string title;
  std::string file;    // official file name, also the name in the model directory
  std::string url;
  std::optional<int64_t> size;  // bytes, when published
  std::string sha256;  // published SHA-256, lower-case hex, or empty
  std::string md5;     // published MD5 (SAM), or empty
  std::string license;
  std::string license_url;
  std::string notes;
};

struct ModelManifest {
  std::vector<ModelManifestEntry> models;
  std::filesystem::path source;  // where it was read from ("(built in)" for the compiled copy)

  // Also accepts the file name ("sam_vit_b_01ec64.pth").
  const ModelManifestEntry* find(const std::string& id_or_file) const;
  // Throws Error listing the known ids.
  const ModelManifestEntry& require(const std::string& id_or_file) const;
};

// Throws Error(source, "<field>: <reason>") for a malformed manifest.
ModelManifest parseModelManifest(const std::string& json_text, const std::filesystem::path& source);
// $REGIONLAB_MANIFEST when set, else the copy compiled into the library.
ModelManifest loadModelManifest();

}  // namespace regionlab
