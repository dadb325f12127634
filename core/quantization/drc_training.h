#pragma once
// Dimensionality-recursive clustering (DRC): trains one DrqTree on the vectors of a chunk of
// dimensions (Avrithis, ICCV 2013, "DRC base case" and "DRC recursion"; REFERENCE.md §C3–C4).
//
//   leaves (1-d):  k-means on a histogram of B = bins_per_centroid·K bins: initial centroids are
//                  bins sampled by population without repeats; Lloyd iterations assign bins (not
//                  points) through midpoints between sorted centroids; neighbours are k ± 1.
//   nodes (2d-d):  the children's labels of every vector give a population histogram over the
//                  J0×J1 grid of child centroids; k-means then runs on the grid alone: centroids
//                  are population-weighted means of their cells' child centroids, and assignment
//                  is "product propagation", a multi-source shortest-path sweep over the grid
//                  along the children's neighbour graphs (product_propagation.h). At the end the
//                  centroids are snapped to grid cells, and a last propagation to exhaustion maps
//                  every cell to a centroid and records which centroids' cells touch (the graph).
//
// Once the histograms are built (one pass over the data per level), the cost depends on the
// codebook sizes and on how many grid cells are populated (at most J0·J1), never on the number of
// training vectors as such: doubling the data at a fixed histogram costs nothing.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/quantization/drq_tree.h"

namespace regionlab {

// How a node's grid cells are labelled with centroids: the populated cells at every iteration,
// every cell (and the neighbour graph) in the final pass.
enum class DrcAssignment {
  Propagation,  // product propagation (the paper's): a sweep over the grid along the child graphs
  Exhaustive,   // the exact argmin over all centroids, vectorised; the final graph from the labels
                // of populated cells (grid_assignment.h)
  Auto,         // per pass, whichever is estimated cheaper (large grids: exhaustive)
};

// How the first centroids of a leaf or node are chosen among its populated bins or grid cells.
enum class DrcSeeding {
  Population,      // drawn by population without repeats (the paper's and drvq's)
  KMeansPlusPlus,  // by population × squared distance to the nearest seed so far (Arthur &
                   // Vassilvitskii 2007), on the histogram: fewer merged or split clusters
};

struct DrcOptions {
  // log2 of the number of centroids at each level: level_bits[l] for the nodes of 2^l dimensions
  // (level 0: leaves). Needs floor(log2(chunk)) + 1 entries; see defaultLevelBits().
  std::vector<int> level_bits;
  // Centroids of the root when it is not a power of two (clusters: "--k 100"); 0 = 2^level_bits.back().
  uint32_t root_size = 0;
  // Leaf histograms have bins_per_centroid·K bins over [min, max] of the dimension (drvq: 64).
  int bins_per_centroid = 64;
  // Lloyd stops when fewer than cells·theta·(0.01·iteration)² bins or non-empty grid cells changed
  // centroid (drvq: theta 5, so at most ~45 iterations).
  double theta = 5.0;
  // Propagation follows child graph edges lighter than this (drvq: 0.35); node edges are kept when
  // lighter than 1.5·range.
  float range = 0.35f;
  int max_iterations = 100;
  // How the training vectors are labelled at each level, which builds the populations of the
  // parent's grid. false: by lookup, the paper's q*[h(x)] (DrqTree's Fast encoding), a cost
  // proportional to the tree size per vector. true: by exact encoding on the level's nodes (the
  // nearest centroid), about sum over levels of phi(K) additions per vector: the grids then hold
  // each vector at its nearest cell, not at a cell reached through earlier lookups' errors.
  bool exact_labels = false;
  DrcAssignment assignment = DrcAssignment::Auto;
  DrcSeeding seeding = DrcSeeding::KMeansPlusPlus;
  uint64_t seed = 1;
  // Nodes of one level train in parallel on this many threads (0 = all cores). The result does
  // not depend on it: every node draws from its own seeded generator.
  int threads = 0;
};

// drvq-style capacities for a chunk of `chunk_dim` dimensions whose root has 2^root_bits centroids:
// leaves 32, doubling per level, below the root at most 2^(root_bits−1) for chunks of 128+ dims
// and 2^(root_bits−2) for smaller ones (grids of 4M and 256k cells for a 4096-centroid root), but
// never capped below 2^8, so a small root still sees a fine grid. E.g. 32-d, 12 bits:
// 5,6,7,8,9,12; 128-d, 12 bits: 5,6,7,8,9,10,11,12; 128-d, 3 bits: 5,6,7,8,8,8,8,3.
std::vector<int> defaultLevelBits(int chunk_dim, int root_bits);

struct DrcTrainingReport {
  double histogram_seconds = 0;  // passes over the data: histograms and per-level labels
  double training_seconds = 0;   // k-means on histograms and grids (independent of the data size)
  std::vector<int> iterations;   // per node, in DrqTree order
};

// Trains a tree on n vectors of chunk_dim values given column-major: columns[d·n + i] is value d
// of vector i. Deterministic for a given seed. Throws Error on empty input or bad options.
DrqTree trainDrqTree(const float* columns, size_t n, int chunk_dim, const DrcOptions& options, DrcTrainingReport* report = nullptr);

}  // namespace regionlab
