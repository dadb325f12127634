#include "core/nets/restricted_unpickler.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/base/error.h"

namespace regionlab::nets {
namespace {

// Opcode values from CPython's Lib/pickle.py (protocols 0–5).
enum Op : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J', BININT1 = 'K',
  LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T',
  SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
  EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i', LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']',
  OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u',
  BINFLOAT = 'G', PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86,
  TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, BINBYTES = 'B', SHORT_BINBYTES = 'C',
  SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91,
  NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95, BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98,
};

const std::unordered_map<std::string, ScalarType>& storageTypes() {
  static const std::unordered_map<std::string, ScalarType> kTypes = {
      {"torch.FloatStorage", ScalarType::Float32},   {"torch.DoubleStorage", ScalarType::Float64},
      {"torch.HalfStorage", ScalarType::Float16},    {"torch.BFloat16Storage", ScalarType::BFloat16},
      {"torch.LongStorage", ScalarType::Int64},      {"torch.IntStorage", ScalarType::Int32},
      {"torch.ShortStorage", ScalarType::Int16},     {"torch.CharStorage", ScalarType::Int8},
      {"torch.ByteStorage", ScalarType::UInt8},      {"torch.BoolStorage", ScalarType::Bool},
  };
  return kTypes;
}

constexpr const char* kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
constexpr const char* kRebuildTensor = "torch._utils._rebuild_tensor";
constexpr const char* kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr const char* kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
constexpr const char* kRebuildFromType = "torch._tensor._rebuild_from_type_v2";
constexpr const char* kOrderedDict = "collections.OrderedDict";
constexpr const char* kCodecsEncode = "_codecs.encode";  // protocol 2 pickles bytes as _codecs.encode(str, 'latin1')

}  // namespace

class RestrictedUnpickler::Machine {
public:
  Machine(std::span<const std::byte> data, const std::filesystem::path& file, const std::string& record)
      : data_(data), file_(file), record_(record) {}

  PickleTree run() {
    while (true) {
      op_start_ = pos_;
      const uint8_t op = u8();
      if (op == STOP) {
        tree_.root_ = pop();
        return std::move(tree_);
      }
      step(op);
    }
  }

private:
  [[noreturn]] void fail(const std::string& reason) const {
    throw Error(file_, record_ + ": " + reason + " at byte " + std::to_string(op_start_));
  }

