#pragma once
// Named tensors of a model, read from an official checkpoint file as published (no conversion
// step): the typed, checked access every network in core/nets builds itself from.
//
//   StateDict w = StateDict::load(path);           // maps the file; milliseconds for GBs
//   const at::Tensor& qkv = w.tensor("blocks.0.attn.qkv.weight", {3 * dim, dim});
//   StateDict encoder = w.scope("image_encoder."); // keys below a prefix, prefix removed
//
// Tensors share the file's memory (copy-on-write mapping, so an in-place write changes only this
// process's copy); views that share a storage in the file share it here too. Every failure is
// an Error naming the file: a missing key (with the nearest keys that do exist), a shape that
// differs (expected and found), a refused or damaged file (see CheckpointArchive).
//
// Headers stay torch-free (DESIGN.md): at::Tensor is only declared here; callers are .cpp
// files under core/nets and core/features, which include ATen themselves.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace at {
class Tensor;
}

namespace regionlab::nets {

struct StateDictOptions {
  // The dict inside the file that holds the weights. Empty: the file's top-level dict when it
  // holds tensors, else the first of "model_state_dict", "state_dict", "model", "module" that does
  // (the wrappers training scripts write, e.g. ImAge's {"model_state_dict": …, "epoch": …}).
  std::string entry;
  // Remove the "module." prefix that torch.nn.DataParallel adds, when every key carries it.
  bool strip_module_prefix = true;
  // Verify every record's CRC-32 (reads the whole file); data.pkl is always verified.
  bool verify_checksums = false;
};

class StateDict {
public:
  static StateDict load(const std::filesystem::path& file, const StateDictOptions& options = {});
  // Weights made in memory (tests, benchmarks with random weights); origin labels errors.
  static StateDict fromTensors(const std::string& origin, std::vector<std::pair<std::string, at::Tensor>> tensors);

  StateDict();
  ~StateDict();
  StateDict(const StateDict&);
  StateDict(StateDict&&) noexcept;
  StateDict& operator=(const StateDict&);
  StateDict& operator=(StateDict&&) noexcept;

  // The file, or the origin given to fromTensors().
  const std::filesystem::path& origin() const;
  // Keys in file order (relative to this scope).
  const std::vector<std::string>& keys() const;
  size_t size() const;
  bool contains(const std::string& key) const;
  // nullptr when absent.
  const at::Tensor* find(const std::string& key) const;
  // Throws Error(file, "missing tensor '<prefix+key>' …") when absent.
  const at::Tensor& tensor(const std::string& key) const;
  // Also checks the shape; -1 in expected_shape matches any size.
  const at::Tensor& tensor(const std::string& key, const std::vector<int64_t>& expected_shape) const;
  std::vector<int64_t> shape(const std::string& key) const;

  // The tensors whose keys start with prefix, with the prefix removed ("blocks.3." → "attn.qkv.weight").
  StateDict scope(const std::string& prefix) const;
  // How many consecutive groups "<prefix>0.", "<prefix>1.", … exist (e.g. the blocks of a ViT).
  int countIndexed(const std::string& prefix) const;

  // Throws Error(origin, reason), for checks a model makes beyond shapes.
  [[noreturn]] void fail(const std::string& reason) const;

private:
  StateDict scope(const std::string& prefix, const std::string& message_prefix) const;
  struct Data;
  std::shared_ptr<const Data> data_;
};

}  // namespace regionlab::nets
