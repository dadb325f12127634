// DINOv2 inference speed, precision and memory at the real model sizes, with random weights made
// in-process by the official initialisation (trunc-normal 0.02 linears, zero biases, unit norms,
// LayerScale 1.0, default conv init), one 518×518 image.
//
// Baseline, measured in the same run and interleaved with ours: the official module's forward
// written op for op in ATen (nn.Linear, reshape/permute, q·scale, matmul, softmax, matmul,
// transpose/reshape, proj, ·ls1, +, LayerNorm, fc1, GELU, fc2, ·ls2, +), i.e. what the Python
// code executes, minus the interpreter. Also printed: the ratio to the official PyTorch code as
// measured on this machine class (BUILD_NOTES.md: 2 threads, fp32: ViT-S 1.49 s, ViT-B 3.07 s,
// ViT-L 9.70 s per image).
//
// Precision: pooled region vectors (exact upsample-then-average pooling over generated masks)
// of bf16 against fp32, and of our fp32 against the baseline, as cosines.
// Memory: peak resident memory of the product's path (checkpoint file → mapped StateDict → folded
// network → one image through DinoV2FeatureExtractor), each in a fresh process of this binary.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/random_masks.h"
#include "bench/bench_timing.h"
#include "bench/benchmarks.h"
#include "core/features/dinov2_feature_extractor.h"
#include "core/features/mask_pooler.h"
#include "core/nets/dinov2.h"
#include "core/nets/dinov2_presets.h"
#include "core/nets/state_dict.h"
#include "core/regions/rle.h"

