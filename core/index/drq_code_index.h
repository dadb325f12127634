#pragma once
// Compact DRQ codes of every region vector of one descriptor model, for a memory-light first
// pass: the query's asymmetric inner-product tables score every code with `books` lookups
// (16 bytes per region by default instead of 2·dim for fp16 vectors), the best candidates are
// then re-ranked with their exact vectors.
//
// Policy (kept in step with the database like the HNSW file):
//  - Codes live in the database (region_codes), under the model's newest "region_codes" codebook,
//    which is trained on the collection's own vectors once it has min_vectors of them (a sample
//    of at most max_training_vectors, evenly spaced).
//  - Vectors added later are encoded with that codebook and their codes stored.
//  - The codebook is retrained (and every code rewritten) when the collection has grown
//    retrain_growth times past the number of vectors it was trained on and the size rule below
//    would now give more centroids.
//  - Codebook size: 2^bits centroids per book with bits = log2(vectors / vectors_per_centroid),
//    between 4 and max_root_bits, so small collections get small, well-trained books.
//  - Older region_codes codebooks of the model are deleted (their codes go with them).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/index/region_index.h"
#include "core/quantization/drq_codebook.h"

namespace regionlab {

class Database;
class RegionVectorSet;

struct DrqIndexOptions {
  // Keep codes at all (RegionSearchIndex::open / refresh).
  bool enabled = true;
  // Train the collection's codebook once the model has this many vectors; below it there are no
  // codes (and an exact scan is faster anyway).
  size_t min_vectors = 1000;
  // Books of the product codebook: 8 books of uint16 = 16-byte codes.
  int books = 8;
  // At most 2^max_root_bits centroids per book, and at least vectors_per_centroid training
  // vectors per centroid.
  int max_root_bits = 12;
  size_t vectors_per_centroid = 16;
  size_t max_training_vectors = 200'000;
  double retrain_growth = 4.0;
  // Candidates (regions) re-ranked exactly per query, at least.
  size_t rerank = 1000;
  // Rows given to encodeMany / training per thread (0 = all cores).
  int threads = 0;
  uint64_t seed = 1;
};

// log2 of the centroids per book for n training vectors under the options' size rule.
int drqRootBitsFor(size_t n, const DrqIndexOptions& options);
// True when a codebook of `centroids` per book trained on training_vectors should be retrained for n vectors.
bool drqRetrainDue(size_t n, int64_t training_vectors, int centroids, const DrqIndexOptions& options);

class DrqCodeIndex {
public:
  // From a codebook trained on training_vectors vectors and the codes of vectors' rows (codes:
  // rows × books, row-aligned).
  DrqCodeIndex(DrqCodebook codebook, int64_t codebook_row_id, int64_t training_vectors, std::vector<uint16_t> codes);

  // Loads the model's region codebook and codes from the database, trains a codebook when there
  // is none (or retrains per the policy), and encodes and stores codes for vectors without one.
  // Returns nullptr when the model has fewer than min_vectors vectors. `maintenance` says what
  // happened. Throws Error when the stored codebook is damaged.
  static std::unique_ptr<DrqCodeIndex> sync(Database& db, int64_t model_id, const RegionVectorSet& vectors,
                                            const DrqIndexOptions& options, std::string* maintenance);

  // Encodes rows [codes size, vectors.size()) and stores their codes.
  void append(Database& db, const RegionVectorSet& vectors, int threads);

  const DrqCodebook& codebook() const { return codebook_; }
  int64_t codebookRowId() const { return codebook_row_id_; }
  // The policy's retraining rule for a collection of n vectors.
  bool retrainDue(size_t n, const DrqIndexOptions& options) const;
  size_t size() const { return codes_.size() / size_t(books_); }
  size_t bytesPerRegion() const { return size_t(books_) * sizeof(uint16_t); }
  const uint16_t* code(size_t row) const { return codes_.data() + row * size_t(books_); }

  // Asymmetric scores (≈ query · vector) of every row.
  std::vector<float> scoreAll(const float* query) const;
  // The rows with the `count` best asymmetric scores, skipping rows of excluded_image_id (0 = none),
  // best first.
  std::vector<uint32_t> candidateRows(const float* query, size_t count, const RegionVectorSet& vectors, int64_t excluded_image_id) const;
  // Region search: the best `rerank` rows by code, re-ranked by exact inner product; up to k hits.
  std::vector<IndexHit> searchRegions(const float* query, size_t k, size_t rerank, const RegionVectorSet& vectors) const;

private:
  DrqCodebook codebook_;
  int64_t codebook_row_id_ = 0;
  int64_t training_vectors_ = 0;
  int books_ = 0;
  std::vector<uint16_t> codes_;
};

}  // namespace regionlab
