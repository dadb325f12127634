#include "core/models/model_store.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/models/md5.h"
#include "core/models/model_directory.h"

namespace regionlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRecordFile = "verified.json";

std::string nowIso() {
  const std::time_t t = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buffer;
}

int64_t mtimeNs(const fs::path& file) {
  std::error_code ec;
  const auto t = fs::last_write_time(file, ec);
  return ec ? 0 : int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

std::pair<std::string, std::string> hashFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file, "cannot read the file");
  Sha256 sha;
  Md5 md5;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), std::streamsize(buffer.size()));
    const auto n = size_t(in.gcount());
    sha.update(buffer.data(), n);
    md5.update(buffer.data(), n);
  }
  if (in.bad()) throw Error(file, "read error while hashing");
  return {sha.hexDigest(), md5.hexDigest()};
}

}  // namespace

std::string modelFileStateName(ModelFileState state) {
  switch (state) {
    case ModelFileState::Missing: return "missing";
    case ModelFileState::Partial: return "partial";
    case ModelFileState::Unverified: return "unverified";
    case ModelFileState::Verified: return "verified";
    case ModelFileState::Mismatch: return "mismatch";
  }
  return "missing";
}

ModelStore::ModelStore(fs::path directory, ModelManifest manifest) : directory_(std::move(directory)), manifest_(std::move(manifest)) {}

ModelStore ModelStore::openDefault() { return ModelStore(modelDirectory(), loadModelManifest()); }

std::string ModelStore::offlineHint(const ModelManifestEntry& entry) const {
  return "To install it without a connection here: download " + entry.url + " on a machine that has one, copy the file over, then run "
         "'regionlab-cli models import " + entry.id + " <file>' (or place it as " + (directory_ / entry.file).string() +
         " and run 'regionlab-cli models verify " + entry.id + "').";
}

std::optional<ModelFileRecord> ModelStore::readRecord(const std::string& file) const {
  std::ifstream in(directory_ / kRecordFile);
  if (!in) return std::nullopt;
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception&) {
    throw Error(directory_ / kRecordFile, "damaged record of verified models (delete it and run 'regionlab-cli models verify')");
  }
  if (!doc.contains(file)) return std::nullopt;
  const json& r = doc[file];
  ModelFileRecord record;
  record.sha256 = r.value("sha256", "");
  record.md5 = r.value("md5", "");
  record.size = r.value("size", int64_t(0));
  record.mtime_ns = r.value("mtime_ns", int64_t(0));
  record.source = r.value("source", "");
  record.verified_at = r.value("verified_at", "");
  record.basis = r.value("basis", "");
  return record;
}

void ModelStore::writeRecord(const std::string& file, const ModelFileRecord& record) {
  json doc = json::object();
  if (std::ifstream in(directory_ / kRecordFile); in) {
    try {
      doc = json::parse(in);
    } catch (const json::exception&) {
      doc = json::object();  // a damaged record is rebuilt from verifications
    }
  }
  doc[file] = {{"sha256", record.sha256}, {"md5", record.md5}, {"size", record.size}, {"mtime_ns", record.mtime_ns},
               {"source", record.source}, {"verified_at", record.verified_at}, {"basis", record.basis}};
  const fs::path temp = directory_ / (std::string(kRecordFile) + ".partial");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) throw Error(temp, "cannot write the record of verified models");
  }
  fs::rename(temp, directory_ / kRecordFile);
}

ModelStatus ModelStore::status(const std::string& id) const {
  ModelStatus s;
  s.entry = &manifest_.require(id);
  s.path = directory_ / s.entry->file;
  s.record = readRecord(s.entry->file);
  std::error_code ec;
  if (!fs::exists(s.path, ec)) {
    const fs::path part = s.path.string() + ".part";
    if (fs::is_regular_file(part, ec)) {
      s.state = ModelFileState::Partial;
      s.size = int64_t(fs::file_size(part, ec));
      s.detail = "interrupted download (" + std::to_string(s.size) + " bytes): 'regionlab-cli models download " + s.entry->id + "' resumes it";
    } else {
      s.detail = "not installed";
    }
    return s;
  }
  s.size = int64_t(fs::file_size(s.path, ec));
  if (ec) {
    s.state = ModelFileState::Mismatch;
    s.detail = "cannot read it: " + ec.message() + (fs::is_symlink(s.path) ? " (a referenced file that moved?)" : "");
    return s;
  }
  if (s.entry->size && s.size != *s.entry->size) {
    s.state = ModelFileState::Mismatch;
    s.detail = "size " + std::to_string(s.size) + " bytes, the published file has " + std::to_string(*s.entry->size);
    return s;
  }
  if (s.record && s.record->size == s.size && s.record->mtime_ns == mtimeNs(s.path)) {
    s.state = ModelFileState::Verified;
    s.detail = "verified " + s.record->verified_at + " (" + s.record->basis + ")";
  } else {
    s.state = ModelFileState::Unverified;
    s.detail = s.record ? "changed since it was verified: run 'regionlab-cli models verify " + s.entry->id + "'"
                        : "not verified yet: run 'regionlab-cli models verify " + s.entry->id + "'";
  }
  return s;
}

