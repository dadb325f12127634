#include "core/pipeline/collection_scanner.h"

#include <algorithm>
#include <chrono>

#include "core/base/error.h"
#include "core/image/image_decoder.h"

namespace regionlab {

namespace fs = std::filesystem;

std::vector<ScannedFile> scanCollection(const fs::path& root_in) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::absolute(root_in), ec);
  if (!fs::is_directory(root)) throw Error(root_in, "collection folder does not exist or is not a folder");
  std::vector<ScannedFile> files;
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw Error(root, "cannot list folder: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      ec.clear();
      continue;
    }
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || !hasImageExtension(p)) continue;
    ScannedFile f;
    f.path = p;
    f.relative_path = p.lexically_relative(root).generic_string();
    f.file_size = int64_t(it->file_size(ec));
    const auto mtime = it->last_write_time(ec);
    f.mtime_ns = ec ? 0 : int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count());
    ec.clear();
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(), [](const ScannedFile& a, const ScannedFile& b) { return a.relative_path < b.relative_path; });
  return files;
}

}  // namespace regionlab