  // ---- reading ------------------------------------------------------------------------------
  const std::byte* take(uint64_t n) {
    if (n > data_.size() - pos_) fail("the pickle ends inside an opcode's argument (truncated data)");
    const std::byte* p = data_.data() + pos_;
    pos_ += size_t(n);
    return p;
  }
  uint8_t u8() { return uint8_t(*take(1)); }
  uint64_t littleEndian(int bytes) {
    const std::byte* p = take(uint64_t(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | uint64_t(p[i]);
    return v;
  }
  std::string text(uint64_t n) {
    const std::byte* p = take(n);
    return {reinterpret_cast<const char*>(p), size_t(n)};
  }
  std::string line() {
    const auto begin = data_.begin() + std::ptrdiff_t(pos_);
    const auto nl = std::find(begin, data_.end(), std::byte{'\n'});
    if (nl == data_.end()) fail("the pickle ends inside a text argument (truncated data)");
    std::string s(reinterpret_cast<const char*>(&*begin), size_t(nl - begin));
    pos_ += s.size() + 1;
    return s;
  }
  int64_t signedLittleEndian(uint64_t n) {
    if (n > 8) fail("integer of " + std::to_string(n) + " bytes is too large");
    if (n == 0) return 0;
    uint64_t v = littleEndian(int(n));
    if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    return int64_t(v);
  }
  int64_t parseInt(std::string s) {
    if (!s.empty() && s.back() == 'L') s.pop_back();
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) fail("bad integer '" + s.substr(0, 32) + "'");
    return v;
  }

  // ---- the value stack ----------------------------------------------------------------------
  int add(PickleNode n) {
    tree_.nodes_.push_back(std::move(n));
    return int(tree_.nodes_.size() - 1);
  }
  void push(int id) { stack_.push_back(id); }
  void pushNew(PickleNode n) { push(add(std::move(n))); }
  int pop() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    const int id = stack_.back();
    stack_.pop_back();
    return id;
  }
  int top() {
    if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("stack underflow");
    return stack_.back();
  }
  std::vector<int> popMark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<int> items(stack_.begin() + std::ptrdiff_t(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  PickleNode& node(int id) { return tree_.nodes_[size_t(id)]; }
  PickleNode& expect(int id, PickleKind kind, const char* what) {
    PickleNode& n = node(id);
    if (n.kind != kind) fail(std::string(what) + " must be a " + pickleKindName(kind) + ", found " + tree_.describe(id));
    return n;
  }
  static PickleNode scalar(PickleKind kind, int64_t v) {
    PickleNode n;
    n.kind = kind;
    n.integer = v;
    return n;
  }
  static PickleNode textNode(PickleKind kind, std::string s) {
    PickleNode n;
    n.kind = kind;
    n.text = std::move(s);
    return n;
  }
  static PickleNode container(PickleKind kind, std::vector<int> items = {}) {
    PickleNode n;
    n.kind = kind;
    n.items = std::move(items);
    return n;
  }
  void memoPut(uint64_t index) { memo_[index] = top(); }
  void memoGet(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo entry " + std::to_string(index) + " was never stored");
    push(it->second);
  }

  // ---- opcodes --------------------------------------------------------------------------------
  void step(uint8_t op) {
    switch (op) {
      case PROTO: {
        const int version = u8();
        if (version > 5) fail("pickle protocol " + std::to_string(version) + " is not supported (at most 5)");
        return;
      }
      case FRAME: take(8); return;  // frames only group the opcodes that follow
      case MARK: marks_.push_back(stack_.size()); return;
      case POP: pop(); return;
      case POP_MARK: popMark(); return;
      case DUP: push(top()); return;
      case NONE: pushNew({}); return;
      case NEWTRUE: pushNew(scalar(PickleKind::Bool, 1)); return;
      case NEWFALSE: pushNew(scalar(PickleKind::Bool, 0)); return;
      case BININT: pushNew(scalar(PickleKind::Int, signedLittleEndian(4))); return;
      case BININT1: pushNew(scalar(PickleKind::Int, int64_t(u8()))); return;
      case BININT2: pushNew(scalar(PickleKind::Int, int64_t(littleEndian(2)))); return;
      case LONG1: pushNew(scalar(PickleKind::Int, signedLittleEndian(u8()))); return;
      case LONG4: {
        const int64_t n = signedLittleEndian(4);
        if (n < 0) fail("negative LONG4 length");
        pushNew(scalar(PickleKind::Int, signedLittleEndian(uint64_t(n))));
        return;
      }
      case INT: {  // protocol 0: "I01\n" and "I00\n" are True and False
        const std::string s = line();
        if (s == "01" || s == "00") pushNew(scalar(PickleKind::Bool, s == "01"));
        else pushNew(scalar(PickleKind::Int, parseInt(s)));
        return;
      }
      case LONG: pushNew(scalar(PickleKind::Int, parseInt(line()))); return;
      case BINFLOAT: {
        uint64_t bits = 0;
        const std::byte* p = take(8);
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | uint64_t(p[i]);  // big-endian
        PickleNode n;
        n.kind = PickleKind::Float;
        std::memcpy(&n.real, &bits, 8);
        pushNew(std::move(n));
        return;
      }
      case FLOAT: {
        const std::string s = line();
        PickleNode n;
        n.kind = PickleKind::Float;
        char* end = nullptr;
        n.real = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) fail("bad float '" + s.substr(0, 32) + "'");
        pushNew(std::move(n));
        return;
      }
      case BINUNICODE: pushNew(textNode(PickleKind::String, text(littleEndian(4)))); return;
      case SHORT_BINUNICODE: pushNew(textNode(PickleKind::String, text(u8()))); return;
      case BINUNICODE8: pushNew(textNode(PickleKind::String, text(littleEndian(8)))); return;
      case BINSTRING: {
        const int64_t n = signedLittleEndian(4);
        if (n < 0) fail("negative BINSTRING length");
        pushNew(textNode(PickleKind::String, text(uint64_t(n))));
        return;
      }
      case SHORT_BINSTRING: pushNew(textNode(PickleKind::String, text(u8()))); return;
      case BINBYTES: pushNew(textNode(PickleKind::Bytes, text(littleEndian(4)))); return;
      case SHORT_BINBYTES: pushNew(textNode(PickleKind::Bytes, text(u8()))); return;
      case BINBYTES8:
      case BYTEARRAY8: pushNew(textNode(PickleKind::Bytes, text(littleEndian(8)))); return;
      case EMPTY_LIST: pushNew(container(PickleKind::List)); return;
      case EMPTY_TUPLE: pushNew(container(PickleKind::Tuple)); return;
      case EMPTY_DICT: pushNew(container(PickleKind::Dict)); return;
      case EMPTY_SET: pushNew(container(PickleKind::Set)); return;
      case LIST: pushNew(container(PickleKind::List, popMark())); return;
      case TUPLE: pushNew(container(PickleKind::Tuple, popMark())); return;
      case FROZENSET: pushNew(container(PickleKind::Set, popMark())); return;
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        std::vector<int> items(size_t(op - TUPLE1 + 1));
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        pushNew(container(PickleKind::Tuple, std::move(items)));
        return;
      }
      case DICT: {
        std::vector<int> items = popMark();
        if (items.size() % 2) fail("DICT with an odd number of items");
        pushNew(container(PickleKind::Dict, std::move(items)));
        return;
      }
      case APPEND: {
        const int v = pop();
        expect(top(), PickleKind::List, "APPEND's target").items.push_back(v);
        return;
      }
      case APPENDS: {
        const std::vector<int> items = popMark();
        auto& list = expect(top(), PickleKind::List, "APPENDS' target").items;
        list.insert(list.end(), items.begin(), items.end());
        return;
      }
      case ADDITEMS: {
        const std::vector<int> items = popMark();
        auto& set = expect(top(), PickleKind::Set, "ADDITEMS' target").items;
        set.insert(set.end(), items.begin(), items.end());
        return;
      }
      case SETITEM: {
        const int v = pop(), k = pop();
        auto& dict = expect(top(), PickleKind::Dict, "SETITEM's target").items;
        dict.push_back(k);
        dict.push_back(v);
        return;
      }
      case SETITEMS: {
        const std::vector<int> items = popMark();
        if (items.size() % 2) fail("SETITEMS with an odd number of items");
        auto& dict = expect(top(), PickleKind::Dict, "SETITEMS' target").items;
        dict.insert(dict.end(), items.begin(), items.end());
        return;
      }
      case PUT: memoPut(uint64_t(parseInt(line()))); return;
      case BINPUT: memoPut(u8()); return;
      case LONG_BINPUT: memoPut(littleEndian(4)); return;
      case MEMOIZE: memoPut(memo_.size()); return;
      case GET: memoGet(uint64_t(parseInt(line()))); return;
      case BINGET: memoGet(u8()); return;
      case LONG_BINGET: memoGet(littleEndian(4)); return;
      case GLOBAL: {
        std::string module = line();
        const std::string name = line();
        pushGlobal(module, name);
        return;
      }
      case STACK_GLOBAL: {
        const int name = pop(), module = pop();
        pushGlobal(expect(module, PickleKind::String, "STACK_GLOBAL's module").text, expect(name, PickleKind::String, "STACK_GLOBAL's name").text);
        return;
      }
      case REDUCE: {
        const int args = pop(), callable = pop();
        push(call(callable, args));
        return;
      }
      case NEWOBJ: {
        const int args = pop(), cls = pop();
        push(construct(cls, args));
        return;
      }
      case NEWOBJ_EX: {
        pop();  // kwargs
        const int args = pop(), cls = pop();
        push(construct(cls, args));
        return;
      }
      case BUILD: {
        pop();  // the state: our values have no attributes to set (an OrderedDict's _metadata is dropped)
        const PickleKind kind = node(top()).kind;
        if (kind != PickleKind::Dict && kind != PickleKind::Tensor) fail("BUILD on a " + std::string(pickleKindName(kind)));
        return;
      }
      case BINPERSID: push(persistentLoad(pop())); return;
      case INST:
      case OBJ:
      case EXT1:
      case EXT2:
      case EXT4: fail("opcode '" + opcodeName(op) + "' constructs arbitrary objects: refused (a checkpoint holds only tensors and plain values)");
      case PERSID:
      case STRING:
      case UNICODE:
      case NEXT_BUFFER:
      case READONLY_BUFFER: fail("opcode '" + opcodeName(op) + "' is not used by torch.save and is not supported");
      default: fail("unknown pickle opcode " + opcodeName(op));
    }
  }

