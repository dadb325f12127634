#pragma once
// The neighbour pairs of a node's centroids found while labelling its grid, with the lightest
// weight seen per pair (internal to DRC training).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/quantization/product_propagation.h"

namespace regionlab::drc {

// An open-addressing hash table on (s, t), s < t: fronts meet at every boundary cell, millions
// of times, so a per-centroid list search would dominate the final pass.
class EdgeCollector {
public:
  explicit EdgeCollector(uint32_t k) : k_(k) {
    if (k > 0) rehash(1u << 16);
  }
  void add(uint16_t s, uint16_t t, float w) {
    const uint32_t key = s < t ? (uint32_t(s) << 16 | t) : (uint32_t(t) << 16 | s);
    size_t i = slot(key);
    while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask_;
    if (keys_[i] == key) {
      weights_[i] = std::min(weights_[i], w);
      return;
    }
    keys_[i] = key;
    weights_[i] = w;
    if (++count_ * 2 > keys_.size()) rehash(keys_.size() * 2);
  }
  void finish(PropagationResult& result) {
    std::vector<std::vector<std::pair<uint16_t, float>>> lists(k_);
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == kEmpty) continue;
      const auto s = uint16_t(keys_[i] >> 16), t = uint16_t(keys_[i] & 0xFFFF);
      lists[s].emplace_back(t, weights_[i]);
      lists[t].emplace_back(s, weights_[i]);
    }
    result.edge_offsets.assign(size_t(k_) + 1, 0);
    result.edge_targets.clear();
    result.edge_weights.clear();
    for (size_t s = 0; s < k_; ++s) {
      auto& list = lists[s];
      std::sort(list.begin(), list.end());
      for (const auto& [t, w] : list) {
        result.edge_targets.push_back(t);
        result.edge_weights.push_back(w);
      }
      result.edge_offsets[s + 1] = uint32_t(result.edge_targets.size());
    }
  }

private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;  // s < t, so (s, t) never packs to this
  size_t slot(uint32_t key) const { return size_t((uint64_t(key) * 0x9E3779B97F4A7C15ull) >> 32) & mask_; }
  void rehash(size_t capacity) {
    std::vector<uint32_t> keys(capacity, kEmpty);
    std::vector<float> weights(capacity);
    std::swap(keys, keys_);
    std::swap(weights, weights_);
    mask_ = capacity - 1;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == kEmpty) continue;
      size_t j = slot(keys[i]);
      while (keys_[j] != kEmpty) j = (j + 1) & mask_;
      keys_[j] = keys[i];
      weights_[j] = weights[i];
    }
  }
  uint32_t k_;
  std::vector<uint32_t> keys_;
  std::vector<float> weights_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

}  // namespace regionlab::drc
