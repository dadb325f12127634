#pragma once
// Pascal VOC semantic segmentation layout: SegmentationClass/<name>.png (indexed PNG, pixel =
// class index, 0 = background, VOC colour map), ImageSets/Segmentation/default.txt (the image
// names), labelmap.txt (CVAT/Datumaro "name:r,g,b::" lines) and class_names.txt (one name per
// index, background first). Export only: a class map cannot tell touching objects apart.
#include <filesystem>

#include "core/io/label_set.h"

namespace regionlab {

// Overlapping instances of different classes are flattened by paintInstances; each instance
// that lost pixels is a warning. More than 254 classes cannot be written (index 255 is VOC's
// "void") and is an Error.
ExportReport writePascalVoc(const LabelSet& labels, const std::filesystem::path& folder);

}  // namespace regionlab
