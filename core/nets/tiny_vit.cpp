#include "core/nets/tiny_vit.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/nets/depthwise_conv.h"
#include "core/nets/sam_layers.h"
#include "core/nets/softmax_rows.h"
#include "core/nets/state_dict.h"
#include "core/nets/torch_settings.h"

namespace regionlab::nets {
namespace {

constexpr double kBatchNormEps = 1e-5;
constexpr double kLayerNormEps = 1e-5;  // TinyViT uses nn.LayerNorm defaults

// The network runs channels-last: a map is a (B·H·W) × C float32 matrix of rows, so every 1×1
// convolution and linear layer is one GEMM, the depthwise convolutions are vectorised along the
// channels (depthwise_conv.h) and the attention stages need no transposes.
struct Map {
  at::Tensor rows;  // (b·h·w) × c, contiguous
  int64_t b = 0, h = 0, w = 0;
};

// A GEMM-ready layer: y = x·weight_t + bias (weight_t a transposed view of out × in), in the
// weights' precision (float32, or bfloat16 when the settings ask for it); the rows between the
// layers stay float32 (the depthwise convolutions, attention, norms and residuals).
struct Linear {
  at::Tensor weight_t, bias;
  at::Tensor operator()(const at::Tensor& x) const {
    if (weight_t.scalar_type() == at::kFloat) return at::addmm(bias, x, weight_t);
    return at::addmm(bias, x.to(weight_t.scalar_type()), weight_t).to(at::kFloat);
  }
  // x += a·weight_t + bias (float32: accumulated in place, as before the bf16 option).
  void addTo(at::Tensor& x, const at::Tensor& a) const {
    if (weight_t.scalar_type() == at::kFloat) {
      x.addmm_(a, weight_t).add_(bias);
    } else {
      x.add_((*this)(a));
    }
  }
};

Linear finish(const at::Tensor& weight, const at::Tensor& bias, at::Device device, at::ScalarType type) {
  return {weight.to(device, type).contiguous().t(), bias.to(device, type).contiguous()};
}

// Conv2d (no bias) + BatchNorm2d in eval mode, folded in float64 into one convolution with bias:
// W' = W·γ/√(var+ε), b' = β − mean·γ/√(var+ε).
struct FoldedConv {
  at::Tensor weight, bias;  // out × in/groups × k × k, out (float64)
};

FoldedConv foldConvBn(const StateDict& s, int64_t in_per_group, int64_t k) {
  const at::Tensor w = s.tensor("c.weight", {-1, in_per_group, k, k}).to(at::kDouble);
  const int64_t out = w.size(0);
  const at::Tensor gamma = s.tensor("bn.weight", {out}).to(at::kDouble), beta = s.tensor("bn.bias", {out}).to(at::kDouble);
  const at::Tensor mean = s.tensor("bn.running_mean", {out}).to(at::kDouble), var = s.tensor("bn.running_var", {out}).to(at::kDouble);
  const at::Tensor scale = gamma / at::sqrt(var + kBatchNormEps);
  return {w * scale.view({-1, 1, 1, 1}), beta - mean * scale};
}

// A 1×1 Conv2d+BN as a linear layer on rows.
Linear pointwise(const StateDict& s, int64_t in, at::Device device, at::ScalarType type) {
  const FoldedConv f = foldConvBn(s, in, 1);
  return finish(f.weight.flatten(1), f.bias, device, type);
}

// A depthwise 3×3 Conv2d+BN (padding 1) on channels-last rows.
struct Depthwise {
  at::Tensor weight, bias;  // 3×3×C and C, float32
  int stride = 1;

  static Depthwise load(const StateDict& s, int stride, at::Device device) {
    const FoldedConv f = foldConvBn(s, 1, 3);
    return {f.weight.squeeze(1).permute({1, 2, 0}).to(device, at::kFloat).contiguous(), f.bias.to(device, at::kFloat), stride};
  }
  int64_t channels() const { return bias.size(0); }

