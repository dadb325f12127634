#include "core/nets/vit_block.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/nets/softmax_rows.h"
#include "core/nets/state_dict.h"
#include "core/nets/torch_settings.h"

namespace regionlab::nets {
namespace {

// A linear layer ready for at::addmm(bias, x, weight_t): the weight as a transposed view of a
// contiguous (out × in) matrix, which is how torch.nn.Linear hands it to the BLAS.
struct Linear {
  at::Tensor weight_t;
  at::Tensor bias;
};

struct Float64Linear {
  at::Tensor weight;  // out × in
  at::Tensor bias;    // out
};

Float64Linear readLinear(const StateDict& w, const std::string& name) {
  return {w.tensor(name + ".weight").to(at::kDouble), w.tensor(name + ".bias").to(at::kDouble)};
}

// W·(γ ⊙ x̂ + β) + b = (W·diag γ)·x̂ + (W·β + b): a LayerNorm's affine part moved into the linear
// layer that reads the norm.
void foldNormInto(Float64Linear& l, const StateDict& w, const std::string& norm) {
  const at::Tensor gamma = w.tensor(norm + ".weight").to(at::kDouble);
  const at::Tensor beta = w.tensor(norm + ".bias").to(at::kDouble);
  l.bias = l.bias + at::mv(l.weight, beta);
  l.weight = l.weight * gamma.unsqueeze(0);
}

// γ ⊙ (W·x + b): a LayerScale (or the attention scale on q's rows) moved into the layer's rows.
void scaleRows(Float64Linear& l, const at::Tensor& gamma, int64_t first_row = 0) {
  const int64_t n = gamma.size(0);
  l.weight.narrow(0, first_row, n).mul_(gamma.unsqueeze(1));
  l.bias.narrow(0, first_row, n).mul_(gamma);
}

Linear finish(const Float64Linear& l, at::ScalarType type, at::Device device) {
  return {l.weight.to(device, type).contiguous().t(), l.bias.to(device, type).contiguous()};
}

}  // namespace

struct ViTBlock::Impl {
  ViTBlockShape shape;
  at::ScalarType compute = at::kFloat;
  bool cuda = false;
  Linear qkv, proj, ffn_in, ffn_out;  // ffn_in: fc1 or w12; ffn_out: fc2 or w3

  // LayerNorm without affine (folded away), in the GEMM precision.
  at::Tensor normalized(const at::Tensor& x) const {
    at::Tensor y = at::layer_norm(x, {shape.dim}, c10::nullopt, c10::nullopt, shape.layer_norm_eps);
    return y.scalar_type() == compute ? y : y.to(compute);
  }

  // x += a·Wᵀ + b, with the GEMM accumulating into x when the precisions agree.
  static void addProjected(at::Tensor& x, const at::Tensor& a, const Linear& l) {
    if (x.scalar_type() == a.scalar_type()) {
      x.add_(l.bias).addmm_(a, l.weight_t);
    } else {
      x.add_(at::addmm(l.bias, a, l.weight_t));
    }
  }

  static void softmaxInPlace(at::Tensor& s) {  // rows of a contiguous block
    if (s.scalar_type() == at::kFloat) {
      softmaxRowsInPlace(s.data_ptr<float>(), s.size(0), s.size(1), s.size(1));
    } else if (s.scalar_type() == at::kBFloat16) {
      softmaxRowsInPlace(reinterpret_cast<uint16_t*>(s.data_ptr<at::BFloat16>()), s.size(0), s.size(1), s.size(1));
    } else {
      at::_softmax_out(s, s, 1, false);
    }
  }

  // qkv: (batch·T) × 3·dim with q already scaled; returns (batch·T) × dim, heads side by side.
  at::Tensor attend(const at::Tensor& qkv, int batch) const {
    const int64_t dim = shape.dim, heads = shape.heads, head_dim = dim / heads;
    const int64_t tokens = qkv.size(0) / batch;
    if (cuda) {  // one batched GEMM per step suits the GPU
      const at::Tensor t = qkv.view({batch, tokens, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
      const at::Tensor scores = at::matmul(t[0], t[1].transpose(-2, -1)).softmax(-1);
      return at::matmul(scores, t[2]).transpose(1, 2).reshape({batch * tokens, dim});
    }
    at::Tensor out = at::empty({batch * tokens, dim}, qkv.options());
    // Rows of q per step: float32 scores are kept to ~1 MB so they stay in a core's L2 from the
    // GEMM through the softmax to the second GEMM; bf16 GEMMs (oneDNN) prefer whole heads, capped
    // at 16 MB however long the sequence.
    const int64_t budget = qkv.scalar_type() == at::kFloat ? int64_t(1) << 20 : int64_t(16) << 20;
    const int64_t rows = std::clamp<int64_t>(budget / (tokens * int64_t(qkv.element_size())), 1, tokens);
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      at::Tensor scores = at::empty({rows, tokens}, qkv.options());
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / heads, h = i % heads;
        const at::Tensor seq = qkv.narrow(0, b * tokens, tokens);
        const at::Tensor q = seq.narrow(1, h * head_dim, head_dim);
        const at::Tensor k_t = seq.narrow(1, dim + h * head_dim, head_dim).t();
        const at::Tensor v = seq.narrow(1, 2 * dim + h * head_dim, head_dim);
        const at::Tensor o = out.narrow(0, b * tokens, tokens).narrow(1, h * head_dim, head_dim);
        for (int64_t r = 0; r < tokens; r += rows) {
          const int64_t n = std::min(rows, tokens - r);
          at::Tensor s = scores.narrow(0, 0, n);
          at::mm_out(s, q.narrow(0, r, n), k_t);
          softmaxInPlace(s);
          at::Tensor o_rows = o.narrow(0, r, n);
          at::mm_out(o_rows, s, v);
        }
      }
    });
    return out;
  }
};

