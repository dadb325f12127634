#include "core/nets/sam_image_encoder.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <ATen/ATen.h>

#include "core/base/error.h"
#include "core/nets/sam_attention.h"
#include "core/nets/sam_layers.h"
#include "core/nets/state_dict.h"
#include "core/nets/torch_settings.h"

namespace regionlab::nets {
namespace {

constexpr double kLayerNormEps = 1e-6;  // ImageEncoderViT: partial(nn.LayerNorm, eps=1e-6)

// A linear layer ready for at::addmm(bias, x, weight_t) (weight_t: transposed view of the
// contiguous out × in matrix, as torch.nn.Linear hands it to the BLAS).
struct Linear {
  at::Tensor weight_t, bias;
};

struct Float64Linear {
  at::Tensor weight, bias;  // out × in, out
};

Float64Linear readLinear(const StateDict& w, const std::string& name, int64_t out, int64_t in) {
  return {w.tensor(name + ".weight", {out, in}).to(at::kDouble), w.tensor(name + ".bias", {out}).to(at::kDouble)};
}

// W·(γ ⊙ x̂ + β) + b = (W·diag γ)·x̂ + (W·β + b): the LayerNorm's affine part moved into the
// linear layer that reads the norm (in float64, rounded once).
void foldNormInto(Float64Linear& l, const StateDict& w, const std::string& norm) {
  const int64_t in = l.weight.size(1);
  const at::Tensor gamma = w.tensor(norm + ".weight", {in}).to(at::kDouble);
  const at::Tensor beta = w.tensor(norm + ".bias", {in}).to(at::kDouble);
  l.bias = l.bias + at::mv(l.weight, beta);
  l.weight = l.weight * gamma.unsqueeze(0);
}

Linear finish(const Float64Linear& l, at::ScalarType type, at::Device device) {
  return {l.weight.to(device, type).contiguous().t(), l.bias.to(device, type).contiguous()};
}

struct VitBlock {
  // norm1 folded into qkv and q's rows scaled by head_dim^-0.5; norm2 folded into lin1.
  Linear qkv, proj, lin1, lin2;
  at::Tensor padded_qkv;  // qkv of a window's zero padding (zeros after norm1): the raw bias, q scaled
  at::Tensor rel_h, rel_w;  // gathered size×size×head_dim tables divided by the q scale
  int window = 0;           // 0: global attention over the whole grid
};

class SamVitEncoder final : public SamImageEncoder {
public:
  SamVitEncoder(const StateDict& w, const InferenceSettings& settings, SamVitShape* shape_out) : settings_(settings) {
    keepFreedMemoryInProcess();
    compute_ = computeScalarType(settings.precision);
    device_ = computeDevice(settings.device);
    const at::Tensor& patch_w = w.tensor("patch_embed.proj.weight", {-1, 3, 16, 16});
    width_ = int(patch_w.size(0));
    // The stride-16 patch convolution is a linear map of each 3×16×16 patch.
    patch_w_t_ = patch_w.reshape({width_, 3 * 16 * 16}).to(device_, compute_).contiguous().t();
    patch_b_ = w.tensor("patch_embed.proj.bias", {width_}).to(device_, compute_);
    const at::Tensor& pos = w.tensor("pos_embed", {1, -1, -1, width_});
    grid_ = int(pos.size(1));
    if (pos.size(2) != grid_) w.fail("image_encoder.pos_embed is not square");
    pos_embed_ = pos.reshape({grid_ * grid_, width_}).to(device_, at::kFloat).contiguous();
    const int depth = w.countIndexed("blocks.");
    if (depth == 0) w.fail("no image_encoder.blocks.* tensors: not a SAM ViT image encoder");
    for (int i = 0; i < depth; ++i) blocks_.push_back(loadBlock(w.scope("blocks." + std::to_string(i) + "."), i));
    neck0_ = w.tensor("neck.0.weight", {-1, width_, 1, 1});
    out_ = int(neck0_.size(0));
    neck0_ = neck0_.to(device_, at::kFloat);
    neck1_w_ = w.tensor("neck.1.weight", {out_}).to(device_, at::kFloat);
    neck1_b_ = w.tensor("neck.1.bias", {out_}).to(device_, at::kFloat);
    neck2_ = w.tensor("neck.2.weight", {out_, out_, 3, 3}).to(device_, at::kFloat);
    neck3_w_ = w.tensor("neck.3.weight", {out_}).to(device_, at::kFloat);
    neck3_b_ = w.tensor("neck.3.bias", {out_}).to(device_, at::kFloat);
    if (shape_out) *shape_out = {width_, depth, heads_, window_, global_blocks_};
  }

