#include "core/io/label_exchange.h"

#include <algorithm>
#include <set>

#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/io/coco_instances.h"
#include "core/io/coco_panoptic.h"
#include "core/io/json_file.h"
#include "core/io/labelme.h"
#include "core/io/pascal_voc.h"
#include "core/io/yolo_seg.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {

std::unique_ptr<Database> openCollection(const fs::path& collection, Database::Access access) {
  const CollectionPaths paths(collection);
  if (!paths.hasDatabase()) throw Error(collection, "not a RegionLab collection yet (run 'regionlab-cli ingest' on it first)");
  return Database::open(paths.database, access);
}

std::string withoutExtension(const std::string& path) { return fs::path(path).replace_extension().generic_string(); }

bool endsWithPath(const std::string& path, const std::string& suffix) {
  return path == suffix || (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                            path[path.size() - suffix.size() - 1] == '/');
}

// Matches the names a label file uses to the collection's images (see label_exchange.h).
class ImageMatcher {
public:
  explicit ImageMatcher(std::vector<StoredImage> images) : images_(std::move(images)) {}

  // Throws Error when the name matches several images equally well.
  const StoredImage* find(std::string name) const {
    name = fs::path(name).lexically_normal().generic_string();
    while (name.rfind("../", 0) == 0) name = name.substr(3);
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    for (const auto& rule : {0, 1, 2, 3}) {
      const StoredImage* found = nullptr;
      for (const StoredImage& image : images_) {
        bool hit = false;
        switch (rule) {
          case 0: hit = image.path == name; break;
          case 1: hit = endsWithPath(image.path, name); break;
          case 2: hit = !fs::path(name).has_extension() && endsWithPath(withoutExtension(image.path), name); break;
          case 3: hit = fs::path(image.path).filename() == fs::path(name).filename(); break;
        }
        if (!hit) continue;
        if (found) throw Error("image name '" + name + "' matches several images of the collection (" + found->path + ", " + image.path + ")");
        found = &image;
      }
      if (found) return found;
    }
    return nullptr;
  }

private:
  std::vector<StoredImage> images_;
};

Rle scaleMask(const Rle& mask, int height, int width) {
  if (mask.height == height && mask.width == width) return mask;
  cv::Mat resized;
  cv::resize(decodeRle(mask), resized, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
  return encodeMask(resized);
}

std::string joinNames(const std::vector<std::string>& names, size_t limit = 10) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += ", … (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

ExportReport writeLabelSet(const LabelSet& labels, LabelFormat format, const fs::path& out_dir, const LabelExportOptions& options,
                           const fs::path& image_root) {
  fs::create_directories(out_dir);
  switch (format) {
    case LabelFormat::CocoInstances: return writeCocoInstances(labels, out_dir / "instances.json", {options.polygons, -1});
    case LabelFormat::CocoPanoptic: return writeCocoPanoptic(labels, out_dir / "panoptic.json");
    case LabelFormat::PascalVoc: return writePascalVoc(labels, out_dir);
    case LabelFormat::YoloSeg: return writeYoloSeg(labels, out_dir, {options.link_images ? image_root : fs::path()});
    case LabelFormat::Labelme: return writeLabelme(labels, out_dir, {image_root});
  }
  throw Error("unknown label format");
}

ExportReport exportCollectionLabels(const fs::path& collection, const fs::path& out_dir, const LabelExportOptions& options) {
  auto db = openCollection(collection, Database::Access::ReadOnly);
  LabelExchangeStore store(*db);
  LabelSet labels;
  int64_t class_id = 1;
  for (const std::string& name : store.readClassNames()) labels.classes.push_back({name, class_id++, true, ""});
  const std::vector<StoredLabel> stored = store.readLabels({options.include_auto, options.min_auto_confidence});
  std::set<int64_t> labeled_images;
  for (const StoredLabel& l : stored) labeled_images.insert(l.image_id);
  std::map<int64_t, size_t> index;
  for (const StoredImage& image : store.readIngestedImages()) {
    if (!options.all_images && !labeled_images.contains(image.id)) continue;
    LabeledImage out;
    out.file_name = image.path;
    out.id = image.id;
    out.width = image.orig_width > 0 ? image.orig_width : image.width;
    out.height = image.orig_height > 0 ? image.orig_height : image.height;
    index[image.id] = labels.images.size();
    labels.images.push_back(std::move(out));
  }
  for (const StoredLabel& l : stored) {
    const auto it = index.find(l.image_id);
    if (it == index.end()) continue;  // image not ingested to the end (no analysed size)
    LabeledImage& image = labels.images[it->second];
    image.instances.push_back({l.class_name, scaleMask(l.mask, image.height, image.width), l.is_auto ? LabelSource::Auto : LabelSource::User,
                               l.confidence, false});
  }
  return writeLabelSet(labels, options.format, out_dir, options, CollectionPaths(collection).root);
}

std::map<std::string, std::string> readClassMapFile(const fs::path& file) {
  const nlohmann::json doc = io::readJsonFile(file);
  if (!doc.is_object()) io::throwFieldError(file, "(top level)", "expected an object {\"source class\": \"collection class\" or null}");
  std::map<std::string, std::string> map;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_null()) map[key] = "";
    else if (value.is_string()) map[key] = value.get<std::string>();
    else io::throwFieldError(file, key, "expected a class name or null");
  }
  return map;
}

