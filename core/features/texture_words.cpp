#include "core/features/texture_words.h"

#include "core/base/error.h"
#include "core/quantization/codebook_file.h"

namespace regionlab {
namespace generated {
// texture_words_data.cpp, written by the build (cmake/EmbedFile.cmake) from the codebook that
// regionlab-texture-words trains.
extern const unsigned char kTextureWordsData[];
extern const size_t kTextureWordsSize;
}  // namespace generated

TextureWords::TextureWords(DrqCodebook codebook) : codebook_(std::move(codebook)) {
  if (codebook_.books() != 1 || codebook_.inputDim() != 128) throw Error("a texture vocabulary is one book over 128-d SIFT");
}

const TextureWords& TextureWords::shipped() {
  static const TextureWords words(
      decodeCodebook({generated::kTextureWordsData, generated::kTextureWordsSize}, "the texture vocabulary built into RegionLab"));
  return words;
}

namespace {

float squaredDistance128(const float* a, const float* b) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 128; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const float d = a[i + k] - b[i + k];
      s[k] += d * d;
    }
  }
  return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

}  // namespace

std::vector<uint16_t> TextureWords::assign(const cv::Mat& descriptors) const {
  CV_Assert(descriptors.type() == CV_32F && (descriptors.empty() || descriptors.cols == 128) && descriptors.isContinuous());
  // The nearest word, like exact DRQ encoding, but by a straight vectorised scan of the words'
  // flat centroids: for a vocabulary this small the scan (K·128 multiply-adds) is an order of
  // magnitude cheaper than the tree's tables, whose inner levels hold more centroids than K.
  const DrqTree& tree = codebook_.book(0);
  std::vector<uint16_t> words(size_t(descriptors.rows));
  for (int r = 0; r < descriptors.rows; ++r) {
    const float* x = descriptors.ptr<float>(r);
    uint32_t best = 0;
    float best_d = squaredDistance128(x, tree.centroid(0));
    for (uint32_t k = 1; k < tree.size(); ++k) {
      const float d = squaredDistance128(x, tree.centroid(k));
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    words[size_t(r)] = uint16_t(best);
  }
  return words;
}

}  // namespace regionlab
