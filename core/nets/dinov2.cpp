#include "core/nets/dinov2.h"

#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "core/nets/dinov2_presets.h"
#include "core/nets/pickle_tree.h"
#include "core/nets/state_dict.h"
#include "core/nets/torch_settings.h"

namespace regionlab::nets {

std::string DinoV2Architecture::summary() const {
  return "dim " + std::to_string(embed_dim) + ", depth " + std::to_string(depth) + ", " + std::to_string(num_heads) + " heads, " +
         std::to_string(num_registers) + " registers, " + (ffn == FeedForwardKind::Mlp ? "MLP " : "SwiGLU ") + std::to_string(ffn_hidden) +
         ", patch " + std::to_string(patch_size);
}

DinoV2Architecture inferDinoV2Architecture(const StateDict& w, int num_heads, double interpolate_offset, bool interpolate_antialias) {
  DinoV2Architecture a;
  const std::vector<int64_t> cls = w.shape("cls_token");
  if (cls.size() != 3 || cls[0] != 1 || cls[1] != 1) w.fail("cls_token has shape " + shapeString(cls) + ", expected [1, 1, D]");
  a.embed_dim = int(cls[2]);
  const int64_t d = a.embed_dim;
  const std::vector<int64_t> patch = w.tensor("patch_embed.proj.weight", {d, 3, -1, -1}).sizes().vec();
  if (patch[2] != patch[3]) w.fail("patch_embed.proj.weight has shape " + shapeString(patch) + ": patches must be square");
  a.patch_size = int(patch[2]);
  const int64_t positions = w.tensor("pos_embed", {1, -1, d}).size(1) - 1;
  a.pos_grid = int(std::lround(std::sqrt(double(positions))));
  if (int64_t(a.pos_grid) * a.pos_grid != positions) w.fail("pos_embed holds " + std::to_string(positions) + " patch positions, not a square grid");
  a.num_registers = w.contains("register_tokens") ? int(w.tensor("register_tokens", {1, -1, d}).size(1)) : 0;
  a.depth = w.countIndexed("blocks.");
  if (a.depth == 0) w.fail("no transformer blocks (keys 'blocks.0.…'); chunked checkpoints (block_chunks > 0) are not supported");
  if (w.contains("blocks.0.mlp.w12.weight")) {
    a.ffn = FeedForwardKind::SwiGlu;
    a.ffn_hidden = int(w.tensor("blocks.0.mlp.w12.weight", {-1, d}).size(0) / 2);
  } else {
    a.ffn = FeedForwardKind::Mlp;
    a.ffn_hidden = int(w.tensor("blocks.0.mlp.fc1.weight", {-1, d}).size(0));
  }
  a.layer_scale = w.contains("blocks.0.ls1.gamma");
  a.num_heads = num_heads;
  a.interpolate_offset = interpolate_offset;
  a.interpolate_antialias = interpolate_antialias;
  return a;
}

DinoV2Architecture inferDinoV2Architecture(const StateDict& weights, const DinoV2Preset& preset) {
  return inferDinoV2Architecture(weights, preset.num_heads, preset.interpolate_offset, preset.interpolate_antialias);
}

void checkDinoV2Weights(const StateDict& w, const DinoV2Architecture& a) {
  const int64_t d = a.embed_dim, p = a.patch_size, grid = a.pos_grid;
  w.tensor("cls_token", {1, 1, d});
  w.tensor("pos_embed", {1, 1 + grid * grid, d});
  if (a.num_registers > 0) w.tensor("register_tokens", {1, a.num_registers, d});
  w.tensor("patch_embed.proj.weight", {d, 3, p, p});
  w.tensor("patch_embed.proj.bias", {d});
  w.tensor("norm.weight", {d});
  w.tensor("norm.bias", {d});
  const ViTBlockShape shape{a.embed_dim, a.num_heads, a.ffn, a.ffn_hidden, a.layer_scale, a.layer_norm_eps};
  for (int i = 0; i < a.depth; ++i) ViTBlock::checkWeights(w.scope("blocks." + std::to_string(i) + "."), shape);
}

struct DinoV2::Impl {
  DinoV2Architecture arch;
  InferenceSettings settings;
  at::ScalarType compute = at::kFloat;
  at::Device device = at::kCPU;
  at::Tensor cls_token;        // D, float32
  at::Tensor pos_embed;        // (1 + grid²) × D, float32
  at::Tensor register_tokens;  // R × D, float32
  at::Tensor patch_weight_t;   // (3·p·p) × D view, compute type
  at::Tensor patch_bias;
  at::Tensor norm_weight, norm_bias;  // float32
  std::vector<ViTBlock> blocks;

