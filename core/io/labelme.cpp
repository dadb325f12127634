#include "core/io/labelme.h"

#include <cstring>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/io/json_file.h"
#include "core/io/mask_polygons.h"

namespace regionlab {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64Encode(const std::vector<uchar>& bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(bytes[i]) << 16) | (uint32_t(bytes[i + 1]) << 8) | bytes[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(kBase64[(v >> s) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(bytes[i + 1]) << 8;
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kBase64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::vector<uchar>> base64Decode(const std::string& text) {
  std::vector<uchar> out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const char* p = std::strchr(kBase64, c);
    if (!p || c == '\0') return std::nullopt;
    v = (v << 6) | uint32_t(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uchar((v >> bits) & 255));
    }
  }
  return out;
}

json shape(const std::string& label, json points, const json& group_id, const char* type) {
  return {{"label", label}, {"points", std::move(points)}, {"group_id", group_id}, {"description", ""},
          {"shape_type", type}, {"flags", json::object()}, {"mask", nullptr}};
}

}  // namespace

ExportReport writeLabelme(const LabelSet& labels, const fs::path& folder, const LabelmeWriteOptions& options) {
  ExportReport report;
  int as_masks = 0;
  for (const LabeledImage& image : labels.images) {
    const fs::path json_file = folder / fs::path(image.file_name).replace_extension(".json");
    json shapes = json::array();
    int next_group = 1;
    for (const LabeledInstance& instance : image.instances) {
      const cv::Mat mask = decodeRle(instance.mask);
      const MaskOutline outline = traceMaskOutline(mask);
      if (outline.hasHoles()) {
        const cv::Rect box = cv::boundingRect(mask);
        std::vector<uchar> png;
        cv::imencode(".png", mask(box) * 255, png);
        json s = shape(instance.class_name, {{box.x, box.y}, {box.x + box.width - 1, box.y + box.height - 1}}, nullptr, "mask");
        s["mask"] = base64Encode(png);
        shapes.push_back(std::move(s));
        ++as_masks;
        ++report.instances;
        continue;
      }
      const std::vector<PolygonRing> rings = outerRings(outline);
      const json group = rings.size() > 1 ? json(next_group++) : json(nullptr);
      for (const PolygonRing& ring : rings) {
        json points = json::array();
        for (const cv::Point2d& p : ring) points.push_back({p.x, p.y});
        shapes.push_back(shape(instance.class_name, std::move(points), group, "polygon"));
      }
      ++report.instances;
    }
    std::string image_path = fs::path(image.file_name).filename().string();
    if (!options.image_root.empty()) {
      image_path = fs::absolute(options.image_root / image.file_name).lexically_relative(fs::absolute(json_file.parent_path())).generic_string();
    }
    const json document = {{"version", "5.4.1"},      {"flags", json::object()}, {"shapes", std::move(shapes)},
                           {"imagePath", image_path}, {"imageData", nullptr},    {"imageHeight", image.height},
                           {"imageWidth", image.width}};
    io::writeJsonFile(json_file, document, 2);
    report.files.push_back(json_file.string());
    ++report.images;
  }
  if (as_masks > 0) report.notes.push_back(std::to_string(as_masks) + " instance(s) with holes written as labelme mask shapes");
  return report;
}

namespace {

cv::Mat readShape(const fs::path& file, const json& s, const std::string& where, int height, int width) {
  const std::string type = s.contains("shape_type") && s["shape_type"].is_string() ? s["shape_type"].get<std::string>() : "polygon";
  const json& points_json = io::requireArray(file, s, "points", where);
  PolygonRing points;
  for (size_t i = 0; i < points_json.size(); ++i) {
    const json& p = points_json[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      io::throwFieldError(file, where + ".points[" + std::to_string(i) + "]", "expected [x, y]");
    }
    points.emplace_back(p[0].get<double>(), p[1].get<double>());
  }
  if (const std::string why = ringOutOfRange(points, height, width); !why.empty()) io::throwFieldError(file, where + ".points", why);
  cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
  if (type == "polygon") {
    if (points.size() < 3) io::throwFieldError(file, where + ".points", "a polygon needs at least 3 points");
    return ringsToMask({points}, height, width);
  }
  if (type == "rectangle") {
    if (points.size() != 2) io::throwFieldError(file, where + ".points", "a rectangle needs 2 points");
    const cv::Point2d a = points[0], b = points[1];
    return ringsToMask({{{a.x, a.y}, {b.x, a.y}, {b.x, b.y}, {a.x, b.y}}}, height, width);
  }
  if (type == "circle") {
    if (points.size() != 2) io::throwFieldError(file, where + ".points", "a circle needs its centre and a point on it");
    const int radius = int(std::lround(cv::norm(points[1] - points[0])));
    cv::circle(mask, cv::Point(int(std::lround(points[0].x)), int(std::lround(points[0].y))), radius, cv::Scalar(1), cv::FILLED);
    return mask;
  }
  if (type == "mask") {
    if (points.size() != 2) io::throwFieldError(file, where + ".points", "a mask shape needs its box's two corners");
    const std::string encoded = io::requireString(file, s, "mask", where);
    const auto bytes = base64Decode(encoded);
    const cv::Mat crop = bytes ? cv::imdecode(*bytes, cv::IMREAD_GRAYSCALE) : cv::Mat();
    if (crop.empty()) io::throwFieldError(file, where + ".mask", "not a base64-encoded PNG");
    const int x0 = int(std::lround(points[0].x)), y0 = int(std::lround(points[0].y));
    const cv::Rect box(x0, y0, crop.cols, crop.rows);
    if (box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height) {
      io::throwFieldError(file, where + ".mask", "the mask (" + std::to_string(crop.cols) + "x" + std::to_string(crop.rows) + " at " +
                                                     std::to_string(x0) + "," + std::to_string(y0) + ") extends outside the image");
    }
    mask(box).setTo(cv::Scalar(1), crop != 0);
    return mask;
  }
  io::throwFieldError(file, where + ".shape_type", "'" + type + "' has no area; only polygon, rectangle, circle and mask shapes are labels");
}

void readLabelmeFile(const fs::path& file, const std::string& image_dir, LabelSet& set) {
  const json doc = io::readJsonFile(file);
  LabeledImage image;
  const std::string image_path = io::requireString(file, doc, "imagePath", "");
  const std::string name = fs::path(image_path).filename().string();
  image.file_name = image_dir.empty() ? name : image_dir + "/" + name;
  image.width = int(io::requireInt(file, doc, "imageWidth", ""));
  image.height = int(io::requireInt(file, doc, "imageHeight", ""));
  if (image.width <= 0 || image.height <= 0) io::throwFieldError(file, "imageWidth", "width and height must be positive");
  const json& shapes = io::requireArray(file, doc, "shapes", "");
  std::map<std::pair<std::string, int64_t>, size_t> groups;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::string where = "shapes[" + std::to_string(i) + "]";
    const std::string label = io::requireString(file, shapes[i], "label", where);
    if (label.empty()) io::throwFieldError(file, where + ".label", "empty label");
    const cv::Mat mask = readShape(file, shapes[i], where, image.height, image.width);
    if (cv::countNonZero(mask) == 0) io::throwFieldError(file, where, "the shape covers no pixel");
    const json group = shapes[i].value("group_id", json(nullptr));
    if (group.is_number_integer()) {
      const auto [it, fresh] = groups.emplace(std::make_pair(label, group.get<int64_t>()), image.instances.size());
      if (!fresh) {
        LabeledInstance& instance = image.instances[it->second];
        instance.mask = encodeMask(decodeRle(instance.mask) | mask);
        continue;
      }
    }
    image.instances.push_back({label, encodeMask(mask), LabelSource::User, 1.0, false});
  }
  for (const LabeledImage& other : set.images) {
    if (other.file_name == image.file_name) throw Error(file, "a second labelme file for image " + image.file_name);
  }
  set.images.push_back(std::move(image));
}

}  // namespace

LabelSet readLabelme(const fs::path& path) {
  LabelSet set;
  if (fs::is_regular_file(path)) {
    readLabelmeFile(path, "", set);
  } else if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw Error(path, "no labelme .json file in this folder");
    for (const fs::path& file : files) readLabelmeFile(file, fs::relative(file.parent_path(), path).generic_string() == "." ? "" : fs::relative(file.parent_path(), path).generic_string(), set);
  } else {
    throw Error(path, "no such file or folder");
  }
  set.completeClasses();
  return set;
}

}  // namespace regionlab
