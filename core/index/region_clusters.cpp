#include "core/index/region_clusters.h"

#include <algorithm>

#include "core/base/error.h"
#include "core/index/dot_product.h"
#include "core/index/region_vector_set.h"
#include "core/quantization/codebook_file.h"
#include "core/quantization/drq_codebook.h"
#include "core/storage/codebook_store.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

// Cluster centres in the input space (decoded centroids).
std::vector<float> centresOf(const DrqCodebook& codebook) {
  const auto dim = size_t(codebook.inputDim());
  std::vector<float> centres(size_t(codebook.bookSize(0)) * dim);
  for (uint32_t c = 0; c < codebook.bookSize(0); ++c) {
    const auto code = uint16_t(c);
    codebook.decode(&code, centres.data() + c * dim);
  }
  return centres;
}

void sortMembers(std::vector<std::vector<ClusterMember>>& members) {
  for (auto& list : members) {
    std::sort(list.begin(), list.end(), [](const ClusterMember& a, const ClusterMember& b) {
      return a.similarity > b.similarity || (a.similarity == b.similarity && a.region_id < b.region_id);
    });
  }
}

}  // namespace

size_t RegionClusters::regionCount() const {
  size_t n = 0;
  for (const auto& list : members_) n += list.size();
  return n;
}

std::vector<uint32_t> RegionClusters::clustersBySize() const {
  std::vector<uint32_t> ids(members_.size());
  for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i;
  std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return members_[a].size() > members_[b].size(); });
  return ids;
}

RegionClusters RegionClusters::build(Database& db, int64_t model_id, const RegionVectorSet& vectors, const ClusteringOptions& options) {
  const size_t n = vectors.size();
  if (options.k < 1 || options.k > 32768) throw Error("the number of clusters must be between 1 and 32768");
  if (n < options.k) {
    throw Error("cannot make " + std::to_string(options.k) + " clusters of " + std::to_string(n) + " regions");
  }
  const auto dim = size_t(vectors.dim());
  const size_t samples = std::min(n, std::max<size_t>(options.max_training_vectors, options.k));
  const std::vector<float> training = vectors.evenlySpacedSample(samples);

  const DrqCodebookOptions o = singleBookClusteringOptions(int(dim), options.k, options.pca_dim, 128, options.seed, options.threads);
  const DrqCodebook codebook = DrqCodebook::train(training.data(), samples, int(dim), o);

  std::vector<uint16_t> codes(n);
  codebook.encodeMany(vectors.data(), n, codes.data(), EncodeMode::Exact, options.threads);

  CodebookRecord record;
  record.model_id = model_id;
  record.purpose = kClustersPurpose;
  record.sha256 = codebook.id();
  record.books = 1;
  record.centroids = int(codebook.bookSize(0));
  record.training_vectors = int64_t(samples);
  CodebookStore store(db);
  Database::Transaction transaction(db);
  for (const CodebookRecord& old : store.readCodebooks(model_id, kClustersPurpose)) store.deleteCodebook(old.id);
  const int64_t id = store.writeCodebook(record, encodeCodebook(codebook));
  store.writeCodes(id, vectors.regionIds(), codes.data(), 1);
  transaction.commit();

  RegionClusters clusters;
  clusters.codebook_row_id_ = id;
  clusters.members_.resize(codebook.bookSize(0));
  const std::vector<float> centres = centresOf(codebook);
  for (size_t row = 0; row < n; ++row) {
    const uint16_t c = codes[row];
    clusters.members_[c].push_back({vectors.regionId(row), vectors.imageId(row), dotProduct(vectors.vector(row), centres.data() + c * dim, int(dim))});
  }
  sortMembers(clusters.members_);
  return clusters;
}

std::optional<RegionClusters> RegionClusters::load(Database& db, int64_t model_id, const RegionVectorSet& vectors) {
  CodebookStore store(db);
  const auto record = store.latestCodebook(model_id, kClustersPurpose);
  if (!record) return std::nullopt;
  const std::filesystem::path origin = db.file().string() + " (codebook " + std::to_string(record->id) + ")";
  const DrqCodebook codebook = decodeCodebook(store.readCodebookData(record->id), origin);
  if (codebook.inputDim() != vectors.dim()) {
    throw Error(db.file(), "clustering " + std::to_string(record->id) + " is for " + std::to_string(codebook.inputDim()) +
                               "-d vectors, the model's are " + std::to_string(vectors.dim()) + "-d");
  }
  const auto dim = size_t(vectors.dim());
  const std::vector<float> centres = centresOf(codebook);
  RegionClusters clusters;
  clusters.codebook_row_id_ = record->id;
  clusters.members_.resize(codebook.bookSize(0));
  store.forEachCode(record->id, 0, [&](int64_t region_id, std::span<const uint16_t> code) {
    const auto row = vectors.rowOfRegion(region_id);
    if (!row || code.size() != 1 || code[0] >= clusters.members_.size()) return;
    clusters.members_[code[0]].push_back(
        {region_id, vectors.imageId(*row), dotProduct(vectors.vector(*row), centres.data() + code[0] * dim, int(dim))});
  });
  sortMembers(clusters.members_);
  return clusters;
}

}  // namespace regionlab
