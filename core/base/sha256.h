#pragma once
// SHA-256 (FIPS 180-4). Identifies image contents (ingest resume) and model checkpoints
// (a vector records the exact weights that made it).
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace regionlab {

class Sha256 {
public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  void update(const void* data, size_t size) { update({static_cast<const uint8_t*>(data), size}); }
  std::array<uint8_t, 32> digest();  // finishes the hash; the object must not be updated after
  std::string hexDigest();

private:
  void compressBlock(const uint8_t* block);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256Hex(std::span<const uint8_t> bytes);
// Streams the file; throws Error(file, reason) when it cannot be read.
std::string sha256HexOfFile(const std::filesystem::path& file);

}  // namespace regionlab
