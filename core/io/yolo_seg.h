#pragma once
// Ultralytics YOLO segmentation labels (docs.ultralytics.com/datasets/segment): one
// labels/<image stem>.txt per image, one line per object, "<class> x1 y1 x2 y2 …" with
// coordinates divided by the image's width and height (so in [0, 1]), and data.yaml naming the
// classes ("names:" as a map index → name or a list). The files carry no image size: reading
// needs the collection's sizes.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include <opencv2/core.hpp>

#include "core/io/label_set.h"

namespace regionlab {

struct YoloWriteOptions {
  // When set, images/<relative path> symlinks to the collection's files are made beside
  // labels/, the layout Ultralytics trains from (it finds a label by replacing /images/ with
  // /labels/ in the image path). Symlinks, so nothing is copied.
  std::filesystem::path image_root;
};

// An object in several pieces, or with holes, becomes one ring joined by zero-width bridges (the
// Ultralytics convention); instances whose written ring re-rasterises below IoU 0.99 are warned
// about.
ExportReport writeYoloSeg(const LabelSet& labels, const std::filesystem::path& folder, const YoloWriteOptions& options = {});

// Original (upright) size of the image whose path without extension is `stem` (relative to the
// collection, '/'-separated), or nullopt when the collection has no such image.
using ImageSizeLookup = std::function<std::optional<cv::Size>(const std::string& stem)>;

// folder: holds labels/ (or the .txt files directly) and data.yaml; names_yaml overrides where
// the class names come from. Images of the returned set are named by their stem (no extension);
// label files whose image is unknown are collected in missing_images instead of read.
struct YoloReadResult {
  LabelSet labels;
  std::vector<std::string> missing_images;
};
YoloReadResult readYoloSeg(const std::filesystem::path& folder, const ImageSizeLookup& image_size,
                           std::optional<std::filesystem::path> names_yaml = std::nullopt);

// Class names of a data.yaml: "names:" followed by "  <index>: <name>" or "  - <name>" lines, or
// a flow list/map on the same line. Throws Error(file, "line N: …").
std::map<int, std::string> readYoloClassNames(const std::filesystem::path& yaml_file);

}  // namespace regionlab
