#include "core/nets/sam_amg_decoder.h"


#include <chrono>
#include <cmath>
#include <map>
#include <mutex>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "core/base/error.h"
#include "core/nets/composed_bilinear.h"
#include "core/nets/sam_layers.h"
#include "core/nets/sam_mask_decoder.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/sam_prompt_encoder.h"

namespace regionlab::nets {
namespace {

using Clock = std::chrono::steady_clock;

// The per-batch buffers (image tokens: 4 MB per prompt, 256 MB for the default 64 prompts; the
// low-res logits) outlive their decoder: SamRegionGenerator makes one decoder per image, and
// fresh pages of that size cost ~1 s per 256 MB to fault in on the machines measured (a VM
// backing memory lazily), as much as 30 prompts' transformer. One set is kept per process.
struct BufferPool {
  std::mutex mutex;
  at::Tensor keys, low;
};
BufferPool& bufferPool() {
  static BufferPool pool;
  return pool;
}

cv::Mat toMat(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return cv::Mat(int(c.size(0)), int(c.size(1)), CV_32F, const_cast<float*>(c.data_ptr<float>())).clone();
}

}  // namespace

struct SamAmgDecoder::State {
  const SamModel* model = nullptr;
  SamEmbedding embedding;
  at::Tensor image;                 // 1×C×64×64 view of embedding.values
  std::shared_ptr<const SamMaskDecoder::SharedImage> shared;  // of this embedding, from the first batch
  at::Tensor iou, tokens, keys;     // of the last batch
  at::Tensor low_buffer;            // lowRes's output, reused
  ResampleAxis resize_rows, resize_cols;  // postprocess_masks of this embedding, per axis
  double encoder_seconds = 0, decoder_seconds = 0, mask_seconds = 0;
  void addMaskTime(Clock::time_point t) {
    const double seconds = std::chrono::duration<double>(Clock::now() - t).count();
    decoder_seconds += seconds;
    mask_seconds += seconds;
  }

  // Sam.postprocess_masks for N×1×256×256 low-res logits → crop-resolution CV_32F maps, both
  // bilinear steps composed into one per axis (composed_bilinear.h), masks split over threads.
  // planes: S×S logits, rows `stride` floats apart (one stride per plane).
  std::vector<cv::Mat> postprocess(const std::vector<const float*>& planes, const std::vector<int64_t>& stride) const {
    std::vector<cv::Mat> out(planes.size());
    for (cv::Mat& m : out) m.create(embedding.original_size, CV_32F);
    at::parallel_for(0, int64_t(planes.size()), 1, [&](int64_t begin, int64_t end) {
      std::vector<float> work(size_t(resize_rows.sourceExtent()) * resize_cols.first.size());
      for (int64_t i = begin; i < end; ++i) {
        cv::Mat& m = out[size_t(i)];
        resampleSeparable(planes[size_t(i)], stride[size_t(i)], resize_rows, resize_cols, m.ptr<float>(), int64_t(m.step1()), work.data());
      }
    });
    return out;
  }
  std::vector<cv::Mat> postprocess(const at::Tensor& low) const {  // N×1×S×S
    const at::Tensor l = low.contiguous();
    std::vector<const float*> planes;
    for (int64_t i = 0; i < l.size(0); ++i) planes.push_back(l.data_ptr<float>() + i * l.size(2) * l.size(3));
    return postprocess(planes, std::vector<int64_t>(planes.size(), l.size(3)));
  }

