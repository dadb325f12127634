#include "core/nets/pickle_tree.h"

#include <stdexcept>

namespace regionlab::nets {

size_t scalarTypeSize(ScalarType type) {
  switch (type) {
    case ScalarType::Float64:
    case ScalarType::Int64: return 8;
    case ScalarType::Float32:
    case ScalarType::Int32: return 4;
    case ScalarType::Float16:
    case ScalarType::BFloat16:
    case ScalarType::Int16: return 2;
    case ScalarType::Int8:
    case ScalarType::UInt8:
    case ScalarType::Bool: return 1;
  }
  return 1;
}

const char* scalarTypeName(ScalarType type) {
  switch (type) {
    case ScalarType::Float32: return "float32";
    case ScalarType::Float64: return "float64";
    case ScalarType::Float16: return "float16";
    case ScalarType::BFloat16: return "bfloat16";
    case ScalarType::Int64: return "int64";
    case ScalarType::Int32: return "int32";
    case ScalarType::Int16: return "int16";
    case ScalarType::Int8: return "int8";
    case ScalarType::UInt8: return "uint8";
    case ScalarType::Bool: return "bool";
  }
  return "?";
}

const char* pickleKindName(PickleKind kind) {
  switch (kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return "bool";
    case PickleKind::Int: return "int";
    case PickleKind::Float: return "float";
    case PickleKind::String: return "string";
    case PickleKind::Bytes: return "bytes";
    case PickleKind::List: return "list";
    case PickleKind::Tuple: return "tuple";
    case PickleKind::Dict: return "dict";
    case PickleKind::Set: return "set";
    case PickleKind::Global: return "global";
    case PickleKind::Storage: return "storage";
    case PickleKind::Tensor: return "tensor";
  }
  return "?";
}

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

const TensorRef& PickleTree::tensor(int node_id) const {
  const PickleNode& n = node(node_id);
  if (n.kind != PickleKind::Tensor) throw std::logic_error("PickleTree::tensor on a " + std::string(pickleKindName(n.kind)));
  return tensors_.at(size_t(n.integer));
}

std::optional<int> PickleTree::lookup(int dict_id, std::string_view key) const {
  const PickleNode& d = node(dict_id);
  if (d.kind != PickleKind::Dict) return std::nullopt;
  std::optional<int> found;  // the last write wins, as in Python
  for (size_t i = 0; i + 1 < d.items.size(); i += 2) {
    const PickleNode& k = node(d.items[i]);
    if (k.kind == PickleKind::String && k.text == key) found = d.items[i + 1];
  }
  return found;
}

std::string PickleTree::describe(int id) const {
  const PickleNode& n = node(id);
  switch (n.kind) {
    case PickleKind::Int:
    case PickleKind::Bool: return std::string(pickleKindName(n.kind)) + " " + std::to_string(n.integer);
    case PickleKind::String: return "string '" + n.text.substr(0, 40) + "'";
    case PickleKind::Global: return "global " + n.text;
    case PickleKind::List:
    case PickleKind::Tuple:
    case PickleKind::Set: return std::string(pickleKindName(n.kind)) + " of " + std::to_string(n.items.size()) + " items";
    case PickleKind::Dict: return std::string(n.ordered ? "OrderedDict" : "dict") + " of " + std::to_string(n.items.size() / 2) + " items";
    case PickleKind::Tensor: {
      const TensorRef& t = tensors_.at(size_t(n.integer));
      return std::string("tensor ") + scalarTypeName(storages_.at(size_t(t.storage)).type) + " " + shapeString(t.sizes);
    }
    default: return pickleKindName(n.kind);
  }
}

}  // namespace regionlab::nets
