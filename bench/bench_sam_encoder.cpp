// SAM ViT-B and MobileSAM TinyViT image encoders alone, random weights at the real sizes, on a
// real preprocessed image: wall and process CPU seconds per 1024×1024 image (CPU time is the
// figure to compare on a shared machine, where other processes inflate the wall time), against
// the official code's anchors measured on this machine kind (BUILD_NOTES.md: ViT-B 13.8 s,
// TinyViT 1.89 s, 2 threads, fp32).
#include <cstdio>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "bench/bench_options.h"
#include "bench/bench_timing.h"
#include "bench/benchmarks.h"
#include "bench/sam_bench_model.h"
#include "core/nets/inference_options.h"
#include "core/nets/sam_image_encoder.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/state_dict.h"
#include "core/nets/tiny_vit.h"

namespace regionlab::bench {
namespace {

// An image encoder alone, random weights at the real size (keys without "image_encoder.").
std::unique_ptr<nets::SamImageEncoder> randomEncoder(bool tiny, const nets::InferenceSettings& settings) {
  at::manual_seed(0);
  RandomWeights w;
  w.varied = true;
  if (tiny) {
    addTinyVitEncoder(w, "");
  } else {
    addSamVitBEncoder(w, "");
  }
  const nets::StateDict weights = nets::StateDict::fromTensors("random image encoder", std::move(w.tensors));
  return tiny ? nets::loadTinyVitEncoder(weights, settings) : nets::loadSamVitEncoder(weights, settings);
}

}  // namespace

int benchSamEncoder(const std::vector<std::string>& args) {
  nets::InferenceOptions inference;
  inference.device = "cpu";
  inference.threads = intOption(args, "threads", 2);
  const int repeat = intOption(args, "repeat", 2);
  const cv::Mat rgb = loadBenchImage(optionValue(args, "image", ""));
  cv::Size resized;
  std::vector<float> input_values = nets::samPreprocess(rgb, &resized);
  const at::Tensor input = at::from_blob(input_values.data(), {1, 3, nets::kSamInputSize, nets::kSamInputSize}, at::kFloat);
  std::printf("sam-encoder benchmark: image %dx%d, %d torch threads, %d runs each (the first is reported separately)\n", rgb.cols,
              rgb.rows, inference.threads, repeat);
  for (const std::string& model : listOption(args, "models", "vit_b,vit_t")) {
    const bool tiny = model == "vit_t";
    const double anchor = tiny ? 1.89 : 13.8;
    for (const std::string& precision : listOption(args, "precisions", "fp32")) {
      inference.precision = precision;
      const nets::InferenceSettings settings = nets::resolveInference(inference);
      const std::unique_ptr<nets::SamImageEncoder> encoder = randomEncoder(tiny, settings);
      c10::InferenceMode guard;
      double best_wall = 1e30, best_cpu = 1e30;
      for (int r = 0; r < repeat; ++r) {
        const auto t0 = Clock::now();
        const double c0 = cpuSeconds();
        const at::Tensor e = encoder->forward(input);
        const double cpu = cpuSeconds() - c0;
        const double wall = secondsSince(t0);
        std::printf("%-6s %-5s run %d: %7.2f s wall, %7.2f s CPU  (%s, mean %.4g)\n", model.c_str(), precision.c_str(), r + 1, wall, cpu,
                    tiny ? "TinyViT" : "ViT-B", e.mean().item<double>());
        if (r > 0 || repeat == 1) {
          best_wall = std::min(best_wall, wall);
          best_cpu = std::min(best_cpu, cpu);
        }
      }
      // CPU/threads is the wall time a quiet machine would give with perfect scaling: the figure
      // to compare with the official wall time when other processes share the cores.
      std::printf("%-6s %-5s best: %7.2f s wall, %7.2f s CPU; official %.2f s wall (2 threads, fp32): %.2fx by wall, %.2fx by CPU/%d threads\n",
                  model.c_str(), precision.c_str(), best_wall, best_cpu, anchor, anchor / best_wall, anchor / (best_cpu / settings.threads),
                  settings.threads);
    }
  }
  return 0;
}

}  // namespace regionlab::bench
