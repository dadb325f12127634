#include "core/features/texture_vocabulary.h"

#include "core/features/synthetic_textures.h"

namespace regionlab {

DrqCodebook trainTextureVocabulary(const TextureVocabularyRecipe& recipe) {
  std::vector<float> descriptors;
  for (const cv::Mat& image : renderSyntheticTextures(recipe.images, recipe.image_size, recipe.seed)) {
    const DenseSift sift = computeDenseSift(image, recipe.sift);
    descriptors.insert(descriptors.end(), sift.descriptors.ptr<float>(0), sift.descriptors.ptr<float>(0) + sift.descriptors.total());
  }
  DrqCodebookOptions options;
  options.books = 1;
  options.chunk_dim = 128;
  options.centroids = recipe.words;
  // The descriptors are RootSIFT already; L1 is 1 after squaring, so "none" keeps them as they are.
  options.normalisation = VectorNormalisation::None;
  options.member_means = false;  // a vocabulary: only the codes are used, and the shipped file stays small
  options.drc.seed = recipe.seed;
  options.drc.threads = 1;  // the same codebook on every build machine's core count (it is anyway)
  return DrqCodebook::train(descriptors.data(), descriptors.size() / 128, 128, options);
}

}  // namespace regionlab
