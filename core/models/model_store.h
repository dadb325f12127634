#pragma once
// The model directory as the model manager sees it: which manifest checkpoints are there, whether
// each is verified, and the operations that put one there (download, import) or check it
// (verify). verified.json in the directory records, per file, the full SHA-256 (and MD5), size,
// where it came from and when it was verified: the first verified download or import fixes the
// SHA-256, later verifications compare against it (checkpoints without a published hash are
// thus trusted on first use, and the record says so).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/models/model_downloader.h"
#include "core/models/model_manifest.h"

namespace regionlab {

enum class ModelFileState {
  Missing,     // not in the model directory
  Partial,     // only an interrupted download (<file>.part)
  Unverified,  // present, not verified yet (or changed since: size or time differ from the record)
  Verified,    // present and matching its published hash or its recorded SHA-256
  Mismatch,    // present and NOT matching: damaged or a different file
};
std::string modelFileStateName(ModelFileState state);

struct ModelFileRecord {
  std::string sha256;
  std::string md5;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string source;       // URL or imported path
  std::string verified_at;  // ISO 8601, UTC
  std::string basis;        // "published sha256" | "published md5" | "first use (no published hash)"
};

struct ModelStatus {
  const ModelManifestEntry* entry = nullptr;
  std::filesystem::path path;  // where the file is or would be
  ModelFileState state = ModelFileState::Missing;
  int64_t size = 0;            // of the file or of the .part
  std::optional<ModelFileRecord> record;
  std::string detail;          // a sentence for the user
};

enum class ImportMode { Copy, Reference };

class ModelStore {
public:
  explicit ModelStore(std::filesystem::path directory, ModelManifest manifest);
  // The default directory (model_directory.h) and the built-in manifest.
  static ModelStore openDefault();

  const std::filesystem::path& directory() const { return directory_; }
  const ModelManifest& manifest() const { return manifest_; }

  // Cheap: no hashing; a file whose size and time match its record counts as verified.
  ModelStatus status(const std::string& id) const;
  std::vector<ModelStatus> statusOfAll() const;
  // Hashes the file and compares; records the SHA-256 when it passes.
  ModelStatus verify(const std::string& id);
  // Downloads from the manifest URL (or url_override, e.g. a mirror) into the directory.
  ModelStatus download(const std::string& id, const DownloadOptions& options = {}, const std::string& url_override = "");
  // A file the user already has: copied in (verified before it takes the official name) or
  // referenced (a symlink to it). Throws when its size or hash contradicts the manifest.
  ModelStatus importFile(const std::string& id, const std::filesystem::path& file, ImportMode mode);

  // What to do instead of downloading, for offline machines.
  std::string offlineHint(const ModelManifestEntry& entry) const;

private:
  std::optional<ModelFileRecord> readRecord(const std::string& file) const;
  void writeRecord(const std::string& file, const ModelFileRecord& record);
  ModelFileRecord checkHashes(const ModelManifestEntry& entry, const std::filesystem::path& file, const std::string& sha256,
                              const std::string& md5, int64_t size, const std::string& source) const;
  std::filesystem::path directory_;
  ModelManifest manifest_;
};

}  // namespace regionlab
