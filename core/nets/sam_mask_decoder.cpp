#include "core/nets/sam_mask_decoder.h"

#include <cmath>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/nets/row_layer_norm.h"
#include "core/nets/sam_layers.h"
#include "core/nets/sam_upscaling.h"
#include "core/nets/softmax_rows.h"
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
  int64_t head_dim = 0;
  // Per-head slices of the projections, heads × head_dim × dim, for the reassociated attentions
  // of the shared-image path: q/k/v weights viewed per head, out_proj's columns per head.
  at::Tensor wq_heads, wk_heads, wv_heads, wout_heads;

  static Attention load(const StateDict& s, int64_t dim, int heads) {
    Attention a;
    const int64_t internal = s.tensor("q_proj.weight", {-1, dim}).size(0);
    if (internal % heads != 0) s.fail("attention width " + std::to_string(internal) + " is not divisible by " + std::to_string(heads) + " heads");
    a.q = Linear::load(s.scope("q_proj."), internal, dim);
    a.k = Linear::load(s.scope("k_proj."), internal, dim);
    a.v = Linear::load(s.scope("v_proj."), internal, dim);
    a.out = Linear::load(s.scope("out_proj."), dim, internal);
    a.heads = heads;
    a.head_dim = internal / heads;
    a.wq_heads = a.q.w.reshape({heads, a.head_dim, dim});
    a.wk_heads = a.k.w.reshape({heads, a.head_dim, dim});
    a.wv_heads = a.v.w.reshape({heads, a.head_dim, dim});
    a.wout_heads = a.out.w.reshape({dim, heads, a.head_dim}).permute({1, 2, 0}).contiguous();
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

  // The token side's self-attention and norm1 (the first layer: no positional encoding and no
  // residual), the same in the reference path and the shared-image path.
  at::Tensor selfAttention(const at::Tensor& queries, const at::Tensor& query_pe) const {
    if (skip_first_layer_pe) return norm1(self_attn(queries, queries, queries));
    const at::Tensor q = queries + query_pe;
    return norm1(queries + self_attn(q, q, queries));
  }
  // The token MLP with its residual and norm3.
  at::Tensor mlp(const at::Tensor& queries) const { return norm3(queries + lin2(at::relu(lin1(queries)))); }
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

// ---- The shared-image path (automatic mask generator) -------------------------------------------
// Notation: G prompts of T tokens, N = 64·64 image tokens of width C, H heads of width d, and
// W_h the rows h·d … h·d+d−1 of a projection (out_proj: its columns). The reference computes
// each attention as softmax((x Wqᵀ + bq)(y Wkᵀ + bk)ᵀ / √d) (z Wvᵀ + bv), heads concatenated, then
// out_proj. Where one side is the N image tokens of a single prompt, projecting all N tokens
// (N·C·C/2 multiply-adds per projection) costs far more than moving the small token side through
// the weights instead (T·H·d·C), which these functions do, exactly in real arithmetic:
//   (a) logits: (x Wq_hᵀ + bq_h)·k = x·(k Wq_h) + bq_h·k  — the image side x is never projected;
//   (b) a term constant along the softmax axis cancels (softmax(l + c) = softmax(l)): the key bias
//       bk_h of token-to-image attention is dropped;
//   (c) values: Σ_n p_n (Wv_h z_n + bv_h) = Wv_h (Σ_n p_n z_n) + bv_h because Σ_n p_n = 1;
//   (d) out_proj: W_out [o_1 … o_H] = Σ_h W_out,h o_h, so image-to-token attention folds out_proj
//       into its T token values per head (V'_h = V_h W_out,hᵀ, T×C) and mixes them in one GEMM.
// Only the float rounding differs (sums taken in another order): ~1e-6 relative, checked against
// the reference path to 1e-5 in tests/core/nets/tst_sam_amg_decoder.cpp.

// V'_h of (d): values of the tokens already through out_proj, G×(H·T)×C.
at::Tensor foldedValues(const Attention& a, const at::Tensor& v_in) {
  const int64_t g = v_in.size(0), t = v_in.size(1), h = a.heads, d = a.head_dim, c = a.out.w.size(0);
  const at::Tensor v = a.v(v_in).view({g, t, h, d}).permute({0, 2, 1, 3});  // G×H×T×d
  return at::matmul(v, a.wout_heads).reshape({g, h * t, c});
}

// Softmax over rows of `cols` contiguous floats, in place, rows split over the threads: the
// vectorised kernels of softmax_rows.h (ATen's exp is scalar here, and slower still on the
// image-to-token attention's rows of T ≈ 7).
void softmaxRowsParallel(at::Tensor& t, int64_t cols) {
  float* p = t.data_ptr<float>();
  const int64_t rows = t.numel() / cols;
  if (cols <= 16) {
    at::parallel_for(0, rows, 4096, [&](int64_t begin, int64_t end) { softmaxShortRowsInPlace(p + begin * cols, end - begin, cols); });
  } else {
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) { softmaxRowsInPlace(p + begin * cols, end - begin, cols, cols); });
  }
}