LabelImportReport importCollectionLabels(const fs::path& collection, const fs::path& source, const LabelImportOptions& options) {
  if (!formatCanImport(options.format)) {
    throw Error(source, labelFormatName(options.format) + " files cannot be imported (a class map loses which pixels form one object)");
  }
  auto db = openCollection(collection, Database::Access::ReadWrite);
  LabelExchangeStore store(*db);
  const ImageMatcher matcher(store.readIngestedImages());
  LabelImportReport report;

  LabelSet labels;
  switch (options.format) {
    case LabelFormat::CocoInstances: labels = readCocoInstances(source); break;
    case LabelFormat::CocoPanoptic: labels = readCocoPanoptic(source, options.panoptic_pngs); break;
    case LabelFormat::Labelme: labels = readLabelme(source); break;
    case LabelFormat::YoloSeg: {
      const auto size_of = [&](const std::string& stem) -> std::optional<cv::Size> {
        const StoredImage* image = matcher.find(stem);
        if (!image) return std::nullopt;
        return cv::Size(image->orig_width > 0 ? image->orig_width : image->width, image->orig_height > 0 ? image->orig_height : image->height);
      };
      YoloReadResult yolo = readYoloSeg(source, size_of, options.yolo_names);
      labels = std::move(yolo.labels);
      report.missing_images = std::move(yolo.missing_images);
      report.images_in_file = int(report.missing_images.size());
      break;
    }
    case LabelFormat::PascalVoc: break;
  }
  report.images_in_file += int(labels.images.size());

  std::set<std::string> known_classes;
  for (const std::string& name : store.readClassNames()) known_classes.insert(name);
  std::vector<ImportedMask> masks;
  std::set<std::string> refused_classes;
  for (const LabeledImage& image : labels.images) {
    const StoredImage* stored = matcher.find(image.file_name);
    if (!stored) {
      report.missing_images.push_back(image.file_name);
      continue;
    }
    const int orig_w = stored->orig_width > 0 ? stored->orig_width : stored->width;
    const int orig_h = stored->orig_height > 0 ? stored->orig_height : stored->height;
    if (image.width != orig_w || image.height != orig_h) {
      throw Error(source, "image " + image.file_name + " is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                              " in the label file but " + std::to_string(orig_w) + "x" + std::to_string(orig_h) + " in the collection (" +
                              stored->path + ")");
    }
    ++report.images_matched;
    for (const LabeledInstance& instance : image.instances) {
      ++report.instances_read;
      std::string name = instance.class_name;
      if (const auto it = options.class_map.find(name); it != options.class_map.end()) name = it->second;
      if (name.empty()) {
        ++report.instances_left_out;
        continue;
      }
      if (options.only_existing_classes && !known_classes.contains(name)) {
        refused_classes.insert(name);
        continue;
      }
      masks.push_back({stored->id, scaleMask(instance.mask, stored->height, stored->width), name});
    }
  }
  if (!refused_classes.empty()) {
    throw Error(source, "classes not in the collection: " + joinNames({refused_classes.begin(), refused_classes.end()}) +
                            " (map them with a class map, or allow new classes)");
  }
  if (!report.missing_images.empty() && options.missing_images == MissingImagePolicy::Fail) {
    throw Error(source, std::to_string(report.missing_images.size()) + " image(s) of the file are not ingested images of the collection: " +
                            joinNames(report.missing_images) + " — ingest them first, or skip them (--skip-missing)");
  }
  if (!options.dry_run) report.written = store.writeUserLabels(masks);
  return report;
}

}  // namespace regionlab