std::vector<ModelStatus> ModelStore::statusOfAll() const {
  std::vector<ModelStatus> out;
  for (const ModelManifestEntry& m : manifest_.models) out.push_back(status(m.id));
  return out;
}

ModelFileRecord ModelStore::checkHashes(const ModelManifestEntry& entry, const fs::path& file, const std::string& sha256,
                                        const std::string& md5, int64_t size, const std::string& source) const {
  if (entry.size && size != *entry.size) {
    throw Error(file, "size " + std::to_string(size) + " bytes does not match the published " + std::to_string(*entry.size) + " bytes of " + entry.file);
  }
  ModelFileRecord record{sha256, md5, size, 0, source, nowIso(), ""};
  if (!entry.sha256.empty()) {
    if (sha256 != entry.sha256) throw Error(file, "SHA-256 " + sha256 + " does not match the published " + entry.sha256 + " of " + entry.file);
    record.basis = "published sha256";
  } else if (!entry.md5.empty()) {
    if (md5 != entry.md5) throw Error(file, "MD5 " + md5 + " does not match the published " + entry.md5 + " of " + entry.file);
    record.basis = "published md5";
  } else {
    const auto previous = readRecord(entry.file);
    if (previous && !previous->sha256.empty() && previous->sha256 != sha256) {
      throw Error(file, "SHA-256 " + sha256 + " differs from the " + previous->sha256 + " recorded when " + entry.file +
                            " was first verified (" + previous->verified_at + ")");
    }
    record.basis = previous ? previous->basis : "first use (no published hash)";
  }
  return record;
}

ModelStatus ModelStore::verify(const std::string& id) {
  const ModelManifestEntry& entry = manifest_.require(id);
  ModelStatus s = status(id);
  if (s.state == ModelFileState::Missing || s.state == ModelFileState::Partial) return s;
  const auto [sha, md5] = hashFile(s.path);
  try {
    ModelFileRecord record = checkHashes(entry, s.path, sha, md5, s.size, s.record ? s.record->source : s.path.string());
    record.mtime_ns = mtimeNs(s.path);
    writeRecord(entry.file, record);
  } catch (const Error& e) {
    s.state = ModelFileState::Mismatch;
    s.detail = e.reason();
    return s;
  }
  return status(id);
}

ModelStatus ModelStore::download(const std::string& id, const DownloadOptions& options, const std::string& url_override) {
  const ModelManifestEntry& entry = manifest_.require(id);
  fs::create_directories(directory_);
  DownloadRequest request;
  request.url = url_override.empty() ? entry.url : url_override;
  request.destination = directory_ / entry.file;
  request.expected_size = entry.size;
  request.sha256 = entry.sha256;
  request.md5 = entry.md5;
  // A file without a published hash must match the SHA-256 recorded at its first download.
  if (request.sha256.empty()) {
    if (const auto record = readRecord(entry.file); record) request.sha256 = record->sha256;
  }
  request.offline_hint = offlineHint(entry);
  const DownloadResult result = downloadFile(request, options);
  ModelFileRecord record = checkHashes(entry, result.file, result.sha256, result.md5, result.size, request.url);
  record.mtime_ns = mtimeNs(result.file);
  writeRecord(entry.file, record);
  return status(id);
}

ModelStatus ModelStore::importFile(const std::string& id, const fs::path& file, ImportMode mode) {
  const ModelManifestEntry& entry = manifest_.require(id);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw Error(file, "no such file");
  fs::create_directories(directory_);
  const fs::path source = fs::absolute(file);
  const auto [sha, md5] = hashFile(source);
  ModelFileRecord record = checkHashes(entry, source, sha, md5, int64_t(fs::file_size(source)), source.string());
  const fs::path target = directory_ / entry.file;
  if (fs::exists(target, ec) && fs::equivalent(target, source, ec)) {
    // Already in place (e.g. copied there by hand): only record the verification.
  } else if (mode == ImportMode::Reference) {
    const fs::path link = target.string() + ".link";
    fs::remove(link, ec);
    fs::create_symlink(source, link);
    fs::rename(link, target);
  } else {
    const fs::path part = target.string() + ".part";
    fs::copy_file(source, part, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      fs::remove(part);
      throw Error(target, "cannot copy the file into the model directory: " + ec.message());
    }
    const auto [copied_sha, copied_md5] = hashFile(part);
    if (copied_sha != sha) {
      fs::remove(part);
      throw Error(target, "the copy differs from the original (disk error?)");
    }
    fs::rename(part, target);
  }
  record.mtime_ns = mtimeNs(target);
  writeRecord(entry.file, record);
  return status(id);
}

}  // namespace regionlab
