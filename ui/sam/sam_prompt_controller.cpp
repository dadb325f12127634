#include "ui/sam/sam_prompt_controller.h"

#include <opencv2/imgproc.hpp>

#include "ui/viewer/image_viewer.h"

namespace regionlab::ui {

SamPromptController::SamPromptController(ImageViewer* viewer, QObject* parent) : QObject(parent), viewer_(viewer) {
  status_timer_.setInterval(250);
  connect(&status_timer_, &QTimer::timeout, this, &SamPromptController::updateStatus);
  connect(viewer, &ImageViewer::pointPrompt, this, &SamPromptController::addPoint);
  connect(viewer, &ImageViewer::boxPrompt, this, &SamPromptController::setBox);
  connect(viewer, &ImageViewer::promptCleared, this, &SamPromptController::clear);
}

SamPromptController::~SamPromptController() {
  blockSignals(true);  // the window's widgets listening may be gone already
  stop();
}

void SamPromptController::start(const SamCheckpoint& checkpoint, const std::filesystem::path& cache_dir) {
  stop();
  worker_ = new SamWorker(checkpoint, cache_dir, this);
  model_name_ = QString::fromLatin1(nets::samArchitectureName(checkpoint.architecture));
  connect(worker_, &SamWorker::modelReady, this, [this](const QString& description) {
    model_ready_ = true;
    updateStatus();
    emit modelReady(description);
  });
  connect(worker_, &SamWorker::modelFailed, this, [this](const QString& reason) {
    model_failed_ = true;
    failure_ = reason;
    updateStatus();
    emit modelFailed(reason);
  });
  connect(worker_, &SamWorker::imageEncoded, this, [this](qint64 image_id, double seconds, bool cached) {
    updateStatus();
    emit imageEncoded(image_id, seconds, cached);
  });
  connect(worker_, &SamWorker::encodingFailed, this, [this](qint64 image_id, const QString& reason) {
    if (image_id == encoded_image_) encoded_image_ = 0;  // try again when the image is shown again
    failure_ = reason;
    waiting_ = false;
    updateStatus();
    emit promptFailed(reason);
  });
  connect(worker_, &SamWorker::predicted, this, &SamPromptController::onPredicted);
  connect(worker_, &SamWorker::predictionFailed, this, [this](int, const QString& reason) {
    waiting_ = false;
    failure_ = reason;
    updateStatus();
    emit promptFailed(reason);
  });
  worker_->load();
  if (active_) encodeShownImage();
  updateStatus();
}

void SamPromptController::stop() {
  if (!worker_) return;
  worker_->disconnect(this);
  worker_->retire();  // deletes itself after the task in flight: closing never waits for the encoder
  worker_ = nullptr;
  model_ready_ = model_failed_ = false;
  encoded_image_ = 0;
  failure_.clear();
  prompt_ = {};
  prediction_.reset();
  image_id_ = 0;
  waiting_ = false;
  if (viewer_) viewer_->clearPromptOverlay();
  updateStatus();
}

void SamPromptController::setActive(bool active) {
  active_ = active;
  if (viewer_ && active) viewer_->setClickMode(ImageViewer::ClickMode::Prompt);
  if (viewer_ && !active && viewer_->clickMode() == ImageViewer::ClickMode::Prompt) viewer_->setClickMode(ImageViewer::ClickMode::Query);
  if (active) {
    encodeShownImage();
    redraw();
  } else if (viewer_) {
    viewer_->clearPromptOverlay();
  }
  updateStatus();
}

void SamPromptController::documentShown() {
  const auto doc = viewer_ ? viewer_->document() : nullptr;
  const int64_t id = doc ? doc->image_id : 0;
  if (id != image_id_) {
    prompt_ = {};
    prediction_.reset();
    waiting_ = false;
    image_id_ = id;
    if (worker_) worker_->cancelPrompts();  // answers about the previous image
  }
  failure_.clear();
  if (active_) {
    encodeShownImage();
    redraw();  // the viewer dropped the overlay with its previous document
  }
  updateStatus();
}

void SamPromptController::encodeShownImage() {
  const auto doc = viewer_ ? viewer_->document() : nullptr;
  if (!worker_ || model_failed_ || !doc || !doc->image_id || !doc->pixels || doc->pixels->levels.empty()) return;
  if (encoded_image_ == doc->image_id) return;
  encoded_image_ = doc->image_id;
  image_id_ = doc->image_id;
  encode_clock_.start();
  worker_->setImage(doc->image_id, doc->pixels->levels.front());
  updateStatus();
}

QTransform SamPromptController::imageToScene() const {
  const auto doc = viewer_ ? viewer_->document() : nullptr;
  if (!doc || !doc->pixels || doc->pixels->fullSize().isEmpty() || doc->size.isEmpty()) return {};
  const QSize full = doc->pixels->fullSize();
  return QTransform::fromScale(double(doc->size.width()) / full.width(), double(doc->size.height()) / full.height());
}

QPointF SamPromptController::toImage(QPointF scene) const { return imageToScene().inverted().map(scene); }

void SamPromptController::addPoint(QPointF scene_point, bool positive) {
  if (!active_ || !worker_ || !image_id_) return;
  const QPointF p = toImage(scene_point);
  prompt_.points.emplace_back(float(p.x()), float(p.y()));
  prompt_.labels.push_back(positive ? 1 : 0);
  send();
}

void SamPromptController::setBox(QRectF scene_box) {
  if (!active_ || !worker_ || !image_id_) return;
  const QRectF b = imageToScene().inverted().mapRect(scene_box);
  prompt_.box = nets::SamBox{float(b.left()), float(b.top()), float(b.right()), float(b.bottom())};
  send();
}

void SamPromptController::send() {
  // The first click is ambiguous (a part or the whole?): three masks, the best predicted IoU
  // shown. Later prompts refine the shown answer: its low-res logits go back in as the mask
  // prompt with a single output (segment-anything's predictor notebook, iterative refinement).
  const bool first = prompt_.points.size() + (prompt_.box ? 1 : 0) <= 1;
  prompt_.multimask = first && !prompt_.box;
  prompt_.mask_input = (!first && prediction_) ? prediction_->low_res_logits : cv::Mat();
  waiting_ = true;
  encodeShownImage();  // normally already done when the image was shown
  worker_->predict(image_id_, prompt_, tint_);
  redraw();  // the new point at once; its mask when it comes
  updateStatus();
}

void SamPromptController::onPredicted(std::shared_ptr<const SamPrediction> prediction) {
  if (prediction->image_id != image_id_) return;
  waiting_ = false;
  failure_.clear();
  prediction_ = std::move(prediction);
  redraw();
  updateStatus();
  emit maskShown();
}

void SamPromptController::clear() {
  prompt_ = {};
  prediction_.reset();
  waiting_ = false;
  if (worker_) worker_->cancelPrompts();
  if (viewer_) viewer_->clearPromptOverlay();
  updateStatus();
}

void SamPromptController::redraw() {
  if (!viewer_ || !active_) return;
  const QTransform to_scene = imageToScene();
  PromptOverlay overlay;
  for (size_t k = 0; k < prompt_.points.size(); ++k) {
    overlay.points.push_back(to_scene.map(QPointF(prompt_.points[k].x, prompt_.points[k].y)));
    overlay.positive.push_back(prompt_.labels[k] == 1);
  }
  if (prompt_.box) overlay.box = to_scene.mapRect(QRectF(QPointF(prompt_.box->x0, prompt_.box->y0), QPointF(prompt_.box->x1, prompt_.box->y1)));
  if (prediction_ && prediction_->image_id == image_id_ && prediction_->region.area > 0) {
    overlay.tint = prediction_->tint;
    overlay.tint_rect = to_scene.mapRect(QRectF(prediction_->tint_rect));
    overlay.outline = to_scene.map(prediction_->outline);
    overlay.caption = tr("IoU %1").arg(prediction_->iou, 0, 'f', 2);
  }
  viewer_->setPromptOverlay(std::move(overlay));
}

void SamPromptController::updateStatus() {
  const bool encoding_now = encoding();
  const bool busy = encoding_now || waiting_ || (worker_ && !model_ready_ && !model_failed_);
  if (busy != busy_) {
    busy_ = busy;
    emit busyChanged(busy);
  }
  if (encoding_now && !status_timer_.isActive()) status_timer_.start();
  if (!encoding_now) status_timer_.stop();
  if (!viewer_) return;
  QString text;
  if (!active_ || !worker_) {
    text.clear();
  } else if (model_failed_) {
    text = tr("SAM unavailable: %1").arg(failure_);
  } else if (!model_ready_) {
    text = tr("Loading %1…").arg(model_name_);
  } else if (encoding_now) {
    text = tr("Encoding image for SAM… %1 s").arg(encode_clock_.elapsed() / 1000.0, 0, 'f', 1);
    if (waiting_) text += tr(" — your prompt follows");
  } else if (!failure_.isEmpty()) {
    text = tr("SAM: %1").arg(failure_);
  } else if (!image_id_) {
    text = tr("SAM: open an ingested image");
  } else if (waiting_) {
    text = tr("SAM: predicting…");
  } else if (prediction_) {
    text = tr("SAM mask · IoU %1 · Shift+click excludes · Enter: search · Esc: clear").arg(prediction_->iou, 0, 'f', 2);
  } else {
    text = tr("%1: click an object · Shift+click excludes · drag a box").arg(model_name_);
  }
  viewer_->setPromptStatus(text);
}

std::optional<Region> SamPromptController::maskAtImageResolution() const {
  if (!prediction_ || prediction_->image_id != image_id_ || prediction_->region.area == 0) return std::nullopt;
  return prediction_->region;
}

std::optional<Region> SamPromptController::maskOnRegionGrid() const {
  auto region = maskAtImageResolution();
  const auto doc = viewer_ ? viewer_->document() : nullptr;
  if (!region || !doc) return std::nullopt;
  if (prediction_->mask.cols == doc->size.width() && prediction_->mask.rows == doc->size.height()) return region;
  // The ingest analysed a downscaled image: the label lives on its grid.
  cv::Mat grid;
  cv::resize(prediction_->mask, grid, cv::Size(doc->size.width(), doc->size.height()), 0, 0, cv::INTER_NEAREST);
  Region scaled = makeRegion(encodeMask(grid));
  if (scaled.area == 0) return std::nullopt;
  return scaled;
}

QPainterPath SamPromptController::maskOutlineInScene() const {
  if (!maskAtImageResolution()) return {};
  return imageToScene().map(prediction_->outline);
}

}  // namespace regionlab::ui
