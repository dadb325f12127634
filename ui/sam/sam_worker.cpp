#include "ui/sam/sam_worker.h"

#include <algorithm>
#include <chrono>

#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/regions/sam_predictor.h"
#include "ui/async/background_priority.h"
#include "ui/viewer/region_shapes.h"

namespace regionlab::ui {
namespace {

constexpr int kMaxTintSide = 2048;  // the overlay's raster: enough for a screen, bounded for 6000² images

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

cv::Mat rgbMatOf(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  const cv::Mat view(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()), size_t(rgb.bytesPerLine()));
  return view.clone();
}

// The embedding cache's key: the pixels themselves (a decoded image, whatever file it came from).
std::string pixelKey(const cv::Mat& rgb) {
  Sha256 hash;
  const int32_t size[2] = {rgb.cols, rgb.rows};
  hash.update(size, sizeof size);
  for (int y = 0; y < rgb.rows; ++y) hash.update(rgb.ptr<uint8_t>(y), size_t(rgb.cols) * 3);
  return hash.hexDigest();
}

// The mask's bounding box filled with the tint where the mask is, transparent elsewhere.
QImage tintOf(const cv::Mat& mask, const QRect& box, const QColor& color, QRect* drawn) {
  *drawn = box;
  if (box.isEmpty()) return {};
  const int step = std::max(1, (std::max(box.width(), box.height()) + kMaxTintSide - 1) / kMaxTintSide);
  QImage tint((box.width() + step - 1) / step, (box.height() + step - 1) / step, QImage::Format_ARGB32_Premultiplied);
  const QRgb on = qPremultiply(color.rgba());
  for (int i = 0; i < tint.height(); ++i) {
    auto* row = reinterpret_cast<QRgb*>(tint.scanLine(i));
    const uint8_t* src = mask.ptr<uint8_t>(box.y() + i * step);
    for (int j = 0; j < tint.width(); ++j) row[j] = src[box.x() + j * step] ? on : 0;
  }
  *drawn = QRect(box.x(), box.y(), tint.width() * step, tint.height() * step);
  return tint;
}

}  // namespace

int bestMaskIndex(const nets::SamMasks& masks) {
  if (masks.iou.empty()) return 0;
  return int(std::max_element(masks.iou.begin(), masks.iou.end()) - masks.iou.begin());
}

// Lives on the executor's thread, apart from the atomics the GUI sets.
struct SamWorker::State {
  SamCheckpoint checkpoint;
  std::filesystem::path cache_dir;
  std::unique_ptr<SamPredictor> predictor;
  int64_t current_image = 0;
  std::atomic<int64_t> latest_image{0};
  std::atomic<int> latest_prompt{0};
};

namespace {

struct EncodeResult {
  bool skipped = false;
  bool cached = false;
  double seconds = 0;
};

}  // namespace

SamWorker::SamWorker(SamCheckpoint checkpoint, std::filesystem::path cache_dir, QObject* parent)
    : QObject(parent), checkpoint_(std::move(checkpoint)), state_(std::make_shared<State>()) {
  state_->checkpoint = checkpoint_;
  state_->cache_dir = std::move(cache_dir);
}

SamWorker::~SamWorker() {
  // Nothing queued after the task in flight needs to run.
  state_->latest_image = -1;
  state_->latest_prompt = -1;
  executor_.waitForDone();
}

void SamWorker::retire() {
  retired_ = true;
  state_->latest_image = -1;
  state_->latest_prompt = -1;
  blockSignals(true);
  if (outstanding_ == 0) deleteLater();
}

void SamWorker::taskDone() {
  --outstanding_;
  if (retired_ && outstanding_ == 0) deleteLater();
}

