// The viewer's SAM prompt mode in the real main window (offscreen, real database, real libtorch
// with the golden tiny SAM checkpoint): the mode turns on with a checkpoint, the image encodes in
// the background while the event loop keeps running, a click draws the mask SamPredictor gives
// for the same prompt, Shift+click refines it with the previous low-res logits, Enter searches
// with the mask and labels it, Esc clears; a SAM split of a region; without SAM the mode is off
// and says why. Screenshots at each step as artifacts.
#include <QAction>
#include <QApplication>
#include <QMouseEvent>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

#include "core/image/image_decoder.h"
#include "core/regions/sam_predictor.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"
#include "tests/ui/gui_test_support.h"
#include "ui/labels/label_service.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/sam/sam_prompt_controller.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

nets::SamModelOptions tinyOptions() {
  nets::SamModelOptions o;
  o.decoder_heads = 2;           // golden/README: the tiny checkpoints' decoder has 2 heads
  o.check_architecture = false;  // their encoders are not an official size
  o.threads = 1;                 // a 2-core CI machine shared with the GUI and the ingest
  return o;
}

// Counts the pixels where the shown mask and the expected one differ.
int differingPixels(const cv::Mat& shown, const cv::Mat& expected) {
  if (shown.size() != expected.size()) return -1;
  cv::Mat a = shown != 0, b = expected != 0;
  return cv::countNonZero(a != b);
}

}  // namespace

class TestSamPrompt : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path collection_;
  fs::path checkpoint_;
  std::vector<test::SceneFile> scenes_;
  std::unique_ptr<ui::MainWindow> window_;
  std::unique_ptr<SamPredictor> reference_;  // an independent predictor on the same image
  nets::SamMasks first_;

  ui::SamPromptController* sam() const { return window_->samController(); }
  ui::ImageViewer* viewer() const { return window_->viewer(); }
  QPointF objectCentre(int scene) const {
    return QPointF(scenes_[size_t(scene)].object_center.x + 0.5, scenes_[size_t(scene)].object_center.y + 0.5);
  }
  int64_t count(const std::string& sql) {
    auto db = Database::open(CollectionPaths(collection_).database, Database::Access::ReadOnly);
    auto s = db->connection().prepare(sql);
    s.step();
    return s.columnInt(0);
  }
  bool waitForMask(QSignalSpy& spy, int timeout_ms = 60000) { return !spy.isEmpty() || spy.wait(timeout_ms); }
  // A drag in the viewer between two image pixels with the button held.
  void drag(QPointF from, QPointF to, Qt::MouseButton button) {
    QWidget* vp = viewer()->viewport();
    const QPoint a = viewer()->viewportPointOf(from), b = viewer()->viewportPointOf(to);
    QTest::mousePress(vp, button, {}, a);
    for (int k = 1; k <= 8; ++k) {
      const QPoint p = a + (b - a) * k / 8;
      QMouseEvent move(QEvent::MouseMove, QPointF(p), vp->mapToGlobal(QPointF(p)), Qt::NoButton, button, {});
      QApplication::sendEvent(vp, &move);
    }
    QTest::mouseRelease(vp, button, {}, b);
  }
  int64_t userRegions() { return count("SELECT COUNT(*) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit'"); }

