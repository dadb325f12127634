#include "bench/sam_bench_model.h"

#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/nets/state_dict.h"

namespace regionlab::bench {
namespace {

void addNeck(RandomWeights& w, const std::string& prefix, int64_t in) {
  w.weight(prefix + "neck.0.weight", {256, in, 1, 1});
  w.norm(prefix + "neck.1.", 256);
  w.weight(prefix + "neck.2.weight", {256, 256, 3, 3});
  w.norm(prefix + "neck.3.", 256);
}

}  // namespace

void addSamVitBEncoder(RandomWeights& w, const std::string& prefix) {
  const int64_t c = 768;
  w.weight(prefix + "patch_embed.proj.weight", {c, 3, 16, 16});
  w.bias(prefix + "patch_embed.proj.bias", c);
  w.weight(prefix + "pos_embed", {1, 64, 64, c});
  for (int i = 0; i < 12; ++i) {
    const std::string p = prefix + "blocks." + std::to_string(i) + ".";
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
  addNeck(w, prefix, c);
}

void addTinyVitEncoder(RandomWeights& w, const std::string& prefix) {
  const int64_t dims[4] = {64, 128, 160, 320}, depths[4] = {2, 2, 6, 2}, heads[4] = {2, 4, 5, 10}, windows[4] = {7, 7, 14, 7};
  w.convBn(prefix + "patch_embed.seq.0.", 32, 3, 3);
  w.convBn(prefix + "patch_embed.seq.2.", 64, 32, 3);
  for (int i = 0; i < 4; ++i) {
    const std::string layer = prefix + "layers." + std::to_string(i) + ".";
    const int64_t d = dims[i];
    for (int j = 0; j < depths[i]; ++j) {
      const std::string p = layer + "blocks." + std::to_string(j) + ".";
      if (i == 0) {
        w.convBn(p + "conv1.", 4 * d, d, 1);
        w.convBn(p + "conv2.", 4 * d, 1, 3);
        w.convBn(p + "conv3.", d, 4 * d, 1);
        continue;
      }
      w.weight(p + "attn.attention_biases", {heads[i], windows[i] * windows[i]}, w.varied ? 0.5 : 0.02);
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
  addNeck(w, prefix, 320);
}

void addSamPromptEncoderAndDecoder(RandomWeights& w) {
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

nets::SamModel randomSamModel(nets::SamArchitecture architecture, int threads, const std::string& precision) {
  at::manual_seed(0);
  RandomWeights w;
  if (architecture == nets::SamArchitecture::TinyVit) {
    addTinyVitEncoder(w, "image_encoder.");
  } else {
    addSamVitBEncoder(w, "image_encoder.");
  }
  addSamPromptEncoderAndDecoder(w);
  nets::SamModelOptions options;
  options.threads = threads;
  options.precision = precision;
  return nets::SamModel::fromStateDict(nets::StateDict::fromTensors("random weights", std::move(w.tensors)), architecture, options);
}

cv::Mat loadBenchImage(const std::string& path) {
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

}  // namespace regionlab::bench
