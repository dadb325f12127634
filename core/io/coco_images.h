#pragma once
// The "images" array that COCO instance and COCO panoptic files share. Internal to core/io.
#include <cstdint>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "core/io/label_set.h"

namespace regionlab::io {

// Appends every entry of doc["images"] to set.images (id, file_name, positive width and height;
// ids unique, and file names too when unique_file_names) and returns image id → index in
// set.images. Throws Error(file, "images[i].<field>: …") naming the first bad entry.
std::map<int64_t, size_t> readCocoImages(const std::filesystem::path& file, const nlohmann::json& doc, LabelSet& set,
                                         bool unique_file_names);

}  // namespace regionlab::io
