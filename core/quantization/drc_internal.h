#pragma once
// Pieces of DRC training shared by its translation units (not part of the public API).
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/quantization/drc_training.h"
#include "core/quantization/drq_tree.h"

namespace regionlab::drc {

// SplitMix64: a tiny generator whose output is the same on every platform and standard library
// (std::uniform_*_distribution are not), so trained codebooks are reproducible bit for bit.
class Random {
public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1].
  double openUnit() { return double((next() >> 11) + 1) * 0x1.0p-53; }

private:
  uint64_t state_;
};

// Picks min(k, #positive weights) distinct indices, each draw proportional to its weight among
// those not drawn yet (Efraimidis & Spirakis 2006: the k largest log(u)/w). Sorted by index.
std::vector<uint32_t> sampleWithoutRepeats(std::span<const uint32_t> weights, uint32_t k, Random& random);
// One index drawn proportional to its weight; weights must not all be zero.
uint32_t sampleOne(std::span<const uint32_t> weights, uint64_t total, Random& random);
// One index drawn proportional to a real weight; returns weights.size() when all are zero.
size_t sampleReal(std::span<const double> weights, Random& random);

// Histogram of one dimension: bins of equal width from base, with per-bin count and value sum.
struct LeafHistogram {
  float base = 0;
  float width = 1;
  std::vector<uint32_t> count;
  std::vector<double> sum;
  uint32_t binOf(float x) const {
    const float position = (x - base) / width;
    if (!(position > 0)) return 0;
    return position >= float(count.size() - 1) ? uint32_t(count.size() - 1) : uint32_t(position);
  }
};
LeafHistogram buildLeafHistogram(const float* values, size_t n, size_t bins);

// 1-d k-means on the histogram (REFERENCE.md §C3); the leaf's K may be below k when fewer bins
// are populated (or centroids coincide).
DrqNode trainLeaf(const LeafHistogram& histogram, uint32_t k, const DrcOptions& options, Random& random, int* iterations);

// k-means on the population grid of a node's children (REFERENCE.md §C4). nodes holds the
// complete subtrees of both children; population[j0 + J0·j1] counts the training vectors whose
// child labels are (j0, j1).
DrqNode trainNode(std::span<const DrqNode> nodes, int32_t child0, int32_t child1, std::span<const uint32_t> population, uint32_t k,
                  const DrcOptions& options, Random& random, int* iterations);

}  // namespace regionlab::drc