namespace regionlab::bench {
namespace {

using nets::StateDict;

struct ModelSize {
  std::string key;  // "s", "b", "l", "g"
  std::string preset;
  int dim, depth, heads;
  bool swiglu;
  double official_seconds;  // BUILD_NOTES.md, 518×518, 2 threads, fp32; 0 when not measured
};

const std::vector<ModelSize>& modelSizes() {
  static const std::vector<ModelSize> kSizes = {
      {"s", "dinov2-vits14", 384, 12, 6, false, 1.49},
      {"b", "dinov2-vitb14", 768, 12, 12, false, 3.07},
      {"l", "dinov2-vitl14", 1024, 24, 16, false, 9.70},
      {"g", "dinov2-vitg14", 1536, 40, 24, true, 0.0},
  };
  return kSizes;
}

// The official initialisation (dinov2/models/vision_transformer.py: init_weights).
StateDict randomWeights(const ModelSize& m, uint64_t seed) {
  at::manual_seed(int64_t(seed));
  const int64_t d = m.dim, grid = 37, hidden = m.swiglu ? 4096 : 4 * d;
  auto tn = [](std::vector<int64_t> shape) { return at::randn(shape).clamp_(-2, 2).mul_(0.02); };
  std::vector<std::pair<std::string, at::Tensor>> w;
  w.emplace_back("cls_token", at::randn({1, 1, d}).mul_(1e-6));
  w.emplace_back("pos_embed", tn({1, 1 + grid * grid, d}));
  const double bound = 1.0 / std::sqrt(3.0 * 14 * 14);
  w.emplace_back("patch_embed.proj.weight", at::rand({d, 3, 14, 14}).mul_(2 * bound).sub_(bound));
  w.emplace_back("patch_embed.proj.bias", at::rand({d}).mul_(2 * bound).sub_(bound));
  for (int i = 0; i < m.depth; ++i) {
    const std::string b = "blocks." + std::to_string(i) + ".";
    auto linear = [&](const std::string& name, int64_t out, int64_t in) {
      w.emplace_back(b + name + ".weight", tn({out, in}));
      w.emplace_back(b + name + ".bias", at::zeros({out}));
    };
    for (const char* norm : {"norm1", "norm2"}) {
      w.emplace_back(b + norm + ".weight", at::ones({d}));
      w.emplace_back(b + norm + ".bias", at::zeros({d}));
    }
    linear("attn.qkv", 3 * d, d);
    linear("attn.proj", d, d);
    if (m.swiglu) {
      linear("mlp.w12", 2 * hidden, d);
      linear("mlp.w3", d, hidden);
    } else {
      linear("mlp.fc1", hidden, d);
      linear("mlp.fc2", d, hidden);
    }
    w.emplace_back(b + "ls1.gamma", at::ones({d}));
    w.emplace_back(b + "ls2.gamma", at::ones({d}));
  }
  w.emplace_back("norm.weight", at::ones({d}));
  w.emplace_back("norm.bias", at::zeros({d}));
  return StateDict::fromTensors("random " + m.preset, std::move(w));
}

// The official forward_features at a 37×37 grid (no pos-embed interpolation), op for op.
at::Tensor referenceForward(const StateDict& w, const ModelSize& m, const at::Tensor& image) {
  c10::InferenceMode inference;
  const int64_t d = m.dim, heads = m.heads, hd = d / heads;
  at::Tensor x = at::conv2d(image, w.tensor("patch_embed.proj.weight"), w.tensor("patch_embed.proj.bias"), 14).flatten(2).transpose(1, 2);
  x = at::cat({w.tensor("cls_token").expand({1, -1, -1}), x}, 1) + w.tensor("pos_embed");
  const int64_t n = x.size(1);
  for (int i = 0; i < m.depth; ++i) {
    const StateDict blk = w.scope("blocks." + std::to_string(i) + ".");
    auto linear = [&](const at::Tensor& in, const std::string& name) { return at::linear(in, blk.tensor(name + ".weight"), blk.tensor(name + ".bias")); };
    at::Tensor h = at::layer_norm(x, {d}, blk.tensor("norm1.weight"), blk.tensor("norm1.bias"), 1e-6);
    const at::Tensor qkv = linear(h, "attn.qkv").reshape({1, n, 3, heads, hd}).permute({2, 0, 3, 1, 4});
    const at::Tensor q = qkv[0] * (1.0 / std::sqrt(double(hd)));
    const at::Tensor attn = at::matmul(q, qkv[1].transpose(-2, -1)).softmax(-1);
    h = linear(at::matmul(attn, qkv[2]).transpose(1, 2).reshape({1, n, d}), "attn.proj");
    x = x + h * blk.tensor("ls1.gamma");
    h = at::layer_norm(x, {d}, blk.tensor("norm2.weight"), blk.tensor("norm2.bias"), 1e-6);
    if (m.swiglu) {
      const auto x12 = linear(h, "mlp.w12").chunk(2, -1);
      h = linear(at::silu(x12[0]) * x12[1], "mlp.w3");
    } else {
      h = linear(at::gelu(linear(h, "mlp.fc1")), "mlp.fc2");
    }
    x = x + h * blk.tensor("ls2.gamma");
  }
  return at::layer_norm(x, {d}, w.tensor("norm.weight"), w.tensor("norm.bias"), 1e-6);
}

std::vector<Rle> benchMasks(int count, int size) {
  std::vector<Rle> masks;
  for (const cv::Mat& m : randomMasks(count, size, 12345)) masks.push_back(encodeMask(m));
  return masks;
}

std::vector<float> poolPatches(const at::Tensor& x_norm, int skip, const std::vector<Rle>& masks) {
  const at::Tensor patches = x_norm[0].narrow(0, skip, 37 * 37).to(at::kFloat).contiguous();
  const MaskPooler pooler({37, 37, 518, 518, 0, 0, 518, 518});
  return pooler.pool(patches.data_ptr<float>(), int(patches.size(1)), masks);
}

struct CosineStats {
  double min = 1, mean = 0;
};
CosineStats cosines(const std::vector<float>& a, const std::vector<float>& b, int dim) {
  CosineStats s;
  const size_t n = a.size() / size_t(dim);
  for (size_t i = 0; i < n; ++i) {
    double ab = 0, aa = 0, bb = 0;
    for (int c = 0; c < dim; ++c) {
      const double x = a[i * size_t(dim) + size_t(c)], y = b[i * size_t(dim) + size_t(c)];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    const double cosine = ab / std::sqrt(std::max(aa * bb, 1e-300));
    s.min = std::min(s.min, cosine);
    s.mean += cosine / double(n);
  }
  return s;
}

// Wall-clock seconds of f; cpu gets the CPU seconds all threads spent (robust when the machine is
// shared: wall time then depends on what else runs).
double seconds(const std::function<void()>& f, double* cpu = nullptr) {
  const auto t = Clock::now();
  const double c = cpuSeconds();
  f();
  if (cpu) *cpu = cpuSeconds() - c;
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Linux's resident set at its peak (VmHWM), in GB.
double residentGb(const char* field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::strlen(field))) / (1024.0 * 1024.0);
  }
  return -1;
}
nets::InferenceSettings settingsFor(const std::string& precision, int threads) {
  nets::InferenceOptions o;
  o.device = "cpu";
  o.precision = precision;
  o.threads = threads;
  return nets::resolveInference(o);
}

// One extractor's life in this (fresh) process: open the checkpoint, build, one image; prints the
// peak resident memory (VmHWM, which covers the whole process) and the times.
int measureProductMemory(const std::vector<std::string>& args) {
  const ModelSize& m = *std::find_if(modelSizes().begin(), modelSizes().end(), [&](const ModelSize& s) { return s.key == optionValue(args, "model", "l"); });
  FeatureExtractorOptions options;
  options.inference.device = "cpu";
  options.inference.precision = optionValue(args, "precision", "fp32");
  options.inference.threads = intOption(args, "threads", 2);
  cv::Mat rgb(518, 518, CV_8UC3);
  cv::randu(rgb, 0, 256);
  const std::vector<Rle> masks = benchMasks(intOption(args, "masks", 60), 518);
  std::unique_ptr<DinoV2FeatureExtractor> extractor;
  const double open = seconds([&] { extractor = std::make_unique<DinoV2FeatureExtractor>(*nets::findDinoV2Preset(m.preset), optionValue(args, "file", ""), options); });
  const double first = seconds([&] { extractor->extract(rgb, masks); });
  std::printf("peak %.2f GB (open + hash %.2f s, build + first image %.2f s)\n", residentGb("VmHWM:"), open, first);
  return 0;
}

}  // namespace