  // interpolate_pos_encoding of the reference: the grid-sized table is used as is; otherwise
  // bicubic interpolation in float32 with the preset's convention. CLS keeps its own vector.
  at::Tensor positions(int64_t h, int64_t w) const {
    const int64_t grid = arch.pos_grid, dim = arch.embed_dim;
    if (h == grid && w == grid) return pos_embed;
    const at::Tensor table = pos_embed.narrow(0, 1, grid * grid).reshape({1, grid, grid, dim}).permute({0, 3, 1, 2});
    c10::optional<double> scale_h, scale_w;
    if (arch.interpolate_offset != 0) {
      scale_h = (double(h) + arch.interpolate_offset) / double(grid);
      scale_w = (double(w) + arch.interpolate_offset) / double(grid);
    }
    const at::Tensor resized = arch.interpolate_antialias ? at::_upsample_bicubic2d_aa(table, {h, w}, false, scale_h, scale_w)
                                                          : at::upsample_bicubic2d(table, {h, w}, false, scale_h, scale_w);
    return at::cat({pos_embed.narrow(0, 0, 1), resized.permute({0, 2, 3, 1}).reshape({h * w, dim})}, 0);
  }
};

DinoV2::DinoV2(const StateDict& w, const DinoV2Architecture& arch, const InferenceSettings& settings) : impl_(std::make_unique<Impl>()) {
  checkDinoV2Weights(w, arch);
  Impl& m = *impl_;
  m.arch = arch;
  m.settings = settings;
  m.compute = computeScalarType(settings.precision);
  m.device = computeDevice(settings.device);
  const int64_t d = arch.embed_dim, p = arch.patch_size, grid = arch.pos_grid;
  auto fp32 = [&](const at::Tensor& t, std::vector<int64_t> shape) { return t.to(m.device, at::kFloat).reshape(shape).contiguous(); };

  m.cls_token = fp32(w.tensor("cls_token"), {d});
  m.pos_embed = fp32(w.tensor("pos_embed"), {1 + grid * grid, d});
  if (arch.num_registers > 0) m.register_tokens = fp32(w.tensor("register_tokens"), {arch.num_registers, d});
  // The stride-p convolution of PatchEmbed is a linear map of each p×p×3 patch.
  m.patch_weight_t = w.tensor("patch_embed.proj.weight").reshape({d, 3 * p * p}).to(m.device, m.compute).contiguous().t();
  m.patch_bias = w.tensor("patch_embed.proj.bias").to(m.device, m.compute).contiguous();
  m.norm_weight = fp32(w.tensor("norm.weight"), {d});
  m.norm_bias = fp32(w.tensor("norm.bias"), {d});

  const ViTBlockShape shape{arch.embed_dim, arch.num_heads, arch.ffn, arch.ffn_hidden, arch.layer_scale, arch.layer_norm_eps};
  m.blocks.reserve(size_t(arch.depth));
  w.releaseMappedPages();  // what was copied so far; each block's pages go once it is built
  for (int i = 0; i < arch.depth; ++i) {
    const StateDict block = w.scope("blocks." + std::to_string(i) + ".");
    m.blocks.emplace_back(block, shape, settings);
    block.releaseMappedPages();
  }
}

DinoV2::~DinoV2() = default;

const DinoV2Architecture& DinoV2::architecture() const { return impl_->arch; }
const InferenceSettings& DinoV2::settings() const { return impl_->settings; }

at::Tensor DinoV2::embed(const at::Tensor& image) const {
  const Impl& m = *impl_;
  const int64_t p = m.arch.patch_size, d = m.arch.embed_dim, r = m.arch.num_registers;
  TORCH_CHECK(image.dim() == 4 && image.size(1) == 3, "DinoV2::embed: expected a B×3×H×W image, got ", image.sizes());
  TORCH_CHECK(image.size(2) % p == 0 && image.size(3) % p == 0, "DinoV2::embed: H and W must be multiples of ", p, ", got ", image.sizes());
  c10::InferenceMode inference;
  applyInferenceThreads(m.settings);
  const int64_t batch = image.size(0), h = image.size(2) / p, w = image.size(3) / p;
  const at::Tensor patches = image.to(m.device, m.compute)
                                 .contiguous()
                                 .view({batch, 3, h, p, w, p})
                                 .permute({0, 2, 4, 1, 3, 5})
                                 .reshape({batch * h * w, 3 * p * p});
  const at::Tensor embedded = at::addmm(m.patch_bias, patches, m.patch_weight_t).to(at::kFloat).view({batch, h * w, d});
  const at::Tensor pos = m.positions(h, w);

  at::Tensor x = at::empty({batch, 1 + r + h * w, d}, pos.options());
  x.select(1, 0).copy_((m.cls_token + pos[0]).expand({batch, d}));
  if (r > 0) x.narrow(1, 1, r).copy_(m.register_tokens.expand({batch, r, d}));
  at::Tensor patch_tokens = x.narrow(1, 1 + r, h * w);
  at::add_out(patch_tokens, embedded, pos.narrow(0, 1, h * w));
  return x;
}

at::Tensor DinoV2::runBlocks(const at::Tensor& tokens, int begin, int end) const {
  const Impl& m = *impl_;
  TORCH_CHECK(tokens.dim() == 3 && tokens.size(2) == m.arch.embed_dim, "DinoV2::runBlocks: expected B×T×", m.arch.embed_dim, " tokens");
  TORCH_CHECK(0 <= begin && begin <= end && end <= m.arch.depth, "DinoV2::runBlocks: blocks [", begin, ", ", end, ") out of range");
  c10::InferenceMode inference;
  applyInferenceThreads(m.settings);
  const int batch = int(tokens.size(0));
  at::Tensor x = tokens.to(m.device, at::kFloat).reshape({-1, m.arch.embed_dim}).clone(at::MemoryFormat::Contiguous);
  for (int i = begin; i < end; ++i) m.blocks[size_t(i)].forward(x, batch);
  return x.view(tokens.sizes());
}

at::Tensor DinoV2::finalNorm(const at::Tensor& tokens) const {
  const Impl& m = *impl_;
  c10::InferenceMode inference;
  return at::layer_norm(tokens.to(m.device, at::kFloat), {m.arch.embed_dim}, m.norm_weight, m.norm_bias, m.arch.layer_norm_eps);
}

at::Tensor DinoV2::forward(const at::Tensor& image) const { return finalNorm(runBlocks(embed(image), 0, impl_->arch.depth)); }

}  // namespace regionlab::nets
