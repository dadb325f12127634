// Ranking and segmentation metrics against hand-computed values (sklearn's average precision,
// ties included), the closed-form random AP against simulation, and IoU bookkeeping.
#include <QtTest>

#include <algorithm>
#include <numeric>
#include <random>

#include "core/base/error.h"
#include "core/eval/ranking_metrics.h"
#include "core/eval/segmentation_metrics.h"

using namespace regionlab;

class TestRankingMetrics : public QObject {
  Q_OBJECT

private slots:
  void averagePrecisionMatchesSklearn() {
    // sklearn's documented example: average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333...
    const float s1[] = {0.1f, 0.4f, 0.35f, 0.8f};
    const uint8_t r1[] = {0, 0, 1, 1};
    QVERIFY(std::abs(averagePrecision(s1, r1) - 0.83333333) < 1e-6);
    // Ties enter together: thresholds {1: 1 of 2 relevant}, {0.5: 2 of 3} → 0.5·0.5 + 0.5·(2/3).
    const float s2[] = {1.f, 1.f, 0.5f};
    const uint8_t r2[] = {0, 1, 1};
    QVERIFY(std::abs(averagePrecision(s2, r2) - (0.25 + 1.0 / 3.0)) < 1e-9);
    // Perfect and worst rankings.
    const float s3[] = {3, 2, 1, 0};
    const uint8_t best[] = {1, 1, 0, 0}, worst[] = {0, 0, 1, 1};
    QCOMPARE(averagePrecision(s3, best), 1.0);
    QVERIFY(std::abs(averagePrecision(s3, worst) - (0.5 * (1.0 / 3) + 0.5 * 0.5)) < 1e-9);
    const uint8_t none[] = {0, 0, 0, 0};
    QCOMPARE(averagePrecision(s3, none), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, averagePrecision(s3, std::span(best, 3)));
  }

  void precisionAtKCountsTheTopK() {
    const float s[] = {0.9f, 0.1f, 0.8f, 0.8f, 0.2f};
    const uint8_t r[] = {1, 1, 0, 1, 0};
    QCOMPARE(precisionAtK(s, r, 1), 1.0);
    QCOMPARE(precisionAtK(s, r, 2), 0.5);   // 0.9 (rel), then the first 0.8 by position (not rel)
    QCOMPARE(precisionAtK(s, r, 3), 2.0 / 3);
    QCOMPARE(precisionAtK(s, r, 10), 0.3);  // missing positions count as not relevant
  }

  void randomApIsTheExpectationOfShuffledRankings() {
    std::mt19937 rng(1);
    for (const auto& [relevant, total] : {std::pair{1, 10}, std::pair{3, 20}, std::pair{10, 12}}) {
      std::vector<uint8_t> rel(static_cast<size_t>(total), 0);
      std::fill_n(rel.begin(), relevant, uint8_t(1));
      std::vector<float> scores(static_cast<size_t>(total));
      std::iota(scores.begin(), scores.end(), 0.f);
      double sum = 0;
      const int trials = 20000;
      for (int t = 0; t < trials; ++t) {
        std::shuffle(rel.begin(), rel.end(), rng);
        sum += averagePrecision(scores, rel);
      }
      const double expected = expectedRandomAveragePrecision(relevant, total);
      QVERIFY2(std::abs(sum / trials - expected) < 0.006, qPrintable(QString("R=%1 N=%2: simulated %3, formula %4")
                                                                        .arg(relevant).arg(total).arg(sum / trials).arg(expected)));
    }
    QCOMPARE(expectedRandomAveragePrecision(5, 5), 1.0);
    QCOMPARE(expectedRandomAveragePrecision(0, 5), 0.0);
  }

  void segmentationScoreCountsIoUWithIgnoreAndMisses() {
    // truth:  0 0 1 1 -1      prediction: 0 1 1 -1 1
    const cv::Mat truth = (cv::Mat_<int>(1, 5) << 0, 0, 1, 1, -1);
    const cv::Mat pred = (cv::Mat_<int>(1, 5) << 0, 1, 1, -1, 1);
    SegmentationScore s(3);
    s.add(pred, truth);
    QCOMPARE(s.evaluatedPixels(), int64_t(4));  // the ignored pixel is not scored
    QCOMPARE(s.uncoveredPixels(), int64_t(1));
    QCOMPARE(*s.iou(0), 1.0 / 2);  // tp 1, fn 1
    QCOMPARE(*s.iou(1), 1.0 / 3);  // tp 1, fp 1, fn 1 (the uncovered pixel)
    QVERIFY(!s.iou(2));
    QCOMPARE(s.meanIoU(), (0.5 + 1.0 / 3) / 2);
    QCOMPARE(s.pixelAccuracy(), 0.5);
    QCOMPARE(s.groundTruthPixels(1), int64_t(2));
    const cv::Mat bad = (cv::Mat_<int>(1, 5) << 0, 0, 3, 0, 0);
    QVERIFY_THROWS_EXCEPTION(Error, s.add(bad, truth));
  }
};

QTEST_APPLESS_MAIN(TestRankingMetrics)
#include "tst_ranking_metrics.moc"
