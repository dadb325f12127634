#include "core/nets/sam_amg_decoder.h"

#include <chrono>
#include <cmath>
#include <map>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "core/nets/sam_mask_decoder.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/sam_prompt_encoder.h"

namespace regionlab::nets {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kUpscaleChunk = 16;  // masks upscaled to 1024² at once (4 MB each)

cv::Mat toMat(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return cv::Mat(int(c.size(0)), int(c.size(1)), CV_32F, const_cast<float*>(c.data_ptr<float>())).clone();
}

}  // namespace

struct SamAmgDecoder::State {
  const SamModel* model = nullptr;
  SamEmbedding embedding;
  at::Tensor image;                 // 1×C×64×64 view of embedding.values
  at::Tensor iou, tokens, keys;     // of the last batch
  double encoder_seconds = 0, decoder_seconds = 0;

  // Sam.postprocess_masks for N×1×256×256 low-res logits → crop-resolution CV_32F maps.
  std::vector<cv::Mat> postprocess(const at::Tensor& low) const {
    std::vector<cv::Mat> out;
    for (int64_t start = 0; start < low.size(0); start += kUpscaleChunk) {
      const int64_t len = std::min(kUpscaleChunk, low.size(0) - start);
      at::Tensor up = at::upsample_bilinear2d(low.narrow(0, start, len), {kSamInputSize, kSamInputSize}, false);
      up = up.slice(2, 0, embedding.input_size.height).slice(3, 0, embedding.input_size.width);
      up = at::upsample_bilinear2d(up, {embedding.original_size.height, embedding.original_size.width}, false);
      for (int64_t i = 0; i < len; ++i) out.push_back(toMat(up[i][0]));
    }
    return out;
  }

  // Low-res logits (N×1×256×256) of the chosen (point, mask) pairs of the last batch.
  at::Tensor lowRes(const std::vector<int>& indices) const {
    std::map<int, int64_t> row_of_point;
    for (int index : indices) row_of_point.emplace(index / 3, 0);
    std::vector<int64_t> rows;
    for (auto& [point, row] : row_of_point) {
      row = int64_t(rows.size());
      rows.push_back(point);
    }
    const at::Tensor sel = at::tensor(rows, at::kLong);
    const at::Tensor masks = model->maskDecoder().maskLogits(keys.index_select(0, sel), tokens.index_select(0, sel), 1, 3);
    std::vector<at::Tensor> picked;
    for (int index : indices) picked.push_back(masks[row_of_point.at(index / 3)][index % 3]);
    return at::stack(picked).unsqueeze(1);
  }
};

SamAmgDecoder::SamAmgDecoder(const SamModel& model) : state_(std::make_unique<State>()) { state_->model = &model; }
SamAmgDecoder::~SamAmgDecoder() = default;

double SamAmgDecoder::encoderSeconds() const { return state_->encoder_seconds; }
double SamAmgDecoder::decoderSeconds() const { return state_->decoder_seconds; }

void SamAmgDecoder::setImage(const cv::Mat& rgb) {
  const auto t = Clock::now();
  setEmbedding(state_->model->encode(rgb));
  state_->encoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
}

void SamAmgDecoder::setEmbedding(SamEmbedding embedding) {
  State& s = *state_;
  s.embedding = std::move(embedding);
  s.image = at::from_blob(s.embedding.values.data(), {1, s.embedding.channels, s.embedding.grid, s.embedding.grid}, at::kFloat);
  s.iou = s.tokens = s.keys = at::Tensor();
}

std::vector<float> SamAmgDecoder::decodeBatch(const std::vector<cv::Point2d>& points) {
  const auto t = Clock::now();
  c10::InferenceMode guard;
  State& s = *state_;
  const int64_t n = int64_t(points.size());
  // ResizeLongestSide.apply_coords in float64, then the float32 tensor the predictor builds.
  const double sx = double(s.embedding.input_size.width) / s.embedding.original_size.width;
  const double sy = double(s.embedding.input_size.height) / s.embedding.original_size.height;
  at::Tensor coords = at::empty({n, 1, 2}, at::kFloat);
  float* c = coords.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    c[i * 2] = float(points[size_t(i)].x * sx);
    c[i * 2 + 1] = float(points[size_t(i)].y * sy);
  }
  const at::Tensor labels = at::ones({n, 1}, at::kFloat);
  at::Tensor sparse, dense;
  s.model->promptEncoder().forward(&coords, &labels, nullptr, nullptr, sparse, dense);
  at::Tensor iou;
  s.model->maskDecoder().runTransformer(s.image, s.model->promptEncoder().denseImagePe(), sparse, dense, iou, s.tokens, s.keys);
  s.iou = iou.narrow(1, 1, 3).contiguous();  // multimask outputs 1..3
  std::vector<float> out(s.iou.data_ptr<float>(), s.iou.data_ptr<float>() + s.iou.numel());
  s.decoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::maskLogits(const std::vector<int>& indices) {
  if (indices.empty()) return {};
  const auto t = Clock::now();
  c10::InferenceMode guard;
  std::vector<cv::Mat> out = state_->postprocess(state_->lowRes(indices));
  state_->decoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::lowResLogits(const std::vector<int>& indices, cv::Size* valid) {
  const State& s = *state_;
  if (valid) {
    *valid = {int(std::ceil(s.embedding.input_size.width / 4.0)), int(std::ceil(s.embedding.input_size.height / 4.0))};
  }
  if (indices.empty()) return {};
  const auto t = Clock::now();
  c10::InferenceMode guard;
  const at::Tensor low = state_->lowRes(indices);
  std::vector<cv::Mat> out;
  for (int64_t i = 0; i < low.size(0); ++i) out.push_back(toMat(low[i][0]));
  state_->decoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::upscaleLowRes(const std::vector<cv::Mat>& low_res) {
  if (low_res.empty()) return {};
  c10::InferenceMode guard;
  at::Tensor low = at::empty({int64_t(low_res.size()), 1, 256, 256}, at::kFloat);
  for (size_t i = 0; i < low_res.size(); ++i) {
    low[int64_t(i)][0].copy_(at::from_blob(const_cast<float*>(low_res[i].ptr<float>()), {256, 256}, at::kFloat));
  }
  return state_->postprocess(low);
}

}  // namespace regionlab::nets
