#include "core/nets/checkpoint_sha256.h"

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <unistd.h>
#include <vector>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/models/model_store.h"

namespace regionlab::nets {
namespace {

namespace fs = std::filesystem;

struct FileStamp {
  std::string path;
  uintmax_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stampOf(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(file), ec);
  FileStamp s{(ec ? fs::absolute(file) : absolute).string(), fs::file_size(file, ec), 0};
  if (ec) throw Error(file, "cannot read: " + ec.message());
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) throw Error(file, "cannot read: " + ec.message());
  s.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  return s;
}

struct CacheLine {
  std::string sha256;
  FileStamp stamp;
};

std::vector<CacheLine> readCache(const fs::path& cache) {
  std::vector<CacheLine> lines;
  std::ifstream in(cache);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    CacheLine c;
    if (std::getline(fields, c.sha256, '\t') && fields >> c.stamp.size && fields.ignore(1) && fields >> c.stamp.mtime_ns && fields.ignore(1) &&
        std::getline(fields, c.stamp.path) && c.sha256.size() == 64) {
      lines.push_back(std::move(c));
    }
  }
  return lines;
}

void writeCache(const fs::path& cache, const std::vector<CacheLine>& lines) {
  std::error_code ec;
  fs::create_directories(cache.parent_path(), ec);
  const fs::path tmp = cache.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const CacheLine& c : lines) out << c.sha256 << '\t' << c.stamp.size << '\t' << c.stamp.mtime_ns << '\t' << c.stamp.path << '\n';
    if (!out) return;
  }
  fs::rename(tmp, cache, ec);  // atomic: readers see the old or the new list
  if (ec) fs::remove(tmp, ec);
}

std::mutex g_mutex;  // one hash at a time: they read the same disk anyway

// A checkpoint the model manager has verified (verified.json beside it, same size and time) was
// hashed then; its record serves. Any problem reading the record just means hashing here.
std::optional<std::string> verifiedByModelStore(const fs::path& file) {
  try {
    const ModelStore store = ModelStore::openDefault();
    const ModelManifestEntry* entry = store.manifest().find(file.filename().string());
    if (!entry) return std::nullopt;
    const ModelStatus status = store.status(entry->id);
    std::error_code ec;
    if (status.state != ModelFileState::Verified || !status.record || !fs::equivalent(status.path, file, ec)) return std::nullopt;
    return status.record->sha256;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

fs::path checkpointHashCacheFile() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "regionlab" / "checkpoint-sha256.tsv";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "regionlab" / "checkpoint-sha256.tsv";
  return fs::temp_directory_path() / "regionlab-checkpoint-sha256.tsv";
}

std::string checkpointSha256(const fs::path& file) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  const FileStamp stamp = stampOf(file);
  const fs::path cache = checkpointHashCacheFile();
  std::vector<CacheLine> lines = readCache(cache);
  for (const CacheLine& c : lines) {
    if (c.stamp == stamp) return c.sha256;
  }
  CacheLine fresh{verifiedByModelStore(file).value_or(""), stamp};
  if (fresh.sha256.size() != 64) fresh.sha256 = sha256HexOfFile(file);
  std::erase_if(lines, [&](const CacheLine& c) {  // this file's old hash, and files that are gone
    std::error_code ec;
    return c.stamp.path == stamp.path || !fs::exists(c.stamp.path, ec);
  });
  lines.push_back(fresh);
  writeCache(cache, lines);
  return fresh.sha256;
}

}  // namespace regionlab::nets
