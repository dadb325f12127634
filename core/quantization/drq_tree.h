#pragma once
// One dimensionality-recursive codebook: the tree that DRC training produces and DRQ encoding
// walks (Avrithis, "Quantize and Conquer: A dimensionality-recursive solution to clustering,
// vector quantization, and image retrieval", ICCV 2013; reimplementation notes in REFERENCE.md §C,
// after github.com/iavr/drvq, BSD-2-Clause — no code copied).
//
// A tree over a 2^L-dimensional chunk: each node's dimensions split into a first and a second
// half (its children), down to 1-d leaves. A leaf holds K sorted scalar centroids; a node holds
// K centroids that are points of its children's product grid, centroid k = (child0 centroid
// code0[k], child1 centroid code1[k]), so the flat centroid is the concatenation of the two
// children's flat centroids. Because squared Euclidean distance and inner products are separable
// across the halves, a table of distances (or inner products) from a vector to all K centroids
// of a node is one addition per centroid over its children's tables: the exact encoding costs
// sum over nodes of K instead of K·D (the paper's phi(K)).
//
// Every node also keeps what training learnt about its neighbourhood: `source` maps each leaf bin
// or node grid cell to a centroid (the "fast" lookup quantiser, the paper's q*) and a graph over
// its centroids (neighbouring Voronoi cells, with normalised weights) that the "approximate"
// encoder follows.
#include <cstdint>
#include <span>
#include <vector>

namespace regionlab {

// How a vector is mapped to a centroid. Agreement with Exact, measured on held-out vectors of a
// 16-d Gaussian mixture with 256 centroids and asserted by tests/core/quantization as floors:
// Approximate ≥ 0.90 (measured 0.97), Fast ≥ 0.45 (measured 0.55); regionlab-bench drq prints
// the rates on SIFT. The paper: fast is "not precise enough for NN search, but fine for k-means
// assignment".
enum class EncodeMode {
  Exact,        // distance tables bottom-up through the tree: provably the nearest centroid
  Approximate,  // fast lookups for the root's children, then the best of their graph neighbours
  Fast,         // pure lookups (bin → centroid, cell → centroid): a handful of memory reads
};

struct DrqNode {
  // The node's dimensions are [dim_begin, dim_begin + dim_count) of the tree's chunk.
  uint32_t dim_begin = 0;
  uint32_t dim_count = 1;
  // Indices of the children in DrqTree::nodes(); -1 for a leaf. Children precede their parent
  // (nodes are stored in post-order, the root last).
  int32_t child0 = -1;
  int32_t child1 = -1;

  // Leaf: the K centroids, increasing; bins of width bin_width start at base; source[bin] is the
  // centroid of each bin (bins = source.size()).
  std::vector<float> centroids;
  float base = 0;
  float bin_width = 1;

  // Node: centroid k is the grid cell (code0[k], code1[k]); source[j0 + J0 * j1] is the centroid
  // that owns grid cell (j0, j1), J0 and J1 being the children's sizes.
  std::vector<uint16_t> code0, code1;

  // Empty when the tree was stored without lookup tables (DrqTree::withoutLookupTables).
  std::vector<uint16_t> source;

  // Neighbourhood graph in compressed rows: the neighbours of centroid k are
  // edge_targets[edge_offsets[k] .. edge_offsets[k + 1]) with their weights. No self-loops (every
  // algorithm treats a centroid as its own neighbour). Leaf weights are squared centroid gaps;
  // node weights are normalised by the centroids' mean distances (REFERENCE.md §C4).
  std::vector<uint32_t> edge_offsets;
  std::vector<uint16_t> edge_targets;
  std::vector<float> edge_weights;

  bool isLeaf() const { return child0 < 0; }
  uint32_t size() const { return uint32_t(isLeaf() ? centroids.size() : code0.size()); }
};

class DrqTree {
public:
  DrqTree() = default;
  // Takes nodes in post-order (root last). Throws Error when they do not form a valid tree
  // (children out of order, codes or sources out of range, inconsistent dimensions, …).
  explicit DrqTree(std::vector<DrqNode> nodes);

  int dim() const { return dim_; }
  uint32_t size() const { return nodes_.empty() ? 0 : nodes_.back().size(); }
  const std::vector<DrqNode>& nodes() const { return nodes_; }
  const DrqNode& root() const { return nodes_.back(); }
  // size() × dim() flat centroids, row-major.
  const std::vector<float>& centroids() const { return centroids_; }
  const float* centroid(uint32_t k) const { return centroids_.data() + size_t(k) * size_t(dim_); }

  // out[k] = ||x − centroid k||² for all k (x has dim() values), bottom-up through the tree.
  void distanceTable(const float* x, float* out) const;
  // out[k] = x · centroid k for all k.
  void innerProductTable(const float* x, float* out) const;
  // The centroid x is quantised to; `distance` (optional) receives its squared distance. Throws
  // Error for Fast and Approximate when the tree has no lookup tables.
  uint16_t encode(const float* x, EncodeMode mode, float* distance = nullptr) const;

  // Whether the bin and cell maps and the graphs are present (Fast and Approximate need them;
  // Exact, distance and inner-product tables do not).
  bool hasLookupTables() const { return has_lookups_; }
  // The same centroids without lookup tables: a fraction of the size (e.g. a vocabulary compiled
  // into the library).
  DrqTree withoutLookupTables() const;

  // Neighbours of centroid k at the root (for diagnostics and tests).
  std::span<const uint16_t> neighbours(uint32_t k) const;

private:
  template <bool InnerProduct>
  const float* tables(const float* x, std::vector<float>& scratch) const;
  uint32_t fastLabel(size_t node, const float* x, std::vector<uint32_t>& labels) const;
  uint16_t encodeApproximate(const float* x, float* distance) const;

  std::vector<DrqNode> nodes_;
  std::vector<size_t> table_offset_;  // per node, into a scratch buffer of table_size_ floats
  size_t table_size_ = 0;
  int dim_ = 0;
  bool has_lookups_ = false;
  std::vector<float> centroids_;
};

// Flat centroids (K × dim) of node `index` of a post-ordered node array whose subtree is complete.
std::vector<float> flattenCentroids(std::span<const DrqNode> nodes, size_t index);

// out[k] = ||x − centroid k||² (or x · centroid k) for the node `index` of a post-ordered node
// array, through its subtree; x holds the node's dim_count values. Used by training, before the
// tree is complete. scratch is resized as needed.
void subtreeTable(std::span<const DrqNode> nodes, size_t index, const float* x, bool inner_product, std::vector<float>& scratch,
                  float* out);

}  // namespace regionlab
