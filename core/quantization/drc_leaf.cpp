// DRC base case: 1-d k-means on a histogram (Avrithis 2013, "DRC base case"; REFERENCE.md §C3).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/quantization/drc_internal.h"

namespace regionlab::drc {

std::vector<uint32_t> sampleWithoutRepeats(std::span<const uint32_t> weights, uint32_t k, Random& random) {
  std::vector<std::pair<double, uint32_t>> keys;
  keys.reserve(weights.size());
  for (uint32_t i = 0; i < weights.size(); ++i) {
    if (weights[i] > 0) keys.emplace_back(std::log(random.openUnit()) / double(weights[i]), i);
  }
  const size_t take = std::min<size_t>(k, keys.size());
  std::nth_element(keys.begin(), keys.begin() + ptrdiff_t(take), keys.end(), std::greater<>());
  std::vector<uint32_t> chosen(take);
  for (size_t i = 0; i < take; ++i) chosen[i] = keys[i].second;
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

uint32_t sampleOne(std::span<const uint32_t> weights, uint64_t total, Random& random) {
  auto target = uint64_t(random.openUnit() * double(total));
  if (target >= total) target = total - 1;
  uint64_t running = 0;
  for (uint32_t i = 0; i < weights.size(); ++i) {
    running += weights[i];
    if (running > target) return i;
  }
  return uint32_t(weights.size() - 1);
}

size_t sampleReal(std::span<const double> weights, Random& random) {
  double total = 0;
  for (const double w : weights) total += w;
  if (!(total > 0)) return weights.size();
  const double target = random.openUnit() * total;
  double running = 0;
  size_t last = weights.size();
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    running += weights[i];
    last = i;
    if (running >= target) return i;
  }
  return last;
}

LeafHistogram buildLeafHistogram(const float* values, size_t n, size_t bins) {
  LeafHistogram h;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, values[i]);
    hi = std::max(hi, values[i]);
  }
  h.base = lo;
  // [min, max + eps): the largest value falls inside the last bin.
  const float span = hi - lo;
  h.width = span > 0 ? span * (1.0f + 1e-6f) / float(bins) + std::numeric_limits<float>::min() : 1.0f;
  h.count.assign(bins, 0);
  h.sum.assign(bins, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = h.binOf(values[i]);
    ++h.count[b];
    h.sum[b] += values[i];
  }
  return h;
}

namespace {

// Assigns every bin (by its midpoint) to the nearest of the sorted centroids; returns how many
// bins changed centroid.
size_t assignBins(const LeafHistogram& h, const std::vector<float>& centroids, std::vector<uint32_t>& label) {
  size_t changed = 0;
  uint32_t k = 0;
  const auto last = uint32_t(centroids.size() - 1);
  for (size_t b = 0; b < h.count.size(); ++b) {
    const float z = h.base + h.width * (float(b) + 0.5f);
    while (k < last && z >= 0.5f * (centroids[k] + centroids[k + 1])) ++k;
    if (label[b] != k) ++changed;
    label[b] = k;
  }
  return changed;
}

float binMean(const LeafHistogram& h, uint32_t b) { return float(h.sum[b] / double(h.count[b])); }

// k-means++ on the histogram: each next seed is a populated bin drawn by count × squared
// distance of its mean to the nearest seed so far.
std::vector<float> seedKMeansPlusPlus(const LeafHistogram& h, uint32_t k, Random& random) {
  std::vector<uint32_t> bins;
  for (uint32_t b = 0; b < h.count.size(); ++b) {
    if (h.count[b] > 0) bins.push_back(b);
  }
  std::vector<float> seeds;
  std::vector<double> nearest(bins.size(), std::numeric_limits<double>::infinity()), weight(bins.size());
  const uint64_t total = std::accumulate(h.count.begin(), h.count.end(), uint64_t(0));
  uint32_t next = sampleOne(h.count, total, random);
  while (seeds.size() < k) {
    const float c = binMean(h, next);
    seeds.push_back(c);
    for (size_t i = 0; i < bins.size(); ++i) {
      const double d = double(binMean(h, bins[i])) - c;
      nearest[i] = std::min(nearest[i], d * d);
      weight[i] = double(h.count[bins[i]]) * nearest[i];
    }
    const size_t pick = sampleReal(weight, random);
    if (pick == bins.size()) break;  // every populated bin is a seed
    next = bins[pick];
  }
  return seeds;
}

}  // namespace

DrqNode trainLeaf(const LeafHistogram& h, uint32_t k, const DrcOptions& options, Random& random, int* iterations) {
  const size_t bins = h.count.size();
  const uint64_t total = std::accumulate(h.count.begin(), h.count.end(), uint64_t(0));
  std::vector<float> centroids;
  if (options.seeding == DrcSeeding::KMeansPlusPlus) {
    centroids = seedKMeansPlusPlus(h, k, random);
  } else {
    for (const uint32_t b : sampleWithoutRepeats(h.count, k, random)) centroids.push_back(binMean(h, b));
  }
  std::sort(centroids.begin(), centroids.end());

  std::vector<uint32_t> label(bins, std::numeric_limits<uint32_t>::max());
  std::vector<double> mass;
  std::vector<uint64_t> count;
  int it = 0;
  while (++it <= options.max_iterations) {
    const size_t changed = assignBins(h, centroids, label);
    mass.assign(centroids.size(), 0.0);
    count.assign(centroids.size(), 0);
    for (size_t b = 0; b < bins; ++b) {
      mass[label[b]] += h.sum[b];
      count[label[b]] += h.count[b];
    }
    bool resampled = false;
    for (size_t c = 0; c < centroids.size(); ++c) {
      if (count[c] > 0) {
        centroids[c] = float(mass[c] / double(count[c]));
      } else {  // an empty cell: restart the centroid at a bin drawn by population
        centroids[c] = binMean(h, sampleOne(h.count, total, random));
        resampled = true;
      }
    }
    if (resampled) std::sort(centroids.begin(), centroids.end());
    const double fraction = 0.01 * it;
    if (double(changed) < double(bins) * options.theta * fraction * fraction) break;
  }
  if (iterations) *iterations = std::min(it, options.max_iterations);

  // Coinciding centroids would be indistinguishable codes: keep one of each.
  centroids.erase(std::unique(centroids.begin(), centroids.end()), centroids.end());
  DrqNode leaf;
  leaf.centroids = centroids;
  leaf.base = h.base;
  leaf.bin_width = h.width;
  std::fill(label.begin(), label.end(), std::numeric_limits<uint32_t>::max());
  assignBins(h, centroids, label);
  leaf.source.assign(label.begin(), label.end());
  // Neighbours along the line: k − 1 and k + 1, weighted by the squared gap.
  const auto kk = uint32_t(centroids.size());
  leaf.edge_offsets.assign(size_t(kk) + 1, 0);
  for (uint32_t c = 0; c < kk; ++c) {
    if (c > 0) {
      leaf.edge_targets.push_back(uint16_t(c - 1));
      leaf.edge_weights.push_back((centroids[c] - centroids[c - 1]) * (centroids[c] - centroids[c - 1]));
    }
    if (c + 1 < kk) {
      leaf.edge_targets.push_back(uint16_t(c + 1));
      leaf.edge_weights.push_back((centroids[c + 1] - centroids[c]) * (centroids[c + 1] - centroids[c]));
    }
    leaf.edge_offsets[c + 1] = uint32_t(leaf.edge_targets.size());
  }
  return leaf;
}

}  // namespace regionlab::drc
