// The foundation GUI end to end, offscreen with real widgets and a real database: open a
// generated collection, wait for the ingest, open an image from the grid, hover and click a
// region, and get ranked results with the matched region; a screenshot is kept as an artifact.
#include <QLabel>
#include <QListView>
#include <QProgressBar>
#include <QPushButton>
#include <QAction>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"
#include "tests/ui/gui_test_support.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_model.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"

using namespace regionlab;

class TestMainWindow : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::filesystem::path collection_;
  std::vector<test::SceneFile> scenes_;
  std::unique_ptr<ui::MainWindow> window_;
  QElapsedTimer timer_;

private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    collection_ = std::filesystem::path(dir_.path().toStdString()) / "scenes";
    scenes_ = test::writeRetrievalCollection(collection_, 6, 6, 11);
    window_ = test::makeMainWindow(dir_);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  void opensAndIngestsInTheBackground() {
    QSignalSpy listed(window_.get(), &ui::MainWindow::collectionListed);
    QVERIFY(test::openAndIngest(*window_, collection_));
    QCOMPARE(listed.count(), 1);
    QCOMPARE(listed.front().front().toInt(), 12);
    ui::CollectionModel* model = window_->browser()->model();
    QCOMPARE(model->rowCount(), 12);
    for (int row = 0; row < model->rowCount(); ++row) {
      QCOMPARE(int(model->entry(row).status), int(ImageStatus::Done));
      QVERIFY(model->entry(row).image_id > 0);
    }
    // The jobs panel ends the ingest row with a summary; nothing failed.
    ui::JobRow* job = window_->jobsPanel()->job(QStringLiteral("ingest"));
    QVERIFY(job && job->finished());
    QVERIFY2(job->status()->text().contains(QStringLiteral("12 ingested")), qPrintable(job->status()->text()));
    QCOMPARE(window_->jobsPanel()->failureCount(), 0);
    // Visible thumbnails arrive, made off the GUI thread and cached on disk.
    QTRY_VERIFY_WITH_TIMEOUT(!window_->browser()->model()->index(0).data(ui::CollectionModel::ThumbnailRole).value<QImage>().isNull(),
                             10000);
    QVERIFY(std::filesystem::is_directory(CollectionPaths(collection_).thumbs_dir));
    QVERIFY(!std::filesystem::is_empty(CollectionPaths(collection_).thumbs_dir));
    // The status bar names the active models.
    QTRY_VERIFY(window_->findChild<QLabel*>(QStringLiteral("modelsLabel"))->text().contains(QStringLiteral("embedded default")));
  }

  void doubleClickOpensTheImageWithItsRegions() {
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[0].name)));
    const auto& doc = window_->viewer()->document();
    QVERIFY(doc);
    QCOMPARE(doc->size, QSize(400, 300));
    QVERIFY2(doc->regions.size() >= 10, "the embedded generator cuts dozens of regions");
  }

  void hoverHighlightsTheRegionUnderTheCursor() {
    ui::ImageViewer* viewer = window_->viewer();
    const QPointF centre(scenes_[0].object_center.x + 0.5, scenes_[0].object_center.y + 0.5);
    QSignalSpy hovered(viewer, &ui::ImageViewer::hoveredRegionChanged);
    test::moveMouse(viewer->viewport(), viewer->viewportPointOf(centre));
    QVERIFY(viewer->hoveredRegion() != 0);
    QCOMPARE(hovered.count(), 1);
    const auto& doc = viewer->document();
    // The smallest region containing the pixel, as the query engine picks a clicked region.
    const int index = doc->regionAt(centre.x(), centre.y());
    QCOMPARE(viewer->hoveredRegion(), doc->regions[size_t(index)].id);
    auto* info = viewer->findChild<QLabel*>(QStringLiteral("hoverInfo"));
    QVERIFY(info && info->isVisible());
    QVERIFY(info->text().contains(QString::number(doc->regions[size_t(index)].id)));
  }

  void clickRunsTheQueryAndListsRankedResults() {
    QSignalSpy finished(window_.get(), &ui::MainWindow::queryFinished);
    test::clickImagePoint(*window_, QPointF(scenes_[0].object_center.x + 0.5, scenes_[0].object_center.y + 0.5));
    QVERIFY(finished.wait(20000));
    ui::ResultsModel* results = window_->resultsPanel()->model();
    QCOMPARE(results->rowCount(), 11);  // every other image, best first
    float previous = 2.0f;
    for (int row = 0; row < results->rowCount(); ++row) {
      const ui::ResultItem& item = results->item(row);
      QVERIFY(item.score <= previous);
      previous = item.score;
      QVERIFY(!item.outline.isEmpty());
      QCOMPARE(item.image_size, QSize(400, 300));
    }
    // The striped object is found: the best result holds it, and the images with the object
    // rank above those without it on average.
    const auto has_object = [&](const QString& path) {
      for (const auto& s : scenes_) {
        if (QString::fromStdString(s.name) == path) return s.has_object;
      }
      return false;
    };
    QVERIFY(has_object(results->item(0).path));
    double rank_with = 0, rank_without = 0;
    for (int row = 0; row < results->rowCount(); ++row) (has_object(results->item(row).path) ? rank_with : rank_without) += row;
    QVERIFY2(rank_with / 5 < rank_without / 6, "images with the object rank higher on average");
    // The browser shows every image's score (for sorting by score).
    int scored = 0;
    for (int row = 0; row < window_->browser()->model()->rowCount(); ++row) scored += !std::isnan(window_->browser()->model()->entry(row).score);
    QCOMPARE(scored, 12);
    test::saveScreenshot(*window_, QStringLiteral("gui_foundation_results"));
  }

  void selectingAResultShowsItsMatchedRegion() {
    QSignalSpy shown(window_.get(), &ui::MainWindow::documentShown);
    window_->resultsPanel()->selectRow(1);
    QVERIFY(shown.wait(10000));
    const ui::ResultItem& item = window_->resultsPanel()->model()->item(1);
    QCOMPARE(shown.back().front().toString(), item.path);
    QCOMPARE(window_->viewer()->document()->image_id, item.image_id);
    test::saveScreenshot(*window_, QStringLiteral("gui_foundation_result_selected"));
  }

  void cancelStopsTheIngestAndResumeFinishesIt() {
    // Another collection in the same window: opening it closes the first one.
    const std::filesystem::path other = std::filesystem::path(dir_.path().toStdString()) / "more";
    std::filesystem::create_directories(other);
    for (int i = 0; i < 24; ++i) {
      test::writeRgbImage(other / ("shapes_" + std::to_string(100 + i) + ".png"), test::makeShapesImage(uint32_t(i), {200, 150}));
    }
    QSignalSpy finished(window_.get(), &ui::MainWindow::ingestFinished);
    window_->openCollection(QString::fromStdString(other.string()));
    QVERIFY(window_->windowTitle().contains(QStringLiteral("more")));
    // Cancel with the job row's button once a few images are in.
    QTRY_VERIFY_WITH_TIMEOUT(window_->ingestRunning(), 10000);
    ui::CollectionModel* model = window_->browser()->model();
    const auto done = [&] {
      int n = 0;
      for (int row = 0; row < model->rowCount(); ++row) n += model->entry(row).status == ImageStatus::Done;
      return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT(done() >= 2, 30000);
    auto* cancel = window_->jobsPanel()->job(QStringLiteral("ingest"))->findChild<QPushButton*>(QStringLiteral("jobCancel"));
    QVERIFY(cancel && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.back().front().toBool(), false);
    QVERIFY(window_->jobsPanel()->job(QStringLiteral("ingest"))->status()->text().startsWith(QStringLiteral("cancelled")));
    const int after_cancel = done();
    QVERIFY2(after_cancel < 24, "cancelled before the end");
    {
      auto db = Database::open(CollectionPaths(other).database, Database::Access::ReadOnly);
      QCOMPARE(int(db->counts().images_done), after_cancel);  // every image the grid shows done is committed
    }
    // Resume: only the rest is ingested.
    QVERIFY(window_->action(QStringLiteral("resumeIngest"))->isEnabled());
    window_->action(QStringLiteral("resumeIngest"))->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.back().front().toBool(), true);
    QCOMPARE(done(), 24);
    QVERIFY2(window_->jobsPanel()->job(QStringLiteral("ingest"))->status()->text().contains(
                 QStringLiteral("%1 already done").arg(after_cancel)),
             qPrintable(window_->jobsPanel()->job(QStringLiteral("ingest"))->status()->text()));
  }

  void closingDuringAnIngestStopsItCleanly() {
    const std::filesystem::path third = std::filesystem::path(dir_.path().toStdString()) / "third";
    test::writeRetrievalCollection(third, 4, 8, 99);
    window_->openCollection(QString::fromStdString(third.string()));
    QTRY_VERIFY_WITH_TIMEOUT(window_->ingestRunning(), 10000);
    window_->closeCollection();  // waits for the images in flight, then returns
    QVERIFY(!window_->ingestRunning());
    QVERIFY(window_->session() == nullptr);
    auto db = Database::open(CollectionPaths(third).database, Database::Access::ReadOnly);
    QCOMPARE(QString::fromStdString(db->integrityCheck()), QStringLiteral("ok"));
  }

  void init() { timer_.start(); }
  void cleanup() { qInfo("%s: %lld ms", QTest::currentTestFunction(), timer_.elapsed()); }

  void cleanupTestCase() {
    window_->close();
    window_.reset();
  }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
