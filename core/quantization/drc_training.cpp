#include "core/quantization/drc_training.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/error.h"
#include "core/quantization/drc_internal.h"
#include "core/quantization/lane_argmin.h"

namespace regionlab {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int floorLog2(uint32_t v) { return int(std::bit_width(v)) - 1; }

// Lays out the tree over [begin, begin + count) in post-order (children before parents, the
// first half's subtree before the second's); returns the index of the subtree's root.
int32_t layoutTree(uint32_t begin, uint32_t count, std::vector<DrqNode>& nodes) {
  DrqNode node;
  node.dim_begin = begin;
  node.dim_count = count;
  if (count > 1) {
    node.child0 = layoutTree(begin, count / 2, nodes);
    node.child1 = layoutTree(begin + count / 2, count - count / 2, nodes);
  }
  nodes.push_back(std::move(node));
  return int32_t(nodes.size() - 1);
}

// Runs body(i) for i in [0, count) on up to `threads` threads (0 = all cores).
template <typename Body>
void parallelFor(size_t count, int threads, Body&& body) {
  const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  if (count <= 1 || n == 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (int t = 0; t < std::min<int>(n, int(count)); ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < count;) {
        try {
          body(i);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      }
    });
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

// labels[i][v] = the nearest centroid of node i to training vector v, for the nodes i of one
// level (exact encoding on each node's subtree).
void labelExactly(const std::vector<DrqNode>& nodes, const std::vector<size_t>& members, const float* columns, size_t n, int threads,
                  std::vector<std::vector<uint16_t>>& labels) {
  for (const size_t i : members) labels[i].resize(n);
  constexpr size_t kBlock = 1024;
  parallelFor((n + kBlock - 1) / kBlock, threads, [&](size_t b) {
    std::vector<float> x, table, scratch;
    for (const size_t i : members) {
      const DrqNode& node = nodes[i];
      x.resize(node.dim_count);
      table.resize(node.size());
      uint16_t* out = labels[i].data();
      for (size_t v = b * kBlock; v < std::min(n, (b + 1) * kBlock); ++v) {
        for (uint32_t d = 0; d < node.dim_count; ++d) x[d] = columns[size_t(node.dim_begin + d) * n + v];
        subtreeTable(nodes, i, x.data(), false, scratch, table.data());
        out[v] = uint16_t(drc::argminOf(table.data(), node.size()));
      }
    }
  });
}

}  // namespace

std::vector<int> defaultLevelBits(int chunk_dim, int root_bits) {
  const int levels = floorLog2(uint32_t(std::max(1, chunk_dim))) + 1;
  const int below_root = std::max(8, root_bits - (chunk_dim >= 128 ? 1 : 2));
  std::vector<int> bits(static_cast<size_t>(levels), 0);
  for (int l = 0; l < levels - 1; ++l) bits[size_t(l)] = std::min(5 + l, below_root);
  bits.back() = root_bits;
  return bits;
}

DrqTree trainDrqTree(const float* columns, size_t n, int chunk_dim, const DrcOptions& options, DrcTrainingReport* report) {
  if (n == 0) throw Error("DRC training needs at least one vector");
  if (chunk_dim < 1) throw Error("DRC training needs at least one dimension");
  const int levels = floorLog2(uint32_t(chunk_dim)) + 1;
  if (int(options.level_bits.size()) < levels) {
    throw Error("DRC options give " + std::to_string(options.level_bits.size()) + " level sizes, a " + std::to_string(chunk_dim) +
                "-d chunk needs " + std::to_string(levels));
  }
  for (const int b : options.level_bits) {
    if (b < 0 || b > 15) throw Error("DRC level sizes must be between 2^0 and 2^15 centroids, got 2^" + std::to_string(b));
  }
  if (options.root_size > 32768) throw Error("DRC codebooks hold at most 32768 centroids per book");
  if (options.bins_per_centroid < 2) throw Error("DRC leaf histograms need at least 2 bins per centroid");

  std::vector<DrqNode> nodes;
  nodes.reserve(2 * size_t(chunk_dim) - 1);
  layoutTree(0, uint32_t(chunk_dim), nodes);
  const size_t root = nodes.size() - 1;
  auto targetSize = [&](size_t i) -> uint32_t {
    if (i == root && options.root_size > 0) return options.root_size;
    return 1u << options.level_bits[size_t(floorLog2(nodes[i].dim_count))];
  };

  // Nodes grouped by dimension count: a group only needs the groups before it.
  std::map<uint32_t, std::vector<size_t>> groups;
  for (size_t i = 0; i < nodes.size(); ++i) groups[nodes[i].dim_count].push_back(i);

  std::vector<std::vector<uint16_t>> labels(nodes.size());  // per node: the training vectors' labels
  std::vector<int> iterations(nodes.size(), 0);
  double histogram_seconds = 0, training_seconds = 0;
  for (const auto& [dims, members] : groups) {
    // Histograms (one pass over the data per node) …
    auto t = Clock::now();
    std::vector<drc::LeafHistogram> leaf_histograms(dims == 1 ? members.size() : 0);
    std::vector<std::vector<uint32_t>> populations(dims == 1 ? 0 : members.size());
    parallelFor(members.size(), options.threads, [&](size_t m) {
      const DrqNode& node = nodes[members[m]];
      if (node.isLeaf()) {
        const uint32_t k = targetSize(members[m]);
        leaf_histograms[m] = drc::buildLeafHistogram(columns + size_t(node.dim_begin) * n, n, size_t(k) * size_t(options.bins_per_centroid));
      } else {
        const uint32_t j0 = nodes[size_t(node.child0)].size();
        std::vector<uint32_t>& pop = populations[m];
        pop.assign(size_t(j0) * nodes[size_t(node.child1)].size(), 0);
        const uint16_t* l0 = labels[size_t(node.child0)].data();
        const uint16_t* l1 = labels[size_t(node.child1)].data();
        for (size_t i = 0; i < n; ++i) ++pop[l0[i] + size_t(j0) * l1[i]];
      }
    });
    histogram_seconds += secondsSince(t);

    // … then k-means on histograms and grids alone …
    t = Clock::now();
    parallelFor(members.size(), options.threads, [&](size_t m) {
      const size_t i = members[m];
      drc::Random random(options.seed * 0x9E3779B97F4A7C15ull + i + 1);
      DrqNode& node = nodes[i];
      DrqNode trained = node.isLeaf() ? drc::trainLeaf(leaf_histograms[m], targetSize(i), options, random, &iterations[i])
                                      : drc::trainNode(nodes, node.child0, node.child1, populations[m], targetSize(i), options, random,
                                                       &iterations[i]);
      trained.dim_begin = node.dim_begin;
      trained.dim_count = node.dim_count;
      trained.child0 = node.child0;
      trained.child1 = node.child1;
      node = std::move(trained);
    });
    training_seconds += secondsSince(t);

    // … and the training vectors' labels at this level, by lookup (the paper's q*[h(x)]).
    t = Clock::now();
    if (dims < uint32_t(chunk_dim) && options.exact_labels) {
      labelExactly(nodes, members, columns, n, options.threads, labels);
    } else if (dims < uint32_t(chunk_dim)) {
      parallelFor(members.size(), options.threads, [&](size_t m) {
        const size_t i = members[m];
        const DrqNode& node = nodes[i];
        std::vector<uint16_t>& out = labels[i];
        out.resize(n);
        if (node.isLeaf()) {
          const drc::LeafHistogram& h = leaf_histograms[m];
          const float* values = columns + size_t(node.dim_begin) * n;
          for (size_t v = 0; v < n; ++v) out[v] = node.source[h.binOf(values[v])];
        } else {
          const uint32_t j0 = nodes[size_t(node.child0)].size();
          const uint16_t* l0 = labels[size_t(node.child0)].data();
          const uint16_t* l1 = labels[size_t(node.child1)].data();
          for (size_t v = 0; v < n; ++v) out[v] = node.source[l0[v] + size_t(j0) * l1[v]];
        }
      });
    }
    for (const size_t i : members) {
      if (!nodes[i].isLeaf()) {
        labels[size_t(nodes[i].child0)] = {};
        labels[size_t(nodes[i].child1)] = {};
      }
    }
    histogram_seconds += secondsSince(t);
  }
  if (report) {
    report->histogram_seconds = histogram_seconds;
    report->training_seconds = training_seconds;
    report->iterations = iterations;
  }
  return DrqTree(std::move(nodes));
}

}  // namespace regionlab
