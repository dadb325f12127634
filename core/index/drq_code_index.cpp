#include "core/index/drq_code_index.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <queue>

#include "core/base/error.h"
#include "core/index/dot_product.h"
#include "core/index/region_vector_set.h"
#include "core/quantization/codebook_file.h"
#include "core/storage/codebook_store.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

// The best `count` (score, row) pairs of a stream, kept in a min-heap.
class TopRows {
public:
  explicit TopRows(size_t count) : count_(count) {}
  void offer(float score, uint32_t row) {
    if (heap_.size() < count_) {
      heap_.emplace(score, row);
    } else if (count_ > 0 && score > heap_.top().first) {
      heap_.pop();
      heap_.emplace(score, row);
    }
  }
  std::vector<uint32_t> bestFirst() {
    std::vector<uint32_t> rows(heap_.size());
    for (size_t i = rows.size(); i-- > 0;) {
      rows[i] = heap_.top().second;
      heap_.pop();
    }
    return rows;
  }

private:
  using Entry = std::pair<float, uint32_t>;
  struct Worse {
    bool operator()(const Entry& a, const Entry& b) const { return a.first > b.first || (a.first == b.first && a.second < b.second); }
  };
  size_t count_;
  std::priority_queue<Entry, std::vector<Entry>, Worse> heap_;
};

DrqCodebook trainRegionCodebook(const RegionVectorSet& vectors, const DrqIndexOptions& options) {
  const size_t n = vectors.size();
  const size_t samples = std::min(n, options.max_training_vectors);
  const std::vector<float> training = vectors.evenlySpacedSample(samples);
  DrqCodebookOptions o;
  o.books = options.books;
  o.root_bits = drqRootBitsFor(n, options);
  o.normalisation = VectorNormalisation::L2;
  o.pca = true;  // balanced PCA spreads the variance over the books (and pads to a power of two)
  o.pca_samples = 30'000;
  o.drc.seed = options.seed;
  o.drc.threads = options.threads;
  return DrqCodebook::train(training.data(), samples, vectors.dim(), o);
}

std::vector<int64_t> regionIdsOfRows(const RegionVectorSet& vectors, std::span<const uint32_t> rows) {
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const uint32_t r : rows) ids.push_back(vectors.regionId(r));
  return ids;
}

}  // namespace

int drqRootBitsFor(size_t n, const DrqIndexOptions& options) {
  const size_t per = std::max<size_t>(1, options.vectors_per_centroid);
  const int bits = n / per >= 2 ? int(std::bit_width(n / per)) - 1 : 1;
  return std::clamp(bits, 4, options.max_root_bits);
}

bool drqRetrainDue(size_t n, int64_t training_vectors, int centroids, const DrqIndexOptions& options) {
  return double(n) >= options.retrain_growth * double(std::max<int64_t>(1, training_vectors)) && (1 << drqRootBitsFor(n, options)) > centroids;
}

DrqCodeIndex::DrqCodeIndex(DrqCodebook codebook, int64_t codebook_row_id, int64_t training_vectors, std::vector<uint16_t> codes)
    : codebook_(std::move(codebook)),
      codebook_row_id_(codebook_row_id),
      training_vectors_(training_vectors),
      books_(codebook_.books()),
      codes_(std::move(codes)) {}

bool DrqCodeIndex::retrainDue(size_t n, const DrqIndexOptions& options) const {
  uint32_t centroids = 0;
  for (int b = 0; b < codebook_.books(); ++b) centroids = std::max(centroids, codebook_.bookSize(b));
  return drqRetrainDue(n, training_vectors_, int(centroids), options);
}