  Map operator()(const Map& x) const {
    const int64_t c = channels();
    if (!x.rows.is_cpu()) {  // other devices: the library's depthwise convolution
      const at::Tensor nchw = x.rows.view({x.b, x.h, x.w, c}).permute({0, 3, 1, 2});
      const at::Tensor kernel = weight.permute({2, 0, 1}).unsqueeze(1);
      const at::Tensor y = at::conv2d(nchw, kernel, bias, {stride, stride}, {1, 1}, {1, 1}, c);
      return {y.permute({0, 2, 3, 1}).reshape({-1, c}), x.b, y.size(2), y.size(3)};
    }
    const DepthwiseConvShape shape{x.h, x.w, c, stride};
    const int64_t ho = shape.outHeight(), wo = shape.outWidth();
    at::Tensor out = at::empty({x.b * ho * wo, c}, x.rows.options());
    const float* in = x.rows.data_ptr<float>();
    float* o = out.data_ptr<float>();
    at::parallel_for(0, x.b * ho, 1, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end;) {  // rows of one image at a time
        const int64_t image = r / ho, first = r % ho, last = std::min(ho, first + (end - r));
        depthwiseConv3x3(in + image * x.h * x.w * c, shape, weight.data_ptr<float>(), bias.data_ptr<float>(), o + image * ho * wo * c, first,
                         last);
        r += last - first;
      }
    });
    return {out, x.b, ho, wo};
  }
};

// conv1 1×1 → GELU → depthwise 3×3 → GELU: the start that MBConv and patch merging share.
Map pointwiseThenDepthwise(const Linear& conv1, const Depthwise& conv2, const Map& x) {
  at::Tensor y = conv1(x.rows);
  at::gelu_(y);
  Map mid = conv2({y, x.b, x.h, x.w});
  at::gelu_(mid.rows);
  return mid;
}

struct MbConv {  // conv1 1×1 (×4) → GELU → depthwise 3×3 → GELU → conv3 1×1 → + x → GELU
  Linear conv1, conv3;
  Depthwise conv2;
  Map operator()(const Map& x) const {
    const Map mid = pointwiseThenDepthwise(conv1, conv2, x);
    at::Tensor out = x.rows.clone();
    conv3.addTo(out, mid.rows);
    at::gelu_(out);
    return {out, x.b, x.h, x.w};
  }
};

struct PatchMerging {  // conv1 1×1 → GELU → depthwise 3×3 (stride 2, or 1 in MobileSAM's last) → GELU → conv3 1×1
  Linear conv1, conv3;
  Depthwise conv2;
  Map operator()(const Map& x) const {
    const Map mid = pointwiseThenDepthwise(conv1, conv2, x);
    return {conv3(mid.rows), mid.b, mid.h, mid.w};
  }
};

struct TinyVitBlock {
  // attn.norm folded into qkv, q's rows scaled by key_dim^-0.5; mlp.norm folded into fc1.
  Linear qkv, proj, fc1, fc2;
  at::Tensor bias;  // heads × ws² × ws², gathered from attention_biases once
  Depthwise local_conv;
  int heads = 0, window = 0;
  int64_t dim = 0;
};

// Softmax(q·kᵀ + bias)·v per (window, head); qkv: W×N×(heads·3·kd), head-major ([q|k|v] per head).
at::Tensor biasedWindowAttention(const at::Tensor& qkv, const TinyVitBlock& b) {
  const int64_t windows = qkv.size(0), n = qkv.size(1), kd = b.dim / b.heads, heads = b.heads;
  if (!qkv.is_cpu()) {
    const at::Tensor t = qkv.view({windows, n, heads, 3, kd}).permute({3, 0, 2, 1, 4});
    const at::Tensor attn = at::softmax(at::matmul(t[0], t[1].transpose(-2, -1)) + b.bias, -1);
    return at::matmul(attn, t[2]).transpose(1, 2).reshape({windows, n, b.dim});
  }
  at::Tensor out = at::empty({windows, n, b.dim}, qkv.options());
  at::parallel_for(0, windows * heads, 1, [&](int64_t begin, int64_t end) {
    at::Tensor scores = at::empty({n, n}, qkv.options());
    for (int64_t i = begin; i < end; ++i) {
      const int64_t win = i / heads, head = i % heads;
      const at::Tensor seq = qkv[win];
      const at::Tensor q = seq.narrow(1, head * 3 * kd, kd);
      const at::Tensor k = seq.narrow(1, head * 3 * kd + kd, kd);
      const at::Tensor v = seq.narrow(1, head * 3 * kd + 2 * kd, kd);
      at::mm_out(scores, q, k.t());
      scores.add_(b.bias[head]);
      softmaxRowsInPlace(scores.data_ptr<float>(), n, n, n);
      at::Tensor o = out[win].narrow(1, head * kd, kd);
      at::mm_out(o, scores, v);
    }
  });
  return out;
}

