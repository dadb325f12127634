#pragma once
// The zip container of a torch.save file (PyTorch ≥ 1.6): records stored uncompressed, found
// through the central directory (zip64 included, for checkpoints over 4 GB). Record contents
// are spans of the mapped file, never copies. Damaged archives raise Error(file, reason).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/nets/mapped_file.h"

namespace regionlab::nets {

struct ZipRecord {
  std::string name;
  uint64_t data_offset = 0;  // of the record's bytes in the file
  uint64_t size = 0;
  uint32_t crc32 = 0;        // as stored in the central directory
};

class ZipArchive {
public:
  // Parses the central directory and every local header; throws Error when the file is not a
  // zip archive, is truncated, or holds a record that is compressed, encrypted or out of bounds.
  explicit ZipArchive(std::shared_ptr<const MappedFile> file);

  const std::filesystem::path& path() const { return file_->path(); }
  const std::vector<ZipRecord>& records() const { return records_; }
  const ZipRecord* find(std::string_view name) const;
  // Throws Error naming the record when it is absent.
  const ZipRecord& get(std::string_view name) const;
  std::span<const std::byte> data(const ZipRecord& record) const;
  // Recomputes the record's CRC-32 (reads every byte of it) and throws Error on a mismatch.
  void verifyChecksum(const ZipRecord& record) const;
  const std::shared_ptr<const MappedFile>& file() const { return file_; }

private:
  std::shared_ptr<const MappedFile> file_;
  std::vector<ZipRecord> records_;
  std::unordered_map<std::string, size_t> by_name_;
};

uint32_t crc32(std::span<const std::byte> bytes);

}  // namespace regionlab::nets
