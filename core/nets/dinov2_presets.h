#pragma once
// The published DINOv2 backbones (facebookresearch/dinov2, REFERENCE.md §D2), by descriptor name.
// A preset holds what a checkpoint's tensor shapes cannot tell: the head count and the hub's
// positional-embedding interpolation convention. Everything else (width, depth, registers, FFN
// kind and width, LayerScale, patch size, pos-embed grid) is read from the file.
#include <string>
#include <string_view>
#include <vector>

namespace regionlab::nets {

struct DinoV2Preset {
  std::string name;       // descriptor name: "dinov2-vitl14", "dinov2-vitl14-reg"
  std::string file_name;  // official checkpoint file: "dinov2_vitl14_pretrain.pth"
  std::string title;      // "DINOv2 ViT-L/14"
  int num_heads = 0;
  // Hub conventions: models without registers interpolate with scale_factor (h + 0.1)/37 and no
  // antialias; the *_reg4 models pass the size with antialias on.
  double interpolate_offset = 0.1;
  bool interpolate_antialias = false;
};

const std::vector<DinoV2Preset>& dinov2Presets();
// nullptr when no preset has this name; the model manifest's ids ("dinov2_vitl14_reg") are accepted too.
const DinoV2Preset* findDinoV2Preset(std::string_view name);

}  // namespace regionlab::nets
