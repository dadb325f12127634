// The semantic region classifier (linear and MLP heads, area-weighted cross-entropy), the
// paper's > 50 % region-label rule, and the mean-probability pixel labeling.
#include <QtTest>

#include <cmath>
#include <random>

#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/learning/pixel_labeling.h"
#include "core/learning/region_classifier.h"
#include "core/learning/region_label_rule.h"

using namespace regionlab;

namespace {

ClassExamples clusters(int per_class, int classes, int dim, float spread, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, spread);
  ClassExamples e;
  e.dim = dim;
  e.num_classes = classes;
  std::vector<float> v(dim);
  for (int i = 0; i < per_class; ++i) {
    for (int c = 0; c < classes; ++c) {
      for (int j = 0; j < dim; ++j) v[j] = (j == c ? 1.f : 0.f) + noise(rng);
      e.add(v.data(), c, 1.f + float(i % 5));
    }
  }
  return e;
}

double accuracy(const RegionClassifier& m, const ClassExamples& e) {
  const auto p = m.predictProbabilities(e.x.data(), e.size());
  int correct = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    const float* row = p.data() + i * e.num_classes;
    correct += int(std::max_element(row, row + e.num_classes) - row) == e.label[i];
  }
  return double(correct) / double(e.size());
}

// XOR of two coordinates: not linearly separable.
ClassExamples xorData(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  ClassExamples e;
  e.dim = 2;
  e.num_classes = 2;
  for (int i = 0; i < n; ++i) {
    float v[2] = {u(rng), u(rng)};
    if (std::abs(v[0]) < 0.1f || std::abs(v[1]) < 0.1f) continue;
    e.add(v, (v[0] > 0) != (v[1] > 0) ? 1 : 0, 1.f);
  }
  return e;
}

}  // namespace

class TestRegionClassifier : public QObject {
  Q_OBJECT

private slots:
  void linearHeadSeparatesClustersWithNormalisedProbabilities() {
    const ClassExamples train = clusters(60, 4, 12, 0.25f, 1), test = clusters(40, 4, 12, 0.25f, 2);
    const RegionClassifier m = RegionClassifier::train(train, {});
    QCOMPARE(m.numClasses(), 4);
    QVERIFY2(accuracy(m, test) > 0.95, qPrintable(QString::number(accuracy(m, test))));
    const auto p = m.predictProbabilities(test.x.data(), 3);
    for (int i = 0; i < 3; ++i) {
      double s = 0;
      for (int c = 0; c < 4; ++c) s += p[i * 4 + c];
      QVERIFY(std::abs(s - 1) < 1e-5);
    }
  }

  void regionAreaWeightsTheLoss() {
    // The same vector labelled A on a large region and B on a small one: area decides.
    for (const bool a_is_large : {true, false}) {
      ClassExamples e;
      e.dim = 3;
      e.num_classes = 2;
      const float v[3] = {0.5f, 0.5f, 0.7f};
      e.add(v, 0, a_is_large ? 900.f : 100.f);
      e.add(v, 1, a_is_large ? 100.f : 900.f);
      const auto p = RegionClassifier::train(e, {}).predictProbabilities(v, 1);
      QVERIFY2((p[0] > p[1]) == a_is_large, qPrintable(QString("p = %1, %2").arg(p[0]).arg(p[1])));
      QVERIFY(std::abs(p[a_is_large ? 0 : 1] - 0.9f) < 0.05f);  // the weighted optimum is the area share
    }
  }

  void mlpHeadLearnsWhatLinearCannot() {
    const ClassExamples train = xorData(600, 3), test = xorData(300, 4);
    RegionClassifierOptions mlp;
    mlp.kind = RegionClassifierKind::Mlp;
    mlp.hidden = 16;
    mlp.epochs = 150;
    mlp.batch_size = 32;
    mlp.learning_rate = 1e-2;
    mlp.weight_decay = 0;
    const double linear_accuracy = accuracy(RegionClassifier::train(train, {}), test);
    const RegionClassifier m = RegionClassifier::train(train, mlp);
    QCOMPARE(m.kind(), RegionClassifierKind::Mlp);
    QVERIFY2(accuracy(m, test) > 0.9, qPrintable(QString::number(accuracy(m, test))));
    QVERIFY2(linear_accuracy < 0.75, qPrintable(QString::number(linear_accuracy)));
    // Deterministic: the same seed gives the same model.
    const auto p1 = m.predictProbabilities(test.x.data(), 5), p2 = RegionClassifier::train(train, mlp).predictProbabilities(test.x.data(), 5);
    QCOMPARE(p1, p2);
  }

  void refusesBadTrainingData() {
    ClassExamples e;
    e.dim = 2;
    e.num_classes = 2;
    QVERIFY_THROWS_EXCEPTION(Error, RegionClassifier::train(e, {}));
    const float v[2] = {1, 0};
    e.add(v, 2, 1.f);
    QVERIFY_THROWS_EXCEPTION(Error, RegionClassifier::train(e, {}));
    QVERIFY_THROWS_EXCEPTION(Error, regionClassifierKindFromName("transformer"));
  }

