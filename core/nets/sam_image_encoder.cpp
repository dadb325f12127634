#include "core/nets/sam_image_encoder.h"

#include <cmath>
#include <sstream>

#include <ATen/ATen.h>

#include "core/nets/sam_layers.h"
#include "core/nets/state_dict.h"

namespace regionlab::nets {
namespace {

constexpr double kLayerNormEps = 1e-6;  // ImageEncoderViT: partial(nn.LayerNorm, eps=1e-6)

struct VitBlock {
  at::Tensor norm1_w, norm1_b, qkv_w, qkv_b, proj_w, proj_b, rel_pos_h, rel_pos_w;
  at::Tensor norm2_w, norm2_b, lin1_w, lin1_b, lin2_w, lin2_b;
  int window = 0;  // 0: global attention over the whole 64×64 grid
};

// Relative-position table for q_size == k_size == size: R[i][j] = rel_pos[i - j + size - 1]
// (get_rel_pos without the resize branch: official checkpoints always match the grid).
at::Tensor relativePositions(int64_t size, const at::Tensor& rel_pos) {
  const at::Tensor coords = at::arange(size, at::kLong);
  const at::Tensor index = coords.unsqueeze(1) - coords.unsqueeze(0) + (size - 1);
  return rel_pos.index_select(0, index.reshape({-1})).reshape({size, size, rel_pos.size(1)});
}

// x: B×H×W×C windows (or the whole grid).
at::Tensor attention(const at::Tensor& x, const VitBlock& b, int heads) {
  const int64_t batch = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  const int64_t n = h * w, head_dim = c / heads;
  const double scale = std::pow(double(head_dim), -0.5);
  const at::Tensor qkv =
      at::linear(x, b.qkv_w, b.qkv_b).reshape({batch, n, 3, heads, head_dim}).permute({2, 0, 3, 1, 4}).reshape({3, batch * heads, n, head_dim});
  const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
  const at::Tensor rh = relativePositions(h, b.rel_pos_h);
  const at::Tensor rw = relativePositions(w, b.rel_pos_w);
  at::Tensor out = at::empty({batch * heads, n, head_dim}, x.options());
  // Chunks over (window, head) pairs keep the N×N logits of global attention (64 MB per head at
  // 64×64) from being materialised for all heads at once; each chunk is computed exactly as the
  // reference computes the whole.
  const int64_t chunk = std::max<int64_t>(1, (int64_t(1) << 24) / std::max<int64_t>(1, n * n));
  for (int64_t start = 0; start < batch * heads; start += chunk) {
    const int64_t len = std::min(chunk, batch * heads - start);
    const at::Tensor qs = q.narrow(0, start, len), ks = k.narrow(0, start, len), vs = v.narrow(0, start, len);
    at::Tensor logits = at::matmul(qs * scale, ks.transpose(-2, -1));
    const at::Tensor rq = qs.reshape({len, h, w, head_dim});
    const at::Tensor rel_h = at::einsum("bhwc,hkc->bhwk", {rq, rh});
    const at::Tensor rel_w = at::einsum("bhwc,wkc->bhwk", {rq, rw});
    logits = (logits.view({len, h, w, h, w}) + rel_h.unsqueeze(-1) + rel_w.unsqueeze(-2)).view({len, n, n});
    out.narrow(0, start, len).copy_(at::matmul(at::softmax(logits, -1), vs));
  }
  out = out.view({batch, heads, h, w, head_dim}).permute({0, 2, 3, 1, 4}).reshape({batch, h, w, c});
  return at::linear(out, b.proj_w, b.proj_b);
}

at::Tensor windowPartition(const at::Tensor& x, int ws) {
  const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  const int64_t pad_h = (ws - h % ws) % ws, pad_w = (ws - w % ws) % ws;
  at::Tensor padded = (pad_h || pad_w) ? at::constant_pad_nd(x, {0, 0, 0, pad_w, 0, pad_h}) : x;
  const int64_t hp = h + pad_h, wp = w + pad_w;
  return padded.view({b, hp / ws, ws, wp / ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({-1, ws, ws, c});
}

at::Tensor windowUnpartition(const at::Tensor& windows, int ws, int64_t b, int64_t h, int64_t w) {
  const int64_t hp = h + (ws - h % ws) % ws, wp = w + (ws - w % ws) % ws;
  const int64_t c = windows.size(3);
  at::Tensor x = windows.view({b, hp / ws, wp / ws, ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).contiguous().view({b, hp, wp, c});
  if (hp > h || wp > w) x = x.slice(1, 0, h).slice(2, 0, w).contiguous();
  return x;
}

class SamVitEncoder final : public SamImageEncoder {
public:
  SamVitEncoder(const StateDict& w, SamVitShape* shape_out) {
    patch_w_ = w.tensor("patch_embed.proj.weight", {-1, 3, 16, 16});
    width_ = int(patch_w_.size(0));
    patch_b_ = w.tensor("patch_embed.proj.bias", {width_});
    pos_embed_ = w.tensor("pos_embed", {1, -1, -1, width_});
    grid_ = int(pos_embed_.size(1));
    if (pos_embed_.size(2) != grid_) w.fail("image_encoder.pos_embed is not square");
    const int depth = w.countIndexed("blocks.");
    if (depth == 0) w.fail("no image_encoder.blocks.* tensors: not a SAM ViT image encoder");
    for (int i = 0; i < depth; ++i) {
      const StateDict s = w.scope("blocks." + std::to_string(i) + ".");
      VitBlock b;
      b.rel_pos_h = s.tensor("attn.rel_pos_h", {-1, -1});
      const int64_t span = b.rel_pos_h.size(0), head_dim = b.rel_pos_h.size(1);
      if (head_dim <= 0 || width_ % head_dim != 0) s.fail("attn.rel_pos_h head size does not divide the width");
      const int heads = int(width_ / head_dim);
      if (i == 0) heads_ = heads;
      if (heads != heads_) s.fail("blocks disagree on the number of heads");
      const int size = int((span + 1) / 2);
      b.window = size == grid_ ? 0 : size;
      if (b.window == 0) global_blocks_.push_back(i);
      else window_ = b.window;
      b.rel_pos_w = s.tensor("attn.rel_pos_w", {span, head_dim});
      b.norm1_w = s.tensor("norm1.weight", {width_});
      b.norm1_b = s.tensor("norm1.bias", {width_});
      b.qkv_w = s.tensor("attn.qkv.weight", {3 * width_, width_});
      b.qkv_b = s.tensor("attn.qkv.bias", {3 * width_});
      b.proj_w = s.tensor("attn.proj.weight", {width_, width_});
      b.proj_b = s.tensor("attn.proj.bias", {width_});
      b.norm2_w = s.tensor("norm2.weight", {width_});
      b.norm2_b = s.tensor("norm2.bias", {width_});
      b.lin1_w = s.tensor("mlp.lin1.weight", {-1, width_});
      const int64_t hidden = b.lin1_w.size(0);
      b.lin1_b = s.tensor("mlp.lin1.bias", {hidden});
      b.lin2_w = s.tensor("mlp.lin2.weight", {width_, hidden});
      b.lin2_b = s.tensor("mlp.lin2.bias", {width_});
      blocks_.push_back(std::move(b));
    }
    neck0_ = w.tensor("neck.0.weight", {-1, width_, 1, 1});
    out_ = int(neck0_.size(0));
    neck1_w_ = w.tensor("neck.1.weight", {out_});
    neck1_b_ = w.tensor("neck.1.bias", {out_});
    neck2_ = w.tensor("neck.2.weight", {out_, out_, 3, 3});
    neck3_w_ = w.tensor("neck.3.weight", {out_});
    neck3_b_ = w.tensor("neck.3.bias", {out_});
    if (shape_out) *shape_out = {width_, depth, heads_, window_, global_blocks_};
  }

  at::Tensor forward(const at::Tensor& input) const override {
    at::Tensor x = at::conv2d(input, patch_w_, patch_b_, {16, 16}).permute({0, 2, 3, 1});
    x = x + pos_embed_;
    for (const VitBlock& b : blocks_) {
      const at::Tensor shortcut = x;
      at::Tensor y = at::layer_norm(x, {width_}, b.norm1_w, b.norm1_b, kLayerNormEps);
      const int64_t batch = y.size(0), h = y.size(1), w = y.size(2);
      if (b.window > 0) y = windowPartition(y, b.window);
      y = attention(y, b, heads_);
      if (b.window > 0) y = windowUnpartition(y, b.window, batch, h, w);
      x = shortcut + y;
      const at::Tensor mlp = at::linear(at::gelu(at::linear(at::layer_norm(x, {width_}, b.norm2_w, b.norm2_b, kLayerNormEps), b.lin1_w, b.lin1_b)),
                                        b.lin2_w, b.lin2_b);
      x = x + mlp;
    }
    x = x.permute({0, 3, 1, 2});
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
  at::Tensor patch_w_, patch_b_, pos_embed_, neck0_, neck1_w_, neck1_b_, neck2_, neck3_w_, neck3_b_;
  std::vector<VitBlock> blocks_;
  std::vector<int> global_blocks_;
  int width_ = 0, grid_ = 0, heads_ = 0, window_ = 0, out_ = 0;
};

}  // namespace

std::unique_ptr<SamImageEncoder> loadSamVitEncoder(const StateDict& weights, SamVitShape* shape) {
  return std::make_unique<SamVitEncoder>(weights, shape);
}

}  // namespace regionlab::nets
