#pragma once
// The regions paper's region generator (REFERENCE.md §A1, §A3): SAM's automatic masks with the
// official parameters, followed by SLIC pieces of the pixels no mask covers. Names:
//   "sam+slic"        SAM ViT-H (the paper's model, sam_vit_h_4b8939.pth)
//   "sam-l+slic"      SAM ViT-L (sam_vit_l_0b3195.pth)
//   "sam-b+slic"      SAM ViT-B (sam_vit_b_01ec64.pth)
//   "mobilesam+slic"  MobileSAM (mobile_sam.pt) with the fast generator mode and the encoder in
//                     bf16 on CPUs with native BF16 (unless $REGIONLAB_PRECISION says): the fast choice
// Checkpoints are looked up by their official names in the model directory.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/nets/sam_model.h"
#include "core/regions/automatic_mask_generator.h"
#include "core/regions/region_generator.h"
#include "core/regions/slic_fill.h"

namespace regionlab {

struct SamRegionOptions {
  nets::SamArchitecture architecture = nets::SamArchitecture::VitH;
  AmgOptions amg;               // official defaults (paper: min_mask_region_area 0)
  SlicFillOptions fill;
  bool slic_fill = true;
  nets::SamModelOptions model;  // torch threads (0 = every core), decoder heads
};

class SamRegionGenerator final : public RegionGenerator {
public:
  // Throws Error naming the file and the folder searched when the checkpoint is missing, or the
  // file's reason when it is damaged or of another model.
  SamRegionGenerator(std::string name, SamRegionOptions options, std::optional<std::filesystem::path> checkpoint = std::nullopt);
  ~SamRegionGenerator() override;

  std::string name() const override { return name_; }
  std::string identity() const override;
  std::string description() const override;
  std::vector<Region> generate(const cv::Mat& rgb) const override;
  // The network uses every core per call.
  int maxConcurrency() const override { return 1; }

  const nets::SamModel& model() const { return model_; }

private:
  std::string name_;
  SamRegionOptions options_;
  std::filesystem::path checkpoint_;
  std::string checkpoint_sha256_;
  nets::SamModel model_;
  mutable std::mutex mutex_;
};

// "sam+slic" etc. → options; nullopt for other names.
std::optional<SamRegionOptions> samRegionOptionsFor(const std::string& name);

}  // namespace regionlab
