#pragma once
// Cuts an image into regions. Implementations: the embedded default (superpixels + graph
// segmentation, no weights) and, with model weights, SAM/MobileSAM masks filled with SLIC.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/regions/region.h"

namespace regionlab {

class RegionGenerator {
public:
  virtual ~RegionGenerator() = default;
  // Short name users select it by ("default", "sam+slic", …).
  virtual std::string name() const = 0;
  // Identifies the exact algorithm, parameters and weights; regions from generators with
  // different identities are never mixed up in the database.
  virtual std::string identity() const = 0;
  // One-line description for the UI and CLI ("embedded default: SLIC + Felzenszwalb, no model weights").
  virtual std::string description() const = 0;
  // rgb: CV_8UC3 in RGB order. Thread-safe: the ingest pipeline calls it from several threads.
  virtual std::vector<Region> generate(const cv::Mat& rgb) const = 0;
  // How many generate() calls may usefully run at once (0 = one per core); see FeatureExtractor.
  virtual int maxConcurrency() const { return 0; }
};

// Names accepted by createRegionGenerator.
std::vector<std::string> regionGeneratorNames();
// Also accepts the model manifest's ids (sam_vit_h, sam_vit_l, sam_vit_b, mobile_sam), which name
// the SAM generators. Throws Error when the name is unknown or its model is not available.
std::unique_ptr<RegionGenerator> createRegionGenerator(const std::string& name);

}  // namespace regionlab