  at::Tensor forward(const at::Tensor& input) const override {
    applyInferenceThreads(settings_);
    const int64_t batch = input.size(0), g = grid_, c = width_;
    if (input.size(2) != 16 * g || input.size(3) != 16 * g) {
      throw Error("SAM ViT encoder: expected a " + std::to_string(16 * g) + "² input");
    }
    const at::Tensor patches =
        input.to(device_, compute_).contiguous().view({batch, 3, g, 16, g, 16}).permute({0, 2, 4, 1, 3, 5}).reshape({batch * g * g, 3 * 256});
    // The residual stream: (batch·g·g) × C float32, updated in place by every block.
    at::Tensor x = at::addmm(patch_b_, patches, patch_w_t_).to(at::kFloat).view({batch, g * g, c}).add_(pos_embed_).view({-1, c});
    for (const VitBlock& b : blocks_) forwardBlock(x, b, batch);
    x = x.view({batch, g, g, c}).permute({0, 3, 1, 2});
    x = layerNorm2d(at::conv2d(x, neck0_), neck1_w_, neck1_b_);
    x = layerNorm2d(at::conv2d(x, neck2_, {}, 1, 1), neck3_w_, neck3_b_);
    return x;
  }

  int outChannels() const override { return out_; }

  std::string describe() const override {
    std::ostringstream s;
    s << "ViT image encoder (" << width_ << " wide, " << blocks_.size() << " blocks, " << heads_ << " heads, global attention in";
    for (size_t i = 0; i < global_blocks_.size(); ++i) s << (i ? ", " : " ") << global_blocks_[i];
    s << ")";
    return s.str();
  }

private:
  VitBlock loadBlock(const StateDict& s, int index) {
    VitBlock b;
    const at::Tensor& rel_pos_h = s.tensor("attn.rel_pos_h", {-1, -1});
    const int64_t span = rel_pos_h.size(0), head_dim = rel_pos_h.size(1);
    if (head_dim <= 0 || width_ % head_dim != 0) s.fail("attn.rel_pos_h head size does not divide the width");
    const int heads = int(width_ / head_dim);
    if (index == 0) heads_ = heads;
    if (heads != heads_) s.fail("blocks disagree on the number of heads");
    const int size = int((span + 1) / 2);
    b.window = size == grid_ ? 0 : size;
    if (b.window == 0) {
      global_blocks_.push_back(index);
    } else {
      window_ = b.window;
    }
    const int64_t c = width_;
    // q·scale is folded into q's rows; the reference adds q·R with the unscaled q, so R / scale.
    const double scale = 1.0 / std::sqrt(double(head_dim));
    auto table = [&](const at::Tensor& rel_pos) {
      return samRelativePositionTable(size, rel_pos.to(at::kDouble) / scale).to(device_, at::kFloat).contiguous();
    };
    b.rel_h = table(rel_pos_h);
    b.rel_w = table(s.tensor("attn.rel_pos_w", {span, head_dim}));

    Float64Linear qkv = readLinear(s, "attn.qkv", 3 * c, c);
    at::Tensor padded = qkv.bias.clone();
    padded.narrow(0, 0, c).mul_(scale);
    b.padded_qkv = padded.to(device_, compute_);
    foldNormInto(qkv, s, "norm1");
    qkv.weight.narrow(0, 0, c).mul_(scale);
    qkv.bias.narrow(0, 0, c).mul_(scale);
    b.qkv = finish(qkv, compute_, device_);
    b.proj = finish(readLinear(s, "attn.proj", c, c), compute_, device_);
    const int64_t hidden = s.tensor("mlp.lin1.weight", {-1, c}).size(0);
    Float64Linear lin1 = readLinear(s, "mlp.lin1", hidden, c);
    foldNormInto(lin1, s, "norm2");
    b.lin1 = finish(lin1, compute_, device_);
    b.lin2 = finish(readLinear(s, "mlp.lin2", c, hidden), compute_, device_);
    return b;
  }

