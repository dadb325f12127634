#pragma once
// How the build trains the texture vocabulary of the embedded default descriptor (the recipe
// shared by the build-time tool make_texture_words.cpp, the benchmarks and the tests): dense
// RootSIFT on procedural images the build renders itself (synthetic_textures.h), clustered by
// DRC into K visual words (one 128-d book, Avrithis ICCV 2013). Nothing is downloaded, and the
// vocabulary is a fixed, versioned artifact: its codebook id is part of the descriptor identity.
#include <cstdint>

#include <opencv2/core.hpp>

#include "core/features/dense_sift.h"
#include "core/quantization/drq_codebook.h"

namespace regionlab {

struct TextureVocabularyRecipe {
  int images = 64;               // procedural training images …
  cv::Size image_size{320, 240};  // … of this size
  uint64_t seed = 2013;
  DenseSiftOptions sift;          // the descriptor's own dense-SIFT settings
  uint32_t words = 64;           // K
};

// Renders the images, extracts dense RootSIFT and trains the one-book DRC codebook.
DrqCodebook trainTextureVocabulary(const TextureVocabularyRecipe& recipe = {});

}  // namespace regionlab
