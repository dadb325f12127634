#include "core/learning/auto_label_job.h"

#include <chrono>
#include <map>
#include <string_view>
#include <unordered_map>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/image/image_decoder.h"
#include "core/index/region_vector_set.h"
#include "core/learning/pixel_labeling.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"

namespace regionlab {

namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct TrainingData {
  ClassExamples examples;
  std::vector<ClassRecord> classes;  // index = class index of the classifier
  int64_t embedded = 0;
};

// Every user-labeled region with a vector of the active descriptor is an example of its class,
// weighted by its area. Labeled regions without a stored vector (e.g. a corrected auto mask) are
// embedded here from their image.
TrainingData collectUserLabelExamples(Database& db, LabelStore& labels, const RegionVectorSet& vectors, const ActiveModels& models,
                                      const CollectionPaths& paths) {
  TrainingData data;
  data.examples.dim = vectors.dim();
  std::map<int64_t, int> index_of_class;
  const auto class_index = [&](int64_t class_id) {
    const auto [it, inserted] = index_of_class.try_emplace(class_id, int(data.classes.size()));
    if (inserted) data.classes.push_back(*labels.readClass(class_id));
    return it->second;
  };
  std::map<int64_t, std::vector<std::pair<RegionRecord, int64_t>>> unembedded;  // image → (region, class)
  for (const LabelRecord& l : labels.readLabels(LabelSource::User)) {
    auto region = db.readRegion(l.region_id);
    if (!region || region->region.area == 0) continue;
    if (const auto row = vectors.rowOfRegion(l.region_id)) {
      data.examples.add(vectors.vector(*row), class_index(l.class_id), float(region->region.area));
    } else {
      unembedded[region->image_id].emplace_back(std::move(*region), l.class_id);
    }
  }
  for (const auto& [image_id, items] : unembedded) {
    const auto image = db.readImage(image_id);
    if (!image) continue;
    const Image decoded = decodeImageFile(paths.absolutePath(image->path));
    std::vector<Rle> masks;
    for (const auto& [region, cls] : items) {
      if (region.region.mask.width != decoded.width() || region.region.mask.height != decoded.height()) {
        throw Error(image->path, "image changed on disk since it was labeled; ingest again");
      }
      masks.push_back(region.region.mask);
    }
    const std::vector<float> v = models.descriptor->extract(decoded.rgb, masks);
    for (size_t i = 0; i < items.size(); ++i) {
      data.examples.add(v.data() + i * size_t(vectors.dim()), class_index(items[i].second), float(items[i].first.region.area));
    }
    data.embedded += int64_t(items.size());
  }
  data.examples.num_classes = int(data.classes.size());
  return data;
}

// 1 inside the image's user-labeled regions, 0 elsewhere.
cv::Mat userLabeledPixels(Database& db, LabelStore& labels, const ImageRecord& image) {
  cv::Mat mask = cv::Mat::zeros(image.height, image.width, CV_8U);
  for (const LabelRecord& l : labels.readLabelsOfImage(image.id)) {
    if (l.source != LabelSource::User) continue;
    const auto region = db.readRegion(l.region_id);
    if (region && region->region.mask.height == image.height && region->region.mask.width == image.width) {
      mask |= decodeRle(region->region.mask);
    }
  }
  return mask;
}

}  // namespace

AutoLabelJob::AutoLabelJob(std::filesystem::path collection_root, AutoLabelOptions options)
    : root_(std::move(collection_root)), options_(std::move(options)) {}

void AutoLabelJob::setProgressCallback(std::function<void(const AutoLabelProgress&)> callback) { on_progress_ = std::move(callback); }

