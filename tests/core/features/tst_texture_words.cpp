// Dense SIFT, the shipped texture vocabulary and the classical descriptor's visual-words block
// (core/features/dense_sift.h, texture_words.h, classical_descriptor.h).
#include <QtTest>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/features/classical_descriptor.h"
#include "core/features/dense_sift.h"
#include "core/features/feature_extractor.h"
#include "core/features/texture_words.h"
#include "core/regions/rle.h"
#include "tests/support/synthetic_images.h"

using namespace regionlab;

namespace {

cv::Mat stripes(cv::Size size, double angle_degrees, double period) {
  cv::Mat grey(size, CV_8U);
  const double a = angle_degrees * CV_PI / 180.0;
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x)
      grey.at<uint8_t>(y, x) = uint8_t(127.5 + 120 * std::sin(2 * CV_PI * (std::cos(a) * x + std::sin(a) * y) / period));
  return grey;
}

double l2(const float* v, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += double(v[i]) * v[i];
  return std::sqrt(s);
}

}  // namespace

class TestTextureWords : public QObject {
  Q_OBJECT

private slots:
  void denseSiftCoversTheGrid() {
    const cv::Mat grey = stripes({100, 60}, 0, 10);
    DenseSiftOptions o;
    o.step = 8;
    const DenseSift s = computeDenseSift(grey, o);
    QCOMPARE(s.points.size(), size_t(12 * 7));  // x = 4, 12, …, 92; y = 4, …, 52
    QCOMPARE(s.descriptors.rows, 12 * 7);
    QCOMPARE(s.points.front(), cv::Point2f(4, 4));
    for (int r = 0; r < s.descriptors.rows; ++r) {
      const float* d = s.descriptors.ptr<float>(r);
      QVERIFY(std::abs(l2(d, 128) - 1.0) < 1e-4);  // RootSIFT: unit L2 norm
      for (int i = 0; i < 128; ++i) QVERIFY(d[i] >= 0);
    }
    // A flat image has no gradients: zero descriptors, not NaNs.
    const DenseSift flat = computeDenseSift(cv::Mat(40, 40, CV_8U, cv::Scalar(90)), o);
    QCOMPARE(cv::countNonZero(flat.descriptors), 0);
  }

  // Orientation: vertical stripes put their energy in the horizontal-gradient orientations,
  // horizontal stripes in the vertical ones; and the pattern's descriptor moves with it.
  void denseSiftSeesOrientation() {
    DenseSiftOptions o;
    o.root_sift = false;
    const DenseSift vertical = computeDenseSift(stripes({64, 64}, 0, 12), o);
    const DenseSift horizontal = computeDenseSift(stripes({64, 64}, 90, 12), o);
    auto energy = [](const DenseSift& s, int orientation) {
      double e = 0;
      for (int r = 0; r < s.descriptors.rows; ++r)
        for (int b = 0; b < 16; ++b) e += s.descriptors.at<float>(r, b * 8 + orientation) + s.descriptors.at<float>(r, b * 8 + (orientation + 4) % 8);
      return e;
    };
    QVERIFY(energy(vertical, 0) > 3 * energy(vertical, 2));      // gradients along x (0°, 180°)
    QVERIFY(energy(horizontal, 2) > 3 * energy(horizontal, 0));  // gradients along y (90°, 270°)
    // Translation by one grid step: same descriptors one keypoint over (away from the border).
    const cv::Mat big = stripes({96, 96}, 30, 9);
    const DenseSift a = computeDenseSift(big(cv::Rect(0, 0, 80, 80)).clone(), o);
    const DenseSift b = computeDenseSift(big(cv::Rect(8, 0, 80, 80)).clone(), o);
    const int per_row = 10;
    const float* da = a.descriptors.ptr<float>(4 * per_row + 5);
    const float* db = b.descriptors.ptr<float>(4 * per_row + 4);
    double diff = 0;
    for (int i = 0; i < 128; ++i) diff += std::abs(da[i] - db[i]);
    QVERIFY2(diff < 1e-3, qPrintable(QString::number(diff)));
  }

  void shippedVocabularyIsCompiledIn() {
    const TextureWords& words = TextureWords::shipped();
    QCOMPARE(words.size(), 64u);
    QCOMPARE(words.id().size(), size_t(64));
    QVERIFY(!words.codebook().hasLookupTables());
    QCOMPARE(&words, &TextureWords::shipped());
    // assign() is the nearest word.
    const DenseSift s = computeDenseSift(test::makeShapesImage(3));
    const std::vector<uint16_t> assigned = words.assign(s.descriptors);
    QCOMPARE(assigned.size(), s.points.size());
    for (int r = 0; r < s.descriptors.rows; r += 7) {
      uint16_t code;
      words.codebook().encode(s.descriptors.ptr<float>(r), &code, EncodeMode::Exact);
      QCOMPARE(assigned[size_t(r)], code);
    }
  }

  void descriptorWithWords() {
    const cv::Mat rgb = test::makeShapesImage(5);
    std::vector<Rle> masks;
    for (const cv::Rect& r : {cv::Rect(10, 10, 100, 80), cv::Rect(150, 100, 60, 60), cv::Rect(0, 0, 3, 3)}) {
      cv::Mat m = cv::Mat::zeros(rgb.size(), CV_8U);
      m(r).setTo(255);
      masks.push_back(encodeMask(m));
    }
    const auto plain_extractor = createFeatureExtractor("classical-plain");
    const auto& plain = *plain_extractor;
    QCOMPARE(plain.dim(), ClassicalDescriptor::kFixedDim);
    const auto words = createFeatureExtractor("classical");  // the default has the words block
    QCOMPARE(words->name(), std::string("classical"));
    QCOMPARE(words->dim(), ClassicalDescriptor::kFixedDim + 64);
    QVERIFY(words->identity() != plain.identity());
    const std::vector<float> v = words->extract(rgb, masks);
    QCOMPARE(v.size(), size_t(3 * words->dim()));
    for (size_t m = 0; m < 3; ++m) {
      const float* x = v.data() + m * size_t(words->dim());
      QVERIFY(std::abs(l2(x, words->dim()) - 1.0) < 1e-4);
      for (int i = 0; i < words->dim(); ++i) QVERIFY(x[i] >= 0);
    }
    QVERIFY(words->extract(rgb, masks) == v);  // deterministic
    // The first 194 values are the plain descriptor's blocks, rescaled by the block weights.
    const std::vector<float> p = plain.extract(rgb, masks);
    double dot = 0;
    for (int i = 0; i < ClassicalDescriptor::kFixedDim; ++i) dot += double(p[size_t(i)]) * v[size_t(i)];
    QVERIFY(dot > 0.9 * l2(v.data(), ClassicalDescriptor::kFixedDim));
  }
};

QTEST_APPLESS_MAIN(TestTextureWords)
#include "tst_texture_words.moc"
