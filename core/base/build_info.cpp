#include "core/base/build_info.h"

#include <opencv2/core/version.hpp>
#include <sqlite3.h>
#include <torch/version.h>

namespace regionlab {

std::string regionlabVersion() { return REGIONLAB_VERSION; }

std::string libraryVersions() {
  return std::string("OpenCV ") + CV_VERSION + ", SQLite " + sqlite3_libversion() + ", libtorch " + TORCH_VERSION;
}

}  // namespace regionlab
