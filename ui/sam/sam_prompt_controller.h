#pragma once
// The viewer's SAM prompt mode, as X-AnyLabeling's and CVAT's SAM tools work: click = a
// positive point, Shift+click = a negative point, drag = a box; the predicted mask is drawn
// live, tinted, with its predicted IoU; later clicks refine it (the previous answer's low-res
// logits go back in as the mask prompt, segment-anything's iterative refinement); Esc clears.
// The image is encoded once per image in the background when it is shown in prompt mode;
// prompts given meanwhile wait for it. Nothing here blocks the GUI thread: the model runs on
// a SamWorker, and only the latest prompt's answer is drawn.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include <QColor>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "core/nets/sam_model.h"
#include "core/regions/region.h"
#include "ui/sam/sam_checkpoint.h"
#include "ui/sam/sam_worker.h"
#include "ui/viewer/image_document.h"

namespace regionlab::ui {

class ImageViewer;

class SamPromptController : public QObject {
  Q_OBJECT

public:
  explicit SamPromptController(ImageViewer* viewer, QObject* parent = nullptr);
  ~SamPromptController() override;

  // Loads the model (in the background) for a collection; embeddings are cached in cache_dir.
  void start(const SamCheckpoint& checkpoint, const std::filesystem::path& cache_dir);
  void stop();
  bool available() const { return worker_ != nullptr && !model_failed_; }
  bool isModelReady() const { return model_ready_; }
  const SamWorker* worker() const { return worker_; }

  // Prompt mode on: the viewer's clicks become prompts and the shown image is encoded.
  void setActive(bool active);
  bool active() const { return active_; }
  // The viewer shows another document (or the same one reloaded).
  void documentShown();

  // Prompts, in the viewer's scene coordinates.
  void addPoint(QPointF scene_point, bool positive);
  void setBox(QRectF scene_box);
  void clear();
  void setTint(const QColor& color) { tint_ = color; }

  // The prompt as sent to SAM (image pixels) and the latest answer drawn (null: none yet).
  const nets::SamPrompt& prompt() const { return prompt_; }
  const std::shared_ptr<const SamPrediction>& prediction() const { return prediction_; }
  int64_t imageId() const { return image_id_; }
  bool encoding() const { return worker_ && worker_->encoding(); }
  bool waitingForMask() const { return waiting_; }
  // The mask on the document's region grid (the scene), for labels; at the image's resolution
  // for queries. nullopt without a non-empty mask.
  std::optional<Region> maskOnRegionGrid() const;
  std::optional<Region> maskAtImageResolution() const;
  QPainterPath maskOutlineInScene() const;

signals:
  void modelReady(const QString& description);
  void modelFailed(const QString& reason);
  void imageEncoded(qint64 image_id, double seconds, bool cached);
  // A mask for the latest prompt is drawn.
  void maskShown();
  void promptFailed(const QString& reason);
  // Encoding or predicting (a busy indicator follows it).
  void busyChanged(bool busy);

private:
  void encodeShownImage();
  void send();
  void onPredicted(std::shared_ptr<const SamPrediction> prediction);
  void redraw();
  void updateStatus();
  QPointF toImage(QPointF scene) const;
  QTransform imageToScene() const;

  QPointer<ImageViewer> viewer_;
  SamWorker* worker_ = nullptr;
  QString model_name_;
  bool model_ready_ = false;
  bool model_failed_ = false;
  bool active_ = false;
  bool waiting_ = false;
  bool busy_ = false;
  int64_t image_id_ = 0;      // the image prompts are about (0: none)
  int64_t encoded_image_ = 0;  // the image the worker holds
  QString failure_;
  nets::SamPrompt prompt_;
  std::shared_ptr<const SamPrediction> prediction_;
  QColor tint_ = QColor(30, 144, 255, 110);
  QTimer status_timer_;
  QElapsedTimer encode_clock_;
};

}  // namespace regionlab::ui
