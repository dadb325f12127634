#pragma once
// The embedded-default region descriptor: what RegionLab embeds when no model weights are
// installed. Three blocks, each a histogram pooled over the region's pixels:
//
//   colour  (144-d) joint CIE-Lab histogram, 4 L × 6 a × 6 b bins (a, b clamped to ±48), lightly
//                   smoothed across neighbouring bins so a small colour shift moves mass instead
//                   of jumping bins;
//   texture ( 34-d) gradient-orientation histograms weighted by magnitude (8 unsigned
//                   orientations, at two smoothing scales), gradient-magnitude histograms (4 bins,
//                   two scales) and rotation-invariant uniform LBP codes (10);
//   layout  ( 16-d) where the region lies: its pixel share in each cell of a 4×4 image grid;
//   words   ( K-d, optional) bag of visual words: the histogram of the dense-SIFT words
//                   (texture_words.h, a DRC codebook) whose keypoints fall inside the region.
//
// Every histogram is L1-normalised and square-rooted (Hellinger kernel: the dot product of two
// such vectors is the Bhattacharyya coefficient of the histograms, a similarity in [0, 1] that
// outperforms raw L2 for histograms — Arandjelović & Zisserman, CVPR 2012). The blocks are
// scaled so their squared weights sum to 1. The result is a non-negative unit vector: a dot
// product of two descriptors is a similarity in [0, 1], the same measure the paper's one-shot
// retrieval ranks by (max over regions of q·r). Layout gets a small weight: an object moved
// across the image is still the same object.
#include "core/features/dense_sift.h"
#include "core/features/feature_extractor.h"

namespace regionlab {

class TextureWords;

struct ClassicalDescriptorOptions {
  // Pixel statistics are computed on a copy of the image reduced to at most this many pixels
  // (masks are sampled on the matching grid): the descriptor of a 24 MP photo costs what a 1 MP
  // one does.
  double analysis_max_pixels = 1.2e6;
  float colour_weight = 0.68f;
  float texture_weight = 0.66f;
  float layout_weight = 0.32f;
  // Weight of the visual-words block; 0 leaves it out (the 194-d descriptor, identity v1, named
  // "classical-plain"). On one-shot retrieval of the public COCO images (regionlab-bench
  // texture-words, shipped vocabulary 3ecdf966dc71): mAP 0.3200 at 0.3, 0.3247 at 0.5, 0.3226 at
  // 0.7, against 0.3075 without words; 0.7 had been the best of 0.3–1.1 (0.3281) with the
  // vocabulary trained before k-means++ seeding.
  float words_weight = 0.7f;
  // Dense SIFT on the analysis image, quantised on `vocabulary` (nullptr: the shipped one).
  DenseSiftOptions sift;
  const TextureWords* vocabulary = nullptr;
};

class ClassicalDescriptor final : public FeatureExtractor {
public:
  static constexpr int kColourDim = 4 * 6 * 6;
  static constexpr int kTextureDim = 2 * 8 + 2 * 4 + 10;
  static constexpr int kLayoutDim = 16;
  static constexpr int kFixedDim = kColourDim + kTextureDim + kLayoutDim;

  // name: what users select it by ("classical", "classical-plain").
  explicit ClassicalDescriptor(ClassicalDescriptorOptions options = {}, std::string name = "classical");
  std::string name() const override { return name_; }
  std::string identity() const override;
  std::string description() const override;
  int dim() const override { return kFixedDim + wordCount(); }
  std::vector<float> extract(const cv::Mat& rgb, std::span<const Rle> masks) const override;

private:
  int wordCount() const;
  ClassicalDescriptorOptions options_;
  std::string name_;
};

}  // namespace regionlab