  // Low-res logits (N×1×256×256) of the chosen (point, mask) pairs of the last batch, one prompt
  // at a time (its upscaled features are 4–8 MB; a batch of them would be hundreds).
  // Written into one buffer kept across batches (tens of MB: fresh pages of that size cost more
  // to fault in than the masks take to compute).
  at::Tensor lowRes(const std::vector<int>& indices) {
    if (!tokens.defined()) throw Error("SAM decoder: masks asked for before decodeBatch");
    const int64_t count = int64_t(indices.size()), side = 4 * embedding.grid;
    for (int i : indices) {
      if (i < 0 || i / 3 >= tokens.size(0)) throw Error("SAM decoder: mask index " + std::to_string(i) + " is not in the last batch");
    }
    if (!low_buffer.defined() || low_buffer.size(0) < count || low_buffer.size(2) != side) {
      low_buffer = at::empty({count, 1, side, side}, at::kFloat);
    }
    at::Tensor out = low_buffer.narrow(0, 0, count);
    std::map<int, at::Tensor> masks_of_point;
    for (size_t i = 0; i < indices.size(); ++i) {
      const int point = indices[i] / 3;
      auto it = masks_of_point.find(point);
      if (it == masks_of_point.end()) {
        it = masks_of_point.emplace(point, model->maskDecoder().promptMaskLogits(keys[point], tokens[point], 1, 3)).first;
      }
      out[int64_t(i)][0].copy_(it->second[indices[i] % 3]);
    }
    return out;
  }
};

SamAmgDecoder::SamAmgDecoder(const SamModel& model) : state_(std::make_unique<State>()) {
  {
    BufferPool& pool = bufferPool();
    std::lock_guard lock(pool.mutex);
    state_->keys = std::move(pool.keys);
    state_->low_buffer = std::move(pool.low);
  }
  keepFreedMemoryInProcess();  // its tensors of 4–32 MB, hundreds of times per image
  state_->model = &model;
}
SamAmgDecoder::~SamAmgDecoder() {
  BufferPool& pool = bufferPool();
  std::lock_guard lock(pool.mutex);
  if (state_->keys.defined()) pool.keys = std::move(state_->keys);
  if (state_->low_buffer.defined()) pool.low = std::move(state_->low_buffer);
}

double SamAmgDecoder::encoderSeconds() const { return state_->encoder_seconds; }
double SamAmgDecoder::decoderSeconds() const { return state_->decoder_seconds; }
double SamAmgDecoder::maskSeconds() const { return state_->mask_seconds; }

void SamAmgDecoder::setImage(const cv::Mat& rgb) {
  const auto t = Clock::now();
  setEmbedding(state_->model->encode(rgb));
  state_->encoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
}

void SamAmgDecoder::setEmbedding(SamEmbedding embedding) {
  State& s = *state_;
  s.embedding = std::move(embedding);
  s.image = at::from_blob(s.embedding.values.data(), {1, s.embedding.channels, s.embedding.grid, s.embedding.grid}, at::kFloat);
  s.shared.reset();
  s.resize_rows = composedBilinearAxis(4 * s.embedding.grid, kSamInputSize, s.embedding.input_size.height, s.embedding.original_size.height);
  s.resize_cols = composedBilinearAxis(4 * s.embedding.grid, kSamInputSize, s.embedding.input_size.width, s.embedding.original_size.width);
  s.iou = s.tokens = at::Tensor();  // keys: the buffer stays for the next batch
}

std::vector<float> SamAmgDecoder::decodeBatch(const std::vector<cv::Point2d>& points) {
  const auto t = Clock::now();
  c10::InferenceMode guard;
  State& s = *state_;
  at::set_num_threads(s.model->threads());  // OpenMP's count is per calling thread (ingest workers)
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
  // No mask input: the dense prompt is the same for every batch of this embedding, so the
  // prompt-independent part of the transformer is computed once (SamMaskDecoder::runShared).
  if (!s.shared) s.shared = s.model->maskDecoder().prepareImage(s.image, s.model->promptEncoder().denseImagePe(), dense);
  at::Tensor iou;
  s.model->maskDecoder().runShared(*s.shared, sparse, iou, s.tokens, s.keys);
  s.iou = iou.narrow(1, 1, 3).contiguous();  // multimask outputs 1..3
  std::vector<float> out(s.iou.data_ptr<float>(), s.iou.data_ptr<float>() + s.iou.numel());
  s.decoder_seconds += std::chrono::duration<double>(Clock::now() - t).count();
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::maskLogits(const std::vector<int>& indices) {
  if (indices.empty()) return {};
  const auto t = Clock::now();
  c10::InferenceMode guard;
  at::set_num_threads(state_->model->threads());
  std::vector<cv::Mat> out = state_->postprocess(state_->lowRes(indices));
  state_->addMaskTime(t);
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::lowResLogits(const std::vector<int>& indices, cv::Size* valid) {
  State& s = *state_;
  if (valid) {
    *valid = {int(std::ceil(s.embedding.input_size.width / 4.0)), int(std::ceil(s.embedding.input_size.height / 4.0))};
  }
  if (indices.empty()) return {};
  const auto t = Clock::now();
  c10::InferenceMode guard;
  at::set_num_threads(state_->model->threads());
  const at::Tensor low = state_->lowRes(indices);
  std::vector<cv::Mat> out;
  for (int64_t i = 0; i < low.size(0); ++i) out.push_back(toMat(low[i][0]));
  state_->addMaskTime(t);
  return out;
}

std::vector<cv::Mat> SamAmgDecoder::upscaleLowRes(const std::vector<cv::Mat>& low_res) {
  if (low_res.empty()) return {};
  const auto t = Clock::now();
  c10::InferenceMode guard;
  at::set_num_threads(state_->model->threads());
  std::vector<const float*> planes;
  std::vector<int64_t> strides;
  const int side = 4 * int(state_->embedding.grid);
  for (const cv::Mat& l : low_res) {
    if (l.type() != CV_32F || l.rows != side || l.cols != side) {
      throw Error("SAM upscaleLowRes: low-resolution logits must be CV_32F " + std::to_string(side) + "×" + std::to_string(side));
    }
    planes.push_back(l.ptr<float>());
    strides.push_back(int64_t(l.step1()));
  }
  std::vector<cv::Mat> out = state_->postprocess(planes, strides);
  state_->addMaskTime(t);
  return out;
}

}  // namespace regionlab::nets