  static std::string opcodeName(uint8_t op) {
    char buf[16];
    if (op >= 0x20 && op < 0x7f) std::snprintf(buf, sizeof buf, "%c (0x%02x)", op, op);
    else std::snprintf(buf, sizeof buf, "0x%02x", op);
    return buf;
  }

  // ---- globals and calls ------------------------------------------------------------------------
  void pushGlobal(const std::string& module, const std::string& name) {
    const std::string full = module + "." + name;
    const auto& allowed = allowedPickleGlobals();
    if (std::find(allowed.begin(), allowed.end(), full) == allowed.end()) {
      fail("refused global '" + full + "': a checkpoint may only name the tensor and container types torch.save writes, so loading it can "
           "never run code");
    }
    pushNew(textNode(PickleKind::Global, full));
  }

  const std::string& globalName(int id, const char* what) { return expect(id, PickleKind::Global, what).text; }

  int call(int callable, int args_id) {
    const std::string fn = globalName(callable, "REDUCE's callable");
    const std::vector<int> args = expect(args_id, PickleKind::Tuple, "REDUCE's arguments").items;
    if (fn == kOrderedDict) return orderedDict(args);
    if (fn == kRebuildTensorV2 || fn == kRebuildTensor) return rebuildTensor(args);
    if (fn == kRebuildParameter || fn == kRebuildParameterWithState) {
      if (args.size() < 3) fail(fn + " with " + std::to_string(args.size()) + " arguments");
      TensorRef t = tree_.tensors_[size_t(expect(args[0], PickleKind::Tensor, "a Parameter's data").integer)];
      t.is_parameter = true;
      return addTensor(std::move(t));
    }
    if (fn == kRebuildFromType) {  // (func, type, args, state): a tensor subclass; only Parameter and Tensor are known
      if (args.size() != 4) fail(fn + " with " + std::to_string(args.size()) + " arguments");
      const std::string type = globalName(args[1], "the tensor type");
      if (type != "torch.nn.parameter.Parameter" && type != "torch.Tensor") fail("tensor subclass '" + type + "' is not supported");
      const std::string inner = globalName(args[0], "the rebuild function");
      if (inner != kRebuildTensorV2 && inner != kRebuildTensor && inner != kRebuildParameter) fail("'" + inner + "' cannot rebuild a tensor");
      const int result = call(args[0], args[2]);
      if (type == "torch.nn.parameter.Parameter") tree_.tensors_[size_t(node(result).integer)].is_parameter = true;
      return result;
    }
    if (fn == kCodecsEncode) {
      if (args.size() != 2) fail(fn + " with " + std::to_string(args.size()) + " arguments");
      const std::string& encoding = expect(args[1], PickleKind::String, "the encoding").text;
      if (encoding != "latin1" && encoding != "latin-1") fail("_codecs.encode with encoding '" + encoding + "'");
      return add(textNode(PickleKind::Bytes, latin1(expect(args[0], PickleKind::String, "the encoded text").text)));
    }
    fail("global '" + fn + "' cannot be called");
  }

