#include "core/eval/semseg_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <span>

#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/eval/segmentation_metrics.h"
#include "core/index/region_vector_set.h"
#include "core/learning/pixel_labeling.h"
#include "core/learning/region_label_rule.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {

struct LabeledImage {
  ImageRecord record;
  cv::Mat labels;  // as read: CV_8U or CV_16U
  std::vector<Rle> masks;
  std::vector<float> x;  // region vectors, row-major
  std::vector<int64_t> areas;
};

std::optional<fs::path> findLabelFile(const fs::path& labels_dir, const std::string& image_path) {
  fs::path same_layout = labels_dir / fs::path(image_path);
  same_layout.replace_extension(".png");
  if (fs::is_regular_file(same_layout)) return same_layout;
  const fs::path by_stem = labels_dir / (fs::path(image_path).stem().string() + ".png");
  if (fs::is_regular_file(by_stem)) return by_stem;
  return std::nullopt;
}

// Images with a label map, sorted by path, with their regions (active generator) and vectors.
std::vector<LabeledImage> loadLabeledImages(Database& db, const ActiveModels& models, const RegionVectorSet& vectors,
                                            const fs::path& labels_dir, SemsegEvalReport& report) {
  std::vector<LabeledImage> images;
  for (ImageRecord& record : db.readImages()) {  // ordered by path
    if (record.status != ImageStatus::Done) continue;
    const auto file = findLabelFile(labels_dir, record.path);
    if (!file) {
      ++report.images_without_labels;
      continue;
    }
    LabeledImage li;
    li.labels = cv::imread(file->string(), cv::IMREAD_UNCHANGED);
    if (li.labels.empty() || li.labels.channels() != 1 || (li.labels.depth() != CV_8U && li.labels.depth() != CV_16U)) {
      throw Error(*file, "not a single-channel 8- or 16-bit class-index PNG");
    }
    if (li.labels.cols != record.width || li.labels.rows != record.height) {
      throw Error(*file, "label map is " + std::to_string(li.labels.cols) + "x" + std::to_string(li.labels.rows) + ", the image " +
                             record.path + " " + std::to_string(record.width) + "x" + std::to_string(record.height));
    }
    for (RegionRecord& r : db.readRegionsOfImage(record.id, models.generator_id)) {
      const auto row = vectors.rowOfRegion(r.id);
      if (!row) continue;
      li.x.insert(li.x.end(), vectors.vector(*row), vectors.vector(*row) + vectors.dim());
      li.areas.push_back(r.region.area);
      li.masks.push_back(std::move(r.region.mask));
    }
    li.record = std::move(record);
    images.push_back(std::move(li));
  }
  return images;
}

// Ground truth as CV_32S with ignored values as −1.
cv::Mat truthMap(const cv::Mat& labels, const std::set<int>& ignore) {
  cv::Mat t;
  labels.convertTo(t, CV_32S);
  for (int y = 0; y < t.rows; ++y) {
    int* row = t.ptr<int>(y);
    for (int x = 0; x < t.cols; ++x) {
      if (ignore.contains(row[x])) row[x] = -1;
    }
  }
  return t;
}

// Predicted values from a dense-index labeling.
cv::Mat valuesOf(const PixelLabeling& labeling, const std::vector<int>& value_of_index) {
  cv::Mat out(labeling.classes.size(), CV_32S);
  for (int y = 0; y < out.rows; ++y) {
    const int* in = labeling.classes.ptr<int>(y);
    int* o = out.ptr<int>(y);
    for (int x = 0; x < out.cols; ++x) o[x] = in[x] < 0 ? -1 : value_of_index[size_t(in[x])];
  }
  return out;
}

struct TrainedHead {
  RegionClassifier classifier;
  std::vector<int> value_of_index;             // dense class index → label value
  std::map<int, int64_t> regions_of_value;     // training regions per value
};

// The paper's training set (a region is an example of c when > 50 % of its pixels are c),
// classes numbered densely in order of value, then the classifier.
TrainedHead trainHead(std::span<const LabeledImage> train, int dim, const std::function<bool(int)>& valid, const SemsegEvalOptions& o,
                      SemsegEvalReport& report) {
  std::map<int, std::vector<std::pair<const float*, float>>> examples_of_value;
  for (size_t i = 0; i < train.size(); ++i) {
    const ColumnMajorLabels labels(train[i].labels);
    for (size_t r = 0; r < train[i].masks.size(); ++r) {
      const auto value = majorityLabel(labels.histogram(train[i].masks[r]), train[i].areas[r], valid);
      if (!value) {
        ++report.unlabeled_training_regions;
        continue;
      }
      examples_of_value[*value].emplace_back(train[i].x.data() + r * size_t(dim), float(train[i].areas[r]));
    }
    if (o.progress) o.progress("train regions", int64_t(i + 1), int64_t(train.size()));
  }
  if (examples_of_value.empty()) throw Error("no training region has more than half of its pixels in one class");
  TrainedHead head;
  ClassExamples examples;
  examples.dim = dim;
  for (const auto& [value, items] : examples_of_value) {
    for (const auto& [x, area] : items) examples.add(x, int(head.value_of_index.size()), area);
    head.value_of_index.push_back(value);
    head.regions_of_value[value] = int64_t(items.size());
  }
  examples.num_classes = int(head.value_of_index.size());
  report.training_regions = int64_t(examples.size());
  head.classifier = RegionClassifier::train(examples, o.classifier);
  return head;
}

