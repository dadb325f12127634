#pragma once
// A read-only view of a whole file through mmap: a multi-GB checkpoint "opens" in microseconds
// and its pages are read from disk only when a tensor touches them. The mapping is private and
// copy-on-write, so an accidental in-place write to a tensor built on it changes this process's
// copy only (never the file) instead of crashing.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

namespace regionlab::nets {

class MappedFile {
public:
  // Throws Error(file, reason) when the file cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& file);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::span<const std::byte> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }

private:
  MappedFile(std::filesystem::path path, std::byte* data, size_t size) : path_(std::move(path)), data_(data), size_(size) {}
  std::filesystem::path path_;
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace regionlab::nets
