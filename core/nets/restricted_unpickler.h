#pragma once
// A pickle reader for checkpoints that can never execute anything. It implements the opcodes of
// protocols 0–5 that torch.save emits (torch.save uses protocol 2; protocol 4 appears when a
// file was written with a newer default) and rebuilds only what a state dict is made of:
// numbers, strings, bytes, lists, tuples, dicts, collections.OrderedDict, tensors
// (torch._utils._rebuild_tensor[_v2], torch.nn.Parameter, _rebuild_from_type_v2) and their
// storages (the persistent ids 'storage', <type>, <key>, <location>, <numel>).
//
// Any other global (os.system, builtins.eval, …) is refused the moment the GLOBAL opcode names
// it, as are the opcodes that construct arbitrary objects (INST, OBJ, EXT*). Damaged data fails
// with Error(file, "<record>: <reason> at byte N"): bounds are checked on every read.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/nets/pickle_tree.h"

namespace regionlab::nets {

class RestrictedUnpickler {
public:
  // file and record name only label error messages.
  static PickleTree parse(std::span<const std::byte> data, const std::filesystem::path& file, const std::string& record);

private:
  class Machine;
};

// The globals a checkpoint may name, as "module.name".
const std::vector<std::string>& allowedPickleGlobals();

}  // namespace regionlab::nets
