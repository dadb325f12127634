// The collection browser at 20,000 images: only the cells on screen get thumbnails, scrolling
// away withdraws queued requests (no image off screen is decoded), and thumbnails come back from
// the disk cache in .regionlab/thumbs/ without decoding the images again.
#include <QListView>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include "core/storage/collection_paths.h"
#include "tests/support/synthetic_images.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_filter_model.h"
#include "ui/browser/collection_model.h"
#include "ui/browser/thumbnail_cache.h"

using namespace regionlab;

namespace {

constexpr int kImages = 20000;

}  // namespace

class TestBrowserScale : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::filesystem::path root_;
  std::vector<ui::CollectionEntry> entries_;

  static bool allVisibleLoaded(ui::CollectionBrowser& browser) {
    for (const int row : browser.visibleRows()) {
      if (browser.model()->index(row).data(ui::CollectionModel::ThumbnailRole).value<QImage>().isNull()) return false;
    }
    return true;
  }

  // Waits until the cells on screen have their thumbnails and nothing is queued.
  static bool settle(ui::CollectionBrowser& browser, ui::ThumbnailCache& cache) {
    return QTest::qWaitFor([&] { return allVisibleLoaded(browser) && cache.idle(); }, 30000);
  }

private slots:
  void initTestCase() {
    root_ = std::filesystem::path(dir_.path().toStdString()) / "many";
    QElapsedTimer timer;
    timer.start();
    // 20,000 small distinct images in 20 folders (each a different shapes picture).
    for (int i = 0; i < kImages; ++i) {
      const auto folder = root_ / ("part" + std::to_string(i / 1000));
      if (i % 1000 == 0) std::filesystem::create_directories(folder);
      char name[32];
      std::snprintf(name, sizeof(name), "img_%05d.jpg", i);
      test::writeRgbImage(folder / name, test::makeShapesImage(uint32_t(i), {48, 36}), {cv::IMWRITE_JPEG_QUALITY, 80});
    }
    qInfo("wrote %d images in %lld ms", kImages, timer.restart());
    entries_ = ui::listCollection(root_);
    qInfo("listed them in %lld ms", timer.elapsed());
    QCOMPARE(int(entries_.size()), kImages);
  }

  void onlyVisibleThumbnailsAreDecoded() {
    ui::ThumbnailCache cache(root_, CollectionPaths(root_).thumbs_dir);
    ui::CollectionModel model(&cache);
    QElapsedTimer timer;
    timer.start();
    model.setEntries(entries_);
    ui::CollectionBrowser browser;
    browser.setModel(&model);
    browser.resize(900, 700);
    browser.show();
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    qInfo("model and first paint of %d entries: %lld ms", kImages, timer.elapsed());
    QScrollBar* bar = browser.view()->verticalScrollBar();
    QVERIFY(bar->maximum() > 100 * browser.view()->viewport()->height());  // thousands of rows of cells

    // The first screen: exactly its cells are decoded.
    QVERIFY(settle(browser, cache));
    const size_t first_screen = browser.visibleRows().size();
    QVERIFY(first_screen >= 12);
    QCOMPARE(cache.decodedFromImages(), int(first_screen));

    // Jumping to the middle and to the end decodes those screens and nothing between.
    int expected = int(first_screen);
    for (const int target : {bar->maximum() / 2, bar->maximum()}) {
      bar->setValue(target);
      QVERIFY(settle(browser, cache));
      expected += int(browser.visibleRows().size());
      QCOMPARE(cache.decodedFromImages(), expected);
    }

    // A fling back to the top through 150 screens without pausing: requests of cells that
    // scrolled away are withdrawn; only the images a worker had already started are extra.
    const int before_fling = cache.decodedFromImages();
    const int page = browser.view()->viewport()->height();
    for (int step = 0; step < 150; ++step) {
      bar->setValue(bar->value() - page);
      QCoreApplication::processEvents();
    }
    bar->setValue(0);
    QVERIFY(settle(browser, cache));
    const int fling = cache.decodedFromImages() - before_fling;
    qInfo("fling over 150 screens (%d cells): %d thumbnails decoded; %d of %d images decoded in all", 150 * int(first_screen), fling,
          cache.decodedFromImages(), kImages);
    QVERIFY2(fling <= 150 + int(first_screen), "at most about one started image per screen scrolled past, plus the last screen");
    QVERIFY(cache.decodedFromImages() < kImages / 20);
  }

  void reopeningReadsThumbnailsFromDisk() {
    ui::ThumbnailCache cache(root_, CollectionPaths(root_).thumbs_dir);
    ui::CollectionModel model(&cache);
    model.setEntries(entries_);
    ui::CollectionBrowser browser;
    browser.setModel(&model);
    browser.resize(900, 700);
    browser.show();
    QVERIFY(QTest::qWaitForWindowExposed(&browser));
    QVERIFY(settle(browser, cache));
    QCOMPARE(cache.decodedFromImages(), 0);
    QCOMPARE(cache.readFromDisk(), int(browser.visibleRows().size()));
  }

  void sortingAndFilteringTwentyThousandRows() {
    ui::CollectionModel model(nullptr);
    model.setEntries(entries_);
    ui::CollectionFilterModel filter;
    filter.setCollectionModel(&model);
    std::unordered_map<int64_t, float> scores;
    std::vector<ui::CollectionEntry> with_ids = entries_;
    for (size_t i = 0; i < with_ids.size(); ++i) {
      with_ids[i].image_id = int64_t(i + 1);
      with_ids[i].status = i % 10 == 0 ? ImageStatus::Failed : ImageStatus::Done;
      scores[int64_t(i + 1)] = float((i * 7919) % 10007) / 10007.0f;
    }
    model.setEntries(with_ids);
    QElapsedTimer timer;
    timer.start();
    model.setScores(scores);
    filter.setSortKey(ui::CollectionFilterModel::SortKey::Score);
    qInfo("scores for %d images set and sorted in %lld ms", kImages, timer.restart());
    QCOMPARE(filter.rowCount(), kImages);
    for (int row = 1; row < 200; ++row) {
      QVERIFY(filter.index(row - 1, 0).data(ui::CollectionModel::ScoreRole).toFloat() >=
              filter.index(row, 0).data(ui::CollectionModel::ScoreRole).toFloat());
    }
    filter.setStatusFilter(ImageStatus::Failed);
    qInfo("status filter over %d images in %lld ms", kImages, timer.elapsed());
    QCOMPARE(filter.rowCount(), kImages / 10);
  }
};

QTEST_MAIN(TestBrowserScale)
#include "tst_browser_scale.moc"
