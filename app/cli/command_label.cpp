// regionlab-cli label classes|add-class|rename-class|delete-class|set|remove|show|auto: classes,
// user labels and semantic auto-labeling (core/storage/label_store.h, core/learning/auto_label_job.h).
#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/base/error.h"
#include "core/learning/auto_label_job.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"

namespace regionlab::cli {
namespace {

using nlohmann::json;

std::unique_ptr<Database> openCollection(const std::string& folder) {
  const CollectionPaths paths(folder);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  return Database::open(paths.database);
}

ClassRecord requireClass(LabelStore& labels, const std::string& name) {
  auto cls = labels.findClass(name);
  if (!cls) throw Error("no class named '" + name + "' (see 'regionlab-cli label classes')");
  return *cls;
}

int runClasses(const ArgumentParser& p) {
  auto db = openCollection(p.get("folder"));
  LabelStore labels(*db);
  const auto counts = labels.countLabelsPerClass();
  if (p.has("json")) {
    json out = json::array();
    for (const ClassLabelCounts& c : counts) {
      out.push_back({{"id", c.cls.id}, {"name", c.cls.name}, {"color", c.cls.color}, {"user_labels", c.user_labels}, {"auto_labels", c.auto_labels}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%5s  %-24s  %-7s  %11s  %11s\n", "id", "class", "colour", "user labels", "auto labels");
  for (const ClassLabelCounts& c : counts) {
    std::printf("%5lld  %-24s  %-7s  %11lld  %11lld\n", (long long)c.cls.id, c.cls.name.c_str(), c.cls.color.c_str(), (long long)c.user_labels,
                (long long)c.auto_labels);
  }
  return 0;
}

int runShow(const ArgumentParser& p) {
  if (!p.has("image")) throw UsageError("--image is required");
  auto db = openCollection(p.get("folder"));
  const CollectionPaths paths(p.get("folder"));
  std::string relative = *p.value("image");
  if (std::filesystem::path(relative).is_absolute()) relative = paths.relativePath(relative);
  const auto image = db->findImage(std::filesystem::path(relative).lexically_normal().generic_string());
  if (!image) throw Error(relative, "image is not in the collection " + paths.root.string());
  LabelStore labels(*db);
  json out = json::array();
  if (!p.has("json")) std::printf("%8s  %-20s  %-6s  %6s  %8s  %s\n", "region", "class", "source", "conf", "area", "bbox x,y,w,h");
  for (const LabelRecord& l : labels.readLabelsOfImage(image->id)) {
    const auto cls = labels.readClass(l.class_id);
    const auto region = db->readRegion(l.region_id);
    const BoundingBox b = region ? region->region.bbox : BoundingBox{};
    const int64_t area = region ? region->region.area : 0;
    if (p.has("json")) {
      out.push_back({{"region", l.region_id}, {"class", cls ? cls->name : ""}, {"source", labelSourceName(l.source)},
                     {"confidence", l.confidence}, {"area", area}, {"bbox", {b.x, b.y, b.width, b.height}},
                     {"concept", l.query_id ? json(*l.query_id) : json()}});
    } else {
      std::printf("%8lld  %-20s  %-6s  %6.3f  %8lld  %d,%d,%d,%d\n", (long long)l.region_id, cls ? cls->name.c_str() : "?",
                  labelSourceName(l.source).c_str(), l.confidence, (long long)area, b.x, b.y, b.width, b.height);
    }
  }
  if (p.has("json")) std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int runAuto(const ArgumentParser& p) {
  AutoLabelOptions options;
  try {
    options.classifier.kind = regionClassifierKindFromName(*p.value("head"));
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  options.min_confidence = float(p.doubleValue("min-confidence", 0, 1));
  if (p.has("images")) {
    std::stringstream s(*p.value("images"));
    for (std::string item; std::getline(s, item, ',');) {
      if (!item.empty()) options.images.push_back(item);
    }
  }
  AutoLabelJob job(p.get("folder"), options);
  const AutoLabelReport r = job.run();
  if (p.has("json")) {
    json classes = json::array();
    for (size_t i = 0; i < r.classes.size(); ++i) classes.push_back({{"name", r.classes[i]}, {"pixels", r.pixels_per_class[i]}});
    const json out = {{"classifier", r.classifier}, {"training_regions", r.training_regions},
                      {"embedded_for_training", r.embedded_for_training}, {"images_labeled", r.images_labeled},
                      {"masks_written", r.masks_written}, {"classes", classes},
                      {"train_seconds", r.train_seconds}, {"label_seconds", r.label_seconds}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("Trained a %s classifier on %lld user-labeled regions of %zu classes in %.2f s; labeled %lld images (%lld masks) in %.2f s\n",
              r.classifier.c_str(), (long long)r.training_regions, r.classes.size(), r.train_seconds, (long long)r.images_labeled,
              (long long)r.masks_written, r.label_seconds);
  for (size_t i = 0; i < r.classes.size(); ++i) std::printf("  %-24s %12lld pixels\n", r.classes[i].c_str(), (long long)r.pixels_per_class[i]);
  return 0;
}

// The small edits: add-class, rename-class, delete-class, set, remove.
int runEdit(const std::string& action, const ArgumentParser& p) {
  auto db = openCollection(p.get("folder"));
  LabelStore labels(*db);
  if (action == "add-class") {
    if (!p.has("name")) throw UsageError("--name is required");
    const ClassRecord c = labels.createClass(*p.value("name"), p.value("color").value_or(""));
    std::printf("class %lld: %s %s\n", (long long)c.id, c.name.c_str(), c.color.c_str());
  } else if (action == "rename-class") {
    if (!p.has("class") || !p.has("name")) throw UsageError("--class and --name are required");
    labels.renameClass(requireClass(labels, *p.value("class")).id, *p.value("name"));
    if (p.has("color")) labels.setClassColor(requireClass(labels, *p.value("name")).id, *p.value("color"));
  } else if (action == "delete-class") {
    if (!p.has("class")) throw UsageError("--class is required");
    labels.deleteClass(requireClass(labels, *p.value("class")).id);
  } else if (action == "set") {
    if (!p.has("region") || !p.has("class")) throw UsageError("--region and --class are required");
    const ClassRecord c = labels.ensureClass(*p.value("class"), p.value("color").value_or(""));
    labels.setUserLabel(p.intValue("region", 1, INT32_MAX), c.id);
  } else if (action == "remove") {
    if (!p.has("region")) throw UsageError("--region is required");
    if (!labels.removeUserLabel(p.intValue("region", 1, INT32_MAX))) throw Error("region " + *p.value("region") + " has no user label");
  }
  return 0;
}

}  // namespace

int runLabel(const std::vector<std::string>& args) {
  static const std::vector<std::string> kActions = {"classes", "add-class", "rename-class", "delete-class", "set", "remove", "show", "auto"};
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs("Usage: regionlab-cli label classes|add-class|rename-class|delete-class|set|remove|show|auto <folder> [options]\n"
               "(see 'regionlab-cli label <action> --help')\n",
               args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& action = args[0];
  if (std::find(kActions.begin(), kActions.end(), action) == kActions.end()) throw UsageError("unknown action '" + action + "'");
  ArgumentParser p("label " + action,
                   action == "classes"        ? "Lists the classes with their user and auto label counts."
                   : action == "add-class"    ? "Creates a class (name and colour)."
                   : action == "rename-class" ? "Renames a class (and optionally recolours it)."
                   : action == "delete-class" ? "Deletes a class and every label of it."
                   : action == "set"          ? "Labels a region with a class (source=user; replaces its other labels). Creates the class if needed."
                   : action == "remove"       ? "Removes a region's user label."
                   : action == "show"         ? "Lists an image's labels."
                                              : "Trains the region classifier on the user labels and auto-labels the images (source=auto;\n"
                                                "each pixel takes the argmax of the mean probability of the regions covering it).");
  p.positional("folder", "The collection folder (ingested).");
  if (action == "add-class" || action == "rename-class") p.option("name", "NAME", "The class name.");
  if (action == "rename-class" || action == "delete-class" || action == "set") p.option("class", "NAME", "The class.");
  if (action == "add-class" || action == "rename-class" || action == "set") p.option("color", "#RRGGBB", "Colour of the class.");
  if (action == "set" || action == "remove") p.option("region", "ID", "The region.");
  if (action == "show") p.option("image", "PATH", "The image (absolute, or relative to the folder).");
  if (action == "auto") {
    p.option("head", "NAME", "Classifier head: linear or mlp.", "linear")
        .option("images", "PATH[,PATH]", "Only these images (relative paths); default: all.")
        .option("min-confidence", "P", "Leave pixels whose winning mean probability is below P unlabeled.", "0");
  }
  if (action == "classes" || action == "show" || action == "auto") p.flag("json", "Print as JSON.");
  if (!p.parse({args.begin() + 1, args.end()})) return 0;
  if (action == "classes") return runClasses(p);
  if (action == "show") return runShow(p);
  if (action == "auto") return runAuto(p);
  return runEdit(action, p);
}

}  // namespace regionlab::cli
