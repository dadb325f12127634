#pragma once
// Semantic segmentation by region classification, evaluated as in the regions paper
// (REFERENCE.md §A5–A6; paper §3.2 and Table 1) on a collection with class-index label PNGs:
//   - split: the first train_fraction of the labeled images (sorted by path, so a video's frames
//     stay contiguous) train, the rest test;
//   - training: each region of the collection's active generator with > 50 % of its pixels of a
//     valid class is an example of it, weighted by its area; linear (or MLP) head;
//   - prediction: each pixel gets the argmax of the mean probability of the regions covering it;
//     uncovered pixels predict nothing (a miss);
//   - mIoU over the test images, and two oracles that replace the classifier by the ground
//     truth to separate region quality from classifier quality: `oracle` labels each region
//     with its majority (most frequent valid) ground-truth class, as the issue specifies;
//     `oracle_soft` gives each region the class fractions of its pixels, the paper's Table 1
//     caption definition. Both then go through the same pixel rule.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/learning/region_classifier.h"

namespace regionlab {

struct SemsegEvalOptions {
  RegionClassifierOptions classifier;
  double train_fraction = 0.5;
  std::vector<int> ignore_values = {255};  // label values that are not classes (void, unlabeled)
  std::map<int, std::string> class_names;  // optional, for the report
  std::function<void(const std::string&, int64_t, int64_t)> progress;  // stage, done, total
};

struct SemsegClassResult {
  int value = 0;
  std::string name;
  std::optional<double> iou, oracle_iou, oracle_soft_iou;  // nullopt: class absent from test and predictions
  int64_t test_pixels = 0;
  int64_t training_regions = 0;
};

struct SemsegEvalReport {
  std::string descriptor;  // ActiveModels::summary()
  std::string classifier;  // "linear" / "mlp"
  int64_t train_images = 0, test_images = 0, images_without_labels = 0;
  int64_t training_regions = 0;  // regions that passed the > 50 % rule
  int64_t unlabeled_training_regions = 0;  // regions of training images that did not
  int64_t test_regions = 0;
  double mean_iou = 0, oracle_mean_iou = 0, oracle_soft_mean_iou = 0;
  double pixel_accuracy = 0, oracle_pixel_accuracy = 0;
  double coverage = 0;  // fraction of evaluated test pixels covered by at least one region
  std::vector<SemsegClassResult> per_class;  // classes with a union in any of the three
  double seconds = 0;
};

// labels_dir holds one PNG per image: "<labels>/<image path with .png>" or "<labels>/<stem>.png".
// Throws Error when no image has labels, a label map's size differs from its image, or there
// are fewer than two images or no training region.
SemsegEvalReport evaluateSemanticSegmentation(const std::filesystem::path& collection_root, const std::filesystem::path& labels_dir,
                                              const SemsegEvalOptions& options = {});

}  // namespace regionlab
