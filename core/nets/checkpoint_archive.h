#pragma once
// A torch.save file opened for reading: the zip records (memory-mapped), the restricted
// unpickling of data.pkl, and the bytes of every storage it refers to, validated against the
// sizes the pickle declares. No torch types here: StateDict turns this into tensors.
//
// Layout written by torch.save (PyTorch ≥ 1.6): "<name>/data.pkl", "<name>/data/<key>" for each
// storage, "<name>/version", optionally "<name>/byteorder" and "<name>/.data/serialization_id".
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/nets/pickle_tree.h"
#include "core/nets/zip_archive.h"

namespace regionlab::nets {

struct CheckpointOptions {
  // Recompute the CRC-32 of every storage record (reads the whole file, ~1 s per GB). data.pkl is
  // always verified; storages are otherwise only mapped and paged in when used.
  bool verify_checksums = false;
};

class CheckpointArchive {
public:
  // Throws Error(file, reason): not a zip, truncated, missing record, refused global, …
  explicit CheckpointArchive(const std::filesystem::path& file, const CheckpointOptions& options = {});

  const std::filesystem::path& path() const { return zip_.path(); }
  const PickleTree& tree() const { return tree_; }
  // The bytes of storage i (at least numel × element size of them).
  std::span<const std::byte> storageBytes(int storage) const { return storage_bytes_.at(size_t(storage)); }
  const std::shared_ptr<const MappedFile>& mapping() const { return zip_.file(); }

private:
  ZipArchive zip_;
  PickleTree tree_;
  std::vector<std::span<const std::byte>> storage_bytes_;
};

}  // namespace regionlab::nets
