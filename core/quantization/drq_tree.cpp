#include "core/quantization/drq_tree.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <immintrin.h>
#include <limits>
#include <string>

#include "core/base/error.h"
#include "core/quantization/lane_argmin.h"

namespace regionlab {
namespace {

// A subtree over n dimensions has n leaves and n − 1 inner nodes; in post-order it occupies the
// n·2 − 1 slots ending at its root.
size_t subtreeFirst(std::span<const DrqNode> nodes, size_t index) { return index + 1 - (2 * size_t(nodes[index].dim_count) - 1); }

void invalid(const std::string& reason) { throw Error("invalid DRQ codebook tree: " + reason); }

// A node's table from its children's: one gathered addition per centroid, eight at a time with
// AVX2 gathers when the CPU has them.
__attribute__((target("avx2"))) void combineTablesAvx2(const float* t0, const float* t1, const uint16_t* c0, const uint16_t* c1,
                                                       uint32_t k, float* out) {
  uint32_t j = 0;
  for (; j + 8 <= k; j += 8) {
    const __m256i i0 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c0 + j)));
    const __m256i i1 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c1 + j)));
    _mm256_storeu_ps(out + j, _mm256_add_ps(_mm256_i32gather_ps(t0, i0, 4), _mm256_i32gather_ps(t1, i1, 4)));
  }
  for (; j < k; ++j) out[j] = t0[c0[j]] + t1[c1[j]];
}

void combineTables(const float* t0, const float* t1, const uint16_t* c0, const uint16_t* c1, uint32_t k, float* out) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    combineTablesAvx2(t0, t1, c0, c1, k, out);
    return;
  }
  for (uint32_t j = 0; j < k; ++j) out[j] = t0[c0[j]] + t1[c1[j]];
}

void validateGraph(const DrqNode& node, size_t i) {
  const uint32_t k = node.size();
  if (node.edge_offsets.empty() && node.edge_targets.empty() && node.edge_weights.empty()) return;  // no lookup tables
  if (node.edge_offsets.size() != size_t(k) + 1 || node.edge_offsets.front() != 0 ||
      node.edge_offsets.back() != node.edge_targets.size() || node.edge_weights.size() != node.edge_targets.size()) {
    invalid("node " + std::to_string(i) + " has a malformed neighbour graph");
  }
  for (uint32_t c = 0; c < k; ++c) {
    if (node.edge_offsets[c] > node.edge_offsets[c + 1]) invalid("node " + std::to_string(i) + " has decreasing edge offsets");
  }
  for (const uint16_t t : node.edge_targets) {
    if (t >= k) invalid("node " + std::to_string(i) + " has an edge to centroid " + std::to_string(t) + " of " + std::to_string(k));
  }
}

