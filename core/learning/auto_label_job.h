#pragma once
// Semantic auto-labeling of a collection (DESIGN.md "Auto-label and correct"): a multi-class
// region classifier is trained on the user's labels (each labeled region an example of its
// class, weighted by its area, as in the regions paper), then every image is labeled pixel by
// pixel — the argmax of the mean probability of the regions covering the pixel (PixelLabeling);
// uncovered pixels stay unlabeled.
//
// What is stored: per image, one region per class present (its pixel mask), labeled
// source=auto with a confidence (the mean, over the mask, of the winning class's mean
// probability). These regions belong to the "auto-labels" region generator, so clicks and
// searches on the active generator's regions never see them, and re-running replaces them.
// Auto never overwrites user: pixels inside user-labeled regions are left out of the auto masks,
// and a region with a user label never gets an auto label.
//
// Runs like IngestJob: construct, attach a progress callback, run() on any thread (blocking),
// cancel() from another; each image is committed in its own transaction.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/learning/region_classifier.h"

namespace regionlab {

struct AutoLabelOptions {
  RegionClassifierOptions classifier;
  // Images to label (paths relative to the collection); empty = every ingested image.
  std::vector<std::string> images;
  // Pixels whose winning mean probability is below this stay unlabeled (0: label every covered
  // pixel, as the paper does).
  float min_confidence = 0.f;
};

struct AutoLabelProgress {
  int64_t total = 0;
  int64_t finished = 0;
  std::string current;  // image just labeled
};

struct AutoLabelReport {
  std::string classifier;            // "linear" / "mlp"
  std::vector<std::string> classes;  // the classes the classifier knows (those with user labels)
  int64_t training_regions = 0;
  int64_t embedded_for_training = 0;  // labeled regions without a stored vector, embedded now
  int64_t images_labeled = 0;
  int64_t masks_written = 0;
  std::vector<int64_t> pixels_per_class;  // parallel to `classes`
  double train_seconds = 0, label_seconds = 0;
  bool cancelled = false;
};

// Name of the region generator that owns the auto-label masks.
inline constexpr const char* kAutoLabelGeneratorName = "auto-labels";

class AutoLabelJob {
public:
  AutoLabelJob(std::filesystem::path collection_root, AutoLabelOptions options = {});
  void setProgressCallback(std::function<void(const AutoLabelProgress&)> callback);
  // Throws Error when the collection has no database, fewer than two classes with user labels,
  // or an image listed in options.images is not in the collection.
  AutoLabelReport run();
  void cancel() { cancelled_ = true; }

private:
  std::filesystem::path root_;
  AutoLabelOptions options_;
  std::function<void(const AutoLabelProgress&)> on_progress_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace regionlab
