#include "core/io/coco_panoptic.h"

#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/build_info.h"
#include "core/base/error.h"
#include "core/io/coco_images.h"
#include "core/io/instance_painting.h"
#include "core/io/json_file.h"

namespace regionlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string pngNameFor(const std::string& image_file) { return fs::path(image_file).replace_extension(".png").generic_string(); }

}  // namespace

ExportReport writeCocoPanoptic(const LabelSet& labels, const fs::path& json_file) {
  ExportReport report;
  const fs::path png_folder = fs::path(json_file).replace_extension();
  json images = json::array(), annotations = json::array(), categories = json::array();
  for (const LabelClass& c : labels.classes) {
    categories.push_back({{"id", c.id}, {"name", c.name}, {"supercategory", ""}, {"isthing", c.is_thing ? 1 : 0},
                          {"color", json::array()}});
  }
  for (const LabeledImage& image : labels.images) {
    images.push_back({{"id", image.id}, {"file_name", image.file_name}, {"width", image.width}, {"height", image.height}});
    const PaintedInstances painted = paintInstances(image);
    for (std::string& w : overlapWarnings(image, painted)) report.warnings.push_back(std::move(w));
    // Segment id k+1 for instance k: small ids stay in the R channel, readable by eye in a viewer.
    cv::Mat bgr(image.height, image.width, CV_8UC3);
    for (int y = 0; y < image.height; ++y) {
      const int* owner = painted.owner.ptr<int>(y);
      cv::Vec3b* out = bgr.ptr<cv::Vec3b>(y);
      for (int x = 0; x < image.width; ++x) {
        const int id = owner[x];
        out[x] = cv::Vec3b(uchar((id >> 16) & 255), uchar((id >> 8) & 255), uchar(id & 255));
      }
    }
    json segments = json::array();
    for (size_t k = 0; k < image.instances.size(); ++k) {
      if (painted.visible_area[k] == 0) continue;
      const LabeledInstance& instance = image.instances[k];
      const cv::Rect box = cv::boundingRect(painted.owner == int(k) + 1);
      segments.push_back({{"id", int64_t(k) + 1},
                          {"category_id", labels.findClass(instance.class_name)->id},
                          {"iscrowd", instance.is_crowd ? 1 : 0},
                          {"bbox", {box.x, box.y, box.width, box.height}},
                          {"area", painted.visible_area[k]}});
      ++report.instances;
    }
    const std::string png_name = pngNameFor(image.file_name);
    const fs::path png_file = png_folder / png_name;
    fs::create_directories(png_file.parent_path());
    if (!cv::imwrite(png_file.string(), bgr)) throw Error(png_file, "cannot write the PNG");
    report.files.push_back(png_file.string());
    annotations.push_back({{"image_id", image.id}, {"file_name", png_name}, {"segments_info", std::move(segments)}});
    ++report.images;
  }
  const json document = {{"info", {{"description", "Panoptic labels exported by RegionLab"}, {"version", regionlabVersion()}}},
                         {"licenses", json::array()},
                         {"images", std::move(images)},
                         {"annotations", std::move(annotations)},
                         {"categories", std::move(categories)}};
  io::writeJsonFile(json_file, document);
  report.files.push_back(json_file.string());
  return report;
}

