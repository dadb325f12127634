#pragma once
// Lists the image files of a collection folder, recursively, in a stable order.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace regionlab {

struct ScannedFile {
  std::filesystem::path path;   // absolute
  std::string relative_path;    // '/'-separated, relative to the collection root
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
};

// Files with an image extension under root, sorted by relative path. Hidden files and folders
// (names starting with '.', which includes RegionLab's own .regionlab/) are skipped; folders that
// cannot be read are skipped without failing the scan.
std::vector<ScannedFile> scanCollection(const std::filesystem::path& root);

}  // namespace regionlab
