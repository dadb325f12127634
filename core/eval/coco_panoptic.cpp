#include "core/eval/coco_panoptic.h"

#include <fstream>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"

namespace regionlab {

namespace fs = std::filesystem;

const PanopticImage* PanopticDataset::findByStem(const std::string& stem) const {
  for (const PanopticImage& image : images) {
    if (fs::path(image.file_name).stem().string() == stem) return &image;
  }
  return nullptr;
}

void PanopticDataset::merge(PanopticDataset other) {
  for (auto& [id, category] : other.categories) {
    const auto [it, inserted] = categories.emplace(id, category);
    if (!inserted && it->second.name != category.name) {
      throw Error("panoptic parts disagree on category " + std::to_string(id) + ": " + it->second.name + " vs " + category.name);
    }
  }
  std::unordered_set<std::string> stems;
  for (const PanopticImage& image : images) stems.insert(fs::path(image.file_name).stem().string());
  for (PanopticImage& image : other.images) {
    if (!stems.insert(fs::path(image.file_name).stem().string()).second) {
      throw Error(image.png, "image " + image.file_name + " appears in two panoptic parts");
    }
    images.push_back(std::move(image));
  }
}

PanopticDataset readCocoPanoptic(const fs::path& json_file, const fs::path& png_dir_in) {
  std::ifstream in(json_file);
  if (!in) throw Error(json_file, "cannot open the panoptic JSON");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw Error(json_file, std::string("not valid JSON: ") + e.what());
  }
  const fs::path png_dir = png_dir_in.empty() ? json_file.parent_path() / json_file.stem() : png_dir_in;
  if (!fs::is_directory(png_dir)) throw Error(png_dir, "panoptic PNG folder not found (give it with --panoptic-dir)");

  PanopticDataset d;
  try {
    for (const auto& c : j.at("categories")) {
      PanopticCategory cat;
      cat.id = c.at("id").get<int>();
      cat.name = c.at("name").get<std::string>();
      cat.isthing = c.value("isthing", 0) != 0;
      d.categories[cat.id] = cat;
    }
    std::map<int64_t, const nlohmann::json*> image_info;
    for (const auto& im : j.at("images")) image_info[im.at("id").get<int64_t>()] = &im;
    for (const auto& a : j.at("annotations")) {
      PanopticImage image;
      image.image_id = a.at("image_id").get<int64_t>();
      image.png = png_dir / a.at("file_name").get<std::string>();
      const auto info = image_info.find(image.image_id);
      if (info == image_info.end()) throw Error(json_file, "annotation for image " + std::to_string(image.image_id) + " has no images entry");
      image.file_name = info->second->at("file_name").get<std::string>();
      image.width = info->second->at("width").get<int>();
      image.height = info->second->at("height").get<int>();
      for (const auto& s : a.at("segments_info")) {
        PanopticSegment seg;
        seg.id = s.at("id").get<int64_t>();
        seg.category_id = s.at("category_id").get<int>();
        seg.iscrowd = s.value("iscrowd", 0) != 0;
        seg.area = s.value("area", int64_t(0));
        if (!d.categories.contains(seg.category_id)) {
          throw Error(json_file, "segment " + std::to_string(seg.id) + " has unknown category " + std::to_string(seg.category_id));
        }
        image.segments.push_back(seg);
      }
      d.images.push_back(std::move(image));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(json_file, std::string("not a COCO panoptic file: ") + e.what());
  }
  return d;
}

cv::Mat readPanopticSegmentIds(const PanopticImage& image) {
  const cv::Mat bgr = cv::imread(image.png.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) throw Error(image.png, "cannot read the panoptic PNG");
  if (bgr.cols != image.width || bgr.rows != image.height) {
    throw Error(image.png, "panoptic PNG is " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) + ", the JSON says " +
                               std::to_string(image.width) + "x" + std::to_string(image.height));
  }
  cv::Mat ids(bgr.rows, bgr.cols, CV_32S);
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* row = bgr.ptr<cv::Vec3b>(y);
    int* out = ids.ptr<int>(y);
    for (int x = 0; x < bgr.cols; ++x) out[x] = row[x][2] + 256 * row[x][1] + 65536 * row[x][0];  // R + 256 G + 256² B
  }
  return ids;
}

}  // namespace regionlab
