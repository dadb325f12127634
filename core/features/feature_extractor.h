#pragma once
// Turns regions of an image into vectors, one per region. Implementations: the embedded classical
// descriptor (no weights) and, with a checkpoint, DINOv2 patch features pooled in each mask.
// Vectors of different extractors (different identity()) are never compared.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/nets/inference_options.h"
#include "core/regions/rle.h"

namespace regionlab {

// What a network extractor does with an image whose padded size holds more patches than its
// token budget (attention costs grow with the square of the token count).
enum class LargeImagePolicy {
  Downscale,  // shrink the image (area interpolation) until it fits; vectors pooled at full size
  Tile,       // cut the patch grid into tiles that fit and run each alone (no attention across tiles)
};

struct FeatureExtractorOptions {
  // Device, precision and threads of network extractors (ignored by the classical descriptor).
  nets::InferenceOptions inference;
  // Patch-token budget of one forward pass: 4096 tokens ≈ 896×896 pixels at patch 14, ~1 GB of
  // attention scores per pass at ViT-L. COCO-sized photos (640×480 → 1610 tokens) run whole.
  int max_tokens = 4096;
  LargeImagePolicy large_images = LargeImagePolicy::Downscale;
};

class FeatureExtractor {
public:
  virtual ~FeatureExtractor() = default;
  virtual std::string name() const = 0;         // "classical", "dinov2-vitl14", …
  virtual std::string identity() const = 0;     // algorithm + parameters (+ checkpoint SHA-256)
  virtual std::string description() const = 0;  // one line for the UI and CLI
  virtual int dim() const = 0;
  // How many extract() calls may usefully run at once: 0 = as many as there are cores (the
  // classical descriptor is single-threaded per call); a network that uses all cores per call
  // returns 1.
  virtual int maxConcurrency() const { return 0; }
  // rgb: CV_8UC3 (RGB); masks at the image's size. Returns masks.size() × dim() floats, row-major.
  // Thread-safe.
  virtual std::vector<float> extract(const cv::Mat& rgb, std::span<const Rle> masks) const = 0;
};

// "classical", then the DINOv2 descriptors ("dinov2-vits14", …, "dinov2-vitg14-reg").
std::vector<std::string> featureExtractorNames();
// Throws Error when the name is unknown or its model is not available (a missing checkpoint
// names the file expected and the folder searched).
std::unique_ptr<FeatureExtractor> createFeatureExtractor(const std::string& name, const FeatureExtractorOptions& options = {});

}  // namespace regionlab
