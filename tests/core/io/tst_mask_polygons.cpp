// Masks to polygons and back: exact for masks without holes (OpenCV contours + fillPoly agree
// pixel for pixel), holes kept through bridges, out-of-image points named.
#include <QtTest>

#include <opencv2/imgproc.hpp>

#include "core/io/mask_polygons.h"

using namespace regionlab;

namespace {

cv::Mat randomBlobs(cv::RNG& rng, int height, int width, bool allow_holes) {
  cv::Mat m = cv::Mat::zeros(height, width, CV_8U);
  for (int k = 0; k < 4; ++k) {
    cv::ellipse(m, {rng.uniform(0, width), rng.uniform(0, height)}, {rng.uniform(1, 20), rng.uniform(1, 15)}, rng.uniform(0, 180), 0, 360, 1,
                cv::FILLED);
  }
  for (int k = 0; k < 20; ++k) m.at<uint8_t>(rng.uniform(0, height), rng.uniform(0, width)) = uint8_t(rng.uniform(0, 2));
  if (!allow_holes) {
    // Fill every hole: draw the outer contours filled.
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(m.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    m.setTo(0);
    cv::drawContours(m, contours, -1, cv::Scalar(1), cv::FILLED);
  }
  return m;
}

}  // namespace

class TestMaskPolygons : public QObject {
  Q_OBJECT

private slots:
  void holeFreeMasksRoundTripExactly() {
    cv::RNG rng(11);
    for (int trial = 0; trial < 200; ++trial) {
      const cv::Mat m = randomBlobs(rng, 60, 80, false);
      const MaskOutline outline = traceMaskOutline(m);
      QVERIFY(!outline.hasHoles());
      const cv::Mat back = ringsToMask(outerRings(outline), 60, 80);
      QCOMPARE(maskIoU(back, m), 1.0);
    }
  }

  void holesAndPartsSurviveBridging() {
    cv::RNG rng(12);
    int with_holes = 0;
    for (int trial = 0; trial < 200; ++trial) {
      const cv::Mat m = randomBlobs(rng, 60, 80, true);
      const MaskOutline outline = traceMaskOutline(m);
      with_holes += outline.hasHoles();
      // Each part with its holes bridged in, filled even-odd: the holes stay empty.
      cv::Mat back = cv::Mat::zeros(60, 80, CV_8U);
      for (size_t p = 0; p < outline.parts.size(); ++p) {
        PolygonRing r;
        for (const cv::Point& q : bridgedRing(outline, int(p))) r.emplace_back(q.x, q.y);
        back |= ringToMaskEvenOdd(r, 60, 80);
      }
      const double iou = maskIoU(back, m);
      QVERIFY2(iou >= 0.97, qPrintable(QString("trial %1: IoU %2").arg(trial).arg(iou)));
    }
    QVERIFY(with_holes > 10);  // the generator did produce holes
  }

  void ringWithHoleKeepsTheHoleEmpty() {
    cv::Mat m = cv::Mat::zeros(50, 50, CV_8U);
    cv::circle(m, {25, 25}, 20, 1, cv::FILLED);
    cv::circle(m, {25, 25}, 8, 0, cv::FILLED);
    const MaskOutline outline = traceMaskOutline(m);
    QCOMPARE(outline.parts.size(), size_t(1));
    QCOMPARE(outline.holes.size(), size_t(1));
    PolygonRing r;
    for (const cv::Point& p : bridgedRing(outline, 0)) r.emplace_back(p.x, p.y);
    const cv::Mat back = ringToMaskEvenOdd(r, 50, 50);
    QCOMPARE(back.at<uint8_t>(25, 25), uint8_t(0));  // centre of the hole
    QVERIFY(maskIoU(back, m) > 0.99);
  }

  void onePixelPartsBecomeValidPolygons() {
    cv::Mat m = cv::Mat::zeros(10, 10, CV_8U);
    m.at<uint8_t>(3, 4) = 1;
    const auto rings = outerRings(traceMaskOutline(m));
    QCOMPARE(rings.size(), size_t(1));
    QVERIFY(rings[0].size() >= 3);
    QCOMPARE(maskIoU(ringsToMask(rings, 10, 10), m), 1.0);
  }

  void outOfRangePointsAreNamed() {
    QVERIFY(ringOutOfRange({{0, 0}, {10, 0}, {10, 8}}, 8, 10).empty());
    const std::string why = ringOutOfRange({{0, 0}, {25, 0}, {10, 8}}, 8, 10);
    QVERIFY(why.find("point 1") != std::string::npos);
    QVERIFY(!ringOutOfRange({{0, 0}, {std::nan(""), 0}, {1, 1}}, 8, 10).empty());
  }
};

QTEST_APPLESS_MAIN(TestMaskPolygons)
#include "tst_mask_polygons.moc"
