// Exact fast mask pooling against the naive computation it replaces, on the same inputs:
//   naive A: torch bilinear upsample of the C×h×w map to S×S, then one matmul of the flattened
//            masks with the upsampled features (the faster of the two naive forms);
//   naive B: upsample once, then average each mask by indexing (the paper code's form), timed
//            on a few masks and reported per mask;
//   fast:    MaskPooler (transposed bilinear weights per mask, then a sparse product).
// Also prints the largest relative difference, to show the fast path is exact.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/random_masks.h"
#include "bench/bench_timing.h"
#include "bench/benchmarks.h"
#include "core/features/mask_pooler.h"
#include "core/regions/rle.h"

namespace regionlab::bench {

int benchPool(const std::vector<std::string>& args) {
  const int channels = intOption(args, "channels", 1024);
  const int grid = intOption(args, "grid", 37);
  const int size = intOption(args, "size", 518);
  const int count = intOption(args, "masks", 100);
  // OpenMP defaults to one thread on some machines (libgomp without OMP_NUM_THREADS): give the
  // torch baseline every core, as the reference measurement had.
  at::set_num_threads(intOption(args, "threads", int(std::thread::hardware_concurrency())));
  std::printf("pool benchmark: C=%d, %dx%d grid -> %dx%d image, %d masks, torch threads %d\n", channels, grid, grid, size, size, count,
              at::get_num_threads());

  at::manual_seed(0);
  const at::Tensor tokens = at::randn({grid * grid, channels});  // cell-major, as a ViT emits
  const auto cv_masks = randomMasks(count, size, 1);
  std::vector<Rle> rles;
  for (const cv::Mat& m : cv_masks) rles.push_back(encodeMask(m));

  // Fast path.
  auto t = Clock::now();
  const MaskPooler pooler({grid, grid, size, size, 0, 0, size, size});
  const std::vector<float> fast = pooler.pool(tokens.data_ptr<float>(), channels, rles);
  const double fast_seconds = secondsSince(t);

  // Naive A: upsample + one matmul.
  const at::Tensor map = tokens.t().reshape({1, channels, grid, grid}).contiguous();
  at::Tensor mask_matrix = at::empty({count, size * size});
  for (int i = 0; i < count; ++i) {
    cv::Mat f;
    cv_masks[i].convertTo(f, CV_32F);
    std::copy(f.ptr<float>(0), f.ptr<float>(0) + size * size, mask_matrix[i].data_ptr<float>());
  }
  t = Clock::now();
  const at::Tensor up = at::upsample_bilinear2d(map, {size, size}, false).reshape({channels, size * size});
  const at::Tensor naive = at::matmul(mask_matrix, up.t()) / mask_matrix.sum(1, true);
  const double naive_a_seconds = secondsSince(t);

  // Naive B: per-mask indexing on the upsampled map (a few masks).
  const int sample = std::min(count, 5);
  t = Clock::now();
  const at::Tensor up_b = at::upsample_bilinear2d(map, {size, size}, false).reshape({channels, size * size});
  const double upsample_seconds = secondsSince(t);
  t = Clock::now();
  for (int i = 0; i < sample; ++i) {
    const at::Tensor idx = mask_matrix[i].nonzero().squeeze(1);
    (void)up_b.index_select(1, idx).mean(1);
  }
  const double per_mask = secondsSince(t) / sample;
  const double naive_b_seconds = upsample_seconds + per_mask * count;

  double max_rel = 0;
  const float* n = naive.data_ptr<float>();
  for (int i = 0; i < count; ++i) {
    double norm = 0, diff = 0;
    for (int c = 0; c < channels; ++c) {
      norm = std::max(norm, double(std::abs(n[i * channels + c])));
      diff = std::max(diff, double(std::abs(n[i * channels + c] - fast[size_t(i) * channels + c])));
    }
    max_rel = std::max(max_rel, diff / std::max(norm, 1e-12));
  }

  std::printf("naive A (upsample + one matmul):        %8.1f ms\n", naive_a_seconds * 1e3);
  std::printf("naive B (upsample + per-mask indexing): %8.1f ms (%.1f ms upsample + %.2f ms/mask over %d masks)\n",
              naive_b_seconds * 1e3, upsample_seconds * 1e3, per_mask * 1e3, sample);
  std::printf("exact fast (MaskPooler):                %8.1f ms\n", fast_seconds * 1e3);
  std::printf("speed-up: %.1fx vs naive A, %.1fx vs naive B (target >= 20x)\n", naive_a_seconds / fast_seconds,
              naive_b_seconds / fast_seconds);
  std::printf("max relative difference fast vs naive A: %.2e\n", max_rel);
  return max_rel < 1e-4 ? 0 : 1;
}

}  // namespace regionlab::bench
