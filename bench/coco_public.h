#pragma once
// The 120 public COCO images of ../shared/data/coco128_lightly (split_public.txt), decoded, cut
// into regions by the default generator, with their ground-truth instances: the real data the
// drq and texture-words benchmarks measure on.
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/rle.h"

namespace regionlab::bench {

struct CocoInstance {
  int class_id = 0;
  Rle mask;
};

struct CocoImage {
  std::string key;  // "train2017/000000000009"
  cv::Mat rgb;
  std::vector<Rle> regions;
  std::vector<CocoInstance> instances;  // those of at least min_instance_area pixels
  std::set<int> classes;                // every class present
};

// Throws std::runtime_error when the folder is not coco128_lightly.
std::vector<CocoImage> loadCocoPublic(const std::filesystem::path& root, int threads, int min_instance_area = 1024);

// The default location beside the checkout.
std::filesystem::path defaultCocoRoot();

// Runs body(i) for i in [0, n) on `threads` threads.
void parallelOver(size_t n, int threads, const std::function<void(size_t)>& body);

}  // namespace regionlab::bench