// Oracle region probabilities over all values: one-hot of the most frequent valid value
// (hard), or the valid values' pixel fractions (soft). A region of ignored pixels only votes
// for nothing (all zeros).
void oracleProbabilities(const LabeledImage& li, int num_values, const std::function<bool(int)>& valid, std::vector<float>& hard,
                         std::vector<float>& soft) {
  const ColumnMajorLabels labels(li.labels);
  hard.assign(li.masks.size() * size_t(num_values), 0.f);
  soft.assign(hard.size(), 0.f);
  for (size_t r = 0; r < li.masks.size(); ++r) {
    const auto h = labels.histogram(li.masks[r]);
    int64_t counted = 0;
    int best = -1;
    for (int v = 0; v < int(h.size()) && v < num_values; ++v) {
      if (!valid(v) || h[size_t(v)] == 0) continue;
      counted += h[size_t(v)];
      if (best < 0 || h[size_t(v)] > h[size_t(best)]) best = v;
    }
    if (best < 0) continue;
    hard[r * size_t(num_values) + size_t(best)] = 1.f;
    for (int v = 0; v < int(h.size()) && v < num_values; ++v) {
      if (valid(v)) soft[r * size_t(num_values) + size_t(v)] = float(double(h[size_t(v)]) / double(counted));
    }
  }
}

void fillResults(const SegmentationScore& actual, const SegmentationScore& oracle, const SegmentationScore& oracle_soft,
                 const TrainedHead& head, const SemsegEvalOptions& o, SemsegEvalReport& report) {
  report.mean_iou = actual.meanIoU();
  report.oracle_mean_iou = oracle.meanIoU();
  report.oracle_soft_mean_iou = oracle_soft.meanIoU();
  report.pixel_accuracy = actual.pixelAccuracy();
  report.oracle_pixel_accuracy = oracle.pixelAccuracy();
  report.coverage = actual.evaluatedPixels() ? 1.0 - double(actual.uncoveredPixels()) / double(actual.evaluatedPixels()) : 0;
  for (int v = 0; v < actual.numValues(); ++v) {
    SemsegClassResult c;
    c.value = v;
    c.iou = actual.iou(v);
    c.oracle_iou = oracle.iou(v);
    c.oracle_soft_iou = oracle_soft.iou(v);
    if (!c.iou && !c.oracle_iou && !c.oracle_soft_iou) continue;
    const auto name = o.class_names.find(v);
    c.name = name != o.class_names.end() ? name->second : std::to_string(v);
    c.test_pixels = actual.groundTruthPixels(v);
    if (const auto it = head.regions_of_value.find(v); it != head.regions_of_value.end()) c.training_regions = it->second;
    report.per_class.push_back(std::move(c));
  }
}

}  // namespace

SemsegEvalReport evaluateSemanticSegmentation(const fs::path& collection_root, const fs::path& labels_dir, const SemsegEvalOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const CollectionPaths paths(collection_root);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  if (!fs::is_directory(labels_dir)) throw Error(labels_dir, "label folder not found");
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, {}, false);
  RegionVectorSet vectors(models.descriptor->dim());
  vectors.appendFromDatabase(*db, models.descriptor_id);
  SemsegEvalReport report;
  report.descriptor = models.summary();
  report.classifier = regionClassifierKindName(o.classifier.kind);

  const std::vector<LabeledImage> images = loadLabeledImages(*db, models, vectors, labels_dir, report);
  if (images.size() < 2) throw Error(labels_dir, "fewer than two ingested images have a label PNG here");
  const size_t n_train = std::clamp<size_t>(size_t(std::lround(o.train_fraction * double(images.size()))), 1, images.size() - 1);
  report.train_images = int64_t(n_train);
  report.test_images = int64_t(images.size() - n_train);
  const std::set<int> ignore(o.ignore_values.begin(), o.ignore_values.end());
  const std::function<bool(int)> valid = [&](int v) { return !ignore.contains(v); };
  int num_values = 1;
  for (const LabeledImage& li : images) {
    double max_value = 0;
    cv::minMaxLoc(truthMap(li.labels, ignore), nullptr, &max_value);
    num_values = std::max(num_values, int(max_value) + 1);
  }
  const TrainedHead head = trainHead(std::span(images).first(n_train), vectors.dim(), valid, o, report);

  SegmentationScore actual(num_values), oracle(num_values), oracle_soft(num_values);
  std::vector<int> every_value(static_cast<size_t>(num_values));
  for (int v = 0; v < num_values; ++v) every_value[size_t(v)] = v;
  std::vector<float> hard, soft;
  for (size_t i = n_train; i < images.size(); ++i) {
    const LabeledImage& li = images[i];
    const cv::Mat truth = truthMap(li.labels, ignore);
    const int H = li.record.height, W = li.record.width;
    report.test_regions += int64_t(li.masks.size());
    const auto probs = head.classifier.predictProbabilities(li.x.data(), li.masks.size());
    actual.add(valuesOf(labelPixels(li.masks, probs, head.classifier.numClasses(), H, W), head.value_of_index), truth);
    oracleProbabilities(li, num_values, valid, hard, soft);
    oracle.add(valuesOf(labelPixels(li.masks, hard, num_values, H, W), every_value), truth);
    oracle_soft.add(valuesOf(labelPixels(li.masks, soft, num_values, H, W), every_value), truth);
    if (o.progress) o.progress("test images", int64_t(i + 1 - n_train), report.test_images);
  }
  fillResults(actual, oracle, oracle_soft, head, o, report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace regionlab