// keys (G×N×C, contiguous) = norm(keys + residual + add) in place, with_pe = keys + pe: the end
// of a block's image side in one pass (row_layer_norm.h). residual and pe: N×C, the same for
// every prompt.
void normaliseImageTokens(const Norm& norm, at::Tensor& keys, const at::Tensor* residual, const at::Tensor& add, const at::Tensor& pe,
                          at::Tensor& with_pe) {
  RowLayerNormArgs args;
  args.width = keys.size(2);
  args.weight = norm.w.data_ptr<float>();
  args.bias = norm.b.data_ptr<float>();
  args.eps = float(kLayerNormEps);
  args.residual = residual ? residual->data_ptr<float>() : nullptr;
  args.add = add.data_ptr<float>();
  args.pe = pe.data_ptr<float>();
  args.period = keys.size(1);
  args.with_pe = with_pe.data_ptr<float>();
  float* x = keys.data_ptr<float>();
  const int64_t c = args.width;
  at::parallel_for(0, keys.size(0) * keys.size(1), 256, [&](int64_t begin, int64_t end) {
    RowLayerNormArgs part = args;
    part.with_pe = args.with_pe + begin * c;
    rowLayerNorm(x + begin * c, begin, end - begin, part);
  });
}

// Token-to-image attention of the first block, whose image side (keys = src, the same for every
// prompt) is projected once per image: k_heads, v_heads H×N×d. The reference's arithmetic, the
// 1/√d scale applied to the queries.
at::Tensor tokensToSharedImage(const Attention& a, const at::Tensor& q_in, const at::Tensor& k_heads, const at::Tensor& v_heads) {
  const int64_t g = q_in.size(0), t = q_in.size(1), h = a.heads, d = a.head_dim;
  const at::Tensor q = (a.q(q_in) / std::sqrt(double(d))).view({g, t, h, d}).permute({2, 0, 1, 3}).reshape({h, g * t, d});
  at::Tensor attn = at::bmm(q, k_heads.transpose(1, 2));  // H×(G·T)×N
  softmaxRowsParallel(attn, attn.size(2));
  const at::Tensor o = at::bmm(attn, v_heads).view({h, g, t, d}).permute({1, 2, 0, 3}).reshape({g, t, h * d});
  return a.out(o);
}

// Image-to-token attention of the first block, before out_proj's bias: image-side queries
// projected once per image (q_heads H×N×d), out_proj folded into the values (d). Written to
// `out` (G×N×C).
void sharedImageToTokens(const Attention& a, const at::Tensor& q_heads, const at::Tensor& k_in, const at::Tensor& v_in, at::Tensor& out) {
  const int64_t g = k_in.size(0), t = k_in.size(1), h = a.heads, d = a.head_dim, n = q_heads.size(1);
  const at::Tensor k = (a.k(k_in) / std::sqrt(double(d))).view({g, t, h, d}).permute({2, 3, 0, 1}).reshape({h, d, g * t});
  const at::Tensor logits = at::bmm(q_heads, k);  // H×N×(G·T)
  at::Tensor attn = logits.view({h, n, g, t}).permute({2, 1, 0, 3}).contiguous();  // G×N×H×T
  softmaxRowsParallel(attn, t);
  at::bmm_out(out, attn.view({g, n, h * t}), foldedValues(a, v_in));
}

// Image-to-token attention with per-prompt image tokens (x = keys + pe, G×N×C): (a) and (d),
// added to `keys` in place (out_proj's bias left to the norm that follows).
void addImageToTokens(const Attention& a, const at::Tensor& x, const at::Tensor& k_in, const at::Tensor& v_in, at::Tensor& keys) {
  const int64_t g = k_in.size(0), t = k_in.size(1), h = a.heads, d = a.head_dim, c = x.size(2);
  const double scale = 1.0 / std::sqrt(double(d));
  const at::Tensor k = a.k(k_in).view({g, t, h, d}).permute({0, 2, 1, 3});  // G×H×T×d
  const at::Tensor folded = (at::matmul(k, a.wq_heads) * scale).reshape({g, h * t, c});
  const at::Tensor bias = (at::matmul(k, a.q.b.view({h, d, 1})) * scale).view({g, 1, h * t});
  at::Tensor attn = at::baddbmm(bias, x, folded.transpose(1, 2));  // G×N×(H·T)
  softmaxRowsParallel(attn, t);
  keys.baddbmm_(attn, foldedValues(a, v_in));
}

