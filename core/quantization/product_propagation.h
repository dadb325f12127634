#pragma once
// Product propagation (Avrithis, ICCV 2013; REFERENCE.md §C4): the assignment step of DRC on a
// J0×J1 grid whose cell (j0, j1) stands for the concatenated child centroids. It is a variant of
// fast marching: a multi-source Dijkstra sweep from the centroids' own cells in which a cell is
// reached only from a neighbouring cell (along an edge of either child's graph) and takes the
// distance of its true squared distance to the reaching centroid,
//     d(s, (j0, j1)) = dist0[s][j0] + dist1[s][j1]        (separability of squared distances),
// so each centroid grows its Voronoi cell outward and claims every cell it reaches first. Cells
// no front reaches (the child graphs keep only light edges) fall back to an exhaustive argmin.
#include <cstdint>
#include <span>
#include <vector>

#include "core/quantization/drq_tree.h"

namespace regionlab::drc {

// The edges a sweep follows, in compressed rows: neighbours of j are targets[offsets[j] ..
// offsets[j + 1]).
struct FollowedEdges {
  std::vector<uint32_t> offsets;
  std::vector<uint16_t> targets;
};

// The edges of a child's graph lighter than `range`; a leaf's whole chain (range ignored): the
// paper's 1-d neighbourhood is the chain of successive centroids. drvq compares leaf gaps with
// the range too, but on normalised data every gap is below it, so the two agree there, and
// following the chain keeps the grid connected for data of any scale.
FollowedEdges followedEdges(const DrqNode& child, float range);

struct PropagationInput {
  uint32_t j0 = 0, j1 = 0, k = 0;
  // dist0[s·j0 + j]: squared distance from centroid s's first half to child0 centroid j; likewise dist1.
  std::span<const float> dist0, dist1;
  // Centroid s starts from cell (seed0[s], seed1[s]); seeds are distinct cells.
  std::span<const uint16_t> seed0, seed1;
  const FollowedEdges* graph0 = nullptr;
  const FollowedEdges* graph1 = nullptr;
  // The final graph keeps meetings lighter than 1.5·range.
  float range = 0.35f;
  // Cells that must be labelled: the sweep stops once all are (training); empty = every cell,
  // and the sweep runs to exhaustion (final pass).
  std::span<const uint32_t> targets;
  // Final pass: record pairs of centroids whose fronts meet, with normalised weight
  // (d + d') / max(far_s, far_t) when below 1.5·range; far has k entries.
  bool build_edges = false;
  std::span<const float> far;
};

struct PropagationResult {
  // label[cell] (cell = j0 + j0_count·j1): the owning centroid, 0xFFFF where not labelled.
  std::vector<uint16_t> label;
  // Final pass only: the symmetric graph, per centroid sorted by neighbour.
  std::vector<uint32_t> edge_offsets;
  std::vector<uint16_t> edge_targets;
  std::vector<float> edge_weights;
  uint64_t fallback_cells = 0;  // cells labelled by the exhaustive fallback
};

// Reusable buffers, so iterations of one node do not reallocate grid-sized arrays.
struct PropagationBuffers {
  std::vector<float> best;
  std::vector<uint16_t> owner;
  std::vector<uint8_t> burnt;
  std::vector<float> transposed0, transposed1;  // grid_assignment.h: dist tables as j × k
};

inline constexpr uint16_t kNoLabel = 0xFFFF;

void propagate(const PropagationInput& input, PropagationBuffers& buffers, PropagationResult& result);

}  // namespace regionlab::drc
