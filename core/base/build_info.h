#pragma once
// Versions for `--version` and bug reports.
#include <string>

namespace regionlab {

std::string regionlabVersion();
// "OpenCV 4.6.0, SQLite 3.40.1, libtorch 1.13.1" (the libraries this build links).
std::string libraryVersions();

}  // namespace regionlab