// Token-to-image attention with per-prompt image tokens: keys x = keys + pe, values z = keys
// (G×N×C): (a), (b) and (c).
at::Tensor tokensToImage(const Attention& a, const at::Tensor& q_in, const at::Tensor& x, const at::Tensor& z) {
  const int64_t g = q_in.size(0), t = q_in.size(1), h = a.heads, d = a.head_dim, c = x.size(2);
  const at::Tensor q = a.q(q_in).view({g, t, h, d}).permute({0, 2, 1, 3});  // G×H×T×d
  const at::Tensor folded = (at::matmul(q, a.wk_heads) / std::sqrt(double(d))).reshape({g, h * t, c});
  at::Tensor attn = at::bmm(folded, x.transpose(1, 2));  // G×(H·T)×N
  softmaxRowsParallel(attn, attn.size(2));
  const at::Tensor mixed = at::bmm(attn, z).view({g, h, t, c});
  const at::Tensor o = at::matmul(mixed, a.wv_heads.transpose(1, 2)) + a.v.b.view({h, 1, d});  // G×H×T×d
  return a.out(o.permute({0, 2, 1, 3}).reshape({g, t, h * d}));
}

// Image tokens of one prompt are N×C floats (4 MB at SAM's size); a few prompts at a time keep
// them in cache between the steps of a block.
constexpr int64_t kPromptGroup = 4;

}  // namespace

