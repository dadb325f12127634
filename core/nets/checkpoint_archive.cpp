#include "core/nets/checkpoint_archive.h"

#include "core/base/error.h"
#include "core/nets/restricted_unpickler.h"

namespace regionlab::nets {
namespace {

// The archive's single top-level folder: the part of "<name>/data.pkl" before the slash.
std::string archivePrefix(const ZipArchive& zip) {
  for (const ZipRecord& r : zip.records()) {
    const std::string suffix = "data.pkl";
    if (r.name.size() < suffix.size() || r.name.compare(r.name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string prefix = r.name.substr(0, r.name.size() - suffix.size());
    if (prefix.empty() || (prefix.back() == '/' && prefix.find('/') == prefix.size() - 1)) return prefix;
  }
  throw Error(zip.path(), "record 'data.pkl' is missing: this zip archive was not written by torch.save");
}

}  // namespace

CheckpointArchive::CheckpointArchive(const std::filesystem::path& file, const CheckpointOptions& options) : zip_(MappedFile::open(file)) {
  const std::string prefix = archivePrefix(zip_);
  if (const ZipRecord* order = zip_.find(prefix + "byteorder")) {
    const auto bytes = zip_.data(*order);
    const std::string value(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (value != "little") throw Error(file, "the tensors were saved in '" + value + "' byte order; only little-endian is supported");
  }
  const ZipRecord& pickle = zip_.get(prefix + "data.pkl");
  zip_.verifyChecksum(pickle);
  tree_ = RestrictedUnpickler::parse(zip_.data(pickle), file, pickle.name);

  storage_bytes_.reserve(tree_.storages().size());
  for (const StorageRef& s : tree_.storages()) {
    const std::string name = prefix + "data/" + s.key;
    const ZipRecord* record = zip_.find(name);
    if (!record) throw Error(file, "record '" + name + "' is missing (the data of storage '" + s.key + "')");
    if (uint64_t(s.numel) > record->size / scalarTypeSize(s.type)) {  // division: a hostile numel cannot overflow
      throw Error(file, "record '" + name + "' holds " + std::to_string(record->size) + " bytes, too few for its storage of " +
                            std::to_string(s.numel) + " " + scalarTypeName(s.type) + " values");
    }
    const uint64_t needed = uint64_t(s.numel) * scalarTypeSize(s.type);
    if (options.verify_checksums) zip_.verifyChecksum(*record);
    storage_bytes_.push_back(zip_.data(*record).first(size_t(needed)));
  }
}

}  // namespace regionlab::nets
