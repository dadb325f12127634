#include "core/nets/sam_prompt_encoder.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/nets/sam_layers.h"
#include "core/nets/state_dict.h"

namespace regionlab::nets {

struct SamPromptEncoder::Weights {
  at::Tensor gaussian;  // 2 × C/2
  at::Tensor point_embeddings[4];
  at::Tensor not_a_point, no_mask;
  at::Tensor down0_w, down0_b, ln1_w, ln1_b, down3_w, down3_b, ln4_w, ln4_b, down6_w, down6_b;
  at::Tensor image_pe;
  int dim = 0, grid = 0, input_size = 0;

  // PositionEmbeddingRandom._pe_encoding: coords in [0, 1] → [sin, cos] of 2π(2c − 1)·G.
  at::Tensor encode(const at::Tensor& coords) const {
    at::Tensor c = 2 * coords - 1;
    c = at::matmul(c, gaussian);
    c = 2 * M_PI * c;
    return at::cat({at::sin(c), at::cos(c)}, -1);
  }
};

SamPromptEncoder::SamPromptEncoder(const StateDict& s, int grid, int input_size) : w_(std::make_unique<Weights>()) {
  Weights& w = *w_;
  w.gaussian = s.tensor("pe_layer.positional_encoding_gaussian_matrix", {2, -1});
  w.dim = int(w.gaussian.size(1) * 2);
  for (int i = 0; i < 4; ++i) w.point_embeddings[i] = s.tensor("point_embeddings." + std::to_string(i) + ".weight", {1, w.dim});
  w.not_a_point = s.tensor("not_a_point_embed.weight", {1, w.dim});
  w.no_mask = s.tensor("no_mask_embed.weight", {1, w.dim});
  w.down0_w = s.tensor("mask_downscaling.0.weight", {-1, 1, 2, 2});
  const int64_t quarter = w.down0_w.size(0);
  w.down0_b = s.tensor("mask_downscaling.0.bias", {quarter});
  w.ln1_w = s.tensor("mask_downscaling.1.weight", {quarter});
  w.ln1_b = s.tensor("mask_downscaling.1.bias", {quarter});
  w.down3_w = s.tensor("mask_downscaling.3.weight", {-1, quarter, 2, 2});
  const int64_t chans = w.down3_w.size(0);
  w.down3_b = s.tensor("mask_downscaling.3.bias", {chans});
  w.ln4_w = s.tensor("mask_downscaling.4.weight", {chans});
  w.ln4_b = s.tensor("mask_downscaling.4.bias", {chans});
  w.down6_w = s.tensor("mask_downscaling.6.weight", {w.dim, chans, 1, 1});
  w.down6_b = s.tensor("mask_downscaling.6.bias", {w.dim});
  w.grid = grid;
  w.input_size = input_size;
  // PositionEmbeddingRandom.forward((64, 64)): cumsum − 0.5 over a grid of ones, divided by size.
  const at::Tensor centres = (at::arange(grid, at::kFloat) + 0.5f) / float(grid);
  const at::Tensor y = centres.view({grid, 1}).expand({grid, grid});
  const at::Tensor x = centres.view({1, grid}).expand({grid, grid});
  w.image_pe = w.encode(at::stack({x, y}, -1)).permute({2, 0, 1}).unsqueeze(0).contiguous();
}

SamPromptEncoder::~SamPromptEncoder() = default;

const at::Tensor& SamPromptEncoder::denseImagePe() const { return w_->image_pe; }
int SamPromptEncoder::dim() const { return w_->dim; }

void SamPromptEncoder::forward(const at::Tensor* points, const at::Tensor* labels, const at::Tensor* boxes, const at::Tensor* masks,
                               at::Tensor& sparse, at::Tensor& dense) const {
  const Weights& w = *w_;
  const int64_t batch = points ? points->size(0) : boxes ? boxes->size(0) : masks ? masks->size(0) : 1;
  std::vector<at::Tensor> parts;
  if (points) {
    at::Tensor p = *points + 0.5;
    at::Tensor l = labels->to(at::kFloat);
    if (!boxes) {
      p = at::cat({p, at::zeros({batch, 1, 2}, p.options())}, 1);
      l = at::cat({l, -at::ones({batch, 1}, l.options())}, 1);
    }
    at::Tensor e = w.encode(p / double(w.input_size));
    const at::Tensor pad = (l == -1).unsqueeze(-1);
    e = at::where(pad, at::zeros_like(e), e);
    e = e + pad.to(at::kFloat) * w.not_a_point;
    e = e + (l == 0).unsqueeze(-1).to(at::kFloat) * w.point_embeddings[0];
    e = e + (l == 1).unsqueeze(-1).to(at::kFloat) * w.point_embeddings[1];
    parts.push_back(e);
  }
  if (boxes) {
    const at::Tensor corners = (*boxes + 0.5).reshape({-1, 2, 2});
    at::Tensor e = w.encode(corners / double(w.input_size));
    e = e + at::stack({w.point_embeddings[2][0], w.point_embeddings[3][0]}, 0).unsqueeze(0);
    parts.push_back(e);
  }
  sparse = parts.empty() ? at::empty({batch, 0, w.dim}) : at::cat(parts, 1);
  if (masks) {
    at::Tensor m = at::conv2d(*masks, w.down0_w, w.down0_b, {2, 2});
    m = at::gelu(layerNorm2d(m, w.ln1_w, w.ln1_b));
    m = at::conv2d(m, w.down3_w, w.down3_b, {2, 2});
    m = at::gelu(layerNorm2d(m, w.ln4_w, w.ln4_b));
    dense = at::conv2d(m, w.down6_w, w.down6_b);
  } else {
    dense = w.no_mask.view({1, -1, 1, 1}).expand({1, w.dim, w.grid, w.grid});
  }
}

}  // namespace regionlab::nets
