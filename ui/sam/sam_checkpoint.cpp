#include "ui/sam/sam_checkpoint.h"

#include "core/models/model_directory.h"

namespace regionlab::ui {

std::optional<nets::SamArchitecture> samArchitectureOfGenerator(const std::string& generator) {
  using A = nets::SamArchitecture;
  if (generator == "sam+slic" || generator == "sam_vit_h") return A::VitH;
  if (generator == "sam-l+slic" || generator == "sam_vit_l") return A::VitL;
  if (generator == "sam-b+slic" || generator == "sam_vit_b") return A::VitB;
  if (generator == "mobilesam+slic" || generator == "mobile_sam") return A::TinyVit;
  return std::nullopt;
}

std::optional<SamCheckpoint> findSamCheckpoint(const std::string& generator, std::string* why_not) {
  using A = nets::SamArchitecture;
  if (const auto architecture = samArchitectureOfGenerator(generator)) {
    if (const auto file = findModelFile(nets::samCheckpointFileName(*architecture))) {
      return SamCheckpoint{*file, *architecture, {}, "the collection's region generator"};
    }
  }
  // Fastest first: the prompt mode is interactive, every new image is encoded once.
  for (const A architecture : {A::TinyVit, A::VitB, A::VitL, A::VitH}) {
    if (const auto file = findModelFile(nets::samCheckpointFileName(architecture))) {
      return SamCheckpoint{*file, architecture, {}, "installed in " + modelDirectory().string()};
    }
  }
  if (why_not) {
    *why_not = "no SAM or MobileSAM checkpoint in " + modelDirectory().string() +
               " (File ▸ Manage models… installs mobile_sam.pt, the fast one)";
  }
  return std::nullopt;
}

}  // namespace regionlab::ui
