#pragma once
// What a checkpoint's data.pkl holds, as plain values: dicts (ordered as written), lists,
// tuples, numbers, strings, and tensors described by reference to a storage record of the
// archive. Produced by the restricted unpickler; nothing in it is executable.
//
// Values live in one arena and refer to each other by index, as pickle's memo does: shared
// and even cyclic references (which a hostile file can build) cost nothing to destroy and
// cannot overflow the stack.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regionlab::nets {

enum class ScalarType { Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };
size_t scalarTypeSize(ScalarType type);
const char* scalarTypeName(ScalarType type);  // "float32", "bfloat16", …

// One storage of the archive (record "<archive>/data/<key>"); several tensors may view it.
struct StorageRef {
  std::string key;
  ScalarType type = ScalarType::Float32;
  int64_t numel = 0;
};

struct TensorRef {
  int storage = -1;            // index into PickleTree::storages()
  int64_t storage_offset = 0;  // in elements
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
  bool is_parameter = false;  // saved as torch.nn.Parameter
};

enum class PickleKind { None, Bool, Int, Float, String, Bytes, List, Tuple, Dict, Set, Global, Storage, Tensor };
const char* pickleKindName(PickleKind kind);

struct PickleNode {
  PickleKind kind = PickleKind::None;
  int64_t integer = 0;     // Bool, Int; the index of a Storage or Tensor
  double real = 0;         // Float
  std::string text;        // String (UTF-8), Bytes; Global: "module.name"
  std::vector<int> items;  // List, Tuple, Set: element ids; Dict: key0, value0, key1, value1, …
  bool ordered = false;    // Dict: a collections.OrderedDict
};

class PickleTree {
public:
  int root() const { return root_; }
  const PickleNode& node(int id) const { return nodes_.at(size_t(id)); }
  size_t nodeCount() const { return nodes_.size(); }
  const std::vector<StorageRef>& storages() const { return storages_; }
  const std::vector<TensorRef>& tensors() const { return tensors_; }
  const TensorRef& tensor(int node_id) const;  // node must be a Tensor

  // The value stored under a string key of a dict, if any.
  std::optional<int> lookup(int dict_id, std::string_view key) const;
  // "dict of 3 items", "tensor float32 [2, 3]", "int 5": for error messages.
  std::string describe(int id) const;

private:
  friend class RestrictedUnpickler;
  std::vector<PickleNode> nodes_;
  std::vector<StorageRef> storages_;
  std::vector<TensorRef> tensors_;
  int root_ = -1;
};

std::string shapeString(const std::vector<int64_t>& shape);  // "[2, 3]"

}  // namespace regionlab::nets