LabelSet readCocoPanoptic(const fs::path& file, std::optional<fs::path> png_folder) {
  const fs::path folder = png_folder.value_or(fs::path(file).replace_extension());
  const json doc = io::readJsonFile(file);
  LabelSet set;
  std::map<int64_t, std::string> category_names;
  const json& categories = io::requireArray(file, doc, "categories", "");
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string where = "categories[" + std::to_string(i) + "]";
    LabelClass c;
    c.id = io::requireInt(file, categories[i], "id", where);
    c.name = io::requireString(file, categories[i], "name", where);
    if (const auto thing = categories[i].find("isthing"); thing != categories[i].end() && thing->is_number()) c.is_thing = thing->get<int>() != 0;
    if (!category_names.emplace(c.id, c.name).second) io::throwFieldError(file, where + ".id", "category id appears twice");
    set.classes.push_back(c);
  }
  const std::map<int64_t, size_t> image_index = io::readCocoImages(file, doc, set, /*unique_file_names=*/false);
  const json& annotations = io::requireArray(file, doc, "annotations", "");
  for (size_t i = 0; i < annotations.size(); ++i) {
    const json& a = annotations[i];
    const std::string where = "annotations[" + std::to_string(i) + "]";
    const int64_t image_id = io::requireInt(file, a, "image_id", where);
    const auto img = image_index.find(image_id);
    if (img == image_index.end()) io::throwFieldError(file, where + ".image_id", "no image has id " + std::to_string(image_id));
    LabeledImage& image = set.images[img->second];
    const fs::path png_file = folder / io::requireString(file, a, "file_name", where);
    const cv::Mat bgr = cv::imread(png_file.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) throw Error(png_file, "cannot read the panoptic PNG (listed in " + file.filename().string() + " " + where + ".file_name)");
    if (bgr.cols != image.width || bgr.rows != image.height) {
      throw Error(png_file, "PNG is " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) + " but image " +
                                std::to_string(image_id) + " is " + std::to_string(image.width) + "x" + std::to_string(image.height));
    }
    const json& segments = io::requireArray(file, a, "segments_info", where);
    // Segment ids → dense labels 1..n so one pass over the pixels encodes every mask.
    std::map<int64_t, int> dense;
    for (size_t k = 0; k < segments.size(); ++k) {
      const int64_t id = io::requireInt(file, segments[k], "id", where + ".segments_info[" + std::to_string(k) + "]");
      if (!dense.emplace(id, int(k) + 1).second) io::throwFieldError(file, where + ".segments_info[" + std::to_string(k) + "].id", "segment id appears twice");
    }
    cv::Mat labels(bgr.rows, bgr.cols, CV_32S);
    for (int y = 0; y < bgr.rows; ++y) {
      const cv::Vec3b* in = bgr.ptr<cv::Vec3b>(y);
      int* out = labels.ptr<int>(y);
      int64_t last_id = 0;
      int last_label = 0;
      for (int x = 0; x < bgr.cols; ++x) {
        const int64_t id = int64_t(in[x][2]) + 256 * int64_t(in[x][1]) + 65536 * int64_t(in[x][0]);
        if (id != last_id) {  // neighbours mostly share a segment: look up only on a change
          const auto it = dense.find(id);
          // Pixels of a segment the JSON does not list (and id 0) stay unlabeled, as the COCO
          // panoptic evaluation treats them (VOID).
          last_label = id == 0 || it == dense.end() ? 0 : it->second;
          last_id = id;
        }
        out[x] = last_label;
      }
    }
    const std::vector<Rle> masks = encodeLabelMap(labels, int(segments.size()) + 1);
    for (size_t k = 0; k < segments.size(); ++k) {
      const std::string seg_where = where + ".segments_info[" + std::to_string(k) + "]";
      const int64_t category_id = io::requireInt(file, segments[k], "category_id", seg_where);
      const auto cat = category_names.find(category_id);
      if (cat == category_names.end()) io::throwFieldError(file, seg_where + ".category_id", "unknown category id " + std::to_string(category_id));
      LabeledInstance instance;
      instance.class_name = cat->second;
      instance.mask = masks[k + 1];
      if (rleArea(instance.mask) == 0) {
        io::throwFieldError(file, seg_where + ".id",
                            "segment " + std::to_string(segments[k]["id"].get<int64_t>()) + " has no pixel in " + png_file.filename().string());
      }
      if (const auto crowd = segments[k].find("iscrowd"); crowd != segments[k].end() && crowd->is_number()) instance.is_crowd = crowd->get<int>() != 0;
      image.instances.push_back(std::move(instance));
    }
  }
  return set;
}

}  // namespace regionlab