// One TinyViTBlock on a map of tokens (rows updated in place, except the local convolution).
Map tinyVitBlock(Map x, const TinyVitBlock& b) {
  const int64_t c = b.dim, ws = b.window;
  const at::Tensor normed = at::layer_norm(x.rows, {c}, c10::nullopt, c10::nullopt, kLayerNormEps);
  const at::Tensor qkv = b.qkv(normed);
  at::Tensor attended;
  if (x.h == ws && x.w == ws) {
    attended = biasedWindowAttention(qkv.view({x.b, ws * ws, -1}), b);
  } else {
    // The reference pads the tokens with zeros before the attention's LayerNorm; a zero token
    // normalises to 0 and its qkv is the folded bias, so the qkv rows are padded with it.
    const at::Tensor windows = windowPartition(qkv.view({x.b, x.h, x.w, -1}), ws, b.qkv.bias);
    attended = windowUnpartition(biasedWindowAttention(windows, b), ws, x.b, x.h, x.w);
  }
  b.proj.addTo(x.rows, attended.view({-1, c}));
  x = b.local_conv(x);
  at::Tensor hidden = b.fc1(at::layer_norm(x.rows, {c}, c10::nullopt, c10::nullopt, kLayerNormEps));
  at::gelu_(hidden);
  b.fc2.addTo(x.rows, hidden);
  return x;
}

// attention_bias_idxs of TinyViT's Attention: offsets are numbered in first-seen order while
// iterating point pairs, which makes the index |Δy|·ws + |Δx|.
at::Tensor gatherAttentionBias(const at::Tensor& table, int ws) {
  const int64_t n = int64_t(ws) * ws;
  std::vector<int64_t> idx(size_t(n * n));
  for (int64_t p1 = 0; p1 < n; ++p1) {
    for (int64_t p2 = 0; p2 < n; ++p2) {
      idx[size_t(p1 * n + p2)] = std::abs(p1 / ws - p2 / ws) * ws + std::abs(p1 % ws - p2 % ws);
    }
  }
  const at::Tensor index = at::tensor(idx, at::kLong);
  return table.index_select(1, index).view({table.size(0), n, n}).contiguous();
}

