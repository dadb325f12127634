#pragma once
// The texture vocabulary shipped with RegionLab: K visual words of dense RootSIFT, a DRC codebook
// that the build trains on procedural images (texture_vocabulary.h) and compiles into the
// library, so descriptors made by the same build are always comparable and the vocabulary never
// has to be found on disk. Its id (the codebook's SHA-256) is part of the descriptor identity.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/quantization/drq_codebook.h"

namespace regionlab {

class TextureWords {
public:
  explicit TextureWords(DrqCodebook codebook);
  // The vocabulary compiled into this build (decoded once). Throws Error if the embedded bytes
  // are damaged (a broken build).
  static const TextureWords& shipped();

  uint32_t size() const { return codebook_.bookSize(0); }
  const std::string& id() const { return codebook_.id(); }
  const DrqCodebook& codebook() const { return codebook_; }
  // The nearest word of each row of `descriptors` (n × 128 RootSIFT, CV_32F).
  std::vector<uint16_t> assign(const cv::Mat& descriptors) const;

private:
  DrqCodebook codebook_;
};

}  // namespace regionlab
