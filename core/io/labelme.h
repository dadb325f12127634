#pragma once
// labelme JSON (github.com/wkentaro/labelme, label file format 5.x): one <image stem>.json per
// image holding "shapes" (label, points, group_id, shape_type), imagePath relative to the JSON,
// imageHeight/imageWidth, imageData null (the image is not embedded).
#include <filesystem>

#include "core/io/label_set.h"

namespace regionlab {

struct LabelmeWriteOptions {
  // The collection folder, for imagePath (relative from each JSON to its image); empty: only the
  // image's file name is written.
  std::filesystem::path image_root;
};

// One "polygon" shape per connected part; an instance in several parts gives its shapes one
// group_id (labelme's way of saying "one object"). An instance with holes is written as a
// "mask" shape (labelme ≥ 5.3: base64 PNG of the mask inside its box), which keeps it exact.
ExportReport writeLabelme(const LabelSet& labels, const std::filesystem::path& folder, const LabelmeWriteOptions& options = {});

// path: one labelme JSON file or a folder searched recursively. Shapes with the same label and
// group_id form one instance. Accepts polygon, rectangle, circle and mask shapes; lines and
// points have no area and are rejected with the file and the shape index. Images are named
// "<folder of the JSON relative to path>/<file name of imagePath>".
LabelSet readLabelme(const std::filesystem::path& path);

}  // namespace regionlab
