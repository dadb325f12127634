#pragma once
// The SHA-256 of a checkpoint file, which identifies the weights behind every stored vector.
// Hashing a multi-GB checkpoint takes seconds, so the result is remembered per file (absolute
// path, size, modification time) in $XDG_CACHE_HOME/regionlab/checkpoint-sha256.tsv (else
// ~/.cache/regionlab/…); a changed file is hashed again. A file the model manager has verified
// (core/models/model_store.h) takes the SHA-256 from its record instead. A cache that cannot be
// written only costs the next start another hash.
#include <filesystem>
#include <string>

namespace regionlab::nets {

// Throws Error(file, reason) when the file cannot be read.
std::string checkpointSha256(const std::filesystem::path& file);

std::filesystem::path checkpointHashCacheFile();

}  // namespace regionlab::nets