class TinyVitEncoder final : public SamImageEncoder {
public:
  TinyVitEncoder(const StateDict& w, const InferenceSettings& settings) : settings_(settings) {
    keepFreedMemoryInProcess();
    device_ = computeDevice(settings.device);
    compute_ = computeScalarType(settings.precision);
    const StateDict pe = w.scope("patch_embed.seq.");
    const FoldedConv p0 = foldConvBn(pe.scope("0."), 3, 3);
    const FoldedConv p2 = foldConvBn(pe.scope("2."), p0.weight.size(0), 3);
    patch0_w_ = p0.weight.to(device_, compute_);
    patch0_b_ = p0.bias.to(device_, compute_);
    patch2_w_ = p2.weight.to(device_, compute_);
    patch2_b_ = p2.bias.to(device_, compute_);
    const int stages = w.countIndexed("layers.");
    if (stages != 4) w.fail("expected 4 TinyViT stages (image_encoder.layers.0-3), found " + std::to_string(stages));
    int64_t channels = p2.weight.size(0);
    for (int i = 0; i < stages; ++i) {
      const StateDict layer = w.scope("layers." + std::to_string(i) + ".");
      const int depth = layer.countIndexed("blocks.");
      for (int j = 0; j < depth; ++j) {
        const StateDict s = layer.scope("blocks." + std::to_string(j) + ".");
        if (i == 0) {
          const Linear conv1 = pointwise(s.scope("conv1."), channels, device_, compute_);
          mbconvs_.push_back({conv1, pointwise(s.scope("conv3."), conv1.bias.size(0), device_, compute_), Depthwise::load(s.scope("conv2."), 1, device_)});
        } else {
          stage_blocks_[size_t(i)].push_back(loadBlock(s));
          if (stage_blocks_[size_t(i)].back().dim != channels) s.fail("block width differs from its stage's input");
        }
      }
      if (i + 1 < stages) {
        const StateDict d = layer.scope("downsample.");
        // MobileSAM keeps the 64×64 grid in its last merge: stride 1 for out_dim 320/448/576.
        const int64_t out = d.tensor("conv1.c.weight", {-1, channels, 1, 1}).size(0);
        const int stride = (out == 320 || out == 448 || out == 576) ? 1 : 2;
        merges_.push_back({pointwise(d.scope("conv1."), channels, device_, compute_), pointwise(d.scope("conv3."), out, device_, compute_),
                           Depthwise::load(d.scope("conv2."), stride, device_)});
        channels = out;
      }
    }
    const at::Tensor& neck0 = w.tensor("neck.0.weight", {-1, channels, 1, 1});
    out_ = int(neck0.size(0));
    neck0_t_ = neck0.flatten(1).to(device_, at::kFloat).contiguous().t();
    neck1_w_ = w.tensor("neck.1.weight", {out_}).to(device_, at::kFloat);
    neck1_b_ = w.tensor("neck.1.bias", {out_}).to(device_, at::kFloat);
    neck2_ = w.tensor("neck.2.weight", {out_, out_, 3, 3}).to(device_, at::kFloat);
    neck3_w_ = w.tensor("neck.3.weight", {out_}).to(device_, at::kFloat);
    neck3_b_ = w.tensor("neck.3.bias", {out_}).to(device_, at::kFloat);
  }

  at::Tensor forward(const at::Tensor& input) const override {
    applyInferenceThreads(settings_);
    at::Tensor y = at::conv2d(input.to(device_, compute_), patch0_w_, patch0_b_, {2, 2}, {1, 1});
    at::gelu_(y);
    y = at::conv2d(y, patch2_w_, patch2_b_, {2, 2}, {1, 1}).to(at::kFloat);
    Map x{y.permute({0, 2, 3, 1}).reshape({-1, y.size(1)}).contiguous(), y.size(0), y.size(2), y.size(3)};
    for (const MbConv& m : mbconvs_) x = m(x);
    x = merges_[0](x);
    for (size_t stage = 1; stage < 4; ++stage) {
      for (const TinyVitBlock& b : stage_blocks_[stage]) x = tinyVitBlock(x, b);
      if (stage < merges_.size()) x = merges_[stage](x);
    }
    // Neck: the 1×1 convolution on rows, LayerNorm2d (a LayerNorm over each pixel's channels),
    // then the 3×3 convolution and LayerNorm2d on the N×C×H×W map.
    const at::Tensor neck = at::mm(x.rows, neck0_t_);
    at::Tensor map = neck.view({x.b, x.h, x.w, out_}).permute({0, 3, 1, 2});
    map = layerNorm2d(map, neck1_w_, neck1_b_);
    map = layerNorm2d(at::conv2d(map, neck2_, {}, 1, 1), neck3_w_, neck3_b_);
    return map;
  }

  int outChannels() const override { return out_; }

