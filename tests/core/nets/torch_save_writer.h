#pragma once
// Writes files in torch.save's layout (a zip of stored records: <name>/data.pkl, <name>/data/<key>,
// <name>/version) from hand-made pickles, so the checkpoint tests can build well-formed, hostile
// and damaged files without Python. Test-only code.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace regionlab::test {

struct ZipEntry {
  std::string name;
  std::string bytes;
  // When > 0 the record is this many zero bytes written as a hole (a sparse multi-GB record);
  // its CRC is then left 0.
  uint64_t sparse_size = 0;
};

// Records are aligned to 64 bytes as torch.save does. zip64 structures are written when needed
// (records or offsets past 4 GB) or when force_zip64 is set.
void writeStoredZip(const std::filesystem::path& file, const std::vector<ZipEntry>& entries, bool force_zip64 = false);

// A pickle emitter: each call appends one opcode (and its argument).
class PickleWriter {
public:
  explicit PickleWriter(int protocol);
  PickleWriter& op(char opcode);
  PickleWriter& global(const std::string& module, const std::string& name);  // GLOBAL, or STACK_GLOBAL (protocol ≥ 4)
  PickleWriter& str(const std::string& s);                                     // BINUNICODE / SHORT_BINUNICODE
  PickleWriter& integer(int64_t v);                                            // BININT1/2, BININT, LONG1
  PickleWriter& real(double v);                                                // BINFLOAT
  PickleWriter& memoize();                                                     // BINPUT n / MEMOIZE
  PickleWriter& get(int index);                                                // BINGET
  PickleWriter& intTuple(const std::vector<int64_t>& values);
  // _rebuild_tensor_v2((storage…), offset, sizes, strides, False, OrderedDict()) as torch.save writes it.
  PickleWriter& tensor(const std::string& storage_type, const std::string& key, int64_t numel, int64_t offset,
                       const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides);
  std::string bytes() const;  // with STOP appended

private:
  int protocol_;
  int memo_ = 0;
  std::string out_;
};

}  // namespace regionlab::test
