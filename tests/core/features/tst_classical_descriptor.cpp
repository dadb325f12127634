// The embedded-default descriptor: unit, non-negative vectors (dot product in [0, 1]); the same
// object elsewhere in another image scores higher than a different object; large images take
// the sampled path and agree with their downscaled copy.
#include <cmath>

#include <QtTest>

#include <opencv2/imgproc.hpp>

#include "core/features/classical_descriptor.h"
#include "core/index/dot_product.h"
#include "tests/support/synthetic_images.h"

using namespace regionlab;

class TestClassicalDescriptor : public QObject {
  Q_OBJECT

private slots:
  void vectorsAreUnitAndNonNegative() {
    const ClassicalDescriptor d;
    const auto scene = test::makeRetrievalScene(3, true);
    cv::Mat half = cv::Mat::zeros(scene.rgb.size(), CV_8U);
    half(cv::Rect(0, 0, half.cols / 2, half.rows)).setTo(1);
    const Rle masks[] = {encodeMask(scene.object_mask), encodeMask(half), encodeMask(cv::Mat::ones(scene.rgb.size(), CV_8U))};
    const auto v = d.extract(scene.rgb, masks);
    QCOMPARE(int(v.size()), 3 * d.dim());
    for (int m = 0; m < 3; ++m) {
      double norm = 0;
      for (int k = 0; k < d.dim(); ++k) {
        QVERIFY(v[m * d.dim() + k] >= 0);
        norm += double(v[m * d.dim() + k]) * v[m * d.dim() + k];
      }
      QVERIFY(std::abs(norm - 1.0) < 1e-4);
    }
  }

  void sameObjectScoresAboveOtherObjects() {
    const ClassicalDescriptor d;
    const auto a = test::makeRetrievalScene(10, true), b = test::makeRetrievalScene(11, true);
    const auto c = test::makeRetrievalScene(12, false);
    const Rle ma[] = {encodeMask(a.object_mask)}, mb[] = {encodeMask(b.object_mask)};
    const auto va = d.extract(a.rgb, ma), vb = d.extract(b.rgb, mb);
    // In c, the same ellipse shape but over background/distractors.
    const Rle mc[] = {encodeMask(b.object_mask)};
    const auto vc = d.extract(c.rgb, mc);
    const float same = dotProduct(va.data(), vb.data(), d.dim());
    const float other = dotProduct(va.data(), vc.data(), d.dim());
    qInfo("same object %.3f, other content %.3f", same, other);
    QVERIFY(same > 0.8f);
    QVERIFY(same > other + 0.2f);
  }

  // The pixel statistics (colour, texture, layout) of one image at two analysis resolutions
  // agree. The visual words do not take part here: dense SIFT's grid and bins are in analysis
  // pixels, so its words depend on the analysis resolution (wordsFollowTheAnalysisImage).
  void largeImagesUseTheSampledPath() {
    ClassicalDescriptorOptions o;
    o.analysis_max_pixels = 20'000;  // forces stride 3 on 400x300
    o.words_weight = 0;
    ClassicalDescriptorOptions plain;
    plain.words_weight = 0;
    const ClassicalDescriptor sampled(o, "classical-plain"), full(plain, "classical-plain");
    // Smooth content (no texture finer than the sampling stride, which would alias).
    const auto scene = test::makeRetrievalScene(5, true);
    cv::Mat smooth = test::makeShapesImage(5, scene.rgb.size());
    cv::GaussianBlur(smooth, smooth, {0, 0}, 2.0);
    cv::Mat whole = cv::Mat::ones(smooth.size(), CV_8U);
    const Rle masks[] = {encodeMask(scene.object_mask), encodeMask(whole)};
    const auto vs = sampled.extract(smooth, masks), vf = full.extract(smooth, masks);
    for (int m = 0; m < 2; ++m) {
      const float agreement = dotProduct(vs.data() + m * full.dim(), vf.data() + m * full.dim(), full.dim());
      qInfo("sampled vs full, mask %d: %.4f", m, agreement);
      QVERIFY(agreement > 0.95f);
    }
    QVERIFY(sampled.identity() != full.identity());  // different parameters, different identity
    // A one-pixel mask still gets a descriptor.
    cv::Mat dot = cv::Mat::zeros(scene.rgb.size(), CV_8U);
    dot.at<uint8_t>(101, 203) = 1;
    const Rle one[] = {encodeMask(dot)};
    const auto v1 = sampled.extract(scene.rgb, one);
    QVERIFY(dotProduct(v1.data(), v1.data(), full.dim()) > 0.99f);
  }

  // With visual words (descriptor v2), a large image and its downscaled copy share their analysis
  // image and sample the same pixels of it, so their descriptors agree, words included.
  void wordsFollowTheAnalysisImage() {
    ClassicalDescriptorOptions o;
    o.analysis_max_pixels = 30'000;  // stride ceil(sqrt(120000 / 30000)) = 2: 400x300 is analysed at 200x150
    const ClassicalDescriptor large(o), small;
    QVERIFY(small.dim() > ClassicalDescriptor::kFixedDim);
    const auto scene = test::makeRetrievalScene(6, true);
    cv::Mat copy, copy_mask;
    cv::resize(scene.rgb, copy, {scene.rgb.cols / 2, scene.rgb.rows / 2}, 0, 0, cv::INTER_AREA);
    cv::resize(scene.object_mask, copy_mask, copy.size(), 0, 0, cv::INTER_NEAREST);
    const Rle large_masks[] = {encodeMask(scene.object_mask), encodeMask(cv::Mat::ones(scene.rgb.size(), CV_8U))};
    const Rle small_masks[] = {encodeMask(copy_mask), encodeMask(cv::Mat::ones(copy.size(), CV_8U))};
    const auto vl = large.extract(scene.rgb, large_masks), vs = small.extract(copy, small_masks);
    const int words = small.dim() - ClassicalDescriptor::kFixedDim;
    for (int m = 0; m < 2; ++m) {
      const float* a = vl.data() + m * small.dim();
      const float* b = vs.data() + m * small.dim();
      const float agreement = dotProduct(a, b, small.dim());
      const float words_a = dotProduct(a + ClassicalDescriptor::kFixedDim, a + ClassicalDescriptor::kFixedDim, words);
      const float words_b = dotProduct(b + ClassicalDescriptor::kFixedDim, b + ClassicalDescriptor::kFixedDim, words);
      const float words_agreement =
          dotProduct(a + ClassicalDescriptor::kFixedDim, b + ClassicalDescriptor::kFixedDim, words) / std::sqrt(words_a * words_b);
      qInfo("large vs downscaled copy, mask %d: %.4f (words block %.4f)", m, agreement, words_agreement);
      QVERIFY(words_a > 0 && words_b > 0);
      QVERIFY(agreement > 0.999f);  // the same analysis image and the same sampled pixels
      QVERIFY(words_agreement > 0.999f);
    }
  }
};

QTEST_APPLESS_MAIN(TestClassicalDescriptor)
#include "tst_classical_descriptor.moc"
