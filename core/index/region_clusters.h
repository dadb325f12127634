#pragma once
// Clusters of a collection's regions for bulk labeling: every region vector of one descriptor
// model is quantised on a K-centroid DRC codebook (one book over a balanced PCA rotation of the
// vectors, so K can be any number up to 32768 and training costs the same for 10k or 10M
// regions), and the cluster of a region is its exact DRQ code. A clustering is stored in the
// database as a "clusters" codebook plus one region code per region (codebook_store.h), so the
// GUI can show "the regions of cluster k" as a page of thumbnails and label them at once; the
// newest clustering of a model replaces the previous one.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace regionlab {

class Database;
class RegionVectorSet;

struct ClusteringOptions {
  uint32_t k = 100;
  // Regions used to train the codebook (evenly spaced); every region is then assigned.
  size_t max_training_vectors = 200'000;
  // Dimensions of the PCA space (a power of two; 0 = the largest power of two not above the
  // descriptor dimension, at most 128).
  int pca_dim = 0;
  uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
};

struct ClusterMember {
  int64_t region_id = 0;
  int64_t image_id = 0;
  float similarity = 0;  // inner product of the region's vector with its cluster centre
};

class RegionClusters {
public:
  // Clusters every vector of the set (the model's vectors, as RegionVectorSet loads them), stores
  // the clustering (replacing the model's previous one) and returns it. Throws Error when there
  // are fewer vectors than clusters.
  static RegionClusters build(Database& db, int64_t model_id, const RegionVectorSet& vectors, const ClusteringOptions& options);
  // The model's newest clustering, or nullopt. Regions clustered but no longer in `vectors` are
  // left out; regions added since are not in any cluster (build again to include them).
  static std::optional<RegionClusters> load(Database& db, int64_t model_id, const RegionVectorSet& vectors);

  int64_t codebookRowId() const { return codebook_row_id_; }
  uint32_t clusterCount() const { return uint32_t(members_.size()); }
  size_t regionCount() const;
  // The regions of cluster k, the most typical (highest similarity to the centre) first.
  std::span<const ClusterMember> members(uint32_t cluster) const { return members_.at(cluster); }
  // Cluster ids, largest first (ties by id).
  std::vector<uint32_t> clustersBySize() const;

private:
  int64_t codebook_row_id_ = 0;
  std::vector<std::vector<ClusterMember>> members_;
};

}  // namespace regionlab