struct SamMaskDecoder::Weights {
  at::Tensor iou_token, mask_tokens;
  std::vector<TwoWayBlock> blocks;
  Attention final_attn;
  Norm norm_final;
  at::Tensor up0_w, up0_b, up1_w, up1_b, up3_w, up3_b;
  at::Tensor up0_rows, up3_rows;  // the ConvTranspose weights as Cin × (ky kx Cout) GEMM operands
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
  w.up0_rows = w.up0_w.permute({0, 2, 3, 1}).reshape({dim, -1}).contiguous();
  w.up3_rows = w.up3_w.permute({0, 2, 3, 1}).reshape({dim / 4, -1}).contiguous();
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
    queries = b.selfAttention(queries, query_pe);
    at::Tensor q = queries + query_pe;
    at::Tensor k = keys + key_pe;
    queries = b.norm2(queries + b.token_to_image(q, k, keys));
    queries = b.mlp(queries);
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

struct SamMaskDecoder::SharedImage {
  at::Tensor src, pe;    // 1×N×C: embedding + dense prompt, positional encoding
  at::Tensor k0, v0;     // H×N×d: first block's token-to-image keys (of src + pe) and values
  at::Tensor q0;         // H×N×d: first block's image-to-token queries (of src + pe)
};

std::shared_ptr<const SamMaskDecoder::SharedImage> SamMaskDecoder::prepareImage(const at::Tensor& image_embedding, const at::Tensor& image_pe,
                                                                                 const at::Tensor& dense) const {
  const Weights& w = *w_;
  auto image = std::make_shared<SharedImage>();
  image->src = (image_embedding + dense).flatten(2).permute({0, 2, 1}).contiguous();
  image->pe = image_pe.flatten(2).permute({0, 2, 1}).contiguous();
  const at::Tensor src_pe = image->src + image->pe;
  const TwoWayBlock& b = w.blocks.front();
  auto heads = [](const Attention& a, const at::Tensor& x) {  // 1×N×(H·d) → H×N×d
    return x.view({x.size(1), a.heads, a.head_dim}).permute({1, 0, 2}).contiguous();
  };
  image->k0 = heads(b.token_to_image, b.token_to_image.k(src_pe));
  image->v0 = heads(b.token_to_image, b.token_to_image.v(image->src));
  image->q0 = heads(b.image_to_token, b.image_to_token.q(src_pe));
  return image;
}

void SamMaskDecoder::runShared(const SharedImage& image, const at::Tensor& sparse, at::Tensor& iou, at::Tensor& mask_tokens,
                               at::Tensor& keys_out) const {
  const Weights& w = *w_;
  const int64_t batch = sparse.size(0), n = image.src.size(1), c = w.dim, m = w.mask_tokens.size(0);
  const at::Tensor output_tokens = at::cat({w.iou_token, w.mask_tokens}, 0).unsqueeze(0).expand({batch, -1, -1});
  const at::Tensor tokens = at::cat({output_tokens, sparse}, 1);
  iou = at::empty({batch, m}, at::kFloat);
  mask_tokens = at::empty({batch, m, c}, at::kFloat);
  // keys_out is 4 MB per prompt: the previous batch's buffer is reused when the caller passes it
  // back, since fresh pages of that size cost more to fault in here than the GEMM that fills them.
  if (!keys_out.defined() || keys_out.sizes() != at::IntArrayRef{batch, n, c} || !keys_out.is_contiguous() ||
      keys_out.storage().use_count() > 1) {
    keys_out = at::empty({batch, n, c}, at::kFloat);
  }
  at::Tensor with_pe_buffer = at::empty({std::min(kPromptGroup, batch), n, c}, at::kFloat);
  for (int64_t start = 0; start < batch; start += kPromptGroup) {
    const int64_t g = std::min(kPromptGroup, batch - start);
    const at::Tensor query_pe = tokens.narrow(0, start, g);
    at::Tensor queries = query_pe;
    // The image tokens, G×N×C, written in place into keys_out once the first block has mixed the
    // prompts into them, and keys + pe beside them.
    at::Tensor keys = keys_out.narrow(0, start, g);
    at::Tensor x = with_pe_buffer.narrow(0, 0, g);
    for (size_t i = 0; i < w.blocks.size(); ++i) {
      const TwoWayBlock& b = w.blocks[i];
      queries = b.selfAttention(queries, query_pe);
      if (i == 0) {  // keys are still src, the same for every prompt
        queries = b.norm2(queries + tokensToSharedImage(b.token_to_image, queries + query_pe, image.k0, image.v0));
        queries = b.mlp(queries);
        sharedImageToTokens(b.image_to_token, image.q0, queries + query_pe, queries, keys);
        normaliseImageTokens(b.norm4, keys, &image.src, b.image_to_token.out.b, image.pe, x);
      } else {  // x = keys + pe, unchanged until the norm below
        queries = b.norm2(queries + tokensToImage(b.token_to_image, queries + query_pe, x, keys));
        queries = b.mlp(queries);
        addImageToTokens(b.image_to_token, x, queries + query_pe, queries, keys);
        normaliseImageTokens(b.norm4, keys, nullptr, b.image_to_token.out.b, image.pe, x);
      }
    }
    // Final token-to-image attention: each query row is its own softmax, so only the rows used
    // afterwards (the IoU token and the mask tokens) are computed, not the prompt tokens'.
    const at::Tensor head = queries.narrow(1, 0, 1 + m);
    const at::Tensor final_queries = w.norm_final(head + tokensToImage(w.final_attn, head + query_pe.narrow(1, 0, 1 + m), x, keys));
    iou.narrow(0, start, g).copy_(w.iou_head(final_queries.select(1, 0)));
    mask_tokens.narrow(0, start, g).copy_(final_queries.narrow(1, 1, m));
  }
}

at::Tensor SamMaskDecoder::promptMaskLogits(const at::Tensor& keys, const at::Tensor& mask_tokens, int first, int count) const {
  const Weights& w = *w_;
  const int64_t n = keys.size(0), grid = int64_t(std::lround(std::sqrt(double(n))));
  const int64_t c1 = w.up0_b.size(0), c2 = w.up3_b.size(0);
  // ConvTranspose2d(k=2, s=2): pixel (y, x) writes output pixels (2y+ky, 2x+kx) = one GEMM row of
  // (ky, kx, channel) columns. The reorder to (y, ky, x, kx) rows (the upscaled image, channels
  // last), LayerNorm2d (over channels) and GELU are one pass (sam_upscaling.h); so are the second
  // GELU, the hypernetwork product and the reorder into mask planes.
  const at::Tensor up0 = at::addmm(w.up0_b.repeat({4}), keys, w.up0_rows);  // (y x) × (ky kx c1)
  at::Tensor up = at::empty({4 * n, c1}, at::kFloat);
  at::parallel_for(0, grid, 1, [&](int64_t begin, int64_t end) {
    upscaledNormGelu(up0.data_ptr<float>(), grid, c1, w.up1_w.data_ptr<float>(), w.up1_b.data_ptr<float>(), 1e-6f, up.data_ptr<float>(), begin, end);
  });
  const at::Tensor up3 = at::addmm(w.up3_b.repeat({4}), up, w.up3_rows);  // (Y X) × (ky kx c2)
  std::vector<at::Tensor> hyper;
  for (int i = first; i < first + count; ++i) hyper.push_back(w.hypernetworks[size_t(i)](mask_tokens[i].unsqueeze(0)));
  const at::Tensor hyper_in = at::cat(hyper, 0).contiguous();  // count × c2
  const int64_t side = 2 * grid;
  at::Tensor masks = at::empty({count, 2 * side, 2 * side}, at::kFloat);
  at::parallel_for(0, side, 1, [&](int64_t begin, int64_t end) {
    upscaledMasks(up3.data_ptr<float>(), side, c2, hyper_in.data_ptr<float>(), count, masks.data_ptr<float>(), begin, end);
  });
  return masks;
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
