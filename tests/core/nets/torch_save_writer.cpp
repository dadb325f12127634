#include "tests/core/nets/torch_save_writer.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/nets/zip_archive.h"

namespace regionlab::test {
namespace {

void put16(std::string& s, uint64_t v) {
  s += char(v & 0xff);
  s += char((v >> 8) & 0xff);
}
void put32(std::string& s, uint64_t v) {
  put16(s, v & 0xffff);
  put16(s, (v >> 16) & 0xffff);
}
void put64(std::string& s, uint64_t v) {
  put32(s, v & 0xffffffffu);
  put32(s, v >> 32);
}

}  // namespace

void writeStoredZip(const std::filesystem::path& file, const std::vector<ZipEntry>& entries, bool force_zip64) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  struct Written {
    uint64_t offset, size;
    uint32_t crc;
  };
  std::vector<Written> written;
  uint64_t pos = 0;
  bool any_zip64 = force_zip64;
  for (const ZipEntry& e : entries) {
    const uint64_t size = e.sparse_size > 0 ? e.sparse_size : e.bytes.size();
    const uint32_t crc = e.sparse_size > 0 ? 0 : nets::crc32({reinterpret_cast<const std::byte*>(e.bytes.data()), e.bytes.size()});
    const bool zip64 = force_zip64 || size >= 0xffffffffu || pos >= 0xffffffffu;
    any_zip64 |= zip64;
    std::string extra;
    if (zip64) {
      put16(extra, 0x0001);
      put16(extra, 16);
      put64(extra, size);
      put64(extra, size);
    }
    // Pad with an unknown extra field so the data starts on a 64-byte boundary (torch.save does this).
    const uint64_t unpadded = pos + 30 + e.name.size() + extra.size();
    uint64_t pad = (64 - (unpadded + 4) % 64) % 64;
    put16(extra, 0x4654);  // "FT"
    put16(extra, pad);
    extra.append(size_t(pad), 'Z');
    std::string header;
    put32(header, 0x04034b50);
    put16(header, zip64 ? 45 : 20);
    put16(header, 0);  // flags
    put16(header, 0);  // stored
    put32(header, 0);  // time, date
    put32(header, crc);
    put32(header, zip64 ? 0xffffffffu : size);
    put32(header, zip64 ? 0xffffffffu : size);
    put16(header, e.name.size());
    put16(header, extra.size());
    header += e.name + extra;
    out.write(header.data(), std::streamsize(header.size()));
    written.push_back({pos, size, crc});
    pos += header.size();
    if (e.sparse_size > 0) {
      out.seekp(std::streamoff(e.sparse_size), std::ios::cur);
    } else {
      out.write(e.bytes.data(), std::streamsize(e.bytes.size()));
    }
    pos += size;
  }
  const uint64_t directory_offset = pos;
  std::string dir;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Written& w = written[i];
    const bool zip64 = force_zip64 || w.size >= 0xffffffffu || w.offset >= 0xffffffffu;
    std::string extra;
    if (zip64) {
      put16(extra, 0x0001);
      put16(extra, 24);
      put64(extra, w.size);
      put64(extra, w.size);
      put64(extra, w.offset);
    }
    put32(dir, 0x02014b50);
    put16(dir, zip64 ? 45 : 20);
    put16(dir, zip64 ? 45 : 20);
    put16(dir, 0);
    put16(dir, 0);
    put32(dir, 0);
    put32(dir, w.crc);
    put32(dir, zip64 ? 0xffffffffu : w.size);
    put32(dir, zip64 ? 0xffffffffu : w.size);
    put16(dir, entries[i].name.size());
    put16(dir, extra.size());
    put16(dir, 0);  // comment
    put16(dir, 0);  // disk
    put16(dir, 0);  // internal attributes
    put32(dir, 0);  // external attributes
    put32(dir, zip64 ? 0xffffffffu : w.offset);
    dir += entries[i].name + extra;
  }
  std::string end;
  if (any_zip64) {
    const uint64_t end64_offset = directory_offset + dir.size();
    put32(end, 0x06064b50);
    put64(end, 44);
    put16(end, 45);
    put16(end, 45);
    put32(end, 0);
    put32(end, 0);
    put64(end, entries.size());
    put64(end, entries.size());
    put64(end, dir.size());
    put64(end, directory_offset);
    put32(end, 0x07064b50);
    put32(end, 0);
    put64(end, end64_offset);
    put32(end, 1);
  }
  put32(end, 0x06054b50);
  put16(end, 0);
  put16(end, 0);
  put16(end, any_zip64 ? 0xffff : entries.size());
  put16(end, any_zip64 ? 0xffff : entries.size());
  put32(end, any_zip64 ? 0xffffffffu : dir.size());
  put32(end, any_zip64 ? 0xffffffffu : directory_offset);
  put16(end, 0);
  out.write(dir.data(), std::streamsize(dir.size()));
  out.write(end.data(), std::streamsize(end.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

PickleWriter::PickleWriter(int protocol) : protocol_(protocol) {
  out_ += char(0x80);
  out_ += char(protocol);
}

PickleWriter& PickleWriter::op(char opcode) {
  out_ += opcode;
  return *this;
}

PickleWriter& PickleWriter::str(const std::string& s) {
  if (protocol_ >= 4 && s.size() < 256) {
    out_ += char(0x8c);
    out_ += char(s.size());
  } else {
    out_ += 'X';
    put32(out_, s.size());
  }
  out_ += s;
  return *this;
}

PickleWriter& PickleWriter::global(const std::string& module, const std::string& name) {
  if (protocol_ >= 4) {
    str(module);
    str(name);
    out_ += char(0x93);
  } else {
    out_ += 'c' + module + '\n' + name + '\n';
  }
  return *this;
}

PickleWriter& PickleWriter::integer(int64_t v) {
  if (v >= 0 && v < 256) {
    out_ += 'K';
    out_ += char(v);
  } else if (v >= 0 && v < 65536) {
    out_ += 'M';
    put16(out_, uint64_t(v));
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out_ += 'J';
    put32(out_, uint64_t(uint32_t(int32_t(v))));
  } else {
    out_ += char(0x8a);
    out_ += char(8);
    put64(out_, uint64_t(v));
  }
  return *this;
}

PickleWriter& PickleWriter::real(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  out_ += 'G';
  for (int i = 7; i >= 0; --i) out_ += char((bits >> (8 * i)) & 0xff);
  return *this;
}

PickleWriter& PickleWriter::memoize() {
  if (protocol_ >= 4) {
    out_ += char(0x94);
  } else {
    out_ += 'q';
    out_ += char(memo_ & 0xff);
  }
  ++memo_;
  return *this;
}

PickleWriter& PickleWriter::get(int index) {
  out_ += 'h';
  out_ += char(index);
  return *this;
}

PickleWriter& PickleWriter::intTuple(const std::vector<int64_t>& values) {
  op('(');
  for (const int64_t v : values) integer(v);
  return op('t');
}

PickleWriter& PickleWriter::tensor(const std::string& storage_type, const std::string& key, int64_t numel, int64_t offset,
                                   const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides) {
  global("torch._utils", "_rebuild_tensor_v2");
  op('(');
  op('(').str("storage").global("torch", storage_type).str(key).str("cpu").integer(numel).op('t').op('Q');
  integer(offset).intTuple(sizes).intTuple(strides).op(char(0x89));
  global("collections", "OrderedDict").op(')').op('R');
  op('t');
  return op('R');
}

std::string PickleWriter::bytes() const { return out_ + '.'; }

}  // namespace regionlab::test