private slots:
  void initTestCase() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    checkpoint_ = golden / "sam_tiny.pth";
    QVERIFY(fs::exists(checkpoint_));
    collection_ = fs::path(dir_.path().toStdString()) / "scenes";
    scenes_ = test::writeRetrievalCollection(collection_, 6, 3, 31);
    window_ = test::makeMainWindow(dir_, 2, ui::SamCheckpoint{checkpoint_, nets::SamArchitecture::VitB, tinyOptions(), "test"});
    window_->show();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QVERIFY(test::openAndIngest(*window_, collection_));
  }

  void promptModeTurnsOnWithSam() {
    QAction* mode = window_->action(QStringLiteral("samPrompt"));
    QVERIFY(mode);
    QTRY_VERIFY_WITH_TIMEOUT(mode->isEnabled(), 60000);
    QVERIFY(mode->isChecked());  // on by default when SAM is there
    QCOMPARE(viewer()->clickMode(), ui::ImageViewer::ClickMode::Prompt);
    QCOMPARE(mode->shortcut(), QKeySequence(Qt::Key_S));
    // S toggles it.
    viewer()->setFocus();
    QTest::keyClick(viewer(), Qt::Key_S);
    QVERIFY(!mode->isChecked());
    QCOMPARE(viewer()->clickMode(), ui::ImageViewer::ClickMode::Query);
    QTest::keyClick(viewer(), Qt::Key_S);
    QVERIFY(mode->isChecked());
  }

  void encodesInTheBackground() {
    // Ticks every 5 ms while the image opens and encodes: the largest gap is the longest stall.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, max_gap = 0;
    QTimer ticker;
    ticker.setInterval(5);
    connect(&ticker, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      max_gap = std::max(max_gap, now - last);
      last = now;
    });
    QSignalSpy encoded(sam(), &ui::SamPromptController::imageEncoded);
    bool saw_status = false, saw_busy = false;
    connect(&ticker, &QTimer::timeout, this, [&] {
      saw_status = saw_status || viewer()->promptStatus().contains(QStringLiteral("Encoding image for SAM"));
      saw_busy = saw_busy || window_->findChild<QProgressBar*>(QStringLiteral("samBusy"))->isVisible();
    });
    ticker.start();
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[0].name)));
    QVERIFY(encoded.wait(120000));
    ticker.stop();
    const double seconds = encoded.first().at(1).toDouble();
    qInfo("SAM (golden tiny ViT) encoded a %dx%d image in %.3f s; max event-loop gap %lld ms", viewer()->document()->size.width(),
          viewer()->document()->size.height(), seconds, max_gap);
    QVERIFY(saw_status);
    QVERIFY(saw_busy);
    QVERIFY2(max_gap < 250, qPrintable(QStringLiteral("event loop stalled %1 ms").arg(max_gap)));
    test::saveScreenshot(*window_, QStringLiteral("sam_1_encoded"));

    // The reference: the same model and pixels through core's SamPredictor.
    auto model = std::make_shared<const nets::SamModel>(nets::SamModel::load(checkpoint_, nets::SamArchitecture::VitB, tinyOptions()));
    reference_ = std::make_unique<SamPredictor>(model);
    const Image image = decodeImageFile(collection_ / scenes_[0].name);
    reference_->setImage(image.rgb, image.sha256);
  }

  void clickDrawsTheMaskOfSamPredictor() {
    QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
    const QPointF click = objectCentre(0);
    test::clickImagePoint(*window_, click);
    QVERIFY(waitForMask(shown));
    const nets::SamPrompt& prompt = sam()->prompt();
    QCOMPARE(prompt.points.size(), size_t(1));
    QCOMPARE(prompt.labels, std::vector<int>{1});
    QVERIFY(std::abs(prompt.points[0].x - click.x()) < 1.5 && std::abs(prompt.points[0].y - click.y()) < 1.5);
    QVERIFY(prompt.multimask);

    first_ = reference_->predict(prompt);
    const int best = ui::bestMaskIndex(first_);
    const cv::Mat expected = first_.logits[size_t(best)] > 0.0f;
    const auto& prediction = sam()->prediction();
    QVERIFY(prediction);
    QCOMPARE(prediction->mask_index, best);
    QCOMPARE(prediction->iou, first_.iou[size_t(best)]);
    QCOMPARE(differingPixels(prediction->mask, expected), 0);
    QVERIFY2(cv::countNonZero(expected) > 0, "the tiny model's mask at the object is empty: pick another point");

    // The overlay drawn in the viewer is that mask, pixel for pixel.
    const ui::PromptOverlay& overlay = viewer()->promptOverlay();
    QVERIFY(!overlay.tint.isNull());
    QVERIFY(!overlay.outline.isEmpty());
    QCOMPARE(overlay.points.size(), size_t(1));
    QVERIFY(overlay.caption.startsWith(QStringLiteral("IoU")));
    const QRect r = overlay.tint_rect.toRect();
    QCOMPARE(overlay.tint.size(), r.size());  // one tint pixel per image pixel at this size
    cv::Mat drawn(expected.size(), CV_8U, cv::Scalar(0));
    for (int y = 0; y < r.height(); ++y) {
      for (int x = 0; x < r.width(); ++x) drawn.at<uint8_t>(r.y() + y, r.x() + x) = qAlpha(overlay.tint.pixel(x, y)) > 0 ? 1 : 0;
    }
    QCOMPARE(differingPixels(drawn, expected), 0);
    QVERIFY(viewer()->promptStatus().contains(QStringLiteral("IoU")));
    test::saveScreenshot(*window_, QStringLiteral("sam_2_click"));
  }

  void shiftClickRefines() {
    QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
    // A negative point inside the current mask, away from the positive one.
    const cv::Mat mask = sam()->prediction()->mask;
    const QPointF positive = objectCentre(0);
    QPointF negative(-1, -1);
    double farthest = 0;
    for (int y = 0; y < mask.rows; y += 3) {
      for (int x = 0; x < mask.cols; x += 3) {
        const double d = std::hypot(x - positive.x(), y - positive.y());
        if (mask.at<uint8_t>(y, x) && d > farthest && d < 80) {
          farthest = d;
          negative = QPointF(x + 0.5, y + 0.5);
        }
      }
    }
    if (negative.x() < 0) negative = positive + QPointF(20, 0);
    const cv::Mat previous_logits = sam()->prediction()->low_res_logits.clone();
    test::clickImagePoint(*window_, negative, Qt::ShiftModifier);
    QVERIFY(waitForMask(shown));
    const nets::SamPrompt& prompt = sam()->prompt();
    QCOMPARE(prompt.points.size(), size_t(2));
    QCOMPARE(prompt.labels, (std::vector<int>{1, 0}));
    QVERIFY(!prompt.multimask);
    // Refinement: the previous answer's low-res logits went back in.
    QCOMPARE(cv::norm(prompt.mask_input, previous_logits, cv::NORM_INF), 0.0);

    nets::SamPrompt reference_prompt = prompt;
    reference_prompt.mask_input = first_.low_res_logits[size_t(ui::bestMaskIndex(first_))];
    const nets::SamMasks refined = reference_->predict(reference_prompt);
    QCOMPARE(differingPixels(sam()->prediction()->mask, refined.logits[0] > 0.0f), 0);
    QCOMPARE(viewer()->promptOverlay().points.size(), size_t(2));
    QVERIFY(!viewer()->promptOverlay().positive[1]);
    test::saveScreenshot(*window_, QStringLiteral("sam_3_refined"));
  }

  void enterSearchesWithTheMaskAndLabelsIt() {
    if (sam()->prediction()->region.area == 0) {  // the refinement may have removed everything
      QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
      sam()->clear();
      test::clickImagePoint(*window_, objectCentre(0));
      QVERIFY(waitForMask(shown));
    }
    window_->addClass(QStringLiteral("target"));
    QVERIFY(test::waitForLabels(*window_));
    QVERIFY(window_->currentClass().has_value());
    const int64_t user_regions_before = count("SELECT COUNT(*) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit'");
    const int64_t area = sam()->prediction()->region.area;

    QSignalSpy finished(window_.get(), &ui::MainWindow::queryFinished);
    viewer()->setFocus();
    QTest::keyClick(viewer(), Qt::Key_Return);
    // The query mask is on screen while the results load.
    QVERIFY(!viewer()->queryShape().isEmpty());
    QVERIFY(finished.isEmpty());
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.first().at(0).toInt() > 0);
    const auto& results = window_->resultsPanel()->model()->results();
    QVERIFY(results);
    QCOMPARE(results->query_region_id, int64_t(0));  // a mask, not a stored region
    QCOMPARE(results->query_image_id, viewer()->document()->image_id);
    QVERIFY(!results->query_shape.isEmpty());
    QVERIFY(viewer()->promptOverlay().empty());  // the prompt is used up

    // The label: the mask stored as a user region of the class, on the undo stack.
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count("SELECT COUNT(*) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit'"),
             user_regions_before + 1);
    QCOMPARE(count("SELECT r.area FROM regions r JOIN labels l ON l.region_id = r.id JOIN models m ON m.id = r.generator_id "
                   "WHERE m.name = 'user-edit' AND l.source = 'user' ORDER BY r.id DESC LIMIT 1"),
             area);
    test::saveScreenshot(*window_, QStringLiteral("sam_4_query_results"));
    window_->undoStack()->undo();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count("SELECT COUNT(*) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit'"),
             user_regions_before);
    window_->undoStack()->redo();
    QVERIFY(test::waitForLabels(*window_));
  }

  void escClearsThePrompt() {
    QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
    test::clickImagePoint(*window_, objectCentre(0));
    QVERIFY(waitForMask(shown));
    QVERIFY(!viewer()->promptOverlay().empty());
    viewer()->setFocus();
    QTest::keyClick(viewer(), Qt::Key_Escape);
    QVERIFY(viewer()->promptOverlay().empty());
    QVERIFY(!sam()->prediction());
    QVERIFY(sam()->prompt().points.empty());
  }

  void dragDrawsABox() {
    QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
    const QPointF centre = objectCentre(0);
    drag(centre - QPointF(40, 30), centre + QPointF(40, 30), Qt::LeftButton);
    QVERIFY(waitForMask(shown));
    const nets::SamPrompt& prompt = sam()->prompt();
    QVERIFY(prompt.points.empty());
    QVERIFY(prompt.box.has_value());
    QVERIFY(std::abs(prompt.box->x0 - (centre.x() - 40)) < 1.5 && std::abs(prompt.box->y1 - (centre.y() + 30)) < 1.5);
    QVERIFY(!prompt.multimask);
    const nets::SamMasks expected = reference_->predict(prompt);
    QCOMPARE(differingPixels(sam()->prediction()->mask, expected.logits[0] > 0.0f), 0);
    QVERIFY(viewer()->promptOverlay().box.has_value());
    test::saveScreenshot(*window_, QStringLiteral("sam_5_box"));
    QTest::keyClick(viewer(), Qt::Key_Escape);
  }

  void splitsARegionWithTheMask() {
    // Prompts until the mask cuts a region of the image in two (the tiny model's weights are
    // random: its masks are arbitrary shapes).
    auto db = Database::open(CollectionPaths(collection_).database, Database::Access::ReadOnly);
    const std::vector<RegionRecord> regions = db->readRegionsOfImage(viewer()->document()->image_id);
    const QSizeF size(viewer()->document()->size);
    int64_t target = 0, inside = 0, area = 0;
    for (int attempt = 0; attempt < 12 && !target; ++attempt) {
      QTest::keyClick(viewer(), Qt::Key_Escape);
      QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
      const QPointF p(size.width() * (0.15 + 0.7 * ((attempt * 7) % 12) / 11.0), size.height() * (0.2 + 0.6 * ((attempt * 5) % 12) / 11.0));
      if (attempt % 2 == 0) {
        drag(p - QPointF(50, 40), p + QPointF(50, 40), Qt::LeftButton);  // a box
        QVERIFY(waitForMask(shown));
      } else {
        test::clickImagePoint(*window_, p);
        QVERIFY(waitForMask(shown));
        shown.clear();
        test::clickImagePoint(*window_, p + QPointF(30, 20), Qt::ShiftModifier);
        QVERIFY(waitForMask(shown));
      }
      const cv::Mat mask = sam()->prediction()->mask;
      for (const RegionRecord& r : regions) {
        if (viewer()->document()->indexOfRegion(r.id) < 0) continue;
        const int64_t in = cv::countNonZero(decodeRle(r.region.mask) & mask);
        if (in > r.region.area / 10 && in < r.region.area * 9 / 10) {
          target = r.id;
          inside = in;
          area = r.region.area;
          break;
        }
      }
    }
    if (!target) QSKIP("none of the tiny model's masks cuts a region of this image");
    const int64_t before = userRegions();
    viewer()->setSelectedRegions({target});
    window_->action(QStringLiteral("splitRegionWithSam"))->trigger();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(userRegions(), before + 2);
    QCOMPARE(count("SELECT area FROM regions ORDER BY id DESC LIMIT 1") + count("SELECT area FROM regions ORDER BY id DESC LIMIT 1 OFFSET 1"), area);
    QCOMPARE(count("SELECT area FROM regions ORDER BY id DESC LIMIT 1 OFFSET 1"), inside);
    window_->undoStack()->undo();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(userRegions(), before);
  }

  void promptsWaitForTheEncoding() {
    QTest::keyClick(viewer(), Qt::Key_Escape);
    QSignalSpy encoded(sam(), &ui::SamPromptController::imageEncoded);
    QSignalSpy shown(sam(), &ui::SamPromptController::maskShown);
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[2].name)));
    if (!sam()->encoding()) QSKIP("the image encoded before the test could click");
    test::clickImagePoint(*window_, objectCentre(2));
    QVERIFY(encoded.isEmpty());
    QVERIFY(viewer()->promptStatus().contains(QStringLiteral("your prompt follows")));
    QCOMPARE(viewer()->promptOverlay().points.size(), size_t(1));  // the point is drawn at once
    QVERIFY(waitForMask(shown, 120000));
    QCOMPARE(encoded.size(), 1);
    QCOMPARE(sam()->prediction()->image_id, viewer()->document()->image_id);
    QTest::keyClick(viewer(), Qt::Key_Escape);
  }

  void brushDrawsAndErasesAMask() {
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[1].name)));
    QAction* brush = window_->action(QStringLiteral("brushMask"));
    brush->trigger();
    QVERIFY(brush->isChecked());
    QVERIFY(!window_->action(QStringLiteral("samPrompt"))->isChecked());
    QCOMPARE(viewer()->clickMode(), ui::ImageViewer::ClickMode::BrushMask);
    QVERIFY(window_->currentClass().has_value());
    const int64_t before = userRegions();
    // A new mask of the current class where no label is.
    const QSizeF size(viewer()->document()->size);
    drag(QPointF(20, 20), QPointF(size.width() * 0.6, 20), Qt::LeftButton);
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(userRegions(), before + 1);
    const int64_t id = count("SELECT MAX(id) FROM regions");
    const int64_t drawn = count("SELECT area FROM regions WHERE id = " + std::to_string(id));
    const double radius = viewer()->brushRadius();
    const double expected = (size.width() * 0.6 - 20) * 2 * radius + M_PI * radius * radius;
    QVERIFY2(std::abs(drawn - expected) < 0.15 * expected, qPrintable(QStringLiteral("%1 vs %2").arg(drawn).arg(expected)));
    QCOMPARE(count("SELECT COUNT(*) FROM labels WHERE source = 'user' AND region_id = " + std::to_string(id)), int64_t(1));
    // The viewer reloads the image with the new mask, drawn in the class colour.
    QTRY_VERIFY_WITH_TIMEOUT(viewer()->document()->indexOfRegion(id) >= 0, 20000);
    QVERIFY(test::waitForLabels(*window_));
    test::saveScreenshot(*window_, QStringLiteral("sam_6_brush"));
    // Erase across it: the same mask, smaller.
    viewer()->setSelectedRegions({id});
    drag(QPointF(size.width() * 0.3, 5), QPointF(size.width() * 0.3, 40), Qt::RightButton);
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(userRegions(), before + 1);
    const int64_t erased = count("SELECT area FROM regions WHERE id = " + std::to_string(id));
    QVERIFY(erased < drawn && erased > drawn / 2);
    QCOMPARE(count("SELECT COUNT(*) FROM labels WHERE source = 'user' AND region_id = " + std::to_string(id)), int64_t(1));
    window_->undoStack()->undo();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count("SELECT area FROM regions WHERE id = " + std::to_string(id)), drawn);
    window_->undoStack()->undo();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(userRegions(), before);
    brush->trigger();
    QCOMPARE(viewer()->clickMode(), ui::ImageViewer::ClickMode::Query);
  }

  void withoutSamTheModeIsOffAndSaysWhy() {
    QTemporaryDir other;
    auto window = test::makeMainWindow(other);
    QAction* mode = window->action(QStringLiteral("samPrompt"));
    QVERIFY(!mode->isEnabled());
    QSignalSpy availability(window.get(), &ui::MainWindow::samAvailabilityChanged);
    window->openCollection(QString::fromStdString(collection_.string()));
    QTRY_VERIFY_WITH_TIMEOUT(!availability.isEmpty() && availability.last().at(1).toString().contains(QStringLiteral("no SAM")), 20000);
    QVERIFY(!mode->isEnabled());
    QVERIFY(!mode->isChecked());
    QVERIFY(mode->toolTip().contains(QStringLiteral("unavailable")));
    QCOMPARE(window->viewer()->clickMode(), ui::ImageViewer::ClickMode::Query);
    window->closeCollection();
  }
};

QTEST_MAIN(TestSamPrompt)
#include "tst_sam_prompt.moc"
