// DRC recursion: k-means on the product grid of two child codebooks (Avrithis 2013, "DRC
// recursion"; REFERENCE.md §C4).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "core/quantization/drc_internal.h"
#include "core/quantization/grid_assignment.h"
#include "core/quantization/product_propagation.h"

namespace regionlab::drc {
namespace {

uint32_t argmin(const float* values, uint32_t n) {
  uint32_t best = 0;
  for (uint32_t i = 1; i < n; ++i) {
    if (values[i] < values[best]) best = i;
  }
  return best;
}

// The training state of one node: its grid, its children, and the continuous centroids.
class GridKMeans {
public:
  GridKMeans(std::span<const DrqNode> nodes, int32_t child0, int32_t child1, std::span<const uint32_t> population,
             const DrcOptions& options, Random& random)
      : nodes_(nodes),
        child0_(child0),
        child1_(child1),
        c0_(nodes[size_t(child0)]),
        c1_(nodes[size_t(child1)]),
        j0_(c0_.size()),
        j1_(c1_.size()),
        d0_(c0_.dim_count),
        d1_(c1_.dim_count),
        population_(population),
        options_(options),
        random_(random),
        flat0_(flattenCentroids(nodes, size_t(child0))),
        flat1_(flattenCentroids(nodes, size_t(child1))),
        follow0_(followedEdges(c0_, options.range)),
        follow1_(followedEdges(c1_, options.range)) {
    for (uint32_t cell = 0; cell < population.size(); ++cell) {
      if (population[cell] > 0) {
        nonempty_.push_back(cell);
        total_ += population[cell];
      }
    }
  }

  size_t nonemptyCells() const { return nonempty_.size(); }

  void initialise(uint32_t k) {
    k_ = uint32_t(std::min<size_t>(k, nonempty_.size()));
    const std::vector<uint32_t> cells =
        options_.seeding == DrcSeeding::KMeansPlusPlus ? seedKMeansPlusPlus() : sampleWithoutRepeats(population_, k_, random_);
    k_ = uint32_t(cells.size());
    centroids_.assign(size_t(k_) * (d0_ + d1_), 0.0f);
    for (uint32_t s = 0; s < k_; ++s) setToCell(s, cells[s]);
    label_.assign(population_.size(), kNoLabel);
  }

  // One assignment step; returns how many non-empty cells changed centroid.
  size_t assign() {
    distancesFromCentroids();
    snapSeeds();
    propagateOnce(false);
    size_t changed = 0;
    for (const uint32_t cell : nonempty_) {
      if (result_.label[cell] != label_[cell]) ++changed;
      label_[cell] = result_.label[cell];
    }
    return changed;
  }

  // Centroid = population-weighted mean of its cells' concatenated child centroids.
  void update() {
    const size_t d = d0_ + d1_;
    std::vector<double> sum(size_t(k_) * d, 0.0);
    std::vector<uint64_t> count(k_, 0);
    for (const uint32_t cell : nonempty_) {
      const uint16_t s = label_[cell];
      const uint32_t p = population_[cell];
      const float* a = flat0_.data() + size_t(cell % j0_) * d0_;
      const float* b = flat1_.data() + size_t(cell / j0_) * d1_;
      double* out = sum.data() + size_t(s) * d;
      for (size_t i = 0; i < d0_; ++i) out[i] += double(p) * a[i];
      for (size_t i = 0; i < d1_; ++i) out[d0_ + i] += double(p) * b[i];
      count[s] += p;
    }
    for (uint32_t s = 0; s < k_; ++s) {
      if (count[s] == 0) {
        setToCell(s, sampleOne(population_, total_, random_));
        continue;
      }
      for (size_t i = 0; i < d; ++i) centroids_[size_t(s) * d + i] = float(sum[size_t(s) * d + i] / double(count[s]));
    }
  }