void ViTBlock::checkWeights(const StateDict& w, const ViTBlockShape& shape) {
  const int64_t dim = shape.dim, hidden = shape.ffn_hidden;
  if (shape.heads <= 0 || dim % shape.heads != 0) {
    w.fail("embedding width " + std::to_string(dim) + " is not divisible into " + std::to_string(shape.heads) + " heads");
  }
  const bool mlp = shape.ffn == FeedForwardKind::Mlp;
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"norm1.weight", {dim}},
      {"norm1.bias", {dim}},
      {"attn.qkv.weight", {3 * dim, dim}},
      {"attn.qkv.bias", {3 * dim}},
      {"attn.proj.weight", {dim, dim}},
      {"attn.proj.bias", {dim}},
      {"norm2.weight", {dim}},
      {"norm2.bias", {dim}},
      {mlp ? "mlp.fc1.weight" : "mlp.w12.weight", {mlp ? hidden : 2 * hidden, dim}},
      {mlp ? "mlp.fc1.bias" : "mlp.w12.bias", {mlp ? hidden : 2 * hidden}},
      {mlp ? "mlp.fc2.weight" : "mlp.w3.weight", {dim, hidden}},
      {mlp ? "mlp.fc2.bias" : "mlp.w3.bias", {dim}},
  };
  for (const auto& [key, sizes] : expected) w.tensor(key, sizes);
  if (shape.layer_scale) {
    w.tensor("ls1.gamma", {dim});
    w.tensor("ls2.gamma", {dim});
  }
}

ViTBlock::ViTBlock(const StateDict& w, const ViTBlockShape& shape, const InferenceSettings& settings) : impl_(std::make_unique<Impl>()) {
  checkWeights(w, shape);
  Impl& m = *impl_;
  m.shape = shape;
  m.compute = computeScalarType(settings.precision);
  m.cuda = settings.device == ComputeDevice::Cuda;
  const at::Device device = m.cuda ? at::Device(at::kCUDA) : at::Device(at::kCPU);
  const int64_t dim = shape.dim;
  auto layerScale = [&](const char* name) {
    return shape.layer_scale ? w.tensor(std::string(name) + ".gamma").to(at::kDouble) : at::ones({dim}, at::kDouble);
  };

  Float64Linear qkv = readLinear(w, "attn.qkv");
  foldNormInto(qkv, w, "norm1");
  scaleRows(qkv, at::full({dim}, 1.0 / std::sqrt(double(dim / shape.heads)), at::kDouble));  // q · head_dim^-0.5
  Float64Linear proj = readLinear(w, "attn.proj");
  scaleRows(proj, layerScale("ls1"));

  const bool mlp = shape.ffn == FeedForwardKind::Mlp;
  Float64Linear in = readLinear(w, mlp ? "mlp.fc1" : "mlp.w12");
  foldNormInto(in, w, "norm2");
  Float64Linear out = readLinear(w, mlp ? "mlp.fc2" : "mlp.w3");
  scaleRows(out, layerScale("ls2"));

  m.qkv = finish(qkv, m.compute, device);
  m.proj = finish(proj, m.compute, device);
  m.ffn_in = finish(in, m.compute, device);
  m.ffn_out = finish(out, m.compute, device);
}

ViTBlock::~ViTBlock() = default;
ViTBlock::ViTBlock(ViTBlock&&) noexcept = default;
ViTBlock& ViTBlock::operator=(ViTBlock&&) noexcept = default;

void ViTBlock::forward(at::Tensor& x, int batch) const {
  const Impl& m = *impl_;
  const at::Tensor qkv = at::addmm(m.qkv.bias, m.normalized(x), m.qkv.weight_t);
  Impl::addProjected(x, m.attend(qkv, batch), m.proj);

  at::Tensor hidden = at::addmm(m.ffn_in.bias, m.normalized(x), m.ffn_in.weight_t);
  if (m.shape.ffn == FeedForwardKind::Mlp) {
    at::gelu_(hidden);  // exact (erf) GELU, as torch.nn.GELU()
  } else {
    const int64_t h = m.shape.ffn_hidden;
    hidden = at::silu(hidden.narrow(1, 0, h)).mul_(hidden.narrow(1, h, h));
  }
  Impl::addProjected(x, hidden, m.ffn_out);
}

}  // namespace regionlab::nets
