#include "core/learning/region_ranking.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_map>

#include "core/index/dot_product.h"

namespace regionlab {

ImageSlots buildImageSlots(const RegionVectorSet& vectors) {
  ImageSlots s;
  s.slot_of_row.resize(vectors.size());
  std::unordered_map<int64_t, uint32_t> slot_of_image;
  slot_of_image.reserve(vectors.imageCount());
  for (size_t row = 0; row < vectors.size(); ++row) {
    const int64_t image = vectors.imageId(row);
    const auto [it, inserted] = slot_of_image.try_emplace(image, uint32_t(s.image_of_slot.size()));
    if (inserted) s.image_of_slot.push_back(image);
    s.slot_of_row[row] = it->second;
  }
  return s;
}

void scoreRegions(const RegionVectorSet& vectors, const float* w, float b, std::span<float> out, int threads) {
  const size_t n = vectors.size();
  const int d = vectors.dim();
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  // Below ~64k rows a thread costs more than it saves.
  threads = int(std::min<size_t>(size_t(threads), std::max<size_t>(1, n / 65536)));
  const auto work = [&](size_t begin, size_t end) {
    const float* x = vectors.data() + begin * size_t(d);
    for (size_t row = begin; row < end; ++row, x += d) out[row] = dotProduct(w, x, d) + b;
  };
  if (threads == 1) {
    work(0, n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t chunk = (n + size_t(threads) - 1) / size_t(threads);
  for (int t = 0; t < threads; ++t) {
    const size_t begin = std::min(n, size_t(t) * chunk), end = std::min(n, begin + chunk);
    pool.emplace_back(work, begin, end);
  }
  for (auto& th : pool) th.join();
}

std::shared_ptr<const RegionRanking> rankRegions(const RegionVectorSet& vectors, const ImageSlots& image_slots, const float* w, float b,
                                                 int threads) {
  const auto start = std::chrono::steady_clock::now();
  auto r = std::make_shared<RegionRanking>();
  const size_t n = vectors.size(), images = image_slots.images();
  r->scores.resize(n);
  scoreRegions(vectors, w, b, r->scores, threads);

  constexpr uint32_t kNone = UINT32_MAX;
  r->best_row.assign(images, kNone);
  r->nearest_row.assign(images, kNone);
  for (size_t row = 0; row < n; ++row) {
    const uint32_t slot = image_slots.slot_of_row[row];
    const float s = r->scores[row];
    uint32_t& best = r->best_row[slot];
    if (best == kNone || s > r->scores[best]) best = uint32_t(row);
    uint32_t& nearest = r->nearest_row[slot];
    if (nearest == kNone || std::abs(s) < std::abs(r->scores[nearest])) nearest = uint32_t(row);
  }
  r->slots_by_score.resize(images);
  r->slots_by_boundary.resize(images);
  for (uint32_t s = 0; s < images; ++s) r->slots_by_score[s] = r->slots_by_boundary[s] = s;
  const auto& image_of = image_slots.image_of_slot;
  std::sort(r->slots_by_score.begin(), r->slots_by_score.end(), [&](uint32_t a, uint32_t b2) {
    const float sa = r->scores[r->best_row[a]], sb = r->scores[r->best_row[b2]];
    return sa > sb || (sa == sb && image_of[a] < image_of[b2]);
  });
  std::sort(r->slots_by_boundary.begin(), r->slots_by_boundary.end(), [&](uint32_t a, uint32_t b2) {
    const float sa = std::abs(r->scores[r->nearest_row[a]]), sb = std::abs(r->scores[r->nearest_row[b2]]);
    return sa < sb || (sa == sb && image_of[a] < image_of[b2]);
  });
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace regionlab
