#include "core/io/yolo_seg.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "core/base/error.h"
#include "core/io/json_file.h"
#include "core/io/mask_polygons.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"') && s.back() == s.front()) return s.substr(1, s.size() - 2);
  return s;
}

std::string stripComment(const std::string& line) {
  // A '#' starts a comment unless it is inside quotes (class names rarely hold one, but may).
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (quote) {
      if (line[i] == quote) quote = 0;
    } else if (line[i] == '\'' || line[i] == '"') {
      quote = line[i];
    } else if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

std::vector<std::string> splitFlow(const std::string& inner) {
  std::vector<std::string> items;
  std::string current;
  char quote = 0;
  for (char c : inner) {
    if (quote) {
      if (c == quote) quote = 0;
      current += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      current += c;
    } else if (c == ',') {
      items.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) items.push_back(trim(current));
  return items;
}

std::string formatCoordinate(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", v);
  return buffer;
}

}  // namespace

std::map<int, std::string> readYoloClassNames(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file, "cannot open the class list (data.yaml with 'names:')");
  std::map<int, std::string> names;
  std::string raw;
  int line_number = 0, names_line = 0;
  bool in_names = false;
  auto add = [&](int index, const std::string& name, int line) {
    if (name.empty()) throw Error(file, "line " + std::to_string(line) + ": empty class name");
    if (!names.emplace(index, name).second) throw Error(file, "line " + std::to_string(line) + ": class index " + std::to_string(index) + " appears twice");
  };
  while (std::getline(in, raw)) {
    ++line_number;
    const std::string line = stripComment(raw);
    if (trim(line).empty()) continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    if (!indented) {
      in_names = false;
      if (line.rfind("names:", 0) != 0) continue;
      names_line = line_number;
      const std::string rest = trim(line.substr(6));
      if (rest.empty()) {
        in_names = true;
      } else if (rest.front() == '[' && rest.back() == ']') {
        int index = 0;
        for (const std::string& item : splitFlow(rest.substr(1, rest.size() - 2))) add(index++, unquote(item), line_number);
      } else if (rest.front() == '{' && rest.back() == '}') {
        for (const std::string& item : splitFlow(rest.substr(1, rest.size() - 2))) {
          const auto colon = item.find(':');
          int index = -1;
          const std::string key = trim(item.substr(0, colon));
          if (colon == std::string::npos || std::from_chars(key.data(), key.data() + key.size(), index).ec != std::errc() || index < 0) {
            throw Error(file, "line " + std::to_string(line_number) + ": expected '<index>: <name>' in names, got '" + item + "'");
          }
          add(index, unquote(item.substr(colon + 1)), line_number);
        }
      } else {
        throw Error(file, "line " + std::to_string(line_number) + ": 'names:' must be followed by a list or a map");
      }
      continue;
    }
    if (!in_names) continue;
    const std::string item = trim(line);
    if (item.rfind("- ", 0) == 0 || item == "-") {
      add(int(names.size()), unquote(item.substr(1)), line_number);
      continue;
    }
    const auto colon = item.find(':');
    int index = -1;
    const std::string key = trim(item.substr(0, colon == std::string::npos ? 0 : colon));
    if (colon == std::string::npos || std::from_chars(key.data(), key.data() + key.size(), index).ec != std::errc() || index < 0) {
      throw Error(file, "line " + std::to_string(line_number) + ": expected '<index>: <name>' or '- <name>' under names:, got '" + item + "'");
    }
    add(index, unquote(item.substr(colon + 1)), line_number);
  }
  if (names_line == 0) throw Error(file, "no 'names:' entry (the class names)");
  if (names.empty()) throw Error(file, "line " + std::to_string(names_line) + ": 'names:' lists no class");
  return names;
}

ExportReport writeYoloSeg(const LabelSet& labels, const fs::path& folder, const YoloWriteOptions& options) {
  ExportReport report;
  int bridged = 0;
  for (const LabeledImage& image : labels.images) {
    std::ostringstream text;
    for (size_t k = 0; k < image.instances.size(); ++k) {
      const LabeledInstance& instance = image.instances[k];
      const cv::Mat mask = decodeRle(instance.mask);
      const MaskOutline outline = traceMaskOutline(mask);
      if (outline.parts.empty()) continue;
      // Ultralytics joins an object's pieces into one polygon with zero-width bridges; the
      // bridges' own pixels then fill in. Where that costs more than 1% IoU (pieces far apart),
      // each piece becomes its own line instead: the pixels stay right, the grouping is lost,
      // and the report says so.
      std::vector<std::vector<cv::Point>> rings = {singleRing(outline)};
      if (outline.parts.size() > 1 || outline.hasHoles()) {
        ++bridged;
        PolygonRing joined;
        for (const cv::Point& p : rings[0]) joined.emplace_back(p.x, p.y);
        if (maskIoU(ringToMaskEvenOdd(joined, image.height, image.width), mask) < 0.99) {
          rings.clear();
          for (size_t p = 0; p < outline.parts.size(); ++p) rings.push_back(bridgedRing(outline, int(p)));
          report.warnings.push_back(image.file_name + ": instance " + std::to_string(k + 1) + " (" + instance.class_name + ") is in " +
                                    std::to_string(outline.parts.size()) + " pieces too far apart to bridge; written as " +
                                    std::to_string(outline.parts.size()) + " YOLO objects");
        }
      }
      const LabelClass* c = labels.findClass(instance.class_name);
      for (std::vector<cv::Point>& ring : rings) {
        while (ring.size() < 3) ring.push_back(ring.front());
        text << (c - labels.classes.data());
        for (const cv::Point& p : ring) text << " " << formatCoordinate(double(p.x) / image.width) << " " << formatCoordinate(double(p.y) / image.height);
        text << "\n";
      }
      ++report.instances;
    }
    const fs::path relative = fs::path(image.file_name);
    const fs::path label_file = folder / "labels" / fs::path(relative).replace_extension(".txt");
    io::writeFileAtomically(label_file, text.str());
    report.files.push_back(label_file.string());
    if (!options.image_root.empty()) {
      const fs::path link = folder / "images" / relative;
      fs::create_directories(link.parent_path());
      std::error_code ec;
      fs::remove(link, ec);
      fs::create_symlink(fs::absolute(options.image_root / relative), link, ec);
      if (ec) throw Error(link, "cannot create the image link: " + ec.message());
    }
    ++report.images;
  }
  std::ostringstream yaml;
  yaml << "# YOLO segmentation labels exported by RegionLab\npath: " << fs::absolute(folder).string() << "\ntrain: images\nval: images\n"
       << "nc: " << labels.classes.size() << "\nnames:\n";
  for (size_t i = 0; i < labels.classes.size(); ++i) yaml << "  " << i << ": '" << labels.classes[i].name << "'\n";
  io::writeFileAtomically(folder / "data.yaml", yaml.str());
  report.files.push_back((folder / "data.yaml").string());
  if (bridged > 0) report.notes.push_back(std::to_string(bridged) + " instance(s) in several parts or with holes written as one bridged polygon");
  return report;
}

