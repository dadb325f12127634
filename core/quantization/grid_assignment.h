#pragma once
// The exact alternative to product propagation for labelling a node's grid (internal to DRC
// training): label[cell] = argmin over centroids s of dist0[s][j0] + dist1[s][j1], the Voronoi
// assignment that propagation approximates, by separability one addition per centroid and cell.
//
// Why it exists: propagation visits every grid cell it burns and relaxes each one's neighbours
// in both child graphs (70+ each for 16-d children of SIFT), with heap traffic and scattered
// memory reads; the exhaustive form is k additions per cell in straight vectorised loops over
// transposed tables. On the measured machines it is the faster of the two for the large, sparse
// grids of 64-d and 128-d nodes, where training time goes (regionlab-bench drq prints both). It
// also labels cells exactly, so fast encoding agrees more often with exact encoding.
#include <cstdint>
#include <span>
#include <vector>

#include "core/quantization/product_propagation.h"

namespace regionlab::drc {

// The cells (or every cell of the j0×j1 grid when `cells` is empty) in a cache-friendly order:
// blocks of child0 rows whose tables fit in cache, child1 rows streamed through each block.
std::vector<uint32_t> blockedCellOrder(std::span<const uint32_t> cells, uint32_t j0, uint32_t j1, uint32_t k);

// Labels the ordered cells exactly (seeds and graphs are ignored); other cells get kNoLabel.
void assignExhaustively(const PropagationInput& input, std::span<const uint32_t> ordered_cells, PropagationBuffers& buffers,
                        PropagationResult& result);

// Final-pass graph from labels: for each of `cells` and each followed neighbour cell q (along
// either child graph) owned by another centroid t, the pair (s, t) with weight
// (d_s(q) + d_t(q)) / max(far_s, far_t) when below 1.5·range — the rule propagation applies when
// two fronts meet at q.
void connectByLabels(const PropagationInput& input, std::span<const uint32_t> cells, PropagationResult& result);

// Estimated costs, in comparable units, of labelling `cells` target cells (or the whole grid) by
// propagation, which sweeps about the whole grid whatever the targets, and exhaustively.
double propagationCost(const PropagationInput& input);
double exhaustiveCost(const PropagationInput& input, double cells);

}  // namespace regionlab::drc
