#include "core/nets/sam_mask_decoder.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/nets/sam_layers.h"
#include "core/nets/state_dict.h"

namespace regionlab::nets {
namespace {

constexpr double kLayerNormEps = 1e-5;  // TwoWayTransformer uses nn.LayerNorm defaults

struct Linear {
  at::Tensor w, b;
  static Linear load(const StateDict& s, int64_t out, int64_t in) {
    return {s.tensor("weight", {out, in}), s.tensor("bias", {out})};
  }
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, w, b); }
};

struct Norm {
  at::Tensor w, b;
  static Norm load(const StateDict& s, int64_t dim) { return {s.tensor("weight", {dim}), s.tensor("bias", {dim})}; }
  at::Tensor operator()(const at::Tensor& x) const { return at::layer_norm(x, {w.size(0)}, w, b, kLayerNormEps); }
};

// segment_anything.modeling.transformer.Attention (with downsampling of the internal width).
// Batch dimensions broadcast: keys of batch 1 serve every prompt of a batch.
struct Attention {
  Linear q, k, v, out;
  int heads = 1;

  static Attention load(const StateDict& s, int64_t dim, int heads) {
    Attention a;
    const int64_t internal = s.tensor("q_proj.weight", {-1, dim}).size(0);
    if (internal % heads != 0) s.fail("attention width " + std::to_string(internal) + " is not divisible by " + std::to_string(heads) + " heads");
    a.q = Linear::load(s.scope("q_proj."), internal, dim);
    a.k = Linear::load(s.scope("k_proj."), internal, dim);
    a.v = Linear::load(s.scope("v_proj."), internal, dim);
    a.out = Linear::load(s.scope("out_proj."), dim, internal);
    a.heads = heads;
    return a;
  }

  at::Tensor separate(const at::Tensor& x) const {
    return x.reshape({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);
  }

  at::Tensor operator()(const at::Tensor& qi, const at::Tensor& ki, const at::Tensor& vi) const {
    const at::Tensor qh = separate(q(qi)), kh = separate(k(ki)), vh = separate(v(vi));
    const int64_t c_per_head = qh.size(3);
    at::Tensor attn = at::matmul(qh, kh.permute({0, 1, 3, 2}));
    attn = attn / std::sqrt(double(c_per_head));
    attn = at::softmax(attn, -1);
    const at::Tensor o = at::matmul(attn, vh);
    return out(o.transpose(1, 2).reshape({o.size(0), o.size(2), o.size(1) * o.size(3)}));
  }
};

struct TwoWayBlock {
  Attention self_attn, token_to_image, image_to_token;
  Norm norm1, norm2, norm3, norm4;
  Linear lin1, lin2;
  bool skip_first_layer_pe = false;
};

// MLP of the decoder heads: ReLU between layers, none after the last.
struct Mlp {
  std::vector<Linear> layers;
  static Mlp load(const StateDict& s) {
    Mlp m;
    const int n = s.countIndexed("layers.");
    if (n == 0) s.fail("MLP without layers");
    for (int i = 0; i < n; ++i) {
      const StateDict l = s.scope("layers." + std::to_string(i) + ".");
      const at::Tensor& w = l.tensor("weight", {-1, -1});
      m.layers.push_back(Linear::load(l, w.size(0), w.size(1)));
    }
    return m;
  }
  at::Tensor operator()(at::Tensor x) const {
    for (size_t i = 0; i < layers.size(); ++i) {
      x = layers[i](x);
      if (i + 1 < layers.size()) x = at::relu(x);
    }
    return x;
  }
};

}  // namespace

struct SamMaskDecoder::Weights {
  at::Tensor iou_token, mask_tokens;
  std::vector<TwoWayBlock> blocks;
  Attention final_attn;
  Norm norm_final;
  at::Tensor up0_w, up0_b, up1_w, up1_b, up3_w, up3_b;
  std::vector<Mlp> hypernetworks;
  Mlp iou_head;
  int64_t dim = 0;
};

SamMaskDecoder::SamMaskDecoder(const StateDict& s, int heads) : w_(std::make_unique<Weights>()) {
  Weights& w = *w_;
  w.iou_token = s.tensor("iou_token.weight", {1, -1});
  w.dim = w.iou_token.size(1);
  const int64_t dim = w.dim;
  w.mask_tokens = s.tensor("mask_tokens.weight", {-1, dim});
  const int depth = s.countIndexed("transformer.layers.");
  if (depth == 0) s.fail("no mask_decoder.transformer.layers.*: not a SAM mask decoder");
  for (int i = 0; i < depth; ++i) {
    const StateDict l = s.scope("transformer.layers." + std::to_string(i) + ".");
    TwoWayBlock b;
    b.self_attn = Attention::load(l.scope("self_attn."), dim, heads);
    b.token_to_image = Attention::load(l.scope("cross_attn_token_to_image."), dim, heads);
    b.image_to_token = Attention::load(l.scope("cross_attn_image_to_token."), dim, heads);
    b.norm1 = Norm::load(l.scope("norm1."), dim);
    b.norm2 = Norm::load(l.scope("norm2."), dim);
    b.norm3 = Norm::load(l.scope("norm3."), dim);
    b.norm4 = Norm::load(l.scope("norm4."), dim);
    const int64_t mlp = l.tensor("mlp.lin1.weight", {-1, dim}).size(0);
    b.lin1 = Linear::load(l.scope("mlp.lin1."), mlp, dim);
    b.lin2 = Linear::load(l.scope("mlp.lin2."), dim, mlp);
    b.skip_first_layer_pe = i == 0;
    w.blocks.push_back(std::move(b));
  }
  w.final_attn = Attention::load(s.scope("transformer.final_attn_token_to_image."), dim, heads);
  w.norm_final = Norm::load(s.scope("transformer.norm_final_attn."), dim);
  w.up0_w = s.tensor("output_upscaling.0.weight", {dim, dim / 4, 2, 2});
  w.up0_b = s.tensor("output_upscaling.0.bias", {dim / 4});
  w.up1_w = s.tensor("output_upscaling.1.weight", {dim / 4});
  w.up1_b = s.tensor("output_upscaling.1.bias", {dim / 4});
  w.up3_w = s.tensor("output_upscaling.3.weight", {dim / 4, dim / 8, 2, 2});
  w.up3_b = s.tensor("output_upscaling.3.bias", {dim / 8});
  const int64_t tokens = w.mask_tokens.size(0);
  for (int64_t i = 0; i < tokens; ++i) w.hypernetworks.push_back(Mlp::load(s.scope("output_hypernetworks_mlps." + std::to_string(i) + ".")));
  w.iou_head = Mlp::load(s.scope("iou_prediction_head."));
}

