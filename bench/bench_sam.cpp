// SAM / MobileSAM automatic mask generation speed on one image, random weights at the real sizes
// (the masks are meaningless; the work is the same as with the official weights):
//   encoder   the image embedding (ViT-B or TinyViT) alone;
//   exact     the official masks, reordered (core/regions/automatic_mask_generator.h);
//   fast      our fast mode (low-resolution scoring, NMS before upscaling, covered points skipped);
//   baseline  (--baseline) the official order in this process: every mask of every prompt
//             upscaled to full resolution before any filter, same decoder.
// Ratios are printed against the in-process baseline when run, and against the official code's
// anchors measured on this machine kind (BUILD_NOTES.md: ViT-B AMG 157 s, MobileSAM AMG 169 s).
#include <chrono>
#include <cstdio>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/benchmarks.h"
#include "core/nets/sam_amg_decoder.h"
#include "core/nets/sam_model.h"
#include "core/nets/state_dict.h"
#include "core/regions/automatic_mask_generator.h"

namespace regionlab::bench {
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct RandomWeights {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  void weight(const std::string& key, std::vector<int64_t> shape, double std = 0.02) {
    tensors.emplace_back(key, at::randn(shape) * std);
  }
  void constant(const std::string& key, std::vector<int64_t> shape, float value) { tensors.emplace_back(key, at::full(shape, value)); }
  void linear(const std::string& p, int64_t out, int64_t in, double std = 0.02) {
    weight(p + "weight", {out, in}, std);
    constant(p + "bias", {out}, 0.0f);
  }
  void norm(const std::string& p, int64_t dim) {
    constant(p + "weight", {dim}, 1.0f);
    constant(p + "bias", {dim}, 0.0f);
  }
  void convBn(const std::string& p, int64_t out, int64_t in, int64_t k) {
    weight(p + "c.weight", {out, in, k, k}, 0.1);
    norm(p + "bn.", out);
    constant(p + "bn.running_mean", {out}, 0.0f);
    constant(p + "bn.running_var", {out}, 1.0f);
  }
};

void addNeck(RandomWeights& w, int64_t in) {
  w.weight("image_encoder.neck.0.weight", {256, in, 1, 1});
  w.norm("image_encoder.neck.1.", 256);
  w.weight("image_encoder.neck.2.weight", {256, 256, 3, 3});
  w.norm("image_encoder.neck.3.", 256);
}

void addVitB(RandomWeights& w) {
  const int64_t c = 768;
  w.weight("image_encoder.patch_embed.proj.weight", {c, 3, 16, 16});
  w.constant("image_encoder.patch_embed.proj.bias", {c}, 0.0f);
  w.weight("image_encoder.pos_embed", {1, 64, 64, c});
  for (int i = 0; i < 12; ++i) {
    const std::string p = "image_encoder.blocks." + std::to_string(i) + ".";
    const int64_t span = (i % 3 == 2) ? 127 : 27;
    w.norm(p + "norm1.", c);
    w.linear(p + "attn.qkv.", 3 * c, c);
    w.linear(p + "attn.proj.", c, c);
    w.weight(p + "attn.rel_pos_h", {span, 64});
    w.weight(p + "attn.rel_pos_w", {span, 64});
    w.norm(p + "norm2.", c);
    w.linear(p + "mlp.lin1.", 4 * c, c);
    w.linear(p + "mlp.lin2.", c, 4 * c);
  }
  addNeck(w, c);
}

void addTinyVit(RandomWeights& w) {
  const int64_t dims[4] = {64, 128, 160, 320}, depths[4] = {2, 2, 6, 2}, heads[4] = {2, 4, 5, 10}, windows[4] = {7, 7, 14, 7};
  w.convBn("image_encoder.patch_embed.seq.0.", 32, 3, 3);
  w.convBn("image_encoder.patch_embed.seq.2.", 64, 32, 3);
  for (int i = 0; i < 4; ++i) {
    const std::string layer = "image_encoder.layers." + std::to_string(i) + ".";
    const int64_t d = dims[i];
    for (int j = 0; j < depths[i]; ++j) {
      const std::string p = layer + "blocks." + std::to_string(j) + ".";
      if (i == 0) {
        w.convBn(p + "conv1.", 4 * d, d, 1);
        w.convBn(p + "conv2.", 4 * d, 1, 3);
        w.convBn(p + "conv3.", d, 4 * d, 1);
        continue;
      }
      w.weight(p + "attn.attention_biases", {heads[i], windows[i] * windows[i]});
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
  addNeck(w, 320);
}

void addPromptEncoderAndDecoder(RandomWeights& w) {
  const int64_t c = 256;
  w.weight("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix", {2, 128}, 1.0);
  for (int i = 0; i < 4; ++i) w.weight("prompt_encoder.point_embeddings." + std::to_string(i) + ".weight", {1, c}, 1.0);
  w.weight("prompt_encoder.not_a_point_embed.weight", {1, c}, 1.0);
  w.weight("prompt_encoder.no_mask_embed.weight", {1, c}, 1.0);
  w.weight("prompt_encoder.mask_downscaling.0.weight", {4, 1, 2, 2});
  w.constant("prompt_encoder.mask_downscaling.0.bias", {4}, 0.0f);
  w.norm("prompt_encoder.mask_downscaling.1.", 4);
  w.weight("prompt_encoder.mask_downscaling.3.weight", {16, 4, 2, 2});
  w.constant("prompt_encoder.mask_downscaling.3.bias", {16}, 0.0f);
  w.norm("prompt_encoder.mask_downscaling.4.", 16);
  w.weight("prompt_encoder.mask_downscaling.6.weight", {c, 16, 1, 1});
  w.constant("prompt_encoder.mask_downscaling.6.bias", {c}, 0.0f);
  const std::string d = "mask_decoder.";
  w.weight(d + "iou_token.weight", {1, c}, 1.0);
  w.weight(d + "mask_tokens.weight", {4, c}, 1.0);
  auto attention = [&](const std::string& p, int64_t internal) {
    w.linear(p + "q_proj.", internal, c, 0.06);
    w.linear(p + "k_proj.", internal, c, 0.06);
    w.linear(p + "v_proj.", internal, c, 0.06);
    w.linear(p + "out_proj.", c, internal, 0.06);
  };
  for (int i = 0; i < 2; ++i) {
    const std::string p = d + "transformer.layers." + std::to_string(i) + ".";
    attention(p + "self_attn.", c);
    attention(p + "cross_attn_token_to_image.", c / 2);
    attention(p + "cross_attn_image_to_token.", c / 2);
    for (int n = 1; n <= 4; ++n) w.norm(p + "norm" + std::to_string(n) + ".", c);
    w.linear(p + "mlp.lin1.", 2048, c);
    w.linear(p + "mlp.lin2.", c, 2048);
  }
  attention(d + "transformer.final_attn_token_to_image.", c / 2);
  w.norm(d + "transformer.norm_final_attn.", c);
  w.weight(d + "output_upscaling.0.weight", {c, c / 4, 2, 2}, 0.1);
  w.constant(d + "output_upscaling.0.bias", {c / 4}, 0.0f);
  w.norm(d + "output_upscaling.1.", c / 4);
  w.weight(d + "output_upscaling.3.weight", {c / 4, c / 8, 2, 2}, 0.3);
  w.constant(d + "output_upscaling.3.bias", {c / 8}, 0.0f);
  for (int i = 0; i < 4; ++i) {
    const std::string p = d + "output_hypernetworks_mlps." + std::to_string(i) + ".layers.";
    w.linear(p + "0.", c, c, 0.1);
    w.linear(p + "1.", c, c, 0.1);
    w.linear(p + "2.", c / 8, c, 0.5);  // logits with a spread, as the golden heads
  }
  w.linear(d + "iou_prediction_head.layers.0.", 256, c, 0.06);
  w.linear(d + "iou_prediction_head.layers.1.", 256, 256, 0.06);
  // IoU predictions near the filter threshold (0.88 ± a few hundredths), so the IoU filter keeps
  // a realistic share of the candidates.
  w.weight(d + "iou_prediction_head.layers.2.weight", {4, 256}, 0.01);
  w.constant(d + "iou_prediction_head.layers.2.bias", {4}, 0.88f);
}

nets::SamModel randomModel(nets::SamArchitecture architecture, int threads) {
  at::manual_seed(0);
  RandomWeights w;
  if (architecture == nets::SamArchitecture::TinyVit) {
    addTinyVit(w);
  } else {
    addVitB(w);
  }
  addPromptEncoderAndDecoder(w);
  nets::SamModelOptions options;
  options.threads = threads;
  return nets::SamModel::fromStateDict(nets::StateDict::fromTensors("random weights", std::move(w.tensors)), architecture, options);
}

cv::Mat loadImage(const std::string& path) {
  cv::Mat rgb;
  if (!path.empty()) {
    const cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) throw std::runtime_error("cannot read " + path);
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
  }
  rgb.create(480, 640, CV_8UC3);
  cv::randu(rgb, 0, 255);
  cv::GaussianBlur(rgb, rgb, {0, 0}, 8);
  return rgb;
}

// The official order: every mask of every prompt upscaled, then IoU, stability, box, edge filters.
double runBaseline(const cv::Mat& rgb, nets::SamAmgDecoder& decoder, const AmgOptions& o, size_t* kept) {
  const auto t = Clock::now();
  decoder.setImage(rgb);
  const auto grid = amg::pointGrid(o.points_per_side);
  size_t count = 0;
  for (size_t start = 0; start < grid.size(); start += size_t(o.points_per_batch)) {
    std::vector<cv::Point2d> points;
    for (size_t i = start; i < std::min(grid.size(), start + size_t(o.points_per_batch)); ++i) {
      points.emplace_back(grid[i].x * rgb.cols, grid[i].y * rgb.rows);
    }
    const std::vector<float> iou = decoder.decodeBatch(points);
    std::vector<int> all(iou.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    const std::vector<cv::Mat> masks = decoder.maskLogits(all);
    for (size_t i = 0; i < masks.size(); ++i) {
      if (!(iou[i] > float(o.pred_iou_thresh))) continue;
      if (!(amg::stabilityScore(masks[i], 0.0f, float(o.stability_score_offset)) >= float(o.stability_score_thresh))) continue;
      ++count;
    }
  }
  *kept = count;
  return secondsSince(t);
}

}  // namespace

int benchSam(const std::vector<std::string>& args) {
  const int threads = intOption(args, "threads", int(std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  const std::string model_name = optionValue(args, "model", "vit_b");
  const bool tiny = model_name == "vit_t";
  const nets::SamArchitecture architecture = tiny ? nets::SamArchitecture::TinyVit : nets::SamArchitecture::VitB;
  const cv::Mat rgb = loadImage(optionValue(args, "image", ""));
  AmgOptions options;
  options.points_per_side = intOption(args, "points", 32);
  const std::string modes = optionValue(args, "modes", "exact,fast");
  const double anchor = tiny ? 169.0 : 157.0;
  std::printf("sam benchmark: %s (random weights at the real size), image %dx%d, %d points per side, torch threads %d\n",
              nets::samArchitectureName(architecture), rgb.cols, rgb.rows, options.points_per_side, at::get_num_threads());
  std::printf("official AMG anchor on this machine kind (BUILD_NOTES.md): %.0f s per image\n", anchor);
  const nets::SamModel model = randomModel(architecture, threads);

  {
    nets::SamAmgDecoder decoder(model);
    const auto t = Clock::now();
    decoder.setImage(rgb);
    std::printf("%-10s %8.2f s\n", "encoder", secondsSince(t));
  }
  double baseline = 0;
  if (hasFlag(args, "baseline")) {
    nets::SamAmgDecoder decoder(model);
    size_t kept = 0;
    baseline = runBaseline(rgb, decoder, options, &kept);
    std::printf("%-10s %8.2f s  (encoder %.2f s, decoder+upscaling %.2f s; %zu masks pass the filters)\n", "baseline", baseline,
                decoder.encoderSeconds(), baseline - decoder.encoderSeconds(), kept);
  }
  for (const std::string mode : {"exact", "fast"}) {
    if (modes.find(mode) == std::string::npos) continue;
    AmgOptions o = options;
    o.fast = mode == "fast";
    nets::SamAmgDecoder decoder(model);
    AmgStatistics stats;
    const auto t = Clock::now();
    const std::vector<AmgMask> masks = generateMasks(rgb, decoder, o, &stats);
    const double seconds = secondsSince(t);
    std::printf("%-10s %8.2f s  (encoder %.2f s, decoder %.2f s; %lld prompts, %lld skipped, %lld masks upscaled, %zu masks out)  "
                "%.1fx vs official anchor",
                mode.c_str(), seconds, decoder.encoderSeconds(), decoder.decoderSeconds(), (long long)stats.prompts_decoded,
                (long long)stats.prompts_skipped, (long long)stats.masks_upscaled, masks.size(), anchor / seconds);
    if (baseline > 0) std::printf(", %.1fx vs in-process baseline", baseline / seconds);
    std::printf("\n");
  }
  return 0;
}

}  // namespace regionlab::bench
