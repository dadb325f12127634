#include "core/quantization/product_propagation.h"

#include <algorithm>
#include <limits>
#include <queue>

#include "core/quantization/edge_collector.h"

namespace regionlab::drc {
namespace {

struct QueueEntry {
  float distance;
  uint32_t cell;
  bool operator>(const QueueEntry& o) const { return distance > o.distance || (distance == o.distance && cell > o.cell); }
};

}  // namespace

FollowedEdges followedEdges(const DrqNode& child, float range) {
  FollowedEdges f;
  const uint32_t k = child.size();
  f.offsets.assign(size_t(k) + 1, 0);
  for (uint32_t j = 0; j < k; ++j) {
    for (uint32_t e = child.edge_offsets[j]; e < child.edge_offsets[j + 1]; ++e) {
      if (child.isLeaf() || child.edge_weights[e] < range) f.targets.push_back(child.edge_targets[e]);
    }
    f.offsets[j + 1] = uint32_t(f.targets.size());
  }
  return f;
}

void propagate(const PropagationInput& in, PropagationBuffers& buf, PropagationResult& result) {
  const uint32_t j0 = in.j0, j1 = in.j1;
  const size_t cells = size_t(j0) * j1;
  buf.best.assign(cells, std::numeric_limits<float>::infinity());
  buf.owner.assign(cells, kNoLabel);
  buf.burnt.assign(cells, 0);
  result.label.assign(cells, kNoLabel);
  result.fallback_cells = 0;

  // Targets still to burn: a cell counts once even if listed twice.
  const bool exhaust = in.targets.empty();
  std::vector<uint8_t> is_target;
  size_t remaining = cells;
  if (!exhaust) {
    is_target.assign(cells, 0);
    remaining = 0;
    for (const uint32_t c : in.targets) {
      if (!is_target[c]) ++remaining;
      is_target[c] = 1;
    }
  }

  std::priority_queue<QueueEntry, std::vector<QueueEntry>, std::greater<>> queue;
  for (uint32_t s = 0; s < in.k; ++s) {
    const uint32_t cell = in.seed0[s] + j0 * uint32_t(in.seed1[s]);
    buf.best[cell] = 0;  // REFERENCE.md §C4: seeds start at distance 0
    buf.owner[cell] = uint16_t(s);
    queue.push({0.0f, cell});
  }

  EdgeCollector edges(in.build_edges ? in.k : 0);
  const float edge_limit = 1.5f * in.range;
  const FollowedEdges& g0 = *in.graph0;
  const FollowedEdges& g1 = *in.graph1;
  auto relax = [&](uint16_t s, uint32_t cell, float d) __attribute__((always_inline)) {
    if (buf.burnt[cell]) {
      if (in.build_edges) {
        const uint16_t t = result.label[cell];
        if (t != s) {
          const float w = (d + buf.best[cell]) / std::max({in.far[s], in.far[t], 1e-30f});
          if (w < edge_limit) edges.add(s, t, w);
        }
      }
      return;
    }
    if (d < buf.best[cell]) {
      buf.best[cell] = d;
      buf.owner[cell] = s;
      queue.push({d, cell});
    }
  };

  while (!queue.empty() && remaining > 0) {
    const QueueEntry top = queue.top();
    queue.pop();
    const uint32_t cell = top.cell;
    if (buf.burnt[cell] || top.distance > buf.best[cell]) continue;  // stale entry
    buf.burnt[cell] = 1;
    const uint16_t s = buf.owner[cell];
    result.label[cell] = s;
    if (exhaust || is_target[cell]) --remaining;
    const uint32_t c0 = cell % j0, c1 = cell / j0;
    const float* d0 = in.dist0.data() + size_t(s) * j0;
    const float* d1 = in.dist1.data() + size_t(s) * j1;
    const float d1_here = d1[c1], d0_here = d0[c0];
    const uint32_t row = j0 * c1;
    for (uint32_t e = g0.offsets[c0], end = g0.offsets[c0 + 1]; e < end; ++e) {
      const uint16_t n0 = g0.targets[e];
      relax(s, n0 + row, d0[n0] + d1_here);
    }
    for (uint32_t e = g1.offsets[c1], end = g1.offsets[c1 + 1]; e < end; ++e) {
      const uint16_t n1 = g1.targets[e];
      relax(s, c0 + j0 * uint32_t(n1), d0_here + d1[n1]);
    }
  }

  // Cells no front reached: the exact argmin over all centroids (rare with connected graphs).
  auto fallback = [&](uint32_t cell) {
    const uint32_t c0 = cell % j0, c1 = cell / j0;
    uint16_t best = 0;
    float best_d = std::numeric_limits<float>::infinity();
    for (uint32_t s = 0; s < in.k; ++s) {
      const float d = in.dist0[size_t(s) * j0 + c0] + in.dist1[size_t(s) * j1 + c1];
      if (d < best_d) {
        best_d = d;
        best = uint16_t(s);
      }
    }
    result.label[cell] = best;
    ++result.fallback_cells;
  };
  if (exhaust) {
    for (uint32_t cell = 0; cell < cells; ++cell) {
      if (result.label[cell] == kNoLabel) fallback(cell);
    }
  } else if (remaining > 0) {
    for (const uint32_t cell : in.targets) {
      if (result.label[cell] == kNoLabel) fallback(cell);
    }
  }
  if (in.build_edges) edges.finish(result);
}

}  // namespace regionlab::drc
