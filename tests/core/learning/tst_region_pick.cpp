// Which region a click picks (region_pick.h), the rule the GUI viewer and the query engine's
// point query share: among the candidates containing the pixel the smallest, the lower id
// among equal areas; none outside every region.
#include <QtTest>

#include <opencv2/core.hpp>

#include "core/learning/region_pick.h"
#include "core/regions/rle.h"

using namespace regionlab;

namespace {

RegionRecord box(int64_t id, int x, int y, int w, int h) {
  cv::Mat mask = cv::Mat::zeros(40, 50, CV_8U);
  mask(cv::Rect(x, y, w, h)).setTo(1);
  return RegionRecord{id, 1, 1, makeRegion(encodeMask(mask))};
}

}  // namespace

class TestRegionPick : public QObject {
  Q_OBJECT

private slots:
  void smallestContainingRegionWins() {
    const std::vector<RegionRecord> candidates = {box(5, 0, 0, 50, 40), box(6, 10, 10, 20, 20), box(7, 12, 12, 5, 5)};
    QCOMPARE(pickRegionAt(candidates, 14, 14), std::optional<size_t>(2));
    QCOMPARE(pickRegionAt(candidates, 25, 25), std::optional<size_t>(1));
    QCOMPARE(pickRegionAt(candidates, 45, 35), std::optional<size_t>(0));
  }

  void equalAreasGoToTheLowerIdAndOutsideIsNone() {
    const std::vector<RegionRecord> candidates = {box(9, 10, 10, 8, 8), box(3, 10, 10, 8, 8), box(4, 30, 30, 5, 5)};
    QCOMPARE(pickRegionAt(candidates, 12, 12), std::optional<size_t>(1));
    QVERIFY(!pickRegionAt(candidates, 2, 2));
    QVERIFY(pickPrecedes(10, 9, 11, 1));
    QVERIFY(pickPrecedes(10, 3, 10, 9));
    QVERIFY(!pickPrecedes(10, 9, 10, 3));
  }
};

QTEST_APPLESS_MAIN(TestRegionPick)
#include "tst_region_pick.moc"
