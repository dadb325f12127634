#pragma once
// Which click-to-mask model (SAM or MobileSAM) the viewer's prompt mode uses for a collection:
// the collection's region generator when it is a SAM one (its checkpoint is already needed
// for ingest, and its masks match the stored regions), otherwise an installed checkpoint in the
// model directory, MobileSAM first (2–5 s to encode an image on a CPU, against 15–40 s for
// ViT-B). Without one the prompt mode stays off and a click queries the region under it.
#include <filesystem>
#include <optional>
#include <string>

#include "core/nets/sam_model.h"

namespace regionlab::ui {

struct SamCheckpoint {
  std::filesystem::path file;
  nets::SamArchitecture architecture = nets::SamArchitecture::TinyVit;
  nets::SamModelOptions model;
  // Why this one: "the collection's region generator" / "installed in <dir>" / "given".
  std::string origin;
};

// The SAM architecture a region generator setting names ("sam+slic", "mobilesam+slic", the
// manifest ids "sam_vit_b", "mobile_sam", …); nullopt for other generators.
std::optional<nets::SamArchitecture> samArchitectureOfGenerator(const std::string& generator);

// The checkpoint for a collection whose region generator setting is `generator` (empty: none
// recorded). nullopt when no SAM checkpoint is installed; `why_not` then says what to install.
std::optional<SamCheckpoint> findSamCheckpoint(const std::string& generator, std::string* why_not = nullptr);

}  // namespace regionlab::ui