std::unique_ptr<DrqCodeIndex> DrqCodeIndex::sync(Database& db, int64_t model_id, const RegionVectorSet& vectors,
                                                 const DrqIndexOptions& options, std::string* maintenance) {
  CodebookStore store(db);
  const size_t n = vectors.size();
  const auto latest = store.latestCodebook(model_id, kRegionCodesPurpose);
  std::string why;
  if (!latest) {
    if (n < options.min_vectors) {
      if (maintenance) *maintenance = "no region codes (" + std::to_string(n) + " vectors, codes start at " + std::to_string(options.min_vectors) + ")";
      return nullptr;
    }
    why = "no codebook yet";
  } else if (drqRetrainDue(n, latest->training_vectors, latest->centroids, options)) {
    why = "the collection grew from " + std::to_string(latest->training_vectors) + " to " + std::to_string(n) + " vectors";
  }

  if (why.empty()) {
    const std::filesystem::path origin = db.file().string() + " (codebook " + std::to_string(latest->id) + ")";
    DrqCodebook codebook = decodeCodebook(store.readCodebookData(latest->id), origin);
    if (codebook.inputDim() != vectors.dim()) {
      why = "the stored codebook is for " + std::to_string(codebook.inputDim()) + "-d vectors";
    } else {
      const auto books = size_t(codebook.books());
      std::vector<uint16_t> codes(n * books, 0);
      std::vector<uint8_t> have(n, 0);
      store.forEachCode(latest->id, 0, [&](int64_t region_id, std::span<const uint16_t> c) {
        const auto row = vectors.rowOfRegion(region_id);
        if (!row || c.size() != books) return;
        std::copy(c.begin(), c.end(), codes.begin() + ptrdiff_t(*row * books));
        have[*row] = 1;
      });
      std::vector<uint32_t> missing;
      for (size_t r = 0; r < n; ++r) {
        if (!have[r]) missing.push_back(uint32_t(r));
      }
      if (!missing.empty()) {
        std::vector<float> rows(missing.size() * size_t(vectors.dim()));
        for (size_t i = 0; i < missing.size(); ++i) std::copy_n(vectors.vector(missing[i]), vectors.dim(), rows.data() + i * size_t(vectors.dim()));
        std::vector<uint16_t> fresh(missing.size() * books);
        codebook.encodeMany(rows.data(), missing.size(), fresh.data(), EncodeMode::Exact, options.threads);
        for (size_t i = 0; i < missing.size(); ++i) std::copy_n(fresh.data() + i * books, books, codes.data() + size_t(missing[i]) * books);
        Database::Transaction transaction(db);
        store.writeCodes(latest->id, regionIdsOfRows(vectors, missing), fresh.data(), int(books));
        transaction.commit();
      }
      if (maintenance) {
        *maintenance = "codes loaded (codebook " + std::to_string(latest->id) + ", " + std::to_string(n - missing.size()) + " stored, " +
                       std::to_string(missing.size()) + " encoded)";
      }
      return std::make_unique<DrqCodeIndex>(std::move(codebook), latest->id, latest->training_vectors, std::move(codes));
    }
  }

  // Train on the collection, encode every vector, and replace the older codebooks in one transaction.
  DrqCodebook codebook = trainRegionCodebook(vectors, options);
  const auto books = size_t(codebook.books());
  std::vector<uint16_t> codes(n * books);
  codebook.encodeMany(vectors.data(), n, codes.data(), EncodeMode::Exact, options.threads);
  uint32_t centroids = 0;
  for (int b = 0; b < codebook.books(); ++b) centroids = std::max(centroids, codebook.bookSize(b));
  CodebookRecord record;
  record.model_id = model_id;
  record.purpose = kRegionCodesPurpose;
  record.sha256 = codebook.id();
  record.books = codebook.books();
  record.centroids = int(centroids);
  record.training_vectors = int64_t(n);
  Database::Transaction transaction(db);
  const auto now_latest = store.latestCodebook(model_id, kRegionCodesPurpose);
  if (now_latest && (!latest || now_latest->id != latest->id)) {
    // Another process trained one meanwhile: use that one rather than racing it.
    transaction.commit();
    return sync(db, model_id, vectors, options, maintenance);
  }
  for (const CodebookRecord& old : store.readCodebooks(model_id, kRegionCodesPurpose)) store.deleteCodebook(old.id);
  const int64_t id = store.writeCodebook(record, encodeCodebook(codebook));
  store.writeCodes(id, vectors.regionIds(), codes.data(), int(books));
  transaction.commit();
  if (maintenance) {
    *maintenance = "codebook " + std::to_string(id) + " trained (" + why + "): " + std::to_string(books) + " books × " +
                   std::to_string(centroids) + " centroids, " + std::to_string(n) + " codes";
  }
  return std::make_unique<DrqCodeIndex>(std::move(codebook), id, int64_t(n), std::move(codes));
}

void DrqCodeIndex::append(Database& db, const RegionVectorSet& vectors, int threads) {
  const size_t from = size();
  if (vectors.size() <= from) return;
  const size_t count = vectors.size() - from;
  std::vector<uint16_t> fresh(count * size_t(books_));
  codebook_.encodeMany(vectors.vector(from), count, fresh.data(), EncodeMode::Exact, threads);
  CodebookStore store(db);
  Database::Transaction transaction(db);
  store.writeCodes(codebook_row_id_, vectors.regionIds().subspan(from), fresh.data(), books_);
  transaction.commit();
  codes_.insert(codes_.end(), fresh.begin(), fresh.end());
}

std::vector<float> DrqCodeIndex::scoreAll(const float* query) const {
  const AdcTable table = codebook_.innerProductTable(query);
  std::vector<float> scores(size());
  table.scoreAll(codes_.data(), size(), scores.data());
  return scores;
}

std::vector<uint32_t> DrqCodeIndex::candidateRows(const float* query, size_t count, const RegionVectorSet& vectors,
                                                  int64_t excluded_image_id) const {
  const AdcTable table = codebook_.innerProductTable(query);
  TopRows top(count);
  constexpr size_t kBlock = 4096;
  float scores[kBlock];
  const size_t n = size();
  for (size_t begin = 0; begin < n; begin += kBlock) {
    const size_t m = std::min(kBlock, n - begin);
    table.scoreAll(code(begin), m, scores);
    for (size_t i = 0; i < m; ++i) {
      const auto row = uint32_t(begin + i);
      if (excluded_image_id != 0 && vectors.imageId(row) == excluded_image_id) continue;
      top.offer(scores[i], row);
    }
  }
  return top.bestFirst();
}

std::vector<IndexHit> DrqCodeIndex::searchRegions(const float* query, size_t k, size_t rerank, const RegionVectorSet& vectors) const {
  std::vector<IndexHit> hits;
  for (const uint32_t row : candidateRows(query, std::max(k, rerank), vectors, 0)) {
    hits.push_back({vectors.regionId(row), dotProduct(query, vectors.vector(row), vectors.dim())});
  }
  std::sort(hits.begin(), hits.end(), [](const IndexHit& a, const IndexHit& b) {
    return a.score > b.score || (a.score == b.score && a.region_id < b.region_id);
  });
  if (hits.size() > k) hits.resize(k);
  return hits;
}

}  // namespace regionlab
