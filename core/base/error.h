#pragma once
// The one exception type RegionLab throws for failures a user must see: it carries the file
// (image, checkpoint, database, …) and the reason, so the CLI prints one line and the GUI lists
// it per image. Programming errors use assertions, not this type.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace regionlab {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& reason) : std::runtime_error(reason), reason_(reason) {}
  Error(const std::filesystem::path& file, const std::string& reason)
      : std::runtime_error(file.string() + ": " + reason), file_(file), reason_(reason) {}

  const std::filesystem::path& file() const { return file_; }
  // The reason alone, without the file name (the GUI shows the file in its own column).
  const std::string& reason() const { return reason_; }

private:
  std::filesystem::path file_;
  std::string reason_;
};

}  // namespace regionlab