void validateNode(std::span<const DrqNode> nodes, size_t i) {
  const DrqNode& node = nodes[i];
  const uint32_t k = node.size();
  if (k == 0 || k > 65536) invalid("node " + std::to_string(i) + " has " + std::to_string(k) + " centroids");
  if (node.dim_count == 0) invalid("node " + std::to_string(i) + " has no dimensions");
  for (const uint16_t s : node.source) {
    if (s >= k) invalid("node " + std::to_string(i) + " maps a cell to centroid " + std::to_string(s) + " of " + std::to_string(k));
  }
  validateGraph(node, i);
  if (node.isLeaf()) {
    if (node.dim_count != 1) invalid("leaf " + std::to_string(i) + " spans " + std::to_string(node.dim_count) + " dimensions");
    if (node.child1 >= 0) invalid("leaf " + std::to_string(i) + " has a second child");
    if (!(node.bin_width > 0) || !std::isfinite(node.base)) invalid("leaf " + std::to_string(i) + " has no bins");
    for (size_t c = 1; c < node.centroids.size(); ++c) {
      if (!(node.centroids[c - 1] <= node.centroids[c])) invalid("leaf " + std::to_string(i) + " centroids are not increasing");
    }
    return;
  }
  // Post-order with contiguous subtrees: child1's subtree ends just before the node, child0's
  // just before child1's.
  if (node.dim_count < 2 || node.child1 != int32_t(i) - 1) invalid("node " + std::to_string(i) + " is not in post-order");
  const DrqNode& c1 = nodes[size_t(node.child1)];
  if (size_t(node.child1) + 1 < 2 * size_t(c1.dim_count)) invalid("node " + std::to_string(i) + " has a truncated subtree");
  const size_t expected_child0 = size_t(node.child1) + 1 - (2 * size_t(c1.dim_count) - 1) - 1;
  if (node.child0 < 0 || size_t(node.child0) != expected_child0) invalid("node " + std::to_string(i) + " is not in post-order");
  const DrqNode& c0 = nodes[size_t(node.child0)];
  if (c0.dim_begin != node.dim_begin || c0.dim_count != node.dim_count / 2 || c1.dim_begin != node.dim_begin + c0.dim_count ||
      c1.dim_count != node.dim_count - c0.dim_count) {
    invalid("node " + std::to_string(i) + " children do not split its dimensions in halves");
  }
  if (node.code1.size() != node.code0.size()) invalid("node " + std::to_string(i) + " has unequal code lists");
  const uint32_t j0 = c0.size(), j1 = c1.size();
  for (uint32_t c = 0; c < k; ++c) {
    if (node.code0[c] >= j0 || node.code1[c] >= j1) invalid("node " + std::to_string(i) + " has a centroid outside its grid");
  }
  if (!node.source.empty() && node.source.size() != size_t(j0) * j1) invalid("node " + std::to_string(i) + " grid map has the wrong size");
}

}  // namespace

std::vector<float> flattenCentroids(std::span<const DrqNode> nodes, size_t index) {
  const DrqNode& node = nodes[index];
  const size_t d = node.dim_count;
  std::vector<float> flat(static_cast<size_t>(node.size()) * d);
  if (node.isLeaf()) return node.centroids;
  const std::vector<float> f0 = flattenCentroids(nodes, size_t(node.child0));
  const std::vector<float> f1 = flattenCentroids(nodes, size_t(node.child1));
  const size_t d0 = nodes[size_t(node.child0)].dim_count, d1 = d - d0;
  for (size_t k = 0; k < node.size(); ++k) {
    std::copy_n(f0.data() + node.code0[k] * d0, d0, flat.data() + k * d);
    std::copy_n(f1.data() + node.code1[k] * d1, d1, flat.data() + k * d + d0);
  }
  return flat;
}

void subtreeTable(std::span<const DrqNode> nodes, size_t index, const float* x, bool inner_product, std::vector<float>& scratch,
                  float* out) {
  const size_t first = subtreeFirst(nodes, index);
  const uint32_t base_dim = nodes[index].dim_begin;
  // Offsets of each node's table in scratch (the root writes straight to out).
  size_t total = 0;
  thread_local std::vector<size_t> offsets;
  offsets.resize(index - first + 1);
  for (size_t i = first; i < index; ++i) {
    offsets[i - first] = total;
    total += nodes[i].size();
  }
  if (scratch.size() < total) scratch.resize(total);
  for (size_t i = first; i <= index; ++i) {
    const DrqNode& node = nodes[i];
    float* t = i == index ? out : scratch.data() + offsets[i - first];
    const uint32_t k = node.size();
    if (node.isLeaf()) {
      const float v = x[node.dim_begin - base_dim];
      const float* c = node.centroids.data();
      if (inner_product) {
        for (uint32_t j = 0; j < k; ++j) t[j] = v * c[j];
      } else {
        for (uint32_t j = 0; j < k; ++j) {
          const float diff = v - c[j];
          t[j] = diff * diff;
        }
      }
    } else {
      combineTables(scratch.data() + offsets[size_t(node.child0) - first], scratch.data() + offsets[size_t(node.child1) - first],
                    node.code0.data(), node.code1.data(), k, t);
    }
  }
}