  int construct(int cls, int args_id) {
    const std::string& name = globalName(cls, "NEWOBJ's class");
    if (name != kOrderedDict) fail("NEWOBJ of '" + name + "' is not supported");
    return orderedDict(expect(args_id, PickleKind::Tuple, "NEWOBJ's arguments").items);
  }

  int orderedDict(const std::vector<int>& args) {
    PickleNode d = container(PickleKind::Dict);
    d.ordered = true;
    if (args.size() > 1) fail("OrderedDict with " + std::to_string(args.size()) + " arguments");
    if (args.size() == 1) {  // OrderedDict([(key, value), …])
      const PickleNode& pairs = node(args[0]);
      if (pairs.kind != PickleKind::List && pairs.kind != PickleKind::Tuple) fail("OrderedDict of a " + tree_.describe(args[0]));
      for (const int p : pairs.items) {
        const PickleNode& pair = expect(p, PickleKind::Tuple, "an OrderedDict item");
        if (pair.items.size() != 2) fail("an OrderedDict item must be a pair");
        d.items.push_back(pair.items[0]);
        d.items.push_back(pair.items[1]);
      }
    }
    return add(std::move(d));
  }

  std::string latin1(const std::string& utf8) {
    std::string out;
    for (size_t i = 0; i < utf8.size(); ++i) {
      const auto c = uint8_t(utf8[i]);
      if (c < 0x80) {
        out += char(c);
      } else if ((c & 0xe0) == 0xc0 && i + 1 < utf8.size() && c <= 0xc3) {
        out += char(((c & 0x1f) << 6) | (uint8_t(utf8[++i]) & 0x3f));
      } else {
        fail("text is not representable in latin-1");
      }
    }
    return out;
  }

