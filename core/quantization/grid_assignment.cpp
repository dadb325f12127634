#include "core/quantization/grid_assignment.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <opencv2/core.hpp>

#include "core/quantization/edge_collector.h"
#include "core/quantization/lane_argmin.h"

namespace regionlab::drc {
namespace {

void transpose(std::span<const float> in, uint32_t rows, uint32_t cols, std::vector<float>& out) {
  out.resize(size_t(rows) * cols);
  const cv::Mat source(int(rows), int(cols), CV_32F, const_cast<float*>(in.data()));
  cv::Mat target(int(cols), int(rows), CV_32F, out.data());
  cv::transpose(source, target);
}

}  // namespace

std::vector<uint32_t> blockedCellOrder(std::span<const uint32_t> cells, uint32_t j0, uint32_t j1, uint32_t k) {
  // Child0 blocks of ~512 KiB of transposed table rows stay in cache while child1 rows stream.
  const uint32_t block = std::max<uint32_t>(1, (512u * 1024u / 4u) / std::max<uint32_t>(1, k));
  std::vector<uint32_t> order;
  if (cells.empty()) {
    order.reserve(size_t(j0) * j1);
    for (uint32_t b0 = 0; b0 < j0; b0 += block) {
      for (uint32_t c1 = 0; c1 < j1; ++c1) {
        for (uint32_t c0 = b0; c0 < std::min(j0, b0 + block); ++c0) order.push_back(c0 + j0 * c1);
      }
    }
    return order;
  }
  order.assign(cells.begin(), cells.end());
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const uint32_t bx = (x % j0) / block, by = (y % j0) / block;
    if (bx != by) return bx < by;
    return x < y;  // cell = c0 + j0·c1: by c1, then c0
  });
  return order;
}

void assignExhaustively(const PropagationInput& in, std::span<const uint32_t> ordered_cells, PropagationBuffers& buf,
                        PropagationResult& result) {
  const uint32_t k = in.k;
  transpose(in.dist0, k, in.j0, buf.transposed0);
  transpose(in.dist1, k, in.j1, buf.transposed1);
  result.label.assign(size_t(in.j0) * in.j1, kNoLabel);
  result.fallback_cells = 0;
  for (const uint32_t cell : ordered_cells) {
    const float* a = buf.transposed0.data() + size_t(cell % in.j0) * k;
    const float* b = buf.transposed1.data() + size_t(cell / in.j0) * k;
    result.label[cell] = uint16_t(argminOfSums(a, b, k));
  }
}

void connectByLabels(const PropagationInput& in, std::span<const uint32_t> cells, PropagationResult& result) {
  EdgeCollector edges(in.k);
  const uint32_t j0 = in.j0, j1 = in.j1;
  const float limit = 1.5f * in.range;
  auto distance = [&](uint16_t s, uint32_t q0, uint32_t q1) { return in.dist0[size_t(s) * j0 + q0] + in.dist1[size_t(s) * j1 + q1]; };
  auto meet = [&](uint16_t s, uint32_t q0, uint32_t q1) {
    const uint16_t t = result.label[q0 + j0 * q1];
    if (t == s || t == kNoLabel) return;
    const float w = (distance(s, q0, q1) + distance(t, q0, q1)) / std::max({in.far[s], in.far[t], 1e-30f});
    if (w < limit) edges.add(s, t, w);
  };
  for (const uint32_t cell : cells) {
    const uint16_t s = result.label[cell];
    const uint32_t c0 = cell % j0, c1 = cell / j0;
    for (uint32_t e = in.graph0->offsets[c0]; e < in.graph0->offsets[c0 + 1]; ++e) meet(s, in.graph0->targets[e], c1);
    for (uint32_t e = in.graph1->offsets[c1]; e < in.graph1->offsets[c1 + 1]; ++e) meet(s, c0, in.graph1->targets[e]);
  }
  edges.finish(result);
}

double propagationCost(const PropagationInput& in) {
  // A sweep burns about the whole grid before the last target cell, relaxing each cell's
  // neighbours along both graphs with a heap operation per improvement. Measured on SIFT nodes:
  // a relax costs about six vectorised additions.
  const double degree0 = double(in.graph0->targets.size()) / std::max<uint32_t>(1, in.j0);
  const double degree1 = double(in.graph1->targets.size()) / std::max<uint32_t>(1, in.j1);
  return 6.0 * double(in.j0) * double(in.j1) * (degree0 + degree1 + 20.0);
}

double exhaustiveCost(const PropagationInput& in, double cells) {
  return cells * double(in.k) * 0.25 + double(in.k) * double(in.j0 + in.j1);
}

}  // namespace regionlab::drc
