#pragma once
// Region vectors from DINOv2, as the regions paper computes them (Shlapentokh-Rothman et al.,
// "Region-based Representations Revisited", CVPR 2024; REFERENCE.md §A2, §A4): the patch tokens
// of the last block after the final LayerNorm, at the image's own resolution (centre-padded to a
// multiple of 14), bilinearly upsampled to the padded size, centre-cropped with torchvision's
// rounding, and averaged in each mask — exactly, without materialising the upsampled map
// (MaskPooler). Vectors are not normalised, as in the paper.
//
// The model's identity is the checkpoint's SHA-256, so vectors of different weights are never
// compared; precision and device change vectors by far less than a model change does (bf16
// against fp32: cosine > 0.999), so they are not part of it.
#include <filesystem>
#include <memory>
#include <vector>

#include "core/features/feature_extractor.h"
#include "core/features/mask_pooler.h"
#include "core/nets/dinov2_presets.h"

namespace regionlab {

class DinoV2FeatureExtractor : public FeatureExtractor {
public:
  // Maps the checkpoint, reads the architecture from its shapes and the preset, checks every
  // tensor's shape and hashes the file (cached); the network itself is built on the first image.
  // Throws Error naming the file on any problem.
  DinoV2FeatureExtractor(const nets::DinoV2Preset& preset, const std::filesystem::path& checkpoint, const FeatureExtractorOptions& options);
  ~DinoV2FeatureExtractor() override;

  std::string name() const override;
  std::string identity() const override;  // the checkpoint's SHA-256
  std::string description() const override;
  int dim() const override;
  int maxConcurrency() const override { return 1; }  // one pass already uses every configured thread
  std::vector<float> extract(const cv::Mat& rgb, std::span<const Rle> masks) const override;

  // The patch features the vectors are pooled from, and where they lie on the image.
  struct PatchFeatures {
    std::vector<float> tokens;  // grid_height·grid_width × channels, row-major
    int channels = 0;
    PoolingGeometry geometry;
  };
  PatchFeatures patchFeatures(const cv::Mat& rgb) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The preset's official checkpoint from the model directory (core/models/model_directory.h).
// Throws Error naming the file expected and the folder searched when it is not there.
std::unique_ptr<FeatureExtractor> createDinoV2FeatureExtractor(const nets::DinoV2Preset& preset, const FeatureExtractorOptions& options);

}  // namespace regionlab