  std::vector<int64_t> intTuple(int id, const char* what) {
    std::vector<int64_t> values;
    for (const int item : expect(id, PickleKind::Tuple, what).items) {
      const PickleNode& n = node(item);
      if (n.kind != PickleKind::Int) fail(std::string(what) + " must hold integers, found " + tree_.describe(item));
      values.push_back(n.integer);
    }
    return values;
  }

  int addTensor(TensorRef t) {
    tree_.tensors_.push_back(std::move(t));
    return add(scalar(PickleKind::Tensor, int64_t(tree_.tensors_.size() - 1)));
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  int rebuildTensor(const std::vector<int>& args) {
    if (args.size() < 4) fail("tensor rebuilt from " + std::to_string(args.size()) + " arguments");
    TensorRef t;
    t.storage = int(expect(args[0], PickleKind::Storage, "a tensor's storage").integer);
    t.storage_offset = expect(args[1], PickleKind::Int, "a tensor's storage offset").integer;
    t.sizes = intTuple(args[2], "a tensor's size");
    t.strides = intTuple(args[3], "a tensor's stride");
    const StorageRef& s = tree_.storages_[size_t(t.storage)];
    if (t.sizes.size() != t.strides.size() || t.sizes.size() > 64) fail("tensor size and stride do not match");
    // The largest element index the view reaches must lie inside the storage.
    __int128 last = t.storage_offset, count = 1;
    for (size_t i = 0; i < t.sizes.size(); ++i) {
      if (t.sizes[i] < 0 || t.strides[i] < 0) fail("negative tensor size or stride");
      count *= t.sizes[i];
      if (count > (__int128(1) << 62)) fail("tensor too large");
      if (t.sizes[i] > 0) last += __int128(t.sizes[i] - 1) * t.strides[i];
    }
    if (t.storage_offset < 0 || (count > 0 && last >= s.numel)) {
      fail("tensor " + shapeString(t.sizes) + " at offset " + std::to_string(t.storage_offset) + " reaches past its storage '" + s.key +
           "' of " + std::to_string(s.numel) + " elements");
    }
    return addTensor(std::move(t));
  }

  // torch.save's persistent id: ('storage', <torch.XStorage>, key, location, numel).
  int persistentLoad(int pid_id) {
    const std::vector<int> pid = expect(pid_id, PickleKind::Tuple, "a persistent id").items;
    if (pid.size() != 5 || node(pid[0]).kind != PickleKind::String || node(pid[0]).text != "storage") {
      fail("unknown persistent id " + tree_.describe(pid_id));
    }
    const std::string type_name = globalName(pid[1], "a storage type");
    const auto type = storageTypes().find(type_name);
    if (type == storageTypes().end()) fail("'" + type_name + "' is not a storage type");
    const std::string key = expect(pid[2], PickleKind::String, "a storage key").text;
    expect(pid[3], PickleKind::String, "a storage location");
    const int64_t numel = expect(pid[4], PickleKind::Int, "a storage size").integer;
    if (numel < 0) fail("negative storage size");
    auto [it, inserted] = storage_by_key_.emplace(key, int(tree_.storages_.size()));
    if (inserted) {
      tree_.storages_.push_back({key, type->second, numel});
    } else if (tree_.storages_[size_t(it->second)].type != type->second || tree_.storages_[size_t(it->second)].numel != numel) {
      fail("storage '" + key + "' is described twice with different types or sizes");
    }
    return add(scalar(PickleKind::Storage, it->second));
  }

  std::span<const std::byte> data_;
  const std::filesystem::path& file_;
  const std::string& record_;
  size_t pos_ = 0, op_start_ = 0;
  PickleTree tree_;
  std::vector<int> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, int> memo_;
  std::unordered_map<std::string, int> storage_by_key_;
};

const std::vector<std::string>& allowedPickleGlobals() {
  static const std::vector<std::string> kAllowed = [] {
    std::vector<std::string> names = {kOrderedDict,   kRebuildTensorV2, kRebuildTensor, kRebuildParameter, kRebuildParameterWithState,
                                      kRebuildFromType, kCodecsEncode,  "torch.Tensor", "torch.nn.parameter.Parameter"};
    for (const auto& [name, type] : storageTypes()) names.push_back(name);
    return names;
  }();
  return kAllowed;
}

PickleTree RestrictedUnpickler::parse(std::span<const std::byte> data, const std::filesystem::path& file, const std::string& record) {
  return Machine(data, file, record).run();
}

}  // namespace regionlab::nets
