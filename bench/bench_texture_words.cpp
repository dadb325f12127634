// Does the visual-words block help the embedded default descriptor? One-shot region retrieval
// on the 120 public COCO images (../shared/data/coco128_lightly): every ground-truth instance
// (≥ 32×32 px) is a query, embedded from its own mask; every other image is scored by its best
// region (the regions paper's max over regions of q·r, regions from the default generator);
// relevant images are those holding an instance of the query's class. Prints mAP for the
// descriptor without words (the baseline, measured in the same run) and with words at several
// weights, plus the extraction time per image.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/benchmarks.h"
#include "bench/coco_public.h"
#include "core/features/classical_descriptor.h"
#include "core/features/texture_vocabulary.h"
#include "core/features/texture_words.h"
#include "core/index/dot_product.h"

namespace regionlab::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Evaluation {
  double map = 0;
  size_t queries = 0;
  double seconds_per_image = 0;
  int dim = 0;
};

Evaluation evaluate(const std::vector<CocoImage>& images, const ClassicalDescriptor& descriptor, int threads) {
  const size_t dim = size_t(descriptor.dim());
  std::vector<std::vector<float>> region_vectors(images.size()), query_vectors(images.size());
  const auto start = Clock::now();
  parallelOver(images.size(), threads, [&](size_t i) {
    region_vectors[i] = descriptor.extract(images[i].rgb, images[i].regions);
    std::vector<Rle> masks;
    for (const CocoInstance& q : images[i].instances) masks.push_back(q.mask);
    query_vectors[i] = descriptor.extract(images[i].rgb, masks);
  });
  Evaluation e;
  e.dim = int(dim);
  e.seconds_per_image = std::chrono::duration<double>(Clock::now() - start).count() * threads / double(images.size());
  double sum_ap = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    for (size_t q = 0; q < images[i].instances.size(); ++q) {
      const int c = images[i].instances[q].class_id;
      const float* query = query_vectors[i].data() + q * dim;
      std::vector<std::pair<float, bool>> ranking;
      size_t relevant = 0;
      for (size_t j = 0; j < images.size(); ++j) {
        if (j == i) continue;
        float best = -1;
        for (size_t r = 0; r < images[j].regions.size(); ++r) best = std::max(best, dotProduct(query, region_vectors[j].data() + r * dim, int(dim)));
        const bool is_relevant = images[j].classes.contains(c);
        relevant += is_relevant;
        ranking.emplace_back(best, is_relevant);
      }
      if (relevant == 0) continue;
      std::stable_sort(ranking.begin(), ranking.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      double hits = 0, ap = 0;
      for (size_t rank = 0; rank < ranking.size(); ++rank) {
        if (!ranking[rank].second) continue;
        hits += 1;
        ap += hits / double(rank + 1);
      }
      sum_ap += ap / double(relevant);
      ++e.queries;
    }
  }
  e.map = e.queries ? sum_ap / double(e.queries) : 0;
  return e;
}

std::vector<double> parseList(const std::string& text) {
  std::vector<double> values;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) values.push_back(std::stod(item));
  return values;
}

}  // namespace

int benchTextureWords(const std::vector<std::string>& args) {
  const fs::path root = args.empty() || args[0].rfind("--", 0) == 0 ? defaultCocoRoot() : fs::path(args[0]);
  const int threads = intOption(args, "threads", int(std::max(1u, std::thread::hardware_concurrency())));
  const std::vector<double> weights = parseList(optionValue(args, "weights", "0,0.3,0.5,0.7"));
  const int words = intOption(args, "words", 0);  // 0: the shipped vocabulary
  const int min_area = intOption(args, "min-area", 1024);

  const auto start = Clock::now();
  const std::vector<CocoImage> images = loadCocoPublic(root, threads, min_area);
  size_t regions = 0, queries = 0;
  for (const CocoImage& im : images) {
    regions += im.regions.size();
    queries += im.instances.size();
  }
  std::printf("texture-words benchmark: %zu images, %zu regions (default generator, %.1f s), %zu query instances >= %d px, %d threads\n",
              images.size(), regions, std::chrono::duration<double>(Clock::now() - start).count(), queries, min_area, threads);

  std::unique_ptr<TextureWords> trained;
  const TextureWords* vocabulary = &TextureWords::shipped();
  if (words > 0) {
    TextureVocabularyRecipe recipe;
    recipe.words = uint32_t(words);
    trained = std::make_unique<TextureWords>(trainTextureVocabulary(recipe));
    vocabulary = trained.get();
  }
  std::printf("vocabulary: %u words (%s, id %s)\n", vocabulary->size(), words > 0 ? "trained now by the build's recipe" : "shipped",
              vocabulary->id().substr(0, 12).c_str());
  std::printf("%-28s %5s %8s %9s %12s\n", "descriptor", "dim", "mAP", "vs base", "ms/image");
  double baseline = 0;
  for (const double w : weights) {
    ClassicalDescriptorOptions o;
    o.words_weight = float(w);
    o.vocabulary = vocabulary;
    const ClassicalDescriptor descriptor(o, w == 0 ? "classical-plain" : "classical");
    const Evaluation e = evaluate(images, descriptor, threads);
    if (w == 0) baseline = e.map;
    char label[64];
    std::snprintf(label, sizeof(label), w == 0 ? "classical (no words)" : "classical + words w=%.2f", w);
    std::printf("%-28s %5d %8.4f %8.3fx %12.1f\n", label, e.dim, e.map, baseline > 0 ? e.map / baseline : 0.0, 1e3 * e.seconds_per_image);
  }
  return 0;
}

}  // namespace regionlab::bench