DrqTree::DrqTree(std::vector<DrqNode> nodes) : nodes_(std::move(nodes)) {
  if (nodes_.empty()) invalid("no nodes");
  for (size_t i = 0; i < nodes_.size(); ++i) validateNode(nodes_, i);
  const DrqNode& r = root();
  if (r.dim_begin != 0 || nodes_.size() != 2 * size_t(r.dim_count) - 1) invalid("the root does not span the tree");
  // Lookup tables (bin and cell maps, graphs) are all there or all absent.
  const auto complete = [](const DrqNode& n) { return !n.source.empty() && !n.edge_offsets.empty(); };
  const auto absent = [](const DrqNode& n) { return n.source.empty() && n.edge_offsets.empty(); };
  has_lookups_ = std::all_of(nodes_.begin(), nodes_.end(), complete);
  if (!has_lookups_ && !std::all_of(nodes_.begin(), nodes_.end(), absent)) invalid("some nodes lack their lookup tables");
  dim_ = int(r.dim_count);
  table_offset_.resize(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    table_offset_[i] = table_size_;
    table_size_ += nodes_[i].size();
  }
  centroids_ = flattenCentroids(nodes_, nodes_.size() - 1);
}

template <bool InnerProduct>
const float* DrqTree::tables(const float* x, std::vector<float>& scratch) const {
  scratch.resize(table_size_);
  float* base = scratch.data();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DrqNode& node = nodes_[i];
    float* t = base + table_offset_[i];
    const uint32_t k = node.size();
    if (node.isLeaf()) {
      const float v = x[node.dim_begin];
      const float* c = node.centroids.data();
      for (uint32_t j = 0; j < k; ++j) {
        if constexpr (InnerProduct) {
          t[j] = v * c[j];
        } else {
          const float diff = v - c[j];
          t[j] = diff * diff;
        }
      }
    } else {
      combineTables(base + table_offset_[size_t(node.child0)], base + table_offset_[size_t(node.child1)], node.code0.data(),
                    node.code1.data(), k, t);
    }
  }
  return base + table_offset_.back();
}

void DrqTree::distanceTable(const float* x, float* out) const {
  thread_local std::vector<float> scratch;
  const float* t = tables<false>(x, scratch);
  std::copy_n(t, size(), out);
}

void DrqTree::innerProductTable(const float* x, float* out) const {
  thread_local std::vector<float> scratch;
  const float* t = tables<true>(x, scratch);
  std::copy_n(t, size(), out);
}

uint32_t DrqTree::fastLabel(size_t node_index, const float* x, std::vector<uint32_t>& labels) const {
  // Post-order: children are labelled before their parent.
  const size_t first = subtreeFirst(nodes_, node_index);
  for (size_t i = first; i <= node_index; ++i) {
    const DrqNode& node = nodes_[i];
    if (node.isLeaf()) {
      // Out-of-range values are clamped to the first or last bin (drvq does not clamp).
      const float position = (x[node.dim_begin] - node.base) / node.bin_width;
      const auto last = float(node.source.size() - 1);
      const size_t bin = !(position > 0) ? 0 : position >= last ? node.source.size() - 1 : size_t(position);
      labels[i] = node.source[bin];
    } else {
      const size_t j0 = nodes_[size_t(node.child0)].size();
      labels[i] = node.source[labels[size_t(node.child0)] + j0 * labels[size_t(node.child1)]];
    }
  }
  return labels[node_index];
}

namespace {

float squaredDistance(const float* a, const float* b, int n) {
  float s[4] = {0, 0, 0, 0};
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) {
      const float d = a[i + k] - b[i + k];
      s[k] += d * d;
    }
  }
  float total = (s[0] + s[1]) + (s[2] + s[3]);
  for (; i < n; ++i) total += (a[i] - b[i]) * (a[i] - b[i]);
  return total;
}

}  // namespace