namespace {

LabeledImage readYoloFile(const fs::path& file, const std::string& stem, cv::Size size, const std::map<int, std::string>& names) {
  std::ifstream in(file);
  if (!in) throw Error(file, "cannot open the label file");
  LabeledImage image;
  image.file_name = stem;
  image.width = size.width;
  image.height = size.height;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string where = "line " + std::to_string(line_number) + ": ";
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string t; fields >> t;) tokens.push_back(t);
    if (tokens.empty()) continue;
    int class_index = -1;
    if (std::from_chars(tokens[0].data(), tokens[0].data() + tokens[0].size(), class_index).ec != std::errc() || class_index < 0) {
      throw Error(file, where + "the class index '" + tokens[0] + "' is not a whole number");
    }
    const auto name = names.find(class_index);
    if (name == names.end()) throw Error(file, where + "class index " + std::to_string(class_index) + " is not in the class names");
    if (tokens.size() == 5) throw Error(file, where + "this is a bounding box (4 numbers), not a segmentation polygon");
    if (tokens.size() < 7 || (tokens.size() - 1) % 2 != 0) {
      throw Error(file, where + "a polygon needs an even number of coordinates, at least 6 (got " + std::to_string(tokens.size() - 1) + ")");
    }
    PolygonRing ring;
    for (size_t i = 1; i < tokens.size(); i += 2) {
      double x = 0, y = 0;
      try {
        size_t used_x = 0, used_y = 0;
        x = std::stod(tokens[i], &used_x);
        y = std::stod(tokens[i + 1], &used_y);
        if (used_x != tokens[i].size() || used_y != tokens[i + 1].size()) throw std::invalid_argument("trailing characters");
      } catch (const std::exception&) {
        throw Error(file, where + "coordinate " + std::to_string(i) + " is not a number");
      }
      if (!(x >= 0.0 && x <= 1.0 && y >= 0.0 && y <= 1.0)) {
        throw Error(file, where + "point " + std::to_string(i / 2) + " (" + tokens[i] + ", " + tokens[i + 1] +
                              ") is outside [0, 1] (YOLO coordinates are divided by the image size)");
      }
      ring.emplace_back(x * size.width, y * size.height);
    }
    LabeledInstance instance;
    instance.class_name = name->second;
    instance.mask = encodeMask(ringToMaskEvenOdd(ring, size.height, size.width));
    if (rleArea(instance.mask) == 0) throw Error(file, where + "the polygon covers no pixel");
    image.instances.push_back(std::move(instance));
  }
  return image;
}

}  // namespace

YoloReadResult readYoloSeg(const fs::path& folder, const ImageSizeLookup& image_size, std::optional<fs::path> names_yaml) {
  if (!fs::is_directory(folder)) throw Error(folder, "not a folder (YOLO-seg labels are a folder with labels/ and data.yaml)");
  fs::path yaml = names_yaml.value_or(fs::path());
  if (yaml.empty()) {
    for (const char* candidate : {"data.yaml", "dataset.yaml", "config.yaml"}) {
      if (fs::is_regular_file(folder / candidate)) {
        yaml = folder / candidate;
        break;
      }
    }
    if (yaml.empty()) throw Error(folder, "no data.yaml with the class names here (give its path with --names)");
  }
  const std::map<int, std::string> names = readYoloClassNames(yaml);
  YoloReadResult result;
  for (const auto& [index, name] : names) result.labels.classes.push_back({name, index, true, ""});
  const fs::path labels_dir = fs::is_directory(folder / "labels") ? folder / "labels" : folder;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(labels_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt" && entry.path().filename() != "classes.txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::string stem = fs::relative(file, labels_dir).replace_extension().generic_string();
    const std::optional<cv::Size> size = image_size(stem);
    if (!size) {
      result.missing_images.push_back(stem);
      continue;
    }
    result.labels.images.push_back(readYoloFile(file, stem, *size, names));
  }
  return result;
}

}  // namespace regionlab
