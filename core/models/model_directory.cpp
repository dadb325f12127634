#include "core/models/model_directory.h"

#include <cstdlib>

namespace regionlab {

namespace fs = std::filesystem;

fs::path modelDirectory() {
  if (const char* dir = std::getenv("REGIONLAB_MODEL_DIR"); dir && *dir) return fs::path(dir);
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) return fs::path(data) / "regionlab" / "models";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local" / "share" / "regionlab" / "models";
  return fs::current_path() / "models";
}

std::optional<fs::path> findModelFile(const std::string& file_name) {
  const fs::path candidate = modelDirectory() / file_name;
  std::error_code ec;
  if (fs::is_regular_file(candidate, ec)) return candidate;
  return std::nullopt;
}

}  // namespace regionlab
