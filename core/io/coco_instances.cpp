#include "core/io/coco_instances.h"

#include <map>

#include "core/base/build_info.h"
#include "core/base/error.h"
#include "core/io/coco_images.h"
#include "core/io/json_file.h"
#include "core/io/mask_polygons.h"

namespace regionlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json cocoRle(const Rle& mask) { return {{"size", {mask.height, mask.width}}, {"counts", rleToCocoString(mask)}}; }

// Polygons for the mask, or null when they would not give back exactly this mask.
json cocoPolygons(const Rle& mask, const cv::Mat& decoded) {
  const MaskOutline outline = traceMaskOutline(decoded);
  if (outline.hasHoles()) return nullptr;
  const std::vector<PolygonRing> rings = outerRings(outline);
  if (maskIoU(ringsToMask(rings, mask.height, mask.width), decoded) < 1.0) return nullptr;
  json polygons = json::array();
  for (const PolygonRing& ring : rings) {
    json flat = json::array();
    for (const cv::Point2d& p : ring) flat.push_back(p.x), flat.push_back(p.y);
    polygons.push_back(std::move(flat));
  }
  return polygons;
}

Rle readSegmentation(const fs::path& file, const json& seg, const std::string& field, int height, int width) {
  if (seg.is_array()) {
    std::vector<PolygonRing> rings;
    for (size_t k = 0; k < seg.size(); ++k) {
      const std::string f = field + "[" + std::to_string(k) + "]";
      const json& flat = seg[k];
      if (!flat.is_array() || flat.size() < 6 || flat.size() % 2 != 0) {
        io::throwFieldError(file, f, "a polygon needs an even number of coordinates, at least 6");
      }
      PolygonRing ring;
      for (size_t i = 0; i < flat.size(); i += 2) {
        if (!flat[i].is_number() || !flat[i + 1].is_number()) io::throwFieldError(file, f, "coordinates must be numbers");
        ring.emplace_back(flat[i].get<double>(), flat[i + 1].get<double>());
      }
      if (const std::string why = ringOutOfRange(ring, height, width); !why.empty()) io::throwFieldError(file, f, why);
      rings.push_back(std::move(ring));
    }
    if (rings.empty()) io::throwFieldError(file, field, "no polygon");
    return encodeMask(ringsToMask(rings, height, width));
  }
  if (!seg.is_object()) io::throwFieldError(file, field, "expected polygons (an array) or RLE (an object)");
  const json& size = io::requireArray(file, seg, "size", field);
  if (size.size() != 2 || !size[0].is_number_integer() || !size[1].is_number_integer()) {
    io::throwFieldError(file, field + ".size", "expected [height, width]");
  }
  if (size[0].get<int>() != height || size[1].get<int>() != width) {
    io::throwFieldError(file, field + ".size",
                        "[" + std::to_string(size[0].get<int>()) + ", " + std::to_string(size[1].get<int>()) +
                            "] does not match the image's size [" + std::to_string(height) + ", " + std::to_string(width) + "]");
  }
  const json& counts = io::requireField(file, seg, "counts", field);
  Rle rle;
  try {
    if (counts.is_string()) {
      rle = rleFromCocoString(counts.get<std::string>(), height, width);
    } else if (counts.is_array()) {
      rle = {height, width, {}};
      for (const json& c : counts) {
        if (!c.is_number_integer() || c.get<int64_t>() < 0) io::throwFieldError(file, field + ".counts", "counts must be whole numbers ≥ 0");
        rle.counts.push_back(uint32_t(c.get<int64_t>()));
      }
    } else {
      io::throwFieldError(file, field + ".counts", "expected a string (compressed RLE) or an array (uncompressed RLE)");
    }
    validateRle(rle, "mask");
  } catch (const Error& e) {
    if (!e.file().empty()) throw;
    io::throwFieldError(file, field + ".counts", e.reason());
  }
  return rle;
}

}  // namespace

