// RLE masks: round trips, COCO's conventions (column-major, zeros first, compressed strings as
// pycocotools writes them), and the set operations the generators rely on.
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/regions/rle.h"

using namespace regionlab;

class TestRle : public QObject {
  Q_OBJECT

private slots:
  void roundTripsRandomMasks_data() {
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<double>("density");
    QTest::newRow("1x1 empty") << 1 << 1 << 0.0;
    QTest::newRow("1x1 full") << 1 << 1 << 1.0;
    QTest::newRow("odd sparse") << 37 << 53 << 0.05;
    QTest::newRow("odd dense") << 53 << 37 << 0.9;
    QTest::newRow("wide half") << 7 << 301 << 0.5;
    QTest::newRow("tall half") << 301 << 7 << 0.5;
  }
  void roundTripsRandomMasks() {
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(double, density);
    cv::RNG rng(height * 1000 + width);
    for (int trial = 0; trial < 5; ++trial) {
      cv::Mat mask(height, width, CV_8U);
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) mask.at<uint8_t>(y, x) = rng.uniform(0.0, 1.0) < density ? 255 : 0;
      const Rle rle = encodeMask(mask);
      validateRle(rle, "random mask");
      const cv::Mat back = decodeRle(rle);
      QCOMPARE(cv::countNonZero(back != (mask != 0) / 255), 0);
      QCOMPARE(rleArea(rle), int64_t(cv::countNonZero(mask)));
      const cv::Rect box = cv::boundingRect(mask);
      const BoundingBox b = rleBoundingBox(rle);
      QCOMPARE(b.x, box.x);
      QCOMPARE(b.y, box.y);
      QCOMPARE(b.width, box.width);
      QCOMPARE(b.height, box.height);
      QCOMPARE(rleFromCocoString(rleToCocoString(rle), height, width), rle);
      QCOMPARE(rleFromCountBytes(rleCountsToBytes(rle), height, width), rle);
      for (int k = 0; k < 20; ++k) {
        const int x = rng.uniform(0, width), y = rng.uniform(0, height);
        QCOMPARE(rleContains(rle, x, y), mask.at<uint8_t>(y, x) != 0);
      }
    }
  }

  void followsCocoConventions() {
    // 3x2 mask, rows: [0 1], [1 1], [0 0]. Column-major: col0 = 0,1,0; col1 = 1,1,0.
    cv::Mat mask = (cv::Mat_<uint8_t>(3, 2) << 0, 1, 1, 1, 0, 0);
    const Rle rle = encodeMask(mask);
    QCOMPARE(rle.counts, (std::vector<uint32_t>{1, 1, 1, 2, 1}));
    // A mask starting with a 1 begins with a zero-length run of 0s.
    cv::Mat first = (cv::Mat_<uint8_t>(2, 1) << 1, 0);
    QCOMPARE(encodeMask(first).counts, (std::vector<uint32_t>{0, 1, 1}));
    // pycocotools: rleToString of counts [0, 1, 1] is "01" followed by "1".
    QCOMPARE(rleToCocoString(encodeMask(first)), std::string("011"));
  }

  void decodesPycocotoolsString() {
    // Produced by pycocotools.mask.encode on a 4x4 mask with a 2x2 square at rows 1-2, cols 1-2:
    // counts [5, 2, 2, 2, 5] → "52203" (the 4th and 5th counts are deltas to counts[i-2]).
    const Rle rle = rleFromCocoString("52203", 4, 4);
    QCOMPARE(rle.counts, (std::vector<uint32_t>{5, 2, 2, 2, 5}));
    QCOMPARE(rleToCocoString(rle), std::string("52203"));
  }

  void labelMapEncodesEveryLabel() {
    cv::Mat labels(31, 17, CV_32S);
    cv::RNG rng(7);
    for (int y = 0; y < labels.rows; ++y)
      for (int x = 0; x < labels.cols; ++x) labels.at<int32_t>(y, x) = (x / 5 + y / 7 + rng.uniform(0, 2)) % 6;
    const auto rles = encodeLabelMap(labels, 7);  // label 6 is absent
    QCOMPARE(int(rles.size()), 7);
    int64_t total = 0;
    for (int l = 0; l < 7; ++l) {
      QCOMPARE(rles[l], encodeMask(labels == l));
      total += rleArea(rles[l]);
    }
    QCOMPARE(total, int64_t(labels.total()));
    QCOMPARE(rleArea(rles[6]), int64_t(0));
  }

  void setOperationsMatchPixelwise() {
    cv::RNG rng(11);
    for (int trial = 0; trial < 20; ++trial) {
      cv::Mat a(23, 29, CV_8U), b(23, 29, CV_8U);
      rng.fill(a, cv::RNG::UNIFORM, 0, 2);
      rng.fill(b, cv::RNG::UNIFORM, 0, 2);
      const Rle ra = encodeMask(a), rb = encodeMask(b);
      QCOMPARE(rleIntersection(ra, rb), encodeMask(a & b));
      QCOMPARE(rleUnion(ra, rb), encodeMask(a | b));
      QCOMPARE(rleComplement(ra), encodeMask(a == 0));
      QCOMPARE(rleIntersectionArea(ra, rb), int64_t(cv::countNonZero(a & b)));
      const double iou = double(cv::countNonZero(a & b)) / double(cv::countNonZero(a | b));
      QVERIFY(std::abs(rleIoU(ra, rb) - iou) < 1e-12);
    }
  }

  void rejectsDamagedData() {
    QVERIFY_THROWS_EXCEPTION(Error, validateRle(Rle{4, 4, {5, 2}}, "short"));
    QVERIFY_THROWS_EXCEPTION(Error, validateRle(Rle{4, 4, {5, 0, 11}}, "empty run"));
    QVERIFY_THROWS_EXCEPTION(Error, rleFromCountBytes(std::vector<uint8_t>(7), 2, 2));
    QVERIFY_THROWS_EXCEPTION(Error, rleFromCocoString("5~", 4, 4));
    QVERIFY_THROWS_EXCEPTION(Error, rleIoU(Rle{2, 2, {4}}, Rle{2, 3, {6}}));
  }
};

QTEST_APPLESS_MAIN(TestRle)
#include "tst_rle.moc"
