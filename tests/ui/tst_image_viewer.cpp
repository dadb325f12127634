// The viewer's pieces against ground truth: RLE sampling and outlines against decoded masks,
// the pick map (smallest region under the cursor), the heat map's max-over-regions colouring,
// and a 6000×6000 image drawn from the right pyramid level and only where it is visible.
#include <QGraphicsScene>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/support/synthetic_images.h"
#include "tests/ui/gui_test_support.h"
#include "ui/query/heat_map.h"
#include "ui/viewer/image_document.h"
#include "ui/viewer/image_viewer.h"
#include "ui/viewer/mask_raster.h"
#include "ui/viewer/region_shapes.h"
#include "ui/viewer/tiled_image_item.h"

using namespace regionlab;

namespace {

cv::Mat randomBlobs(cv::Size size, uint32_t seed) {
  cv::RNG rng(seed);
  cv::Mat mask = cv::Mat::zeros(size, CV_8U);
  for (int i = 0; i < 4; ++i) {
    cv::ellipse(mask, {rng.uniform(0, size.width), rng.uniform(0, size.height)},
                {rng.uniform(2, size.width / 3 + 3), rng.uniform(2, size.height / 3 + 3)}, rng.uniform(0, 180), 0, 360, 255,
                cv::FILLED);
  }
  return mask;
}

// A collection with one image and the given masks as its regions, written through the database.
std::filesystem::path makeCollection(const std::filesystem::path& dir, const cv::Mat& rgb, const std::vector<cv::Mat>& masks) {
  std::filesystem::create_directories(dir);
  test::writeRgbImage(dir / "image.png", rgb);
  const CollectionPaths paths(dir);
  paths.createDataDirs();
  auto db = Database::open(paths.database);
  ImageRecord image;
  image.path = "image.png";
  image.width = rgb.cols;
  image.height = rgb.rows;
  image.status = ImageStatus::Done;
  const int64_t id = db->writeImage(image);
  std::vector<Region> regions;
  for (const cv::Mat& m : masks) regions.push_back(makeRegion(encodeMask(m)));
  db->writeRegions(id, db->ensureModel(kRegionGeneratorKind, "test", "t", 0), regions);
  return dir;
}

}  // namespace

class TestImageViewer : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

