#pragma once
// A DRQ product codebook: vectors are normalised, optionally PCA-rotated, zero padded, split into
// `books` chunks of a power-of-two size, and each chunk is quantised on its own dimensionality-
// recursive tree (drq_tree.h), giving one uint16 code per book (REFERENCE.md §C8: per-book codes
// instead of drvq's single size_t label, which overflows past 64 bits). E.g. 1024-d DINOv2
// features as 8 books × 128-d × 4096 centroids: 16 bytes per vector; 128-d SIFT as one book of
// 4096 visual words.
//
// Member means: a code's reconstruction (decode, scoring tables, the distance encode reports) is by
// default the mean of the training vectors encoded to it, not the tree's centroid. DRC's centroids
// are points of the grid of child centroids (a 128-d centroid is two 64-d child centroids side by
// side), which bounds how close they can get to the data; one exact-encoding pass over the
// training vectors after training gives each cell of the partition its best reconstruction (the
// centroid step of Lloyd's algorithm, on the partition DRC found). Encoding is unchanged: the
// nearest tree centroid, exactly (drq_tree.h), so codes, clusters and visual words are the same.
//
// Scoring a query against codes is asymmetric (Jégou et al., "Product quantization for nearest
// neighbor search", PAMI 2011): per book, a table of the query's inner products (or squared
// distances) with every centroid, computed through the tree like an exact encoding; a code then
// costs one lookup and one addition per book.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/quantization/drc_training.h"
#include "core/quantization/drq_tree.h"
#include "core/quantization/vector_transform.h"

namespace regionlab {

struct DrqCodebookOptions {
  int books = 1;
  // Dimensions per book, a power of two; 0 = the smallest with books·chunk_dim ≥ the input dim.
  int chunk_dim = 0;
  // 2^root_bits centroids per book (at most 15 bits) …
  int root_bits = 12;
  // … or exactly this many when set (clusters: any K ≤ 32768).
  uint32_t centroids = 0;
  // log2 centroids per tree level (log2(chunk_dim) + 1 entries); empty = defaultLevelBits().
  std::vector<int> level_bits;
  VectorNormalisation normalisation = VectorNormalisation::L2;
  // Learn a balanced PCA rotation (vector_transform.h) on the training vectors; needed when the
  // input has more dimensions than books·chunk_dim.
  bool pca = false;
  // Rows used to learn the PCA (evenly spaced through the training set).
  size_t pca_samples = 100'000;
  // Reconstruct each code by the mean of its training vectors (see above): one exact encoding of
  // the training set after training, and K·chunk_dim floats per book in the file. false: codes
  // stand for the tree centroids (a vocabulary that only needs codes).
  bool member_means = true;
  // Training vectors (evenly spaced) the member means are taken over; 0 = all. The pass costs one
  // exact encoding per vector. 2^19 leaves 128 vectors per mean at K = 4096; measured on 1M
  // RootSIFT (regionlab-bench drq): distortion 0.4% above means over all 1M (2^17: 3.3%).
  size_t member_means_vectors = size_t(1) << 19;
  // Leaf bins, stopping rule, propagation range, seed, threads (level sizes are filled in here).
  DrcOptions drc;
};

// Options for clustering (not coding): one book of exactly k centroids, L2-normalised vectors in
// a PCA space of pca_dim dimensions (0 = the largest power of two not above dim, at most
// max_pca_dim). Used by the region clusters and the k-means initialisation.
DrqCodebookOptions singleBookClusteringOptions(int dim, uint32_t k, int pca_dim, int max_pca_dim, uint64_t seed, int threads);

struct DrqTrainingReport {
  double transform_seconds = 0;  // normalisation, PCA and the column-major copy
  double histogram_seconds = 0;  // per-level histograms and labels (proportional to the data)
  double training_seconds = 0;   // k-means on histograms and grids (independent of the data size)
  double member_means_seconds = 0;  // the exact encoding of the training set for the member means
};

// Per-book lookup tables for asymmetric scoring: score(code) = offset + Σ_b values[b·stride + code[b]].
struct AdcTable {
  int books = 0;
  uint32_t stride = 0;
  std::vector<float> values;
  float offset = 0;
  float score(const uint16_t* code) const {
    float s = offset;
    for (int b = 0; b < books; ++b) s += values[size_t(b) * stride + code[b]];
    return s;
  }
  // out[i] = score(codes + i·books) for n codes stored one after another.
  void scoreAll(const uint16_t* codes, size_t n, float* out) const;
};

class DrqCodebook {
public:
  DrqCodebook() = default;
  // From parts (training, the codebook file reader). reconstructions: empty (codes stand for the
  // tree centroids) or per book size()×chunk_dim values in the transformed space. Throws Error
  // when they do not fit together.
  DrqCodebook(VectorTransform transform, std::vector<DrqTree> books, std::vector<std::vector<float>> reconstructions = {});

  // Trains on n row-major vectors of `dim` values. Deterministic for a given options.drc.seed.
  // Throws Error for empty or non-finite data and impossible options.
  static DrqCodebook train(const float* rows, size_t n, int dim, const DrqCodebookOptions& options, DrqTrainingReport* report = nullptr);

  int inputDim() const { return transform_.inputDim(); }
  int books() const { return int(books_.size()); }
  int chunkDim() const { return books_.empty() ? 0 : books_.front().dim(); }
  uint32_t bookSize(int book) const { return books_[size_t(book)].size(); }
  const DrqTree& book(int b) const { return books_[size_t(b)]; }
  const VectorTransform& transform() const { return transform_; }
  // SHA-256 (hex) of the codebook's file encoding: what region codes record.
  const std::string& id() const { return id_; }
  bool hasLookupTables() const { return books_.front().hasLookupTables(); }
  // Exact encoding and scoring only, a fraction of the size (a different id).
  DrqCodebook withoutLookupTables() const;
  bool hasMemberMeans() const { return !reconstructions_.empty(); }
  // What code `code` of book `book` stands for, chunkDim() values in the transformed space: the
  // member mean, or the tree centroid without member means.
  const float* reconstruction(int book, uint32_t code) const;

  // codes receives books() values; returns the squared distance to the reconstruction in the
  // transformed space.
  float encode(const float* x, uint16_t* codes, EncodeMode mode = EncodeMode::Exact) const;
  // n rows → n·books() codes, on `threads` threads (0 = all cores).
  void encodeMany(const float* rows, size_t n, uint16_t* codes, EncodeMode mode = EncodeMode::Exact, int threads = 0) const;
  // The vector a code stands for, in the input space (normalised, not re-normalised).
  void decode(const uint16_t* codes, float* out) const;

  // Tables whose scores approximate query · normalise(x) (query taken as given).
  AdcTable innerProductTable(const float* query) const;
  // Tables whose scores are squared distances between the transformed query and the reconstructions.
  AdcTable distanceTable(const float* query) const;

private:
  VectorTransform transform_;
  std::vector<DrqTree> books_;
  std::vector<std::vector<float>> reconstructions_;  // per book K × chunk; empty: tree centroids
  std::string id_;
};

}  // namespace regionlab
