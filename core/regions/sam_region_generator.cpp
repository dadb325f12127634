#include "core/regions/sam_region_generator.h"

#include <cstdlib>
#include <sstream>

#include "core/base/error.h"
#include "core/models/model_directory.h"
#include "core/nets/checkpoint_sha256.h"
#include "core/nets/sam_amg_decoder.h"

namespace regionlab {

namespace fs = std::filesystem;

std::optional<SamRegionOptions> samRegionOptionsFor(const std::string& name) {
  SamRegionOptions o;
  if (name == "sam+slic") {
    o.architecture = nets::SamArchitecture::VitH;
  } else if (name == "sam-l+slic") {
    o.architecture = nets::SamArchitecture::VitL;
  } else if (name == "sam-b+slic") {
    o.architecture = nets::SamArchitecture::VitB;
  } else if (name == "mobilesam+slic") {
    o.architecture = nets::SamArchitecture::TinyVit;
    o.amg.fast = true;
    // The fast choice encodes in bf16 where the CPU has native BF16 ("auto"; the embedding stays
    // within 0.2% of fp32), unless $REGIONLAB_PRECISION chooses explicitly.
    if (!std::getenv("REGIONLAB_PRECISION")) o.model.precision = "auto";
    // Its decoder costs ~36 ms per prompt on 2 cores (the same decoder as SAM's), so 48 prompts
    // keep the whole image within ~3 s with the ~1 s bf16 TinyViT encoder.
    o.amg.fast_max_prompts = 48;
  } else {
    return std::nullopt;
  }
  return o;
}

SamRegionGenerator::SamRegionGenerator(std::string name, SamRegionOptions options, std::optional<fs::path> checkpoint)
    : name_(std::move(name)), options_(options) {
  const std::string file = nets::samCheckpointFileName(options_.architecture);
  if (checkpoint) {
    checkpoint_ = *checkpoint;
  } else if (auto found = findModelFile(file)) {
    checkpoint_ = *found;
  } else {
    throw Error(modelDirectory() / file, "region generator '" + name_ + "' needs the " + nets::samArchitectureName(options_.architecture) +
                                             " checkpoint " + file + ", which is not in the model folder " + modelDirectory().string() +
                                             " (set REGIONLAB_MODEL_DIR or add the file; the embedded 'default' generator works without weights)");
  }
  model_ = nets::SamModel::load(checkpoint_, options_.architecture, options_.model);
  checkpoint_sha256_ = nets::checkpointSha256(checkpoint_);
}

SamRegionGenerator::~SamRegionGenerator() = default;

std::string SamRegionGenerator::identity() const {
  const AmgOptions& a = options_.amg;
  std::ostringstream s;
  s << "sam-amg-v1 " << nets::samArchitectureName(options_.architecture) << " sha256=" << checkpoint_sha256_ << " pps=" << a.points_per_side
    << " iou=" << a.pred_iou_thresh << " stab=" << a.stability_score_thresh << "/" << a.stability_score_offset << " nms=" << a.box_nms_thresh
    << " crops=" << a.crop_n_layers << "/" << a.crop_nms_thresh << "/" << a.crop_overlap_ratio << "/" << a.crop_n_points_downscale_factor
    << " min_area=" << a.min_mask_region_area << " fast=" << a.fast << "/" << a.fast_skip_covered_points;
  if (a.fast) s << "/" << a.fast_coarse_points_per_side << "/" << a.fast_refine_near_found << "/" << a.fast_points_per_batch << "/" << a.fast_max_prompts;
  if (model_.settings().precision != nets::ComputePrecision::Float32) s << " encoder=" << nets::precisionName(model_.settings().precision);
  if (options_.slic_fill) {
    s << " slic-fill-opencv=" << options_.fill.superpixels << "/" << options_.fill.ruler << "/" << options_.fill.iterations << "/"
      << options_.fill.min_element_percent << "/" << options_.fill.min_pixels;
  }
  return s.str();
}

std::string SamRegionGenerator::description() const {
  return std::string(nets::samArchitectureName(options_.architecture)) + " automatic masks (" + (options_.amg.fast ? "fast" : "exact") +
         " mode, " + std::to_string(options_.amg.points_per_side) + "² points)" + (options_.slic_fill ? " + SLIC fill of uncovered pixels" : "") +
         " — " + checkpoint_.filename().string();
}

std::vector<Region> SamRegionGenerator::generate(const cv::Mat& rgb) const {
  if (rgb.type() != CV_8UC3) throw Error("SAM regions need an 8-bit RGB image");
  std::lock_guard lock(mutex_);
  nets::SamAmgDecoder decoder(model_);
  const std::vector<AmgMask> masks = generateMasks(rgb, decoder, options_.amg);
  std::vector<Region> regions;
  regions.reserve(masks.size());
  for (const AmgMask& m : masks) {
    if (m.area > 0) regions.push_back(makeRegion(m.segmentation));
  }
  if (options_.slic_fill) {
    for (Region& r : slicFillRegions(rgb, regions, options_.fill)) regions.push_back(std::move(r));
  }
  return regions;
}

}  // namespace regionlab
