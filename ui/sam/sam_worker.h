#pragma once
// SAM off the GUI thread. One serial thread (at background priority) owns the model and the
// SamPredictor (core/regions/sam_predictor.h, not thread-safe): it loads the checkpoint, encodes
// the shown image (seconds: MobileSAM 2–5 s, ViT-B 15–40 s on a CPU; embeddings cached in memory
// and in <collection>/.regionlab/cache/sam) and answers prompts (milliseconds) in the order
// given, so prompts made while an image encodes wait for it. Latest wins: an image or a prompt
// superseded before its turn is skipped, and answers to superseded prompts are not delivered.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>

#include <QColor>
#include <QImage>
#include <QObject>
#include <QPainterPath>

#include "core/nets/sam_model.h"
#include "core/regions/region.h"
#include "ui/async/serial_executor.h"
#include "ui/sam/sam_checkpoint.h"

namespace regionlab::ui {

// One answered prompt, prepared for drawing on the worker thread.
struct SamPrediction {
  int sequence = 0;
  int64_t image_id = 0;
  nets::SamPrompt prompt;   // as asked (image pixels)
  cv::Mat mask;             // CV_8U, 1 inside, at the encoded image's resolution
  Region region;            // the mask as a region (empty when the mask is)
  int mask_index = 0;       // which decoder output: the best predicted IoU of a multimask answer
  float iou = 0;            // its predicted IoU
  cv::Mat low_res_logits;   // 256×256 of that output: the next prompt's mask_input (refinement)
  QImage tint;              // the mask tinted, over `tint_rect` (image pixels), at most ~2048 px a side
  QRect tint_rect;
  QPainterPath outline;     // image pixels
  double seconds = 0;
};

class SamWorker : public QObject {
  Q_OBJECT

public:
  // cache_dir: the embeddings' disk cache (empty: memory only).
  SamWorker(SamCheckpoint checkpoint, std::filesystem::path cache_dir, QObject* parent = nullptr);
  ~SamWorker() override;  // waits for the task in flight (an encoding finishes first)

  const SamCheckpoint& checkpoint() const { return checkpoint_; }
  // Loads the model; modelReady or modelFailed follow.
  void load();
  // Encodes the image (or takes its cached embedding); imageEncoded or encodingFailed follow,
  // unless another image is set first. rgb: the full-resolution pixels.
  void setImage(int64_t image_id, const QImage& rgb);
  // The masks for a prompt on image `image_id` (image pixels); predicted or predictionFailed
  // follow unless a later prompt supersedes it. Returns the prompt's sequence number.
  int predict(int64_t image_id, const nets::SamPrompt& prompt, const QColor& tint);
  // Stops answering: queued work is skipped, nothing more is emitted, and the worker deletes
  // itself once the task in flight (an encoding may take seconds) has finished, so that closing
  // a collection never waits for the encoder.
  void retire();
  // Drops the prompts in flight (their answers are not delivered).
  void cancelPrompts();
  int latestPrompt() const { return prompt_sequence_; }
  bool encoding() const { return encoding_image_ != 0; }
  int64_t encodingImage() const { return encoding_image_; }

signals:
  void modelReady(const QString& description);
  void modelFailed(const QString& reason);
  void encodingStarted(qint64 image_id);
  void imageEncoded(qint64 image_id, double seconds, bool cached);
  void encodingFailed(qint64 image_id, const QString& reason);
  void predicted(std::shared_ptr<const regionlab::ui::SamPrediction> prediction);
  void predictionFailed(int sequence, const QString& reason);

private:
  struct State;
  SamCheckpoint checkpoint_;
  std::shared_ptr<State> state_;
  SerialExecutor executor_;
  void taskDone();
  int prompt_sequence_ = 0;
  int64_t encoding_image_ = 0;
  int outstanding_ = 0;  // tasks queued or running
  bool retired_ = false;
};

// Picks the answer the viewer shows: the single mask, or the best predicted IoU of a multimask
// answer (as SAM's demo and X-AnyLabeling do).
int bestMaskIndex(const nets::SamMasks& masks);

}  // namespace regionlab::ui
