// regionlab-cli eval retrieval | semseg: the regions paper's evaluation protocols on a collection
// with ground truth (core/eval). Prints a summary (or JSON with --json) and writes a PNG chart.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/eval/eval_charts.h"
#include "core/eval/retrieval_eval.h"
#include "core/eval/semseg_eval.h"
#include "core/storage/collection_paths.h"

namespace regionlab::cli {
namespace {

using nlohmann::json;

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::filesystem::path chartPath(const ArgumentParser& p, const std::string& kind) {
  if (const auto given = p.value("chart")) return *given;
  return CollectionPaths(p.get("folder")).data_dir / "eval" / (kind + ".png");
}

json scoresJson(const RetrievalScores& s) {
  return {{"mAP", s.mean_ap}, {"precision_at_10", s.precision_at_10}, {"precision_at_50", s.precision_at_50}};
}

json retrievalJson(const RetrievalEvalReport& r, const std::filesystem::path& chart) {
  json per_class = json::array();
  for (const ClassRetrievalResult& c : r.per_class) {
    json item = {{"category_id", c.category_id},       {"name", c.name},
                 {"queries", c.queries},               {"mean_relevant_images", c.mean_relevant},
                 {"AP", c.regions.mean_ap},            {"precision_at_10", c.regions.precision_at_10},
                 {"precision_at_50", c.regions.precision_at_50}, {"random_AP", c.random.mean_ap}};
    if (r.has_baselines) {
      item["whole_image_AP"] = c.whole_image.mean_ap;
      item["crop_AP"] = c.crop.mean_ap;
    }
    per_class.push_back(item);
  }
  json baselines = {{"random", scoresJson(r.random)}};
  if (r.has_baselines) {
    baselines["whole_image"] = scoresJson(r.whole_image);
    baselines["crop"] = scoresJson(r.crop);
  }
  return {{"mAP", r.regions.mean_ap},
          {"precision_at_10", r.regions.precision_at_10},
          {"precision_at_50", r.regions.precision_at_50},
          {"random_mAP", r.random.mean_ap},
          {"random_precision_at_10", r.random.precision_at_10},
          {"random_precision_at_50", r.random.precision_at_50},
          {"queries", r.queries},
          {"classes", r.classes},
          {"skipped_queries", r.skipped_queries},
          {"gallery_images", r.gallery_images},
          {"images_without_ground_truth", r.images_without_ground_truth},
          {"images_size_mismatch", r.images_size_mismatch},
          {"models", r.descriptor},
          {"baselines", baselines},
          {"per_class", per_class},
          {"chart", chart.string()},
          {"seconds", r.seconds}};
}

int runRetrieval(const std::vector<std::string>& args) {
  ArgumentParser p("eval retrieval",
                   "The regions paper's one-shot retrieval protocol on COCO panoptic ground truth: queries are ground-truth\n"
                   "instance masks pooled with the active descriptor, images are ranked by their best region, and AP is\n"
                   "averaged per class then over classes. Collection images map to the ground truth by file stem.");
  p.positional("folder", "The collection folder (ingested).")
      .option("coco-panoptic", "JSON[,JSON]", "COCO panoptic annotation file(s); several parts are merged.")
      .option("panoptic-dir", "DIR[,DIR]", "The segment PNG folder of each JSON (default: beside it, named after it).")
      .option("queries-per-class", "N", "Ground-truth instances per class used as queries (each from another image).", "50")
      .option("seed", "N", "Which instances become queries.", "1")
      .option("chart", "PNG", "Where to write the chart (default: <folder>/.regionlab/eval/retrieval.png).")
      .flag("all-categories", "Also query stuff categories (default: thing categories, the paper's object classes).")
      .flag("no-baselines", "Skip the whole-image and crop baselines.")
      .flag("json", "Print the report as JSON.");
  if (!p.parse(args)) return 0;
  if (!p.has("coco-panoptic")) throw UsageError("--coco-panoptic is required");
  const auto jsons = splitList(*p.value("coco-panoptic"));
  const auto dirs = p.has("panoptic-dir") ? splitList(*p.value("panoptic-dir")) : std::vector<std::string>();
  if (!dirs.empty() && dirs.size() != jsons.size()) throw UsageError("give one --panoptic-dir per --coco-panoptic file");
  PanopticDataset gt;
  for (size_t i = 0; i < jsons.size(); ++i) gt.merge(readCocoPanoptic(jsons[i], dirs.empty() ? std::filesystem::path() : std::filesystem::path(dirs[i])));

  RetrievalEvalOptions options;
  options.queries_per_class = p.intValue("queries-per-class", 1, 100000);
  options.seed = uint64_t(p.intValue("seed", 0, INT32_MAX));
  options.things_only = !p.has("all-categories");
  options.baselines = !p.has("no-baselines");
  const RetrievalEvalReport r = evaluateRetrieval(p.get("folder"), gt, options);
  const auto chart = chartPath(p, "retrieval");
  writeBarChart(retrievalChart(r), chart);

  if (p.has("json")) {
    std::printf("%s\n", retrievalJson(r, chart).dump(2).c_str());
    return 0;
  }
  std::printf("One-shot retrieval: %lld queries over %lld classes, %lld images (%lld queries skipped: class in no other image)\n",
              (long long)r.queries, (long long)r.classes, (long long)r.gallery_images, (long long)r.skipped_queries);
  std::printf("Models: %s\n\n%-28s %7s %7s %7s\n", r.descriptor.c_str(), "method", "mAP", "P@10", "P@50");
  const auto row = [](const char* name, const RetrievalScores& s) {
    std::printf("%-28s %7.4f %7.4f %7.4f\n", name, s.mean_ap, s.precision_at_10, s.precision_at_50);
  };
  row("regions (max over regions)", r.regions);
  if (r.has_baselines) {
    row("whole-image vector", r.whole_image);
    row("crop then embed", r.crop);
  }
  row("random ranking (expected)", r.random);
  std::printf("\nChart: %s (%.1f s)\n", chart.string().c_str(), r.seconds);
  return 0;
}

json semsegJson(const SemsegEvalReport& r, const std::filesystem::path& chart) {
  const auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(); };
  json per_class = json::array();
  for (const SemsegClassResult& c : r.per_class) {
    per_class.push_back({{"value", c.value},
                         {"name", c.name},
                         {"IoU", optional(c.iou)},
                         {"oracle_IoU", optional(c.oracle_iou)},
                         {"oracle_soft_IoU", optional(c.oracle_soft_iou)},
                         {"test_pixels", c.test_pixels},
                         {"training_regions", c.training_regions}});
  }
  return {{"mIoU", r.mean_iou},
          {"oracle_mIoU", r.oracle_mean_iou},
          {"oracle_soft_mIoU", r.oracle_soft_mean_iou},
          {"pixel_accuracy", r.pixel_accuracy},
          {"oracle_pixel_accuracy", r.oracle_pixel_accuracy},
          {"coverage", r.coverage},
          {"train_images", r.train_images},
          {"test_images", r.test_images},
          {"images_without_labels", r.images_without_labels},
          {"training_regions", r.training_regions},
          {"unlabeled_training_regions", r.unlabeled_training_regions},
          {"test_regions", r.test_regions},
          {"classifier", r.classifier},
          {"models", r.descriptor},
          {"per_class", per_class},
          {"chart", chart.string()},
          {"seconds", r.seconds}};
}

int runSemseg(const std::vector<std::string>& args) {
  ArgumentParser p("eval semseg",
                   "Semantic labeling by region classification, as in the regions paper: regions with > 50% of their pixels in\n"
                   "one class train a classifier (area-weighted cross-entropy); each test pixel takes the argmax of the mean\n"
                   "probability of the regions covering it. Reports mIoU and the oracle mIoU (each region labeled with its\n"
                   "majority ground-truth class). The first part of the labeled images (by path) trains, the rest is tested.");
  p.positional("folder", "The collection folder (ingested).")
      .option("labels", "DIR", "Class-index PNGs: <DIR>/<image path>.png or <DIR>/<image stem>.png.")
      .option("ignore", "V[,V]", "Label values that are not classes (void/unlabeled).", "255")
      .option("train-fraction", "F", "Fraction of the labeled images (sorted by path) used for training.", "0.5")
      .option("head", "NAME", "Classifier head: linear or mlp.", "linear")
      .option("class-names", "A,B,...", "Names of the label values 0, 1, ... for the report.")
      .option("coco-categories", "JSON", "Take the names of the label values from a COCO (panoptic) file's categories.")
      .option("chart", "PNG", "Where to write the chart (default: <folder>/.regionlab/eval/semseg.png).")
      .flag("json", "Print the report as JSON.");
  if (!p.parse(args)) return 0;
  if (!p.has("labels")) throw UsageError("--labels is required");
  SemsegEvalOptions options;
  options.train_fraction = p.doubleValue("train-fraction", 0.01, 0.99);
  options.ignore_values.clear();
  for (const std::string& v : splitList(*p.value("ignore"))) {
    try {
      options.ignore_values.push_back(std::stoi(v));
    } catch (const std::exception&) {
      throw UsageError("--ignore expects whole numbers, got '" + v + "'");
    }
  }
  try {
    options.classifier.kind = regionClassifierKindFromName(*p.value("head"));
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (p.has("class-names")) {
    const auto names = splitList(*p.value("class-names"));
    for (size_t i = 0; i < names.size(); ++i) options.class_names[int(i)] = names[i];
  }
  if (p.has("coco-categories")) {
    for (const auto& [id, category] : readCocoPanoptic(*p.value("coco-categories")).categories) options.class_names[id] = category.name;
  }
  const SemsegEvalReport r = evaluateSemanticSegmentation(p.get("folder"), *p.value("labels"), options);
  const auto chart = chartPath(p, "semseg");
  writeBarChart(semsegChart(r), chart);

  if (p.has("json")) {
    std::printf("%s\n", semsegJson(r, chart).dump(2).c_str());
    return 0;
  }
  std::printf("Semantic labeling: %lld training images (%lld regions), %lld test images (%lld regions); %s head\n",
              (long long)r.train_images, (long long)r.training_regions, (long long)r.test_images, (long long)r.test_regions,
              r.classifier.c_str());
  std::printf("Models: %s\n\n", r.descriptor.c_str());
  std::printf("mIoU %.4f   oracle mIoU %.4f   (soft oracle %.4f)\npixel accuracy %.4f   oracle %.4f   region coverage %.4f\n\n",
              r.mean_iou, r.oracle_mean_iou, r.oracle_soft_mean_iou, r.pixel_accuracy, r.oracle_pixel_accuracy, r.coverage);
  std::printf("%-20s %8s %8s %12s\n", "class", "IoU", "oracle", "test pixels");
  for (const SemsegClassResult& c : r.per_class) {
    std::printf("%-20s %8.4f %8.4f %12lld\n", c.name.c_str(), c.iou.value_or(0), c.oracle_iou.value_or(0), (long long)c.test_pixels);
  }
  std::printf("\nChart: %s (%.1f s)\n", chart.string().c_str(), r.seconds);
  return 0;
}

}  // namespace

int runEval(const std::vector<std::string>& args) {
  const std::string usage = "Usage: regionlab-cli eval retrieval|semseg <folder> [options] (see 'regionlab-cli eval <kind> --help')\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "retrieval") return runRetrieval(rest);
  if (args[0] == "semseg") return runSemseg(rest);
  throw UsageError("unknown evaluation '" + args[0] + "' (retrieval or semseg)");
}

}  // namespace regionlab::cli
