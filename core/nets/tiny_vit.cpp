#include "core/nets/tiny_vit.h"

#include <cmath>
#include <sstream>

#include <ATen/ATen.h>

#include "core/nets/sam_layers.h"
#include "core/nets/state_dict.h"

namespace regionlab::nets {
namespace {

constexpr double kBatchNormEps = 1e-5;
constexpr double kLayerNormEps = 1e-5;  // TinyViT uses nn.LayerNorm defaults

// Conv2d (no bias) followed by BatchNorm2d in eval mode.
struct ConvBn {
  at::Tensor weight, bn_w, bn_b, mean, var;
  int stride = 1, padding = 0, groups = 1;

  static ConvBn load(const StateDict& s, int stride, int padding, bool depthwise) {
    ConvBn c;
    c.weight = s.tensor("c.weight", {-1, -1, -1, -1});
    const int64_t out = c.weight.size(0);
    c.bn_w = s.tensor("bn.weight", {out});
    c.bn_b = s.tensor("bn.bias", {out});
    c.mean = s.tensor("bn.running_mean", {out});
    c.var = s.tensor("bn.running_var", {out});
    c.stride = stride;
    c.padding = padding;
    c.groups = depthwise ? int(out) : 1;
    return c;
  }
  int64_t outChannels() const { return weight.size(0); }
  at::Tensor operator()(const at::Tensor& x) const {
    const at::Tensor y = at::conv2d(x, weight, {}, {stride, stride}, {padding, padding}, {1, 1}, groups);
    return at::batch_norm(y, bn_w, bn_b, mean, var, false, 0.1, kBatchNormEps, false);
  }
};

struct MbConv {
  ConvBn conv1, conv2, conv3;
  at::Tensor operator()(const at::Tensor& x) const {
    at::Tensor y = at::gelu(conv1(x));
    y = at::gelu(conv2(y));
    y = conv3(y);
    return at::gelu(y + x);
  }
};

struct PatchMerging {
  ConvBn conv1, conv2, conv3;
  at::Tensor operator()(const at::Tensor& x) const {  // N×C×H×W → N×C'×H'×W'
    return conv3(at::gelu(conv2(at::gelu(conv1(x)))));
  }
};

struct TinyVitBlock {
  at::Tensor attn_norm_w, attn_norm_b, qkv_w, qkv_b, proj_w, proj_b, bias_table;
  at::Tensor mlp_norm_w, mlp_norm_b, fc1_w, fc1_b, fc2_w, fc2_b;
  ConvBn local_conv;
  at::Tensor bias;  // heads × ws² × ws², gathered from bias_table once
  int heads = 0, window = 0;
  int64_t dim = 0;
};

// Attention over windows: x is B×N×C (N = ws²).
at::Tensor windowAttention(const at::Tensor& x, const TinyVitBlock& b) {
  const int64_t batch = x.size(0), n = x.size(1);
  const int64_t key_dim = b.dim / b.heads;
  const at::Tensor normed = at::layer_norm(x, {b.dim}, b.attn_norm_w, b.attn_norm_b, kLayerNormEps);
  const at::Tensor qkv = at::linear(normed, b.qkv_w, b.qkv_b).view({batch, n, b.heads, 3 * key_dim});
  const auto parts = qkv.split(key_dim, 3);  // head-major: per head [q | k | v]
  const at::Tensor q = parts[0].permute({0, 2, 1, 3});
  const at::Tensor k = parts[1].permute({0, 2, 1, 3});
  const at::Tensor v = parts[2].permute({0, 2, 1, 3});
  at::Tensor attn = at::matmul(q, k.transpose(-2, -1)) * std::pow(double(key_dim), -0.5) + b.bias;
  attn = at::softmax(attn, -1);
  const at::Tensor out = at::matmul(attn, v).transpose(1, 2).reshape({batch, n, b.dim});
  return at::linear(out, b.proj_w, b.proj_b);
}

// x: 1×L×C tokens of an h×w map.
at::Tensor tinyVitBlock(const at::Tensor& x, const TinyVitBlock& b, int64_t h, int64_t w) {
  const int64_t batch = x.size(0), c = b.dim, ws = b.window;
  at::Tensor y;
  if (h == ws && w == ws) {
    y = windowAttention(x, b);
  } else {
    at::Tensor m = x.view({batch, h, w, c});
    const int64_t pad_b = (ws - h % ws) % ws, pad_r = (ws - w % ws) % ws;
    if (pad_b || pad_r) m = at::constant_pad_nd(m, {0, 0, 0, pad_r, 0, pad_b});
    const int64_t ph = h + pad_b, pw = w + pad_r, nh = ph / ws, nw = pw / ws;
    m = m.view({batch, nh, ws, nw, ws, c}).transpose(2, 3).reshape({batch * nh * nw, ws * ws, c});
    m = windowAttention(m, b);
    m = m.view({batch, nh, nw, ws, ws, c}).transpose(2, 3).reshape({batch, ph, pw, c});
    if (pad_b || pad_r) m = m.slice(1, 0, h).slice(2, 0, w).contiguous();
    y = m.view({batch, h * w, c});
  }
  at::Tensor out = x + y;
  out = b.local_conv(out.transpose(1, 2).reshape({batch, c, h, w})).view({batch, c, h * w}).transpose(1, 2);
  const at::Tensor mlp = at::linear(
      at::gelu(at::linear(at::layer_norm(out, {c}, b.mlp_norm_w, b.mlp_norm_b, kLayerNormEps), b.fc1_w, b.fc1_b)), b.fc2_w, b.fc2_b);
  return out + mlp;
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
  explicit TinyVitEncoder(const StateDict& w) {
    const StateDict pe = w.scope("patch_embed.seq.");
    patch0_ = ConvBn::load(pe.scope("0."), 2, 1, false);
    patch2_ = ConvBn::load(pe.scope("2."), 2, 1, false);
    const int stages = w.countIndexed("layers.");
    if (stages != 4) w.fail("expected 4 TinyViT stages (image_encoder.layers.0-3), found " + std::to_string(stages));
    for (int i = 0; i < stages; ++i) {
      const StateDict layer = w.scope("layers." + std::to_string(i) + ".");
      const int depth = layer.countIndexed("blocks.");
      for (int j = 0; j < depth; ++j) {
        const StateDict s = layer.scope("blocks." + std::to_string(j) + ".");
        if (i == 0) {
          mbconvs_.push_back({ConvBn::load(s.scope("conv1."), 1, 0, false), ConvBn::load(s.scope("conv2."), 1, 1, true),
                              ConvBn::load(s.scope("conv3."), 1, 0, false)});
        } else {
          stage_blocks_[size_t(i)].push_back(loadBlock(s));
        }
      }
      if (i + 1 < stages) {
        const StateDict d = layer.scope("downsample.");
        const at::Tensor& conv1 = d.tensor("conv1.c.weight", {-1, -1, 1, 1});
        // MobileSAM keeps the 64×64 grid in its last merge: stride 1 for out_dim 320/448/576.
        const int64_t out = conv1.size(0);
        const int stride = (out == 320 || out == 448 || out == 576) ? 1 : 2;
        merges_.push_back({ConvBn::load(d.scope("conv1."), 1, 0, false), ConvBn::load(d.scope("conv2."), stride, 1, true),
                           ConvBn::load(d.scope("conv3."), 1, 0, false)});
      }
    }
    neck0_ = w.tensor("neck.0.weight", {-1, -1, 1, 1});
    out_ = int(neck0_.size(0));
    neck1_w_ = w.tensor("neck.1.weight", {out_});
    neck1_b_ = w.tensor("neck.1.bias", {out_});
    neck2_ = w.tensor("neck.2.weight", {out_, out_, 3, 3});
    neck3_w_ = w.tensor("neck.3.weight", {out_});
    neck3_b_ = w.tensor("neck.3.bias", {out_});
  }

  at::Tensor forward(const at::Tensor& input) const override {
    at::Tensor x = patch2_(at::gelu(patch0_(input)));
    for (const MbConv& m : mbconvs_) x = m(x);
    x = merges_[0](x);
    for (size_t stage = 1; stage < 4; ++stage) {
      const int64_t h = x.size(2), w = x.size(3), c = x.size(1);
      at::Tensor tokens = x.flatten(2).transpose(1, 2).contiguous();
      for (const TinyVitBlock& b : stage_blocks_[stage]) tokens = tinyVitBlock(tokens, b, h, w);
      x = tokens.transpose(1, 2).reshape({x.size(0), c, h, w});
      if (stage < merges_.size()) x = merges_[stage](x);
    }
    x = layerNorm2d(at::conv2d(x, neck0_), neck1_w_, neck1_b_);
    return layerNorm2d(at::conv2d(x, neck2_, {}, 1, 1), neck3_w_, neck3_b_);
  }

  int outChannels() const override { return out_; }

  std::string describe() const override {
    std::ostringstream s;
    s << "TinyViT image encoder (stages";
    for (size_t i = 1; i < 4; ++i) {
      if (!stage_blocks_[i].empty()) s << " " << stage_blocks_[i].front().dim << "×" << stage_blocks_[i].size();
    }
    s << ")";
    return s.str();
  }

private:
  static TinyVitBlock loadBlock(const StateDict& s) {
    TinyVitBlock b;
    b.attn_norm_w = s.tensor("attn.norm.weight", {-1});
    b.dim = b.attn_norm_w.size(0);
    b.attn_norm_b = s.tensor("attn.norm.bias", {b.dim});
    b.bias_table = s.tensor("attn.attention_biases", {-1, -1});
    b.heads = int(b.bias_table.size(0));
    b.window = int(std::lround(std::sqrt(double(b.bias_table.size(1)))));
    if (int64_t(b.window) * b.window != b.bias_table.size(1)) s.fail("attn.attention_biases is not heads × ws²");
    if (b.heads <= 0 || b.dim % b.heads != 0) s.fail("attention heads do not divide the width");
    b.qkv_w = s.tensor("attn.qkv.weight", {3 * b.dim, b.dim});
    b.qkv_b = s.tensor("attn.qkv.bias", {3 * b.dim});
    b.proj_w = s.tensor("attn.proj.weight", {b.dim, b.dim});
    b.proj_b = s.tensor("attn.proj.bias", {b.dim});
    b.mlp_norm_w = s.tensor("mlp.norm.weight", {b.dim});
    b.mlp_norm_b = s.tensor("mlp.norm.bias", {b.dim});
    b.fc1_w = s.tensor("mlp.fc1.weight", {-1, b.dim});
    b.fc1_b = s.tensor("mlp.fc1.bias", {b.fc1_w.size(0)});
    b.fc2_w = s.tensor("mlp.fc2.weight", {b.dim, b.fc1_w.size(0)});
    b.fc2_b = s.tensor("mlp.fc2.bias", {b.dim});
    b.local_conv = ConvBn::load(s.scope("local_conv."), 1, 1, true);
    b.bias = gatherAttentionBias(b.bias_table, b.window);
    return b;
  }

  ConvBn patch0_, patch2_;
  std::vector<MbConv> mbconvs_;
  std::vector<PatchMerging> merges_;
  std::vector<TinyVitBlock> stage_blocks_[4];
  at::Tensor neck0_, neck1_w_, neck1_b_, neck2_, neck3_w_, neck3_b_;
  int out_ = 0;
};

}  // namespace

std::unique_ptr<SamImageEncoder> loadTinyVitEncoder(const StateDict& weights) { return std::make_unique<TinyVitEncoder>(weights); }

}  // namespace regionlab::nets