ExportReport writeCocoInstances(const LabelSet& labels, const fs::path& json_file, const CocoWriteOptions& options) {
  ExportReport report;
  json images = json::array(), annotations = json::array(), categories = json::array();
  for (const LabelClass& c : labels.classes) categories.push_back({{"id", c.id}, {"name", c.name}, {"supercategory", ""}});
  int64_t annotation_id = 1, with_holes = 0;
  for (const LabeledImage& image : labels.images) {
    images.push_back({{"id", image.id}, {"file_name", image.file_name}, {"width", image.width}, {"height", image.height}});
    for (const LabeledInstance& instance : image.instances) {
      const LabelClass* c = labels.findClass(instance.class_name);
      if (!c) throw Error(json_file, "class '" + instance.class_name + "' is missing from the class list (internal error)");
      const BoundingBox box = rleBoundingBox(instance.mask);
      json annotation = {{"id", annotation_id++},
                         {"image_id", image.id},
                         {"category_id", c->id},
                         {"area", rleArea(instance.mask)},
                         {"bbox", {box.x, box.y, box.width, box.height}},
                         {"iscrowd", instance.is_crowd ? 1 : 0}};
      json polygons = nullptr;
      if (options.polygons && !instance.is_crowd) {
        polygons = cocoPolygons(instance.mask, decodeRle(instance.mask));
        if (polygons.is_null()) ++with_holes;
      }
      annotation["segmentation"] = polygons.is_null() ? cocoRle(instance.mask) : polygons;
      // Detection-result style confidence for automatic labels (FiftyOne reads it as confidence).
      if (instance.source == LabelSource::Auto) annotation["score"] = instance.confidence;
      annotations.push_back(std::move(annotation));
      ++report.instances;
    }
    ++report.images;
  }
  const json document = {{"info", {{"description", "Labels exported by RegionLab"}, {"version", regionlabVersion()}}},
                         {"licenses", json::array()},
                         {"images", std::move(images)},
                         {"annotations", std::move(annotations)},
                         {"categories", std::move(categories)}};
  io::writeJsonFile(json_file, document, options.indent);
  report.files.push_back(json_file.string());
  if (with_holes > 0) {
    report.notes.push_back(std::to_string(with_holes) + " instance(s) with holes written as RLE (COCO polygons cannot hold holes)");
  }
  return report;
}

LabelSet readCocoInstances(const fs::path& file) {
  const json doc = io::readJsonFile(file);
  LabelSet set;
  const json& categories = io::requireArray(file, doc, "categories", "");
  std::map<int64_t, std::string> category_names;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string where = "categories[" + std::to_string(i) + "]";
    const int64_t id = io::requireInt(file, categories[i], "id", where);
    const std::string name = io::requireString(file, categories[i], "name", where);
    if (!category_names.emplace(id, name).second) io::throwFieldError(file, where + ".id", "category id " + std::to_string(id) + " appears twice");
    if (set.findClass(name)) io::throwFieldError(file, where + ".name", "category name '" + name + "' appears twice");
    set.classes.push_back({name, id, true, ""});
  }
  const std::map<int64_t, size_t> image_index = io::readCocoImages(file, doc, set, /*unique_file_names=*/true);
  const json& annotations = io::requireArray(file, doc, "annotations", "");
  for (size_t i = 0; i < annotations.size(); ++i) {
    const json& a = annotations[i];
    const std::string where = "annotations[" + std::to_string(i) + "]";
    const int64_t image_id = io::requireInt(file, a, "image_id", where);
    const auto img = image_index.find(image_id);
    if (img == image_index.end()) io::throwFieldError(file, where + ".image_id", "no image has id " + std::to_string(image_id));
    const int64_t category_id = io::requireInt(file, a, "category_id", where);
    const auto cat = category_names.find(category_id);
    if (cat == category_names.end()) io::throwFieldError(file, where + ".category_id", "unknown category id " + std::to_string(category_id));
    LabeledImage& image = set.images[img->second];
    LabeledInstance instance;
    instance.class_name = cat->second;
    instance.mask = readSegmentation(file, io::requireField(file, a, "segmentation", where), where + ".segmentation", image.height, image.width);
    if (rleArea(instance.mask) == 0) io::throwFieldError(file, where + ".segmentation", "the mask is empty");
    if (const auto crowd = a.find("iscrowd"); crowd != a.end() && crowd->is_number()) instance.is_crowd = crowd->get<int>() != 0;
    image.instances.push_back(std::move(instance));
  }
  return set;
}

}  // namespace regionlab
