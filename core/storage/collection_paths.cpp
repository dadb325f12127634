#include "core/storage/collection_paths.h"

#include "core/base/error.h"

namespace regionlab {

namespace fs = std::filesystem;

CollectionPaths::CollectionPaths(const fs::path& collection_root) {
  std::error_code ec;
  root = fs::weakly_canonical(fs::absolute(collection_root), ec);
  if (ec) root = fs::absolute(collection_root).lexically_normal();
  data_dir = root / ".regionlab";
  database = data_dir / "regionlab.db";
  index_dir = data_dir / "index";
  thumbs_dir = data_dir / "thumbs";
  cache_dir = data_dir / "cache";
}

std::string CollectionPaths::relativePath(const fs::path& image) const {
  std::error_code ec;
  fs::path absolute = fs::weakly_canonical(fs::absolute(image), ec);
  if (ec) absolute = fs::absolute(image).lexically_normal();
  const fs::path rel = absolute.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") throw Error(image, "is not inside the collection folder " + root.string());
  return rel.generic_string();
}

fs::path CollectionPaths::absolutePath(const std::string& relative) const { return root / fs::path(relative); }

void CollectionPaths::createDataDirs() const {
  if (!fs::is_directory(root)) throw Error(root, "collection folder does not exist or is not a folder");
  for (const fs::path& dir : {data_dir, index_dir, thumbs_dir, cache_dir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(dir, "cannot create RegionLab's data folder: " + ec.message());
  }
}

bool CollectionPaths::hasDatabase() const { return fs::exists(database); }

}  // namespace regionlab
