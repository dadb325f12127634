// SAM ViT-B and MobileSAM TinyViT image encoders alone, random weights at the real sizes, on a
// real preprocessed image: wall and process CPU seconds per 1024×1024 image (CPU time is the
// figure to compare on a shared machine, where other processes inflate the wall time), against
// the official code's anchors measured on this machine kind (BUILD_NOTES.md: ViT-B 13.8 s,
// TinyViT 1.89 s, 2 threads, fp32).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/benchmarks.h"
#include "core/nets/inference_options.h"
#include "core/nets/sam_image_encoder.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/state_dict.h"
#include "core/nets/tiny_vit.h"

namespace regionlab::bench {
namespace {

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct EncoderWeights {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  void add(const std::string& key, std::vector<int64_t> shape, double std) { tensors.emplace_back(key, at::randn(shape) * std); }
  void constant(const std::string& key, std::vector<int64_t> shape, float v) { tensors.emplace_back(key, at::full(shape, v)); }
  void linear(const std::string& p, int64_t out, int64_t in) {
    add(p + "weight", {out, in}, 0.02);
    add(p + "bias", {out}, 0.02);
  }
  void norm(const std::string& p, int64_t dim) {
    tensors.emplace_back(p + "weight", 1.0 + at::randn({dim}) * 0.1);
    add(p + "bias", {dim}, 0.1);
  }
  void convBn(const std::string& p, int64_t out, int64_t in, int64_t k) {
    add(p + "c.weight", {out, in, k, k}, 0.1);
    norm(p + "bn.", out);
    add(p + "bn.running_mean", {out}, 0.1);
    tensors.emplace_back(p + "bn.running_var", 1.0 + at::rand({out}));
  }
  void neck(int64_t in) {
    add("neck.0.weight", {256, in, 1, 1}, 0.02);
    norm("neck.1.", 256);
    add("neck.2.weight", {256, 256, 3, 3}, 0.02);
    norm("neck.3.", 256);
  }
};

// ImageEncoderViT of sam_vit_b (768 wide, 12 blocks, 12 heads, window 14, global 2, 5, 8, 11).
nets::StateDict vitB() {
  EncoderWeights w;
  const int64_t c = 768;
  w.add("patch_embed.proj.weight", {c, 3, 16, 16}, 0.02);
  w.add("patch_embed.proj.bias", {c}, 0.02);
  w.add("pos_embed", {1, 64, 64, c}, 0.02);
  for (int i = 0; i < 12; ++i) {
    const std::string p = "blocks." + std::to_string(i) + ".";
    const int64_t span = (i % 3 == 2) ? 127 : 27;
    w.norm(p + "norm1.", c);
    w.linear(p + "attn.qkv.", 3 * c, c);
    w.linear(p + "attn.proj.", c, c);
    w.add(p + "attn.rel_pos_h", {span, 64}, 0.02);
    w.add(p + "attn.rel_pos_w", {span, 64}, 0.02);
    w.norm(p + "norm2.", c);
    w.linear(p + "mlp.lin1.", 4 * c, c);
    w.linear(p + "mlp.lin2.", c, 4 * c);
  }
  w.neck(c);
  return nets::StateDict::fromTensors("random ViT-B encoder", std::move(w.tensors));
}

// MobileSAM's TinyViT-5M (dims 64/128/160/320, depths 2/2/6/2, heads 2/4/5/10, windows 7/7/14/7).
nets::StateDict tinyVit() {
  EncoderWeights w;
  const int64_t dims[4] = {64, 128, 160, 320}, depths[4] = {2, 2, 6, 2}, heads[4] = {2, 4, 5, 10}, windows[4] = {7, 7, 14, 7};
  w.convBn("patch_embed.seq.0.", 32, 3, 3);
  w.convBn("patch_embed.seq.2.", 64, 32, 3);
  for (int i = 0; i < 4; ++i) {
    const std::string layer = "layers." + std::to_string(i) + ".";
    const int64_t d = dims[i];
    for (int j = 0; j < depths[i]; ++j) {
      const std::string p = layer + "blocks." + std::to_string(j) + ".";
      if (i == 0) {
        w.convBn(p + "conv1.", 4 * d, d, 1);
        w.convBn(p + "conv2.", 4 * d, 1, 3);
        w.convBn(p + "conv3.", d, 4 * d, 1);
        continue;
      }
      w.add(p + "attn.attention_biases", {heads[i], windows[i] * windows[i]}, 0.5);
      w.norm(p + "attn.norm.", d);
      w.linear(p + "attn.qkv.", 3 * d, d);
      w.linear(p + "attn.proj.", d, d);
      w.norm(p + "mlp.norm.", d);
      w.linear(p + "mlp.fc1.", 4 * d, d);
      w.linear(p + "mlp.fc2.", d, 4 * d);
      w.convBn(p + "local_conv.", d, 1, 3);
    }
    if (i < 3) {
      w.convBn(layer + "downsample.conv1.", dims[i + 1], d, 1);
      w.convBn(layer + "downsample.conv2.", dims[i + 1], 1, 3);
      w.convBn(layer + "downsample.conv3.", dims[i + 1], dims[i + 1], 1);
    }
  }
  w.neck(320);
  return nets::StateDict::fromTensors("random TinyViT encoder", std::move(w.tensors));
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int benchSamEncoder(const std::vector<std::string>& args) {
  nets::InferenceOptions inference;
  inference.device = "cpu";
  inference.threads = intOption(args, "threads", 2);
  const int repeat = intOption(args, "repeat", 2);
  const std::string image = optionValue(args, "image", "");
  cv::Mat rgb(480, 640, CV_8UC3);
  if (!image.empty()) {
    const cv::Mat bgr = cv::imread(image, cv::IMREAD_COLOR);
    if (bgr.empty()) throw std::runtime_error("cannot read " + image);
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  } else {
    cv::randu(rgb, 0, 255);
  }
  cv::Size resized;
  std::vector<float> input_values = nets::samPreprocess(rgb, &resized);
  const at::Tensor input = at::from_blob(input_values.data(), {1, 3, nets::kSamInputSize, nets::kSamInputSize}, at::kFloat);
  std::printf("sam-encoder benchmark: image %dx%d, %d torch threads, %d runs each (the first is reported separately)\n", rgb.cols,
              rgb.rows, inference.threads, repeat);
  for (const std::string& model : split(optionValue(args, "models", "vit_b,vit_t"))) {
    const bool tiny = model == "vit_t";
    const double anchor = tiny ? 1.89 : 13.8;
    for (const std::string& precision : split(optionValue(args, "precisions", "fp32"))) {
      inference.precision = precision;
      const nets::InferenceSettings settings = nets::resolveInference(inference);
      at::manual_seed(0);
      const nets::StateDict weights = tiny ? tinyVit() : vitB();
      const std::unique_ptr<nets::SamImageEncoder> encoder =
          tiny ? nets::loadTinyVitEncoder(weights, settings) : nets::loadSamVitEncoder(weights, settings);
      c10::InferenceMode guard;
      double best_wall = 1e30, best_cpu = 1e30;
      for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpuSeconds();
        const at::Tensor e = encoder->forward(input);
        const double cpu = cpuSeconds() - c0;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