  std::string describe() const override {
    std::ostringstream s;
    s << "TinyViT image encoder (stages";
    for (size_t i = 1; i < 4; ++i) {
      if (!stage_blocks_[i].empty()) s << " " << stage_blocks_[i].front().dim << "×" << stage_blocks_[i].size();
    }
    s << ", " << (compute_ == at::kFloat ? "fp32" : compute_ == at::kBFloat16 ? "bf16 GEMMs and patch convolutions" : "fp16 GEMMs and patch convolutions")
      << ")";
    return s.str();
  }

private:
  TinyVitBlock loadBlock(const StateDict& s) const {
    TinyVitBlock b;
    const int64_t dim = s.tensor("attn.norm.weight", {-1}).size(0);
    b.dim = dim;
    const at::Tensor& table = s.tensor("attn.attention_biases", {-1, -1});
    b.heads = int(table.size(0));
    b.window = int(std::lround(std::sqrt(double(table.size(1)))));
    if (int64_t(b.window) * b.window != table.size(1)) s.fail("attn.attention_biases is not heads × ws²");
    if (b.heads <= 0 || dim % b.heads != 0) s.fail("attention heads do not divide the width");
    const int64_t kd = dim / b.heads;
    // qkv(LN(x)) with LN's affine folded in: W·diag γ, W·β + b; then q·kd^-0.5 on q's rows
    // (head-major: rows [h·3kd, h·3kd + kd) of each head h).
    at::Tensor qkv_w = s.tensor("attn.qkv.weight", {3 * dim, dim}).to(at::kDouble);
    at::Tensor qkv_b = s.tensor("attn.qkv.bias", {3 * dim}).to(at::kDouble);
    const at::Tensor gamma = s.tensor("attn.norm.weight", {dim}).to(at::kDouble), beta = s.tensor("attn.norm.bias", {dim}).to(at::kDouble);
    qkv_b = qkv_b + at::mv(qkv_w, beta);
    qkv_w = qkv_w * gamma.unsqueeze(0);
    const double scale = std::pow(double(kd), -0.5);
    for (int h = 0; h < b.heads; ++h) {
      qkv_w.narrow(0, h * 3 * kd, kd).mul_(scale);
      qkv_b.narrow(0, h * 3 * kd, kd).mul_(scale);
    }
    b.qkv = finish(qkv_w, qkv_b, device_, compute_);
    b.proj = finish(s.tensor("attn.proj.weight", {dim, dim}), s.tensor("attn.proj.bias", {dim}), device_, compute_);
    const int64_t hidden = s.tensor("mlp.fc1.weight", {-1, dim}).size(0);
    at::Tensor fc1_w = s.tensor("mlp.fc1.weight").to(at::kDouble), fc1_b = s.tensor("mlp.fc1.bias", {hidden}).to(at::kDouble);
    const at::Tensor mg = s.tensor("mlp.norm.weight", {dim}).to(at::kDouble), mb = s.tensor("mlp.norm.bias", {dim}).to(at::kDouble);
    b.fc1 = finish(fc1_w * mg.unsqueeze(0), fc1_b + at::mv(fc1_w, mb), device_, compute_);
    b.fc2 = finish(s.tensor("mlp.fc2.weight", {dim, hidden}), s.tensor("mlp.fc2.bias", {dim}), device_, compute_);
    b.local_conv = Depthwise::load(s.scope("local_conv."), 1, device_);
    if (b.local_conv.channels() != dim) s.fail("local_conv width differs from the block's");
    b.bias = gatherAttentionBias(table, b.window).to(device_, at::kFloat);
    return b;
  }

  InferenceSettings settings_;
  at::Device device_ = at::kCPU;
  at::ScalarType compute_ = at::kFloat;  // of the GEMMs and patch convolutions
  at::Tensor patch0_w_, patch0_b_, patch2_w_, patch2_b_;
  std::vector<MbConv> mbconvs_;
  std::vector<PatchMerging> merges_;
  std::vector<TinyVitBlock> stage_blocks_[4];
  at::Tensor neck0_t_, neck1_w_, neck1_b_, neck2_, neck3_w_, neck3_b_;
  int out_ = 0;
};

}  // namespace

std::unique_ptr<SamImageEncoder> loadTinyVitEncoder(const StateDict& weights, const InferenceSettings& settings) {
  return std::make_unique<TinyVitEncoder>(weights, settings);
}

}  // namespace regionlab::nets