  // LayerNorm without its affine part (folded into the next linear), in the GEMM precision.
  at::Tensor normalized(const at::Tensor& x) const {
    const at::Tensor y = at::layer_norm(x, {width_}, c10::nullopt, c10::nullopt, kLayerNormEps);
    return y.scalar_type() == compute_ ? y : y.to(compute_);
  }

  // x += a·Wᵀ + b, the GEMM accumulating into the float32 residual when the precisions agree.
  static void addProjected(at::Tensor& x, const at::Tensor& a, const Linear& l) {
    if (x.scalar_type() == a.scalar_type()) {
      x.add_(l.bias).addmm_(a, l.weight_t);
    } else {
      x.add_(at::addmm(l.bias, a, l.weight_t));
    }
  }

  // x: (batch·g·g) × C, updated in place.
  void forwardBlock(at::Tensor& x, const VitBlock& b, int64_t batch) const {
    const int64_t g = grid_, c = width_;
    const at::Tensor qkv = at::addmm(b.qkv.bias, normalized(x), b.qkv.weight_t);
    // The CPU attention runs in float32 whatever the GEMM precision (the scores need it).
    const at::Tensor qkv_attention = qkv.is_cpu() ? qkv.to(at::kFloat) : qkv;
    at::Tensor attended;
    if (b.window == 0) {
      attended = samRelPosAttention(qkv_attention.view({batch, g * g, 3 * c}), g, g, heads_, b.rel_h, b.rel_w);
    } else {
      // Windows of the qkv rows rather than of the normalised tokens: the same numbers, since a
      // padded token (zeros after norm1) has the layer's bias as its qkv.
      const at::Tensor windows =
          windowPartition(qkv_attention.view({batch, g, g, 3 * c}), b.window, b.padded_qkv.to(qkv_attention.scalar_type()));
      attended = samRelPosAttention(windows, b.window, b.window, heads_, b.rel_h, b.rel_w);
      attended = windowUnpartition(attended, b.window, batch, g, g);
    }
    addProjected(x, attended.reshape({-1, c}).to(compute_), b.proj);
    at::Tensor hidden = at::addmm(b.lin1.bias, normalized(x), b.lin1.weight_t);
    at::gelu_(hidden);  // exact (erf) GELU, as nn.GELU
    addProjected(x, hidden, b.lin2);
  }

  InferenceSettings settings_;
  at::ScalarType compute_ = at::kFloat;
  at::Device device_ = at::kCPU;
  at::Tensor patch_w_t_, patch_b_, pos_embed_, neck0_, neck1_w_, neck1_b_, neck2_, neck3_w_, neck3_b_;
  std::vector<VitBlock> blocks_;
  std::vector<int> global_blocks_;
  int width_ = 0, grid_ = 0, heads_ = 0, window_ = 0, out_ = 0;
};

}  // namespace

std::unique_ptr<SamImageEncoder> loadSamVitEncoder(const StateDict& weights, const InferenceSettings& settings, SamVitShape* shape) {
  return std::make_unique<SamVitEncoder>(weights, settings, shape);
}

}  // namespace regionlab::nets