int benchDinov2(const std::vector<std::string>& args) {
  if (hasFlag(args, "memory-child")) return measureProductMemory(args);
  const std::vector<std::string> models = listOption(args, "models", "s,b,l");
  const std::vector<std::string> precisions = listOption(args, "precisions", "fp32,bf16");
  const int threads = intOption(args, "threads", 2);
  const int repeats = intOption(args, "repeat", 3);
  const bool baseline = !hasFlag(args, "no-baseline");
  const std::vector<Rle> masks = benchMasks(intOption(args, "masks", 60), 518);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("dinov2 benchmark: 518x518 image, random weights (official init), %d threads, %d timed runs each (median), %zu masks\n",
              threads, repeats, masks.size());
  std::printf("machine: %u hardware threads, load average %.1f when starting%s\n", std::thread::hardware_concurrency(), load[0],
              load[0] > std::thread::hardware_concurrency() ? " (busy: wall times are inflated; the cpu column and the ratios are steadier)" : "");
  std::printf("baseline: the official module's op sequence in ATen, same process, interleaved; official: BUILD_NOTES.md (Python, 2 threads)\n");
  std::printf("wall = seconds per image; cpu = CPU seconds of all threads per image (steadier when the machine is shared)\n\n");
  std::printf("%-6s %-5s %7s %7s | %8s %8s | %6s %6s | %8s %6s | %s\n", "model", "prec", "wall", "cpu", "base wall", "base cpu", "ratio",
              "cpu", "official", "ratio", "region-vector cosine min/mean");

  at::manual_seed(1);
  const at::Tensor image = at::randn({1, 3, 518, 518});
  for (const std::string& key : models) {
    const auto it = std::find_if(modelSizes().begin(), modelSizes().end(), [&](const ModelSize& m) { return m.key == key; });
    if (it == modelSizes().end()) throw std::runtime_error("unknown model '" + key + "' (use s, b, l, g)");
    const ModelSize& m = *it;
    const nets::DinoV2Preset& preset = *nets::findDinoV2Preset(m.preset);
    struct Runs {
      std::vector<double> wall, cpu;
    };
    std::map<std::string, Runs> runs;  // by precision, and "baseline"
    std::map<std::string, std::vector<float>> pooled;
    {
      const StateDict weights = randomWeights(m, 42);
      const nets::DinoV2Architecture arch = nets::inferDinoV2Architecture(weights, preset);
      std::vector<std::pair<std::string, std::unique_ptr<nets::DinoV2>>> nets_by_precision;
      for (const std::string& p : precisions) nets_by_precision.emplace_back(p, std::make_unique<nets::DinoV2>(weights, arch, settingsFor(p, threads)));
      nets::applyInferenceThreads(settingsFor("fp32", threads));
      auto timed = [&](const std::string& name, int r, const std::function<at::Tensor()>& f, int skip) {
        at::Tensor out;
        double cpu = 0;
        const double wall = seconds([&] { out = f(); }, &cpu);
        if (r >= 0) {
          runs[name].wall.push_back(wall);
          runs[name].cpu.push_back(cpu);
        } else {
          pooled[name] = poolPatches(out, skip, masks);
        }
      };
      for (int r = -1; r < repeats; ++r) {  // r = -1 warms up; baseline and ours interleave so load changes hit both
        if (baseline) timed("baseline", r, [&] { return referenceForward(weights, m, image); }, 1);
        for (auto& [p, net] : nets_by_precision) timed(p, r, [&, n = net.get()] { return n->forward(image); }, arch.tokensBeforePatches());
      }
    }
    const double base_wall = median(runs["baseline"].wall), base_cpu = median(runs["baseline"].cpu);
    for (const std::string& p : precisions) {
      const double wall = median(runs[p].wall), cpu = median(runs[p].cpu);
      const std::string against = p == "fp32" ? "baseline" : "fp32";
      const CosineStats c = pooled.count(against) ? cosines(pooled[p], pooled[against], m.dim) : CosineStats{};
      auto fixed = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", v);
        return std::string(v > 0 ? buf : "-");
      };
      std::printf("%-6s %-5s %7.2f %7.2f | %8s %8s | %6s %6s | %8s %6s | %.5f/%.5f vs %s\n", ("ViT-" + key).c_str(), p.c_str(), wall, cpu,
                  fixed(base_wall).c_str(), fixed(base_cpu).c_str(), fixed(base_wall > 0 ? wall / base_wall : 0).c_str(),
                  fixed(base_cpu > 0 ? cpu / base_cpu : 0).c_str(), fixed(m.official_seconds).c_str(),
                  fixed(m.official_seconds > 0 ? wall / m.official_seconds : 0).c_str(), c.min, c.mean, against.c_str());
    }
    if (runs.count("fp32") && runs.count("bf16")) {
      std::printf("%-6s bf16 speed-up over fp32: %.2fx wall, %.2fx cpu\n", ("ViT-" + key).c_str(),
                  median(runs["fp32"].wall) / median(runs["bf16"].wall), median(runs["fp32"].cpu) / median(runs["bf16"].cpu));
    }
    std::fflush(stdout);
  }

  if (!hasFlag(args, "no-memory")) {
    std::printf("\npeak resident memory of the product's path, each in a fresh process: the random weights saved as a checkpoint\n"
                "(libtorch's pickle_save: torch.save's zip format), then DinoV2FeatureExtractor maps it, builds the network and\n"
                "embeds the regions of one 518x518 image\n");
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    for (const std::string& key : models) {
      const ModelSize& m = *std::find_if(modelSizes().begin(), modelSizes().end(), [&](const ModelSize& s) { return s.key == key; });
      const std::filesystem::path file =
          std::filesystem::temp_directory_path() / ("regionlab-bench-" + m.preset + "-" + std::to_string(getpid()) + ".pth");
      {
        const StateDict weights = randomWeights(m, 42);
        c10::Dict<std::string, at::Tensor> dict;
        for (const std::string& k : weights.keys()) dict.insert(k, weights.tensor(k));
        const std::vector<char> bytes = torch::jit::pickle_save(dict);
        std::ofstream(file, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
      }
      for (const std::string& p : precisions) {
        const std::string command = "'" + self + "' dinov2 --memory-child --model " + key + " --precision " + p + " --threads " +
                                    std::to_string(threads) + " --masks " + std::to_string(masks.size()) + " --file '" + file.string() + "'";
        std::string line;
        if (FILE* child = popen(command.c_str(), "r")) {
          char buf[512];
          while (std::fgets(buf, sizeof buf, child)) line += buf;
          pclose(child);
        }
        std::printf("  ViT-%s %s: %s", key.c_str(), p.c_str(), line.empty() ? "(the measuring process failed)\n" : line.c_str());
        std::fflush(stdout);
      }
      std::filesystem::remove(file);
    }
  }
  return 0;
}

}  // namespace regionlab::bench
