#include "core/nets/state_dict.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include <ATen/ATen.h>

#include "core/base/error.h"
#include "core/nets/checkpoint_archive.h"

namespace regionlab::nets {

struct StateDict::Data {
  std::filesystem::path origin;
  std::string prefix;  // of this scope, for messages
  std::vector<std::string> keys;
  std::unordered_map<std::string, at::Tensor> tensors;
};

namespace {

at::ScalarType toAten(ScalarType type) {
  switch (type) {
    case ScalarType::Float32: return at::kFloat;
    case ScalarType::Float64: return at::kDouble;
    case ScalarType::Float16: return at::kHalf;
    case ScalarType::BFloat16: return at::kBFloat16;
    case ScalarType::Int64: return at::kLong;
    case ScalarType::Int32: return at::kInt;
    case ScalarType::Int16: return at::kShort;
    case ScalarType::Int8: return at::kChar;
    case ScalarType::UInt8: return at::kByte;
    case ScalarType::Bool: return at::kBool;
  }
  return at::kFloat;
}

// One at::Storage per storage of the file, sharing the mapped bytes (copied only when the record
// is misaligned for its element type, which torch.save never produces: it aligns records to 64).
at::Storage makeStorage(const CheckpointArchive& archive, int index) {
  const StorageRef& ref = archive.tree().storages()[size_t(index)];
  const std::span<const std::byte> bytes = archive.storageBytes(index);
  if (ref.type == ScalarType::Bool) {
    for (const std::byte b : bytes) {
      if (uint8_t(b) > 1) throw Error(archive.path(), "bool storage '" + ref.key + "' holds a value other than 0 and 1");
    }
  }
  if (reinterpret_cast<uintptr_t>(bytes.data()) % scalarTypeSize(ref.type) != 0) {
    at::Tensor copy = at::empty({int64_t(bytes.size())}, at::kByte);
    std::memcpy(copy.data_ptr(), bytes.data(), bytes.size());
    return copy.storage();
  }
  auto* owner = new std::shared_ptr<const MappedFile>(archive.mapping());
  c10::DataPtr data(const_cast<std::byte*>(bytes.data()), owner,
                    [](void* ctx) { delete static_cast<std::shared_ptr<const MappedFile>*>(ctx); }, at::Device(at::kCPU));
  return c10::Storage(c10::Storage::use_byte_size_t(), bytes.size(), std::move(data), nullptr, false);
}

int findEntry(const PickleTree& tree, const std::filesystem::path& file, const std::string& entry) {
  const int root = tree.root();
  auto holdsTensors = [&](int id) {
    const PickleNode& n = tree.node(id);
    if (n.kind != PickleKind::Dict) return false;
    for (size_t i = 1; i < n.items.size(); i += 2) {
      if (tree.node(n.items[i]).kind == PickleKind::Tensor) return true;
    }
    return false;
  };
  if (tree.node(root).kind != PickleKind::Dict) throw Error(file, "the checkpoint holds a " + tree.describe(root) + ", not a dict of tensors");
  if (!entry.empty()) {
    const auto found = tree.lookup(root, entry);
    if (!found) throw Error(file, "the checkpoint has no entry '" + entry + "'");
    if (!holdsTensors(*found)) throw Error(file, "entry '" + entry + "' holds a " + tree.describe(*found) + ", not tensors");
    return *found;
  }
  if (holdsTensors(root)) return root;
  for (const char* wrapper : {"model_state_dict", "state_dict", "model", "module"}) {
    const auto found = tree.lookup(root, wrapper);
    if (found && holdsTensors(*found)) return *found;
  }
  std::string keys;
  const PickleNode& r = tree.node(root);
  for (size_t i = 0; i < r.items.size() && i < 20; i += 2) keys += (i ? ", " : "") + tree.describe(r.items[i]);
  throw Error(file, "found no tensors: the checkpoint's top-level dict holds " + keys);
}

}  // namespace

StateDict::StateDict() : data_(std::make_shared<Data>()) {}
StateDict::~StateDict() = default;
StateDict::StateDict(const StateDict&) = default;
StateDict::StateDict(StateDict&&) noexcept = default;
StateDict& StateDict::operator=(const StateDict&) = default;
StateDict& StateDict::operator=(StateDict&&) noexcept = default;

StateDict StateDict::load(const std::filesystem::path& file, const StateDictOptions& options) {
  const CheckpointArchive archive(file, CheckpointOptions{options.verify_checksums});
  const PickleTree& tree = archive.tree();
  const PickleNode& dict = tree.node(findEntry(tree, file, options.entry));

  auto data = std::make_shared<Data>();
  data->origin = file;
  std::vector<at::Storage> storages(tree.storages().size());
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const PickleNode& key = tree.node(dict.items[i]);
    if (key.kind != PickleKind::String || tree.node(dict.items[i + 1]).kind != PickleKind::Tensor) continue;  // e.g. "_extra_state"
    const TensorRef& ref = tree.tensor(dict.items[i + 1]);
    at::Storage& storage = storages[size_t(ref.storage)];
    if (!storage) storage = makeStorage(archive, ref.storage);
    const at::ScalarType type = toAten(tree.storages()[size_t(ref.storage)].type);
    at::Tensor t = at::empty({0}, at::TensorOptions().dtype(type)).set_(storage, ref.storage_offset, ref.sizes, ref.strides);
    if (!data->tensors.insert_or_assign(key.text, std::move(t)).second) continue;  // a repeated key keeps its first place
    data->keys.push_back(key.text);
  }
  StateDict result;
  result.data_ = std::move(data);
  const std::string module = "module.";
  const auto& keys = result.keys();
  if (options.strip_module_prefix && !keys.empty() &&
      std::all_of(keys.begin(), keys.end(), [&](const std::string& k) { return k.rfind(module, 0) == 0; })) {
    return result.scope(module, "");  // messages name the stripped keys, as models ask for them
  }
  return result;
}