void SamWorker::load() {
  ++outstanding_;
  auto state = state_;
  executor_
      .run([state] {
        // The encoder keeps every core busy for seconds: below the GUI (its OpenMP threads,
        // started from this thread, inherit the priority).
        lowerCurrentThreadPriority();
        const SamCheckpoint& c = state->checkpoint;
        auto model = std::make_shared<const nets::SamModel>(nets::SamModel::load(c.file, c.architecture, c.model));
        SamPredictorOptions options;
        options.disk_cache = state->cache_dir;
        options.cache_namespace = c.file.filename().string();
        const std::string description = model->describe();
        state->predictor = std::make_unique<SamPredictor>(model, options);
        return QString::fromStdString(description);
      })
      .then(this, [this](const Outcome<QString>& outcome) {
        taskDone();
        if (outcome.ok()) emit modelReady(*outcome.value); else emit modelFailed(outcome.error);
      });
}

void SamWorker::setImage(int64_t image_id, const QImage& rgb) {
  state_->latest_image = image_id;
  encoding_image_ = image_id;
  emit encodingStarted(image_id);
  ++outstanding_;
  auto state = state_;
  executor_
      .run([state, image_id, rgb] {
        EncodeResult result;
        if (state->latest_image != image_id) {  // another image was opened meanwhile
          result.skipped = true;
          return result;
        }
        if (!state->predictor) throw Error(state->checkpoint.file, "the SAM model is not loaded");
        const auto start = std::chrono::steady_clock::now();
        const cv::Mat pixels = rgbMatOf(rgb);
        state->current_image = 0;
        state->predictor->setImage(pixels, pixelKey(pixels));
        state->current_image = image_id;
        result.cached = state->predictor->lastImageWasCached();
        result.seconds = secondsSince(start);
        return result;
      })
      .then(this, [this, image_id](const Outcome<EncodeResult>& outcome) {
        taskDone();
        if (encoding_image_ == image_id) encoding_image_ = 0;
        if (!outcome.ok()) {
          emit encodingFailed(image_id, outcome.error);
        } else if (!outcome.value->skipped) {
          emit imageEncoded(image_id, outcome.value->seconds, outcome.value->cached);
        }
      });
}

void SamWorker::cancelPrompts() { state_->latest_prompt = ++prompt_sequence_; }

int SamWorker::predict(int64_t image_id, const nets::SamPrompt& prompt, const QColor& tint) {
  const int sequence = ++prompt_sequence_;
  state_->latest_prompt = sequence;
  ++outstanding_;
  auto state = state_;
  executor_
      .run([state, image_id, prompt, tint, sequence]() -> std::shared_ptr<const SamPrediction> {
        if (state->latest_prompt != sequence) return nullptr;  // a later prompt replaces it
        if (!state->predictor || state->current_image != image_id) {
          throw Error(state->checkpoint.file, "the image is not encoded for SAM (its encoding failed or was cancelled)");
        }
        const auto start = std::chrono::steady_clock::now();
        const nets::SamMasks masks = state->predictor->predict(prompt);
        auto p = std::make_shared<SamPrediction>();
        p->sequence = sequence;
        p->image_id = image_id;
        p->prompt = prompt;
        p->mask_index = bestMaskIndex(masks);
        p->iou = masks.iou.empty() ? 0.f : masks.iou[size_t(p->mask_index)];
        p->low_res_logits = masks.low_res_logits[size_t(p->mask_index)].clone();
        cv::Mat mask = masks.logits[size_t(p->mask_index)] > 0.0f;  // SAM's mask threshold
        mask.convertTo(p->mask, CV_8U, 1.0 / 255.0);
        p->region = makeRegion(encodeMask(p->mask));
        if (p->region.area > 0) {
          const BoundingBox& b = p->region.bbox;
          p->tint = tintOf(p->mask, QRect(int(b.x), int(b.y), int(b.width), int(b.height)), tint, &p->tint_rect);
          p->outline = regionOutlinePath(p->region.mask, p->region.bbox);
        }
        p->seconds = secondsSince(start);
        return p;
      })
      .then(this, [this, sequence](const Outcome<std::shared_ptr<const SamPrediction>>& outcome) {
        taskDone();
        if (sequence != prompt_sequence_) return;  // stale: a later prompt is on its way
        if (!outcome.ok()) emit predictionFailed(sequence, outcome.error);
        else if (*outcome.value) emit predicted(*outcome.value);
      });
  return sequence;
}

}  // namespace regionlab::ui