  // Snaps the centroids to grid cells and labels every cell, recording the neighbour graph.
  DrqNode finish() {
    distancesFromCentroids();
    snapSeeds();
    // Quantised distances (REFERENCE.md §C4 step 4): from the snapped centroids, i.e. between
    // child centroids, which is what exact encoding will compare.
    std::vector<float> scratch;
    for (uint32_t s = 0; s < k_; ++s) {
      subtreeTable(nodes_, size_t(child0_), flat0_.data() + size_t(seed0_[s]) * d0_, false, scratch, dist0_.data() + size_t(s) * j0_);
      subtreeTable(nodes_, size_t(child1_), flat1_.data() + size_t(seed1_[s]) * d1_, false, scratch, dist1_.data() + size_t(s) * j1_);
    }
    // far_s: mean squared distance from s to the child centroids, per half (the edge normaliser).
    std::vector<float> far(k_);
    for (uint32_t s = 0; s < k_; ++s) {
      const double m0 = std::accumulate(dist0_.begin() + ptrdiff_t(size_t(s) * j0_), dist0_.begin() + ptrdiff_t(size_t(s + 1) * j0_), 0.0);
      const double m1 = std::accumulate(dist1_.begin() + ptrdiff_t(size_t(s) * j1_), dist1_.begin() + ptrdiff_t(size_t(s + 1) * j1_), 0.0);
      far[s] = float(m0 / j0_ + m1 / j1_);
    }
    far_ = std::move(far);
    propagateOnce(true);

    DrqNode node;
    node.child0 = child0_;
    node.child1 = child1_;
    node.code0 = seed0_;
    node.code1 = seed1_;
    node.source = std::move(result_.label);
    node.edge_offsets = std::move(result_.edge_offsets);
    node.edge_targets = std::move(result_.edge_targets);
    node.edge_weights = std::move(result_.edge_weights);
    return node;
  }

private:
  // k-means++ over the populated cells (weights: population × squared distance to the nearest
  // seed, by separability from the children's distance tables of each new seed). On large grids
  // it runs over a candidate set of 8·k cells drawn by population (as scalable k-means++ does),
  // so seeding costs O(k²) instead of O(k · populated cells).
  std::vector<uint32_t> seedKMeansPlusPlus() {
    constexpr size_t kCandidatesPerSeed = 8;
    const std::vector<uint32_t> candidates = nonempty_.size() > kCandidatesPerSeed * k_
                                                 ? sampleWithoutRepeats(population_, uint32_t(kCandidatesPerSeed * k_), random_)
                                                 : nonempty_;
    std::vector<uint32_t> seeds;
    std::vector<double> nearest(candidates.size(), std::numeric_limits<double>::infinity()), weight(candidates.size());
    std::vector<float> t0(j0_), t1(j1_), scratch;
    uint64_t total = 0;
    std::vector<uint32_t> candidate_population(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) total += candidate_population[i] = population_[candidates[i]];
    uint32_t next = candidates[sampleOne(candidate_population, total, random_)];
    while (seeds.size() < k_) {
      seeds.push_back(next);
      subtreeTable(nodes_, size_t(child0_), flat0_.data() + size_t(next % j0_) * d0_, false, scratch, t0.data());
      subtreeTable(nodes_, size_t(child1_), flat1_.data() + size_t(next / j0_) * d1_, false, scratch, t1.data());
      for (size_t i = 0; i < candidates.size(); ++i) {
        const uint32_t cell = candidates[i];
        nearest[i] = std::min(nearest[i], double(t0[cell % j0_]) + double(t1[cell / j0_]));
        weight[i] = double(candidate_population[i]) * nearest[i];
      }
      const size_t pick = sampleReal(weight, random_);
      if (pick == candidates.size()) break;  // every candidate is a seed
      next = candidates[pick];
    }
    if (seeds.size() < k_) {  // fewer distinct candidates than k: top up by population
      std::unordered_set<uint32_t> taken(seeds.begin(), seeds.end());
      for (const uint32_t cell : sampleWithoutRepeats(population_, uint32_t(std::min<size_t>(nonempty_.size(), 2 * size_t(k_))), random_)) {
        if (seeds.size() >= k_) break;
        if (taken.insert(cell).second) seeds.push_back(cell);
      }
    }
    return seeds;
  }

  void setToCell(uint32_t s, uint32_t cell) {
    float* c = centroids_.data() + size_t(s) * (d0_ + d1_);
    std::copy_n(flat0_.data() + size_t(cell % j0_) * d0_, d0_, c);
    std::copy_n(flat1_.data() + size_t(cell / j0_) * d1_, d1_, c + d0_);
  }

  // dist0[s][j] = ||centroid s (first half) − child0 centroid j||², exactly, through child0's tree.
  void distancesFromCentroids() {
    dist0_.resize(size_t(k_) * j0_);
    dist1_.resize(size_t(k_) * j1_);
    std::vector<float> scratch;
    const size_t d = d0_ + d1_;
    for (uint32_t s = 0; s < k_; ++s) {
      const float* c = centroids_.data() + size_t(s) * d;
      subtreeTable(nodes_, size_t(child0_), c, false, scratch, dist0_.data() + size_t(s) * j0_);
      subtreeTable(nodes_, size_t(child1_), c + d0_, false, scratch, dist1_.data() + size_t(s) * j1_);
    }
  }