StateDict StateDict::fromTensors(const std::string& origin, std::vector<std::pair<std::string, at::Tensor>> tensors) {
  auto data = std::make_shared<Data>();
  data->origin = origin;
  for (auto& [key, tensor] : tensors) {
    if (data->tensors.insert_or_assign(key, std::move(tensor)).second) data->keys.push_back(key);
  }
  StateDict result;
  result.data_ = std::move(data);
  return result;
}

const std::filesystem::path& StateDict::origin() const { return data_->origin; }
const std::vector<std::string>& StateDict::keys() const { return data_->keys; }
size_t StateDict::size() const { return data_->keys.size(); }
bool StateDict::contains(const std::string& key) const { return data_->tensors.count(key) > 0; }

const at::Tensor* StateDict::find(const std::string& key) const {
  const auto it = data_->tensors.find(key);
  return it == data_->tensors.end() ? nullptr : &it->second;
}

const at::Tensor& StateDict::tensor(const std::string& key) const {
  if (const at::Tensor* t = find(key)) return *t;
  // Name what is there: the keys sharing the longest dotted prefix with the missing one.
  std::vector<std::string> near;
  for (size_t dot = key.rfind('.');; dot = dot == 0 ? std::string::npos : key.rfind('.', dot - 1)) {
    const std::string scope = dot == std::string::npos ? "" : key.substr(0, dot + 1);
    for (const std::string& k : data_->keys) {
      if (near.size() < 6 && k.rfind(scope, 0) == 0) near.push_back(data_->prefix + k);
    }
    if (!near.empty() || dot == std::string::npos) break;
  }
  std::string hint;
  for (const std::string& k : near) hint += (hint.empty() ? "" : ", ") + k;
  fail("missing tensor '" + data_->prefix + key + "' (the checkpoint has " + std::to_string(size()) + " tensors here" +
       (hint.empty() ? "" : "; nearest: " + hint + (near.size() == 6 ? ", …" : "")) + ")");
}

const at::Tensor& StateDict::tensor(const std::string& key, const std::vector<int64_t>& expected_shape) const {
  const at::Tensor& t = tensor(key);
  const auto sizes = t.sizes();
  bool match = int64_t(sizes.size()) == int64_t(expected_shape.size());
  for (size_t i = 0; match && i < expected_shape.size(); ++i) match = expected_shape[i] < 0 || expected_shape[i] == sizes[i];
  if (!match) {
    std::string expected = "[";
    for (size_t i = 0; i < expected_shape.size(); ++i) {
      expected += (i ? ", " : "") + (expected_shape[i] < 0 ? std::string("*") : std::to_string(expected_shape[i]));
    }
    fail("tensor '" + data_->prefix + key + "' has shape " + shapeString(t.sizes().vec()) + ", expected " + expected + "]");
  }
  return t;
}

std::vector<int64_t> StateDict::shape(const std::string& key) const { return tensor(key).sizes().vec(); }

StateDict StateDict::scope(const std::string& prefix) const { return scope(prefix, data_->prefix + prefix); }

StateDict StateDict::scope(const std::string& prefix, const std::string& message_prefix) const {
  auto data = std::make_shared<Data>();
  data->origin = data_->origin;
  data->prefix = message_prefix;
  for (const std::string& k : data_->keys) {
    if (k.size() <= prefix.size() || k.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string inner = k.substr(prefix.size());
    data->keys.push_back(inner);
    data->tensors.emplace(inner, data_->tensors.at(k));
  }
  StateDict result;
  result.data_ = std::move(data);
  return result;
}

int StateDict::countIndexed(const std::string& prefix) const {
  int n = 0;
  while (true) {
    const std::string group = prefix + std::to_string(n) + ".";
    if (std::none_of(data_->keys.begin(), data_->keys.end(), [&](const std::string& k) { return k.rfind(group, 0) == 0; })) return n;
    ++n;
  }
}

void StateDict::fail(const std::string& reason) const { throw Error(data_->origin, reason); }

}  // namespace regionlab::nets
