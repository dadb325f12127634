#include "core/nets/dinov2_presets.h"

#include <algorithm>

namespace regionlab::nets {

const std::vector<DinoV2Preset>& dinov2Presets() {
  static const std::vector<DinoV2Preset> kPresets = [] {
    struct Size {
      const char* letter;
      const char* title;
      int heads;
    };
    std::vector<DinoV2Preset> presets;
    // REFERENCE.md §D2: heads 6/12/16/24 (head width 64); the paper's region features use ViT-L/14.
    for (const Size& s : {Size{"s", "ViT-S/14", 6}, Size{"b", "ViT-B/14", 12}, Size{"l", "ViT-L/14", 16}, Size{"g", "ViT-g/14", 24}}) {
      const std::string stem = std::string("vit") + s.letter + "14";
      presets.push_back({"dinov2-" + stem, "dinov2_" + stem + "_pretrain.pth", std::string("DINOv2 ") + s.title, s.heads, 0.1, false});
      presets.push_back({"dinov2-" + stem + "-reg", "dinov2_" + stem + "_reg4_pretrain.pth", std::string("DINOv2 ") + s.title + " with registers",
                         s.heads, 0.0, true});
    }
    return presets;
  }();
  return kPresets;
}

const DinoV2Preset* findDinoV2Preset(std::string_view name) {
  // The model manifest's ids (models/manifest.json: "dinov2_vitl14_reg") name the same presets.
  std::string canonical(name);
  std::replace(canonical.begin(), canonical.end(), '_', '-');
  for (const DinoV2Preset& p : dinov2Presets()) {
    if (p.name == canonical) return &p;
  }
  return nullptr;
}

}  // namespace regionlab::nets