namespace {

std::vector<ImageRecord> imagesToLabel(Database& db, const std::vector<std::string>& only, const CollectionPaths& paths) {
  std::vector<ImageRecord> images;
  if (only.empty()) {
    for (ImageRecord& r : db.readImages()) {
      if (r.status == ImageStatus::Done) images.push_back(std::move(r));
    }
    return images;
  }
  for (const std::string& path : only) {
    auto r = db.findImage(std::filesystem::path(path).lexically_normal().generic_string());
    if (!r || r->status != ImageStatus::Done) throw Error(path, "image is not an ingested image of the collection " + paths.root.string());
    images.push_back(std::move(*r));
  }
  return images;
}

// The per-class auto masks of one image: the pixel labeling of its regions (active generator)
// minus user-labeled pixels and pixels below the confidence floor.
std::vector<AutoLabelMask> autoMasksOfImage(Database& db, LabelStore& labels, const ImageRecord& image, int64_t generator_id,
                                            const RegionVectorSet& vectors, const RegionClassifier& classifier,
                                            const std::vector<ClassRecord>& classes, float min_confidence,
                                            std::vector<int64_t>& pixels_per_class) {
  std::vector<Rle> masks;
  std::vector<float> x;
  for (const RegionRecord& r : db.readRegionsOfImage(image.id, generator_id)) {
    const auto row = vectors.rowOfRegion(r.id);
    if (!row) continue;
    masks.push_back(r.region.mask);
    x.insert(x.end(), vectors.vector(*row), vectors.vector(*row) + vectors.dim());
  }
  const int C = classifier.numClasses();
  const std::vector<float> probs = classifier.predictProbabilities(x.data(), masks.size());
  const PixelLabeling labeling = labelPixels(masks, probs, C, image.height, image.width);
  const cv::Mat allowed = (labeling.confidence >= min_confidence) & (userLabeledPixels(db, labels, image) == 0);
  std::vector<AutoLabelMask> auto_masks;
  for (int c = 0; c < C; ++c) {
    const cv::Mat m = (labeling.classes == c) & allowed;
    const int pixels = cv::countNonZero(m);
    if (pixels == 0) continue;
    auto_masks.push_back({classes[size_t(c)].id, makeRegion(encodeMask(m)), cv::mean(labeling.confidence, m)[0]});
    pixels_per_class[size_t(c)] += pixels;
  }
  return auto_masks;
}

}  // namespace

AutoLabelReport AutoLabelJob::run() {
  const CollectionPaths paths(root_);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, {}, false);
  RegionVectorSet vectors(models.descriptor->dim());
  vectors.appendFromDatabase(*db, models.descriptor_id);
  LabelStore labels(*db);
  AutoLabelReport report;
  report.classifier = regionClassifierKindName(options_.classifier.kind);

  auto t = Clock::now();
  const TrainingData data = collectUserLabelExamples(*db, labels, vectors, models, paths);
  if (data.classes.size() < 2) {
    throw Error(paths.root, "auto-labeling needs user labels of at least two classes (have " + std::to_string(data.classes.size()) +
                                "): label some regions of another class, e.g. background");
  }
  const RegionClassifier classifier = RegionClassifier::train(data.examples, options_.classifier, &cancelled_);
  report.training_regions = int64_t(data.examples.size());
  report.embedded_for_training = data.embedded;
  for (const ClassRecord& c : data.classes) report.classes.push_back(c.name);
  report.pixels_per_class.assign(data.classes.size(), 0);
  report.train_seconds = secondsSince(t);

  const std::vector<ImageRecord> images = imagesToLabel(*db, options_.images, paths);
  const std::string_view identity = "auto-label masks: argmax of the mean probability of the covering regions (regions paper)";
  const int64_t auto_generator_id = db->ensureModel(kRegionGeneratorKind, kAutoLabelGeneratorName,
                                                    sha256Hex({reinterpret_cast<const uint8_t*>(identity.data()), identity.size()}), 0);
  t = Clock::now();
  AutoLabelProgress progress;
  progress.total = int64_t(images.size());
  for (const ImageRecord& image : images) {
    if (cancelled_) {
      report.cancelled = true;
      break;
    }
    const auto masks = autoMasksOfImage(*db, labels, image, models.generator_id, vectors, classifier, data.classes,
                                        options_.min_confidence, report.pixels_per_class);
    Database::Transaction transaction(*db);
    labels.replaceAutoLabelMasks(image.id, auto_generator_id, masks);
    transaction.commit();
    ++report.images_labeled;
    report.masks_written += int64_t(masks.size());
    ++progress.finished;
    progress.current = image.path;
    if (on_progress_) on_progress_(progress);
  }
  report.label_seconds = secondsSince(t);
  return report;
}

}  // namespace regionlab