private slots:
  void samplingTheRunsMatchesTheDecodedMask() {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      const cv::Mat mask = randomBlobs({97, 61}, seed);
      const Rle rle = encodeMask(mask);
      for (const int step : {1, 2, 3, 7}) {
        const ui::SampleGrid grid{5, 3, step, (97 - 5 + step - 1) / step, (61 - 3 + step - 1) / step};
        cv::Mat sampled = cv::Mat::zeros(grid.rows, grid.cols, CV_8U);
        ui::forEachMaskedCell(rle, grid, [&](int i, int j) { sampled.at<uint8_t>(i, j) = 1; });
        for (int i = 0; i < grid.rows; ++i) {
          for (int j = 0; j < grid.cols; ++j) {
            QCOMPARE(int(sampled.at<uint8_t>(i, j)), mask.at<uint8_t>(3 + i * step, 5 + j * step) ? 1 : 0);
          }
        }
      }
    }
  }

  void outlinesEncloseTheMaskAndItsHoles() {
    cv::Mat ring = cv::Mat::zeros(60, 80, CV_8U);
    cv::rectangle(ring, cv::Rect(10, 8, 50, 40), 255, cv::FILLED);
    cv::rectangle(ring, cv::Rect(25, 20, 15, 12), 0, cv::FILLED);
    const Region region = makeRegion(encodeMask(ring));
    const QPainterPath path = ui::regionOutlinePath(region.mask, region.bbox);
    QCOMPARE(path.boundingRect(), QRectF(10.5, 8.5, 49, 39));  // through the boundary pixels' centres
    QVERIFY(path.contains(QPointF(15.5, 12.5)));   // in the ring
    QVERIFY(!path.contains(QPointF(32.5, 26.5)));  // in the hole
    QVERIFY(!path.contains(QPointF(70.5, 50.5)));  // outside
    // Traced on a coarser grid, a large region keeps its extent to within a grid cell.
    const QPainterPath coarse = ui::regionOutlinePath(region.mask, region.bbox, 10);
    QVERIFY(std::abs(coarse.boundingRect().width() - 49) <= 5);
    QVERIFY(std::abs(coarse.boundingRect().height() - 39) <= 5);
  }

  void pickMapNamesTheSmallestRegionUnderThePoint() {
    cv::Mat big = cv::Mat::zeros(120, 160, CV_8U), small = big.clone(), other = big.clone();
    cv::rectangle(big, cv::Rect(10, 10, 120, 90), 255, cv::FILLED);
    cv::circle(small, {60, 50}, 15, 255, cv::FILLED);
    cv::rectangle(other, cv::Rect(140, 100, 15, 15), 255, cv::FILLED);
    cv::Mat rgb(120, 160, CV_8UC3, cv::Scalar(90, 120, 200));
    const auto root = makeCollection(std::filesystem::path(dir_.path().toStdString()) / "pick", rgb, {small, big, other});
    const auto doc = ui::loadImageDocument(CollectionPaths(root), QStringLiteral("image.png"));
    QCOMPARE(doc->size, QSize(160, 120));
    QCOMPARE(int(doc->regions.size()), 3);
    QVERIFY(doc->regions[0].area > doc->regions[1].area && doc->regions[1].area > doc->regions[2].area);  // largest first
    const auto id_at = [&](double x, double y) {
      const int index = doc->regionAt(x, y);
      return index < 0 ? int64_t(0) : doc->regions[size_t(index)].id;
    };
    QCOMPARE(id_at(60.5, 50.5), doc->regions[size_t(doc->indexOfRegion(id_at(60.5, 50.5)))].id);
    QCOMPARE(doc->regions[size_t(doc->regionAt(60.5, 50.5))].area, int64_t(cv::countNonZero(small)));  // the circle, not the box
    QCOMPARE(doc->regions[size_t(doc->regionAt(20.5, 20.5))].area, int64_t(cv::countNonZero(big)));
    QCOMPARE(doc->regionAt(5.5, 5.5), -1);
    QCOMPARE(doc->regions[size_t(doc->regionAt(145.5, 105.5))].area, int64_t(225));
  }

  void heatMapTakesTheBestRegionAtEachPixel() {
    cv::Mat a = cv::Mat::zeros(50, 70, CV_8U), b = a.clone();
    cv::rectangle(a, cv::Rect(0, 0, 40, 50), 255, cv::FILLED);
    cv::rectangle(b, cv::Rect(30, 10, 30, 20), 255, cv::FILLED);
    const ui::HeatMap map = ui::buildHeatMap({70, 50}, {{encodeMask(a), 0.2f}, {encodeMask(b), 0.9f}});
    QCOMPARE(map.step, 1);
    QCOMPARE(map.min_score, 0.2f);
    QCOMPARE(map.max_score, 0.9f);
    const auto colourAt = [&](int x, int y) { return QColor::fromRgba(qUnpremultiply(map.image.pixel(x, y))); };
    const auto near = [](QColor c, QColor d) {
      return std::abs(c.red() - d.red()) <= 2 && std::abs(c.green() - d.green()) <= 2 && std::abs(c.blue() - d.blue()) <= 2;
    };
    QVERIFY(near(colourAt(35, 15), ui::heatColor(1.0)));  // overlap: the better region's score
    QVERIFY(near(colourAt(5, 5), ui::heatColor(0.0)));    // only the weaker region
    QVERIFY(near(colourAt(55, 15), ui::heatColor(1.0)));
    QCOMPARE(qAlpha(map.image.pixel(65, 45)), 0);  // no region: transparent
  }

  void hugeImagesDrawOnlyTheVisibleTilesFromTheMatchingLevel() {
    // 6000×6000 (36 MP) with a few large regions.
    cv::Mat small(60, 60, CV_8UC3);
    cv::randu(small, cv::Scalar::all(0), cv::Scalar::all(255));
    cv::Mat rgb;
    cv::resize(small, rgb, {6000, 6000}, 0, 0, cv::INTER_LINEAR);
    std::vector<cv::Mat> masks;
    for (int k = 0; k < 4; ++k) {
      cv::Mat m = cv::Mat::zeros(6000, 6000, CV_8U);
      cv::circle(m, {1000 + 1300 * k, 3000}, 600 + 200 * k, 255, cv::FILLED);
      masks.push_back(m);
    }
    const auto root = makeCollection(std::filesystem::path(dir_.path().toStdString()) / "huge", rgb, masks);
    QElapsedTimer timer;
    timer.start();
    const auto doc = ui::loadImageDocument(CollectionPaths(root), QStringLiteral("image.png"));
    qInfo("6000x6000 image with 4 regions read and prepared off the GUI thread in %lld ms", timer.elapsed());
    QCOMPARE(doc->size, QSize(6000, 6000));
    QCOMPARE(int(doc->pixels->levels.size()), 5);  // 6000, 3000, 1500, 750, 375
    QCOMPARE(doc->pick_step, 3);                   // pick map of 2000×2000

    ui::ImageViewer viewer;
    viewer.resize(800, 600);
    viewer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&viewer));
    viewer.setDocument(doc);
    const auto paintTime = [&] {
      QElapsedTimer t;
      t.start();
      viewer.viewport()->repaint();
      return t.nsecsElapsed() * 1e-6;
    };
    paintTime();  // tiles made
    const double fit_ms = paintTime();
    const ui::TiledImageItem* item = viewer.imageItem();
    QCOMPARE(item->lastLevel(), item->levelForScale(viewer.zoom()));
    QVERIFY2(item->lastLevel() >= 2, "the whole image at ~0.1x is drawn from a reduced level");
    QVERIFY(item->lastTileCount() <= 4);
    viewer.actualPixels();
    viewer.centerOn(3000, 3000);
    paintTime();
    const double one_to_one_ms = paintTime();
    QCOMPARE(item->lastLevel(), 0);
    // An 800×600 window over 512-pixel tiles meets at most 3×3 of the 144 full-resolution tiles.
    QVERIFY(item->lastTileCount() <= 9);
    qInfo("repaint of the 6000x6000 image: %.1f ms fitted (level %d), %.1f ms at 1:1 (%d tiles)", fit_ms,
          item->levelForScale(0.1), one_to_one_ms, item->lastTileCount());
    // The region under the cursor is found through the pick map and highlighted.
    const QPoint centre = viewer.viewportPointOf({3000 + 1.0, 3000 + 1.0});
    test::moveMouse(viewer.viewport(), centre);
    QVERIFY(viewer.hoveredRegion() != 0);
    QVERIFY(viewer.findChild<QLabel*>(QStringLiteral("hoverInfo"))->isVisible());
    test::saveScreenshot(viewer, QStringLiteral("viewer_huge_image_1to1"));
  }
};

QTEST_MAIN(TestImageViewer)
#include "tst_image_viewer.moc"
