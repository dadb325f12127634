#pragma once
// COCO panoptic segmentation (cocodataset.org/#format-data, "panoptic segmentation"): one RGB
// PNG per image whose colour encodes a segment id (id = R + 256·G + 256²·B, 0 = unlabeled) and a
// JSON listing, per image, the segments with their category, iscrowd, bbox and area. The PNGs
// live in a folder named like the JSON without its extension (panoptic_val2017.json →
// panoptic_val2017/), as in the official release.
#include <filesystem>
#include <optional>

#include "core/io/label_set.h"

namespace regionlab {

// Segments may not overlap in this format: overlaps are resolved by paintInstances and every
// instance that lost pixels is listed in the report's warnings.
ExportReport writeCocoPanoptic(const LabelSet& labels, const std::filesystem::path& json_file);

// png_folder: defaults to the JSON's path without extension. Rejects PNGs whose size differs from
// the image's, segment ids listed but absent from the PNG, and unknown categories.
LabelSet readCocoPanoptic(const std::filesystem::path& json_file, std::optional<std::filesystem::path> png_folder = std::nullopt);

}  // namespace regionlab
