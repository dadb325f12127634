#pragma once
// DRQ codebooks trained on a collection and the compact codes of its regions (schema v4:
// tables codebooks and region_codes). A codebook row holds the codebook file's bytes
// (core/quantization/codebook_file.h), so the database stays the one source of truth: codes
// and the codebook that gives them meaning are committed together and deleted together
// (deleting a codebook cascades to its codes; deleting a region cascades to its codes).
//
// Purposes: "region_codes" (the search index's memory-light first pass, one codebook per
// descriptor model at a time) and "clusters" (a one-book codebook whose code is the cluster of
// each region, for bulk labeling).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace regionlab {

class Database;

inline constexpr const char* kRegionCodesPurpose = "region_codes";
inline constexpr const char* kClustersPurpose = "clusters";

struct CodebookRecord {
  int64_t id = 0;
  int64_t model_id = 0;   // the descriptor whose vectors it encodes
  std::string purpose;    // kRegionCodesPurpose, kClustersPurpose
  std::string sha256;     // the codebook id (DrqCodebook::id())
  int books = 0;          // codes are `books` uint16 values
  int centroids = 0;      // per book (largest book)
  int64_t training_vectors = 0;
  std::string created_at;  // ISO 8601, UTC
};

class CodebookStore {
public:
  explicit CodebookStore(Database& db);

  // Inserts a codebook; returns its row id.
  int64_t writeCodebook(const CodebookRecord& record, std::span<const uint8_t> data);
  std::optional<CodebookRecord> readCodebook(int64_t id);
  // The newest codebook of the model for the purpose.
  std::optional<CodebookRecord> latestCodebook(int64_t model_id, const std::string& purpose);
  std::vector<CodebookRecord> readCodebooks(int64_t model_id, const std::string& purpose);
  std::vector<uint8_t> readCodebookData(int64_t id);
  // Removes the codebook and, by cascade, all its codes.
  void deleteCodebook(int64_t id);

  // Codes: `books` little-endian uint16 per region (INSERT OR REPLACE).
  void writeCodes(int64_t codebook_id, std::span<const int64_t> region_ids, const uint16_t* codes, int books);
  // Streams (region id, codes) of the codebook with region id > after_region_id, in region id order.
  void forEachCode(int64_t codebook_id, int64_t after_region_id,
                   const std::function<void(int64_t region_id, std::span<const uint16_t> codes)>& visit);
  int64_t codeCount(int64_t codebook_id);
  // Regions whose first code equals `code` (for one-book codebooks: the members of a cluster),
  // in region id order.
  std::vector<int64_t> regionsWithCode(int64_t codebook_id, uint16_t code);

private:
  Database& db_;
};

}  // namespace regionlab