SamMaskDecoder::~SamMaskDecoder() = default;

int SamMaskDecoder::numMaskTokens() const { return int(w_->mask_tokens.size(0)); }

void SamMaskDecoder::runTransformer(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& sparse,
                                    const at::Tensor& dense, at::Tensor& iou, at::Tensor& mask_tokens, at::Tensor& keys_out) const {
  const Weights& w = *w_;
  const int64_t batch = sparse.size(0);
  const at::Tensor output_tokens = at::cat({w.iou_token, w.mask_tokens}, 0).unsqueeze(0).expand({batch, -1, -1});
  const at::Tensor tokens = at::cat({output_tokens, sparse}, 1);
  // src = embedding + dense prompt; with no mask input the dense prompt is the same for every
  // prompt, so the image side stays at batch 1 until the first image-to-token update.
  const at::Tensor src = image_embedding + dense;
  at::Tensor keys = src.flatten(2).permute({0, 2, 1});
  const at::Tensor key_pe = image_pe.flatten(2).permute({0, 2, 1});
  at::Tensor queries = tokens;
  const at::Tensor& query_pe = tokens;
  for (const TwoWayBlock& b : w.blocks) {
    if (b.skip_first_layer_pe) {
      queries = b.self_attn(queries, queries, queries);
    } else {
      const at::Tensor q = queries + query_pe;
      queries = queries + b.self_attn(q, q, queries);
    }
    queries = b.norm1(queries);
    at::Tensor q = queries + query_pe;
    at::Tensor k = keys + key_pe;
    queries = b.norm2(queries + b.token_to_image(q, k, keys));
    queries = b.norm3(queries + b.lin2(at::relu(b.lin1(queries))));
    q = queries + query_pe;
    k = keys + key_pe;
    keys = b.norm4(keys + b.image_to_token(k, q, queries));
  }
  if (keys.size(0) != batch) keys = keys.expand({batch, -1, -1});
  const at::Tensor q = queries + query_pe;
  const at::Tensor k = keys + key_pe;
  queries = w.norm_final(queries + w.final_attn(q, k, keys));
  iou = w.iou_head(queries.select(1, 0));
  mask_tokens = queries.narrow(1, 1, w.mask_tokens.size(0));
  keys_out = keys;
}

at::Tensor SamMaskDecoder::maskLogits(const at::Tensor& keys, const at::Tensor& mask_tokens, int first, int count) const {
  const Weights& w = *w_;
  const int64_t b = keys.size(0), grid = int64_t(std::lround(std::sqrt(double(keys.size(1)))));
  const at::Tensor src = keys.transpose(1, 2).reshape({b, w.dim, grid, grid});
  at::Tensor up = convTranspose2x2(src, w.up0_w, w.up0_b);
  up = at::gelu(layerNorm2d(up, w.up1_w, w.up1_b));
  up = at::gelu(convTranspose2x2(up, w.up3_w, w.up3_b));
  std::vector<at::Tensor> hyper;
  for (int i = first; i < first + count; ++i) hyper.push_back(w.hypernetworks[size_t(i)](mask_tokens.select(1, i)));
  const at::Tensor hyper_in = at::stack(hyper, 1);  // b × count × C/8
  const int64_t side = up.size(2);
  return at::matmul(hyper_in, up.reshape({b, up.size(1), side * side})).view({b, count, side, side});
}

void SamMaskDecoder::forward(const at::Tensor& image_embedding, const at::Tensor& image_pe, const at::Tensor& sparse, const at::Tensor& dense,
                             bool multimask, at::Tensor& masks, at::Tensor& iou) const {
  at::Tensor all_iou, tokens, keys;
  runTransformer(image_embedding, image_pe, sparse, dense, all_iou, tokens, keys);
  const int first = multimask ? 1 : 0;
  const int count = multimask ? numMaskTokens() - 1 : 1;
  masks = maskLogits(keys, tokens, first, count);
  iou = all_iou.narrow(1, first, count);
}

}  // namespace regionlab::nets
