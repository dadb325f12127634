#include "core/nets/zip_archive.h"

#include <algorithm>
#include <cstdio>

#include <zlib.h>

#include "core/base/error.h"

namespace regionlab::nets {
namespace {

// Signatures and fixed sizes from PKWARE's APPNOTE.TXT (sections 4.3.7, 4.3.12, 4.3.14–16).
constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kMaxCommentSize = 0xffff;

// Bounds-checked little-endian reads over the mapped file.
class ByteView {
public:
  ByteView(std::span<const std::byte> bytes, const std::filesystem::path& file) : bytes_(bytes), file_(file) {}
  bool fits(uint64_t offset, uint64_t length) const { return offset <= bytes_.size() && length <= bytes_.size() - offset; }
  void require(uint64_t offset, uint64_t length, const std::string& what) const {
    if (!fits(offset, length)) {
      throw Error(file_, "truncated or damaged zip archive: " + what + " at byte " + std::to_string(offset) + " runs past the end of the " +
                             std::to_string(bytes_.size()) + "-byte file");
    }
  }
  uint16_t u16(uint64_t at) const { return uint16_t(byte(at) | (byte(at + 1) << 8)); }
  uint32_t u32(uint64_t at) const { return uint32_t(u16(at)) | (uint32_t(u16(at + 2)) << 16); }
  uint64_t u64(uint64_t at) const { return uint64_t(u32(at)) | (uint64_t(u32(at + 4)) << 32); }
  std::string text(uint64_t at, size_t length) const { return {reinterpret_cast<const char*>(bytes_.data() + at), length}; }
  size_t size() const { return bytes_.size(); }

private:
  uint32_t byte(uint64_t at) const { return uint32_t(bytes_[at]); }
  std::span<const std::byte> bytes_;
  const std::filesystem::path& file_;
};

struct Directory {
  uint64_t offset = 0, size = 0, entries = 0;
};

Directory findDirectory(const ByteView& v, const std::filesystem::path& file) {
  const size_t n = v.size();
  if (n < 4 || v.u32(0) != kLocalHeaderSignature) {
    if (n >= 2 && v.u16(0) == 0x0280) {
      throw Error(file, "not a zip archive: this is a legacy (PyTorch < 1.6) checkpoint; re-save it with a recent torch.save");
    }
    throw Error(file, "not a zip archive (torch.save files are zip archives starting with 'PK')");
  }
  if (n < kEndSize) throw Error(file, "truncated zip archive: " + std::to_string(n) + " bytes");
  // The end record sits in the last 22 + comment bytes; scan backwards for its signature.
  const size_t lowest = n - kEndSize > kMaxCommentSize ? n - kEndSize - kMaxCommentSize : 0;
  for (size_t at = n - kEndSize + 1; at-- > lowest;) {
    if (v.u32(at) != kEndSignature) continue;
    if (at + kEndSize + v.u16(at + 20) != n) continue;  // the comment must end the file
    Directory d{v.u32(at + 16), v.u32(at + 12), v.u16(at + 10)};
    if (d.offset == 0xffffffffu || d.size == 0xffffffffu || d.entries == 0xffff) {
      if (at < kZip64LocatorSize || v.u32(at - kZip64LocatorSize) != kZip64LocatorSignature) {
        throw Error(file, "damaged zip archive: zip64 end-of-directory locator missing");
      }
      const uint64_t end64 = v.u64(at - kZip64LocatorSize + 8);
      v.require(end64, kZip64EndSize, "zip64 end-of-directory record");
      if (v.u32(end64) != kZip64EndSignature) throw Error(file, "damaged zip archive: bad zip64 end-of-directory record");
      d = {v.u64(end64 + 48), v.u64(end64 + 40), v.u64(end64 + 32)};
    }
    v.require(d.offset, d.size, "central directory");
    return d;
  }
  throw Error(file, "truncated or damaged zip archive: end-of-central-directory record not found");
}

}  // namespace

uint32_t crc32(std::span<const std::byte> bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  size_t left = bytes.size();
  while (left > 0) {  // zlib takes a uInt length
    const uInt chunk = uInt(std::min<size_t>(left, 1u << 30));
    crc = ::crc32(crc, p, chunk);
    p += chunk;
    left -= chunk;
  }
  return uint32_t(crc);
}

ZipArchive::ZipArchive(std::shared_ptr<const MappedFile> file) : file_(std::move(file)) {
  const std::filesystem::path& path = file_->path();
  const ByteView v(file_->bytes(), path);
  const Directory dir = findDirectory(v, path);
  uint64_t at = dir.offset;
  const uint64_t end = dir.offset + dir.size;
  // Entries are at least 46 bytes: a bogus count cannot make us reserve unbounded memory.
  records_.reserve(size_t(std::min<uint64_t>(dir.entries, dir.size / kCentralHeaderSize)));
  for (uint64_t i = 0; i < dir.entries; ++i) {
    if (at + kCentralHeaderSize > end || v.u32(at) != kCentralHeaderSignature) {
      throw Error(path, "damaged zip archive: central directory entry " + std::to_string(i) + " is invalid");
    }
    const uint16_t flags = v.u16(at + 8), method = v.u16(at + 10);
    const uint32_t crc = v.u32(at + 16);
    uint64_t compressed = v.u32(at + 20), size = v.u32(at + 24);
    const uint16_t name_length = v.u16(at + 28), extra_length = v.u16(at + 30), comment_length = v.u16(at + 32);
    uint64_t local = v.u32(at + 42);
    const uint64_t next = at + kCentralHeaderSize + name_length + extra_length + comment_length;
    if (next > end) throw Error(path, "damaged zip archive: central directory entry " + std::to_string(i) + " overruns the directory");
    const std::string name = v.text(at + kCentralHeaderSize, name_length);
    // Zip64 extended information (APPNOTE 4.5.3): 8-byte values for the fields saturated above.
    for (uint64_t x = at + kCentralHeaderSize + name_length; x + 4 <= at + kCentralHeaderSize + name_length + extra_length;) {
      const uint16_t id = v.u16(x), length = v.u16(x + 2);
      uint64_t field = x + 4;
      const uint64_t field_end = field + length;
      if (field_end > next) throw Error(path, "damaged zip archive: bad extra field in record '" + name + "'");
      if (id == 0x0001) {
        auto take = [&](uint64_t& value) {
          if (value != 0xffffffffu) return;
          if (field + 8 > field_end) throw Error(path, "damaged zip archive: short zip64 field in record '" + name + "'");
          value = v.u64(field);
          field += 8;
        };
        take(size);
        take(compressed);
        take(local);
      }
      x = field_end;
    }
    if (flags & 1) throw Error(path, "record '" + name + "' is encrypted");
    if (method != 0) {
      throw Error(path, "record '" + name + "' is compressed (method " + std::to_string(method) +
                            "); torch.save stores records uncompressed so they can be memory-mapped");
    }
    if (compressed != size) throw Error(path, "damaged zip archive: record '" + name + "' has inconsistent sizes");
    v.require(local, kLocalHeaderSize, "local header of '" + name + "'");
    if (v.u32(local) != kLocalHeaderSignature) throw Error(path, "damaged zip archive: bad local header for record '" + name + "'");
    const uint64_t data = local + kLocalHeaderSize + v.u16(local + 26) + v.u16(local + 28);
    v.require(data, size, "record '" + name + "' (" + std::to_string(size) + " bytes)");
    if (!by_name_.emplace(name, records_.size()).second) throw Error(path, "damaged zip archive: record '" + name + "' appears twice");
    records_.push_back({name, data, size, crc});
    at = next;
  }
}

const ZipRecord* ZipArchive::find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &records_[it->second];
}

const ZipRecord& ZipArchive::get(std::string_view name) const {
  if (const ZipRecord* r = find(name)) return *r;
  throw Error(path(), "record '" + std::string(name) + "' is missing from the archive");
}

std::span<const std::byte> ZipArchive::data(const ZipRecord& record) const {
  return file_->bytes().subspan(size_t(record.data_offset), size_t(record.size));
}

void ZipArchive::verifyChecksum(const ZipRecord& record) const {
  const uint32_t actual = crc32(data(record));
  if (actual != record.crc32) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " (CRC-32 %08x, the directory says %08x)", actual, record.crc32);
    throw Error(path(), "record '" + record.name + "' is corrupt" + buf);
  }
}

}  // namespace regionlab::nets