  void majorityRuleNeedsMoreThanHalfOfAValidClass() {
    const auto valid = [](int c) { return c != 0; };  // 0 = unlabeled
    QCOMPARE(majorityLabel({0, 51, 49}, 100, valid), std::optional<int>(1));
    QCOMPARE(majorityLabel({0, 50, 50}, 100, valid), std::nullopt);      // exactly half is not more than half
    QCOMPARE(majorityLabel({60, 40, 0}, 100, valid), std::nullopt);      // majority is the ignored value
    QCOMPARE(majorityLabel({40, 0, 51, 9}, 100, valid), std::optional<int>(2));  // ignored pixels count in the area
    QCOMPARE(majorityLabel({45, 0, 55}, 110, valid), std::nullopt);
  }

  void histogramFollowsTheMask() {
    cv::Mat labels(30, 40, CV_8U);
    cv::randu(labels, 0, 5);
    cv::Mat mask = cv::Mat::zeros(30, 40, CV_8U);
    cv::circle(mask, {20, 15}, 9, 255, cv::FILLED);
    const auto h = ColumnMajorLabels(labels).histogram(encodeMask(mask));
    for (int v = 0; v < 5; ++v) QCOMPARE(h[v], int64_t(cv::countNonZero((labels == v) & mask)));
    QVERIFY_THROWS_EXCEPTION(Error, ColumnMajorLabels(labels).histogram(encodeMask(cv::Mat::zeros(10, 10, CV_8U))));
  }

  void pixelsTakeTheArgmaxOfTheMeanProbability() {
    // Region A covers x < 6, region B covers x >= 3 (of a 9-wide image); x = 8 column uncovered
    // by shrinking B to x < 8.
    cv::Mat a = cv::Mat::zeros(4, 9, CV_8U), b = cv::Mat::zeros(4, 9, CV_8U);
    a(cv::Rect(0, 0, 6, 4)) = 1;
    b(cv::Rect(3, 0, 5, 4)) = 1;
    const std::vector<Rle> regions = {encodeMask(a), encodeMask(b)};
    const std::vector<float> probs = {0.9f, 0.1f, 0.2f, 0.8f};
    const PixelLabeling l = labelPixels(regions, probs, 2, 4, 9);
    QCOMPARE(l.classes.at<int>(1, 0), 0);  // A only
    QCOMPARE(l.confidence.at<float>(1, 0), 0.9f);
    QCOMPARE(l.classes.at<int>(1, 4), 0);  // both: mean (0.55, 0.45)
    QVERIFY(std::abs(l.confidence.at<float>(1, 4) - 0.55f) < 1e-6f);
    QCOMPARE(l.classes.at<int>(1, 7), 1);  // B only
    QCOMPARE(l.classes.at<int>(1, 8), -1);  // uncovered
    QCOMPARE(l.confidence.at<float>(1, 8), 0.f);
    const auto masks = classMasks(l);
    QCOMPARE(cv::countNonZero(masks[0]), 4 * 6);
    QCOMPARE(cv::countNonZero(masks[1]), 4 * 2);
  }

  void pixelLabelingMatchesTheDirectMean() {
    std::mt19937 rng(7);
    const int H = 37, W = 53, C = 4, R = 25;
    std::vector<Rle> regions;
    std::vector<cv::Mat> dense;
    std::vector<float> probs;
    std::uniform_int_distribution<int> px(0, W - 1), py(0, H - 1), pr(2, 15);
    std::uniform_real_distribution<float> u(0.01f, 1.f);
    for (int r = 0; r < R; ++r) {
      cv::Mat m = cv::Mat::zeros(H, W, CV_8U);
      cv::ellipse(m, {px(rng), py(rng)}, {pr(rng), pr(rng)}, 0, 0, 360, 1, cv::FILLED);
      dense.push_back(m);
      regions.push_back(encodeMask(m));
      float s = 0;
      std::vector<float> p(C);
      for (float& x : p) s += (x = u(rng));
      for (float x : p) probs.push_back(x / s);
    }
    const PixelLabeling l = labelPixels(regions, probs, C, H, W);
    for (int y = 0; y < H; ++y) {
      for (int x = 0; x < W; ++x) {
        std::vector<double> sum(C, 0);
        int n = 0;
        for (int r = 0; r < R; ++r) {
          if (!dense[r].at<uint8_t>(y, x)) continue;
          ++n;
          for (int c = 0; c < C; ++c) sum[c] += probs[r * C + c];
        }
        const int expected = n == 0 ? -1 : int(std::max_element(sum.begin(), sum.end()) - sum.begin());
        QCOMPARE(l.classes.at<int>(y, x), expected);
        if (n) QVERIFY(std::abs(l.confidence.at<float>(y, x) - sum[expected] / n) < 1e-5);
      }
    }
  }

  void pixelLabelingRefusesMismatchedSizes() {
    const std::vector<Rle> regions = {encodeMask(cv::Mat::ones(4, 4, CV_8U))};
    const std::vector<float> probs = {1.f};
    QVERIFY_THROWS_EXCEPTION(Error, labelPixels(regions, probs, 1, 5, 4));
    QVERIFY_THROWS_EXCEPTION(Error, labelPixels(regions, probs, 2, 4, 4));
  }
};

QTEST_APPLESS_MAIN(TestRegionClassifier)
#include "tst_region_classifier.moc"
