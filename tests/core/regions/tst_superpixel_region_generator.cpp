// The embedded-default region generator on generated scenes and, when ../shared is present, on
// real COCO photos: regions cover the image, overlap across scales, carry no near-duplicates or
// tiny pieces, and are deterministic.
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/image/image_decoder.h"
#include "core/regions/superpixel_region_generator.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;

namespace {

void checkRegions(const std::vector<Region>& regions, const cv::Mat& rgb, const SuperpixelRegionOptions& o) {
  QVERIFY2(regions.size() >= 20 && regions.size() <= 400, qPrintable(QString("%1 regions").arg(regions.size())));
  const int64_t min_area = int64_t(std::ceil(o.min_area_fraction * double(rgb.total())));
  cv::Mat covered = cv::Mat::zeros(rgb.size(), CV_8U);
  for (const Region& r : regions) {
    QCOMPARE(r.mask.height, rgb.rows);
    QCOMPARE(r.mask.width, rgb.cols);
    QVERIFY(r.area >= min_area);
    QCOMPARE(r.area, rleArea(r.mask));
    QCOMPARE(r.bbox, rleBoundingBox(r.mask));
    covered |= decodeRle(r.mask);
  }
  // SLIC superpixels partition the image and are far above the size floor: every pixel is in
  // at least one region.
  QCOMPARE(cv::countNonZero(covered), int(rgb.total()));
  // Regions of different scales overlap (they are not a partition), but never near-duplicate.
  int64_t total_area = 0;
  for (const Region& r : regions) total_area += r.area;
  QVERIFY(total_area > int64_t(rgb.total()) * 3 / 2);
  for (size_t i = 0; i < regions.size(); ++i) {
    for (size_t j = i + 1; j < regions.size(); ++j) {
      const cv::Rect a(regions[i].bbox.x, regions[i].bbox.y, regions[i].bbox.width, regions[i].bbox.height);
      const cv::Rect b(regions[j].bbox.x, regions[j].bbox.y, regions[j].bbox.width, regions[j].bbox.height);
      if ((a & b).area() == 0) continue;
      QVERIFY(rleIoU(regions[i].mask, regions[j].mask) <= o.duplicate_iou);
    }
  }
}

}  // namespace

class TestSuperpixelRegionGenerator : public QObject {
  Q_OBJECT

private slots:
  void cutsGeneratedScenes() {
    const SuperpixelRegionGenerator generator;
    for (uint32_t seed : {1u, 2u, 3u}) {
      const auto scene = test::makeRetrievalScene(seed, true, {400, 300});
      const auto regions = generator.generate(scene.rgb);
      checkRegions(regions, scene.rgb, generator.options());
      // The target object is found: some region overlaps its true mask with IoU > 0.5.
      const Rle truth = encodeMask(scene.object_mask);
      double best = 0;
      for (const Region& r : regions) best = std::max(best, rleIoU(r.mask, truth));
      QVERIFY2(best > 0.5, qPrintable(QString("best IoU with the object %1").arg(best)));
      QCOMPARE(generator.generate(scene.rgb).size(), regions.size());  // deterministic
    }
  }

  void handlesTinyAndOddImages() {
    const SuperpixelRegionGenerator generator;
    for (const cv::Size size : {cv::Size(1, 1), cv::Size(5, 3), cv::Size(2000, 9)}) {
      cv::Mat rgb = test::makeShapesImage(4, {std::max(size.width, 96), std::max(size.height, 96)});
      cv::resize(rgb, rgb, size);
      const auto regions = generator.generate(rgb);
      QVERIFY(!regions.empty());
      for (const Region& r : regions) QCOMPARE(r.mask.width, size.width);
    }
  }

  void cutsRealPhotos() {
    const auto shared = test::sharedDir();
    if (!shared) QSKIP("../shared is absent: no real photos to test on");
    const SuperpixelRegionGenerator generator;
    const auto image = decodeImageFile(*shared / "golden" / "input.jpg");
    const auto regions = generator.generate(image.rgb);
    checkRegions(regions, image.rgb, generator.options());
    qInfo("COCO 000000000139 (640x426): %zu regions", regions.size());
  }
};

QTEST_APPLESS_MAIN(TestSuperpixelRegionGenerator)
#include "tst_superpixel_region_generator.moc"
