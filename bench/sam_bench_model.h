#pragma once
// What the SAM benchmarks run on: random weights at the real sizes, keyed as the official
// checkpoints (the masks are meaningless; the work is the same as with the official weights),
// and the image (a file, or blurred noise).
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <opencv2/core.hpp>

#include "core/nets/sam_model.h"

namespace regionlab::bench {

struct RandomWeights {
  // Biases and (batch-)norm parameters drawn around their identity values instead of set to them:
  // folding them into the neighbouring layers is then no no-op, and the activations stay in the
  // normal float range (the encoder benchmark). Off for the whole-model benchmark, whose mask
  // counts were measured with identity norms.
  bool varied = false;
  std::vector<std::pair<std::string, at::Tensor>> tensors;

  void weight(const std::string& key, std::vector<int64_t> shape, double std = 0.02) {
    tensors.emplace_back(key, at::randn(shape) * std);
  }
  void constant(const std::string& key, std::vector<int64_t> shape, float value) { tensors.emplace_back(key, at::full(shape, value)); }
  void bias(const std::string& key, int64_t size, double std = 0.02) {
    if (varied) weight(key, {size}, std);
    else constant(key, {size}, 0.0f);
  }
  void linear(const std::string& p, int64_t out, int64_t in, double std = 0.02) {
    weight(p + "weight", {out, in}, std);
    bias(p + "bias", out);
  }
  void norm(const std::string& p, int64_t dim) {
    if (varied) tensors.emplace_back(p + "weight", 1.0 + at::randn({dim}) * 0.1);
    else constant(p + "weight", {dim}, 1.0f);
    bias(p + "bias", dim, 0.1);
  }
  void convBn(const std::string& p, int64_t out, int64_t in, int64_t k) {
    weight(p + "c.weight", {out, in, k, k}, 0.1);
    norm(p + "bn.", out);
    bias(p + "bn.running_mean", out, 0.1);
    if (varied) tensors.emplace_back(p + "bn.running_var", 1.0 + at::rand({out}));
    else constant(p + "bn.running_var", {out}, 1.0f);
  }
};

// The image encoders' tensors under prefix ("image_encoder." in a whole model, "" for an encoder
// alone): SAM ViT-B (768 wide, 12 blocks, window 14, global 2, 5, 8, 11) and MobileSAM's
// TinyViT-5M (dims 64/128/160/320, depths 2/2/6/2, heads 2/4/5/10, windows 7/7/14/7).
void addSamVitBEncoder(RandomWeights& w, const std::string& prefix);
void addTinyVitEncoder(RandomWeights& w, const std::string& prefix);
// Prompt encoder and mask decoder (shared by SAM and MobileSAM).
void addSamPromptEncoderAndDecoder(RandomWeights& w);

// A whole random model (seeded: every run builds the same weights); precision of the image
// encoder as InferenceOptions::precision ("" = $REGIONLAB_PRECISION, else fp32).
nets::SamModel randomSamModel(nets::SamArchitecture architecture, int threads, const std::string& precision = "");
// RGB of the file at path; empty path: 640×480 blurred noise.
cv::Mat loadBenchImage(const std::string& path);

}  // namespace regionlab::bench