uint16_t DrqTree::encodeApproximate(const float* x, float* distance) const {
  // REFERENCE.md §C5 "approx": the root's children give q0, q1 by lookups; the candidates are the
  // owners of the grid cells next to (q0, q1) along either child's graph (edges lighter than the
  // approximate range), and the nearest candidate wins.
  constexpr float kApproximateRange = 0.45f;
  thread_local std::vector<uint32_t> labels;
  labels.resize(nodes_.size());
  const size_t r = nodes_.size() - 1;
  const DrqNode& node = nodes_[r];
  if (node.isLeaf()) {
    const uint32_t q = fastLabel(r, x, labels);
    if (distance) *distance = squaredDistance(x, centroid(q), dim_);
    return uint16_t(q);
  }
  const DrqNode& c0 = nodes_[size_t(node.child0)];
  const DrqNode& c1 = nodes_[size_t(node.child1)];
  const uint32_t q0 = fastLabel(size_t(node.child0), x, labels);
  const uint32_t q1 = fastLabel(size_t(node.child1), x, labels);
  const size_t j0 = c0.size();
  uint32_t best = node.source[q0 + j0 * q1];
  float best_distance = squaredDistance(x, centroid(best), dim_);
  auto consider = [&](uint32_t candidate) {
    if (candidate == best) return;
    const float d = squaredDistance(x, centroid(candidate), dim_);
    if (d < best_distance || (d == best_distance && candidate < best)) {
      best = candidate;
      best_distance = d;
    }
  };
  // As in training, a leaf child's chain of neighbours is always followed.
  const float range0 = c0.isLeaf() ? std::numeric_limits<float>::infinity() : kApproximateRange;
  const float range1 = c1.isLeaf() ? std::numeric_limits<float>::infinity() : kApproximateRange;
  for (uint32_t e = c0.edge_offsets[q0]; e < c0.edge_offsets[q0 + 1]; ++e) {
    if (c0.edge_weights[e] < range0) consider(node.source[c0.edge_targets[e] + j0 * q1]);
  }
  for (uint32_t e = c1.edge_offsets[q1]; e < c1.edge_offsets[q1 + 1]; ++e) {
    if (c1.edge_weights[e] < range1) consider(node.source[q0 + j0 * c1.edge_targets[e]]);
  }
  if (distance) *distance = best_distance;
  return uint16_t(best);
}

DrqTree DrqTree::withoutLookupTables() const {
  std::vector<DrqNode> nodes = nodes_;
  for (DrqNode& n : nodes) {
    n.source = {};
    n.edge_offsets = {};
    n.edge_targets = {};
    n.edge_weights = {};
  }
  return DrqTree(std::move(nodes));
}

uint16_t DrqTree::encode(const float* x, EncodeMode mode, float* distance) const {
  if (mode != EncodeMode::Exact && !has_lookups_) {
    throw Error("this DRQ codebook was stored without lookup tables: only exact encoding is available");
  }
  switch (mode) {
    case EncodeMode::Fast: {
      thread_local std::vector<uint32_t> labels;
      labels.resize(nodes_.size());
      const uint32_t q = fastLabel(nodes_.size() - 1, x, labels);
      if (distance) *distance = squaredDistance(x, centroid(q), dim_);
      return uint16_t(q);
    }
    case EncodeMode::Approximate: return encodeApproximate(x, distance);
    case EncodeMode::Exact: break;
  }
  thread_local std::vector<float> scratch;
  const float* t = tables<false>(x, scratch);
  const uint32_t best = drc::argminOf(t, size());
  if (distance) *distance = t[best];
  return uint16_t(best);
}

std::span<const uint16_t> DrqTree::neighbours(uint32_t k) const {
  const DrqNode& r = root();
  if (!has_lookups_) return {};
  return {r.edge_targets.data() + r.edge_offsets[k], r.edge_offsets[k + 1] - r.edge_offsets[k]};
}

}  // namespace regionlab