  // Each centroid's nearest grid cell; a cell taken by an earlier centroid sends the later one
  // to a fresh populated cell (drawn by population), or any free cell when all are taken.
  void snapSeeds() {
    seed0_.resize(k_);
    seed1_.resize(k_);
    std::unordered_set<uint32_t> taken;
    taken.reserve(size_t(k_) * 2);
    for (uint32_t s = 0; s < k_; ++s) {
      uint32_t a = argmin(dist0_.data() + size_t(s) * j0_, j0_);
      uint32_t b = argmin(dist1_.data() + size_t(s) * j1_, j1_);
      uint32_t cell = a + j0_ * b;
      for (int attempt = 0; taken.contains(cell) && attempt < 32; ++attempt) cell = nonempty_[random_.next() % nonempty_.size()];
      for (uint32_t probe = 0; taken.contains(cell); ++probe) cell = (cell + 1) % uint32_t(population_.size());
      taken.insert(cell);
      seed0_[s] = uint16_t(cell % j0_);
      seed1_[s] = uint16_t(cell / j0_);
    }
  }

  // Labels the populated cells (training) or every cell with the neighbour graph (final pass),
  // by product propagation or exhaustively, per options_.assignment.
  void propagateOnce(bool final_pass) {
    const PropagationInput in = input(final_pass);
    const double cells = final_pass ? double(population_.size()) : double(nonempty_.size());
    DrcAssignment how = options_.assignment;
    if (how == DrcAssignment::Auto) {
      how = exhaustiveCost(in, cells) < propagationCost(in) ? DrcAssignment::Exhaustive : DrcAssignment::Propagation;
    }
    if (how == DrcAssignment::Propagation) {
      propagate(in, buffers_, result_);
      return;
    }
    if (!final_pass) {
      if (ordered_nonempty_.empty()) ordered_nonempty_ = blockedCellOrder(nonempty_, j0_, j1_, k_);
      assignExhaustively(in, ordered_nonempty_, buffers_, result_);
      return;
    }
    assignExhaustively(in, blockedCellOrder({}, j0_, j1_, k_), buffers_, result_);
    // The graph where the data lives: populated cells and the centroids' own cells.
    std::vector<uint32_t> cells_to_connect = nonempty_;
    for (uint32_t s = 0; s < k_; ++s) cells_to_connect.push_back(seed0_[s] + j0_ * uint32_t(seed1_[s]));
    connectByLabels(in, cells_to_connect, result_);
  }

  PropagationInput input(bool final_pass) const {
    PropagationInput in;
    in.j0 = j0_;
    in.j1 = j1_;
    in.k = k_;
    in.dist0 = dist0_;
    in.dist1 = dist1_;
    in.seed0 = seed0_;
    in.seed1 = seed1_;
    in.graph0 = &follow0_;
    in.graph1 = &follow1_;
    in.range = options_.range;
    if (!final_pass) in.targets = nonempty_;
    in.build_edges = final_pass;
    in.far = far_;
    return in;
  }

  std::span<const DrqNode> nodes_;
  int32_t child0_, child1_;
  const DrqNode& c0_;
  const DrqNode& c1_;
  uint32_t j0_, j1_;
  size_t d0_, d1_;
  std::span<const uint32_t> population_;
  const DrcOptions& options_;
  Random& random_;
  std::vector<float> flat0_, flat1_;
  FollowedEdges follow0_, follow1_;
  std::vector<uint32_t> nonempty_;
  std::vector<uint32_t> ordered_nonempty_;  // blockedCellOrder(nonempty_), made on first use
  uint64_t total_ = 0;
  uint32_t k_ = 0;
  std::vector<float> centroids_;  // k × (d0 + d1), continuous
  std::vector<float> dist0_, dist1_, far_;
  std::vector<uint16_t> seed0_, seed1_;
  std::vector<uint16_t> label_;
  PropagationBuffers buffers_;
  PropagationResult result_;
};

}  // namespace

DrqNode trainNode(std::span<const DrqNode> nodes, int32_t child0, int32_t child1, std::span<const uint32_t> population, uint32_t k,
                  const DrcOptions& options, Random& random, int* iterations) {
  GridKMeans grid(nodes, child0, child1, population, options, random);
  grid.initialise(k);
  const double cells = double(grid.nonemptyCells());
  int it = 0;
  while (++it <= options.max_iterations) {
    const size_t changed = grid.assign();
    grid.update();
    const double fraction = 0.01 * it;
    if (double(changed) < cells * options.theta * fraction * fraction) break;
  }
  if (iterations) *iterations = std::min(it, options.max_iterations);
  return grid.finish();
}

}  // namespace regionlab::drc
