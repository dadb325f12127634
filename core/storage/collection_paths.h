#pragma once
// Where a collection keeps its data: everything RegionLab writes lives in <folder>/.regionlab/,
// next to the user's images and never among them.
#include <filesystem>
#include <string>

namespace regionlab {

struct CollectionPaths {
  explicit CollectionPaths(const std::filesystem::path& collection_root);

  std::filesystem::path root;        // the user's folder (absolute, normalised)
  std::filesystem::path data_dir;    // root/.regionlab
  std::filesystem::path database;    // data_dir/regionlab.db
  std::filesystem::path index_dir;   // data_dir/index: region indexes, rebuilt from the database
  std::filesystem::path thumbs_dir;  // data_dir/thumbs: GUI thumbnails
  std::filesystem::path cache_dir;   // data_dir/cache: model caches (bounded)

  // '/'-separated path of an image relative to root (what the database stores).
  std::string relativePath(const std::filesystem::path& image) const;
  std::filesystem::path absolutePath(const std::string& relative) const;
  // Creates data_dir and its subfolders; throws Error when the folder is not writable.
  void createDataDirs() const;
  bool hasDatabase() const;
};

}  // namespace regionlab
