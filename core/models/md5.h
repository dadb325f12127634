#pragma once
// MD5 (RFC 1321), only to check downloads against the hashes their publishers give: SAM's
// checkpoints are published with their MD5 (the 6 hex digits in "sam_vit_b_01ec64.pth" are its
// start). Not for anything that needs collision resistance: RegionLab identifies content by
// SHA-256 (core/base/sha256.h).
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace regionlab {

class Md5 {
public:
  Md5();
  void update(std::span<const uint8_t> bytes);
  void update(const void* data, size_t size) { update({static_cast<const uint8_t*>(data), size}); }
  std::string hexDigest();  // finishes the hash

private:
  void compressBlock(const uint8_t* block);
  std::array<uint32_t, 4> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace regionlab
