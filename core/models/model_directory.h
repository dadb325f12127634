#pragma once
// Where RegionLab looks for model checkpoints (SAM, MobileSAM, DINOv2, ImAge), as published
// files under their official names. The model manager downloads and imports into this folder.
//
// Order: $REGIONLAB_MODEL_DIR, else $XDG_DATA_HOME/regionlab/models, else
// ~/.local/share/regionlab/models.
#include <filesystem>
#include <optional>
#include <string>

namespace regionlab {

std::filesystem::path modelDirectory();
// The file with this name in the model directory, if it exists.
std::optional<std::filesystem::path> findModelFile(const std::string& file_name);

}  // namespace regionlab
