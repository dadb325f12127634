// A scripted labeling session in the real main window (offscreen, real database): click a
// region, accept three results and reject two with the keys, check the labels and feedback in
// the database, undo, export them (COCO), paint regions into a class, merge two regions, edit classes, show the
// similarity heat map, filter the browser by class; screenshots at each step as artifacts.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QTimer>
#include <QLabel>
#include <QListView>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"
#include "tests/ui/gui_test_support.h"
#include "ui/browser/collection_browser.h"
#include "ui/browser/collection_filter_model.h"
#include "ui/browser/collection_model.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/label_exchange_dialog.h"
#include "ui/labels/class_list_model.h"
#include "ui/labels/label_service.h"
#include "ui/labels/labels_panel.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/viewer/image_viewer.h"
#include "ui/window/collection_session.h"
#include "ui/window/shortcuts_dialog.h"

using namespace regionlab;

class TestLabelingSession : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::filesystem::path collection_;
  std::vector<test::SceneFile> scenes_;
  std::unique_ptr<ui::MainWindow> window_;
  int64_t class_id_ = 0;

  int64_t count(const std::string& sql) {
    auto db = Database::open(CollectionPaths(collection_).database, Database::Access::ReadOnly);
    auto s = db->connection().prepare(sql);
    s.step();
    return s.columnInt(0);
  }
  std::vector<int64_t> userLabeledRegions() {
    auto db = Database::open(CollectionPaths(collection_).database, Database::Access::ReadOnly);
    auto s = db->connection().prepare("SELECT region_id FROM labels WHERE source = 'user' ORDER BY region_id");
    std::vector<int64_t> out;
    while (s.step()) out.push_back(s.columnInt(0));
    return out;
  }
  void key(Qt::Key k, Qt::KeyboardModifiers modifiers = {}) {
    QTest::keyClick(window_.get(), k, modifiers);
    QVERIFY(test::waitForLabels(*window_));
  }
  QPointF objectCentre(int scene) const {
    return QPointF(scenes_[size_t(scene)].object_center.x + 0.5, scenes_[size_t(scene)].object_center.y + 0.5);
  }

private slots:
  void initTestCase() {
    collection_ = std::filesystem::path(dir_.path().toStdString()) / "scenes";
    scenes_ = test::writeRetrievalCollection(collection_, 8, 4, 23);
    window_ = test::makeMainWindow(dir_);
    window_->show();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QVERIFY(test::openAndIngest(*window_, collection_));
  }

  void createsAClass() {
    window_->addClass(QStringLiteral("striped"));
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(window_->labelsPanel()->classModel()->rowCount(), 1);
    QVERIFY(window_->currentClass().has_value());
    class_id_ = *window_->currentClass();
    QCOMPARE(count("SELECT count(*) FROM classes WHERE name = 'striped'"), 1);
  }

  void clickingARegionListsResults() {
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[0].name)));
    QSignalSpy finished(window_.get(), &ui::MainWindow::queryFinished);
    test::clickImagePoint(*window_, objectCentre(0));
    QVERIFY(finished.wait(20000));
    QCOMPARE(window_->resultsPanel()->model()->rowCount(), 11);
    test::saveScreenshot(*window_, QStringLiteral("session_1_results"));
  }

  void acceptThreeRejectTwoWithTheKeys() {
    ui::ResultsModel* results = window_->resultsPanel()->model();
    window_->resultsPanel()->selectRow(0);
    for (int i = 0; i < 3; ++i) key(Qt::Key_A);
    for (int i = 0; i < 2; ++i) key(Qt::Key_X);
    // Each verdict moved the selection on to the next result; the re-rankings after each retrain
    // keep the judged results first, in order, and the selection on its (unjudged) image.
    for (int row = 0; row < 5; ++row) QCOMPARE(results->verdict(row), row < 3 ? 1 : -1);
    QVERIFY(window_->resultsPanel()->currentRow() >= 5);
    QCOMPARE(results->verdict(window_->resultsPanel()->currentRow()), 0);
    // Saved at once in the query's concept (learning's ConceptSession): five feedback rows, and
    // the first ✓ named the concept after the current class, so the query region and the three
    // accepted regions are user labels of it.
    std::vector<int64_t> accepted = {results->item(0).region_id, results->item(1).region_id, results->item(2).region_id,
                                     results->results()->query_region_id};
    std::sort(accepted.begin(), accepted.end());
    QCOMPARE(userLabeledRegions(), accepted);
    QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user' AND class_id = " + std::to_string(class_id_)), 4);
    QCOMPARE(count("SELECT count(*) FROM queries"), 1);
    QCOMPARE(count("SELECT count(*) FROM queries WHERE class_id = " + std::to_string(class_id_)), 1);
    QCOMPARE(count("SELECT count(*) FROM labels WHERE query_id IS NOT NULL"), 4);
    QCOMPARE(count("SELECT count(*) FROM feedback WHERE verdict = 1"), 3);
    QCOMPARE(count("SELECT count(*) FROM feedback WHERE verdict = -1"), 2);
    QCOMPARE(count("SELECT count(*) FROM feedback f JOIN queries q ON q.id = f.query_id WHERE q.region_id = " +
                   std::to_string(results->results()->query_region_id)),
             5);
    // The classifier retrained on the feedback (waitForLabels waited for the trainings), and the
    // results panel says so: its positives are the query region and the three ✓.
    auto* status = window_->resultsPanel()->findChild<QLabel*>(QStringLiteral("classifierStatus"));
    QTRY_VERIFY2(status->text().contains(QStringLiteral("4 ✓ / 2 ✗")), qPrintable(status->text()));
    QVERIFY(status->text().contains(QStringLiteral("Classifier v")));
    QCOMPARE(window_->undoStack()->count(), 6);  // the class and five verdicts
    test::saveScreenshot(*window_, QStringLiteral("session_2_judged"));
  }

  void undoRevertsTheLastVerdicts() {
    ui::ResultsModel* results = window_->resultsPanel()->model();
    key(Qt::Key_Z, Qt::ControlModifier);  // the second ✗
    QCOMPARE(results->verdict(4), 0);
    QCOMPARE(count("SELECT count(*) FROM feedback WHERE verdict = -1"), 1);
    QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user'"), 4);
    key(Qt::Key_Z, Qt::ControlModifier);  // the first ✗
    key(Qt::Key_Z, Qt::ControlModifier);  // the third ✓: its label goes too
    QCOMPARE(results->verdict(2), 0);
    QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user'"), 3);
    QCOMPARE(count("SELECT count(*) FROM feedback"), 2);
    test::saveScreenshot(*window_, QStringLiteral("session_3_undone"));
    key(Qt::Key_Y, Qt::ControlModifier);  // redo brings the third ✓ and its label back
    QCOMPARE(results->verdict(2), 1);
    QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user'"), 4);
  }

  // File ▸ Export labels from the session: the modal dialog (driven once it is shown) writes the
  // four user labels of the class as COCO instances.
  void exportWritesTheSessionsLabels() {
    const QString out = dir_.filePath(QStringLiteral("export"));
    bool ran = false, ok = false;
    QString report;
    QTimer::singleShot(0, this, [&] {
      auto* dialog = qobject_cast<ui::LabelExchangeDialog*>(QApplication::activeModalWidget());
      if (!dialog) return;
      ran = true;
      dialog->formatBox()->setCurrentText(QStringLiteral("coco"));
      dialog->pathEdit()->setText(out);
      QSignalSpy finished(dialog, &ui::LabelExchangeDialog::finished);
      dialog->run();
      ok = (finished.count() > 0 || finished.wait(30000)) && finished.front().front().toBool();
      report = dialog->reportText();
      test::saveScreenshot(*dialog, QStringLiteral("session_3_export_dialog"));
      dialog->accept();
    });
    window_->action(QStringLiteral("exportLabels"))->trigger();  // returns when the dialog closes
    window_->activateWindow();  // the offscreen platform does not hand activation back by itself
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QVERIFY2(ran, "the export dialog did not open");
    QVERIFY2(ok, qPrintable(report));
    QVERIFY2(report.contains(QStringLiteral("Exported 4 instance(s)")), qPrintable(report));
    QFile file(out + QStringLiteral("/instances.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonObject coco = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(coco.value(QStringLiteral("annotations")).toArray().size(), 4);
    const QJsonArray categories = coco.value(QStringLiteral("categories")).toArray();
    QVERIFY(std::any_of(categories.begin(), categories.end(),
                        [](const QJsonValue& c) { return c.toObject().value(QStringLiteral("name")).toString() == QStringLiteral("striped"); }));
  }

  void findMoreAddsTheConceptsNextResults() {
    ui::ResultsModel* results = window_->resultsPanel()->model();
    const int before = results->rowCount();
    QSignalSpy more(window_.get(), &ui::MainWindow::moreResultsShown);
    QSignalSpy failed(window_->session()->labels(), &ui::LabelService::editFailed);
    QTest::keyClick(window_.get(), Qt::Key_F, Qt::ShiftModifier);
    QVERIFY2(more.count() > 0 || more.wait(60000), failed.isEmpty() ? "no page" : qPrintable(failed.front().front().toString()));
    // Every image of this small collection is listed already: nothing is added twice.
    QCOMPARE(more.front().front().toInt(), 0);
    QCOMPARE(results->rowCount(), before);
  }

  void regionPaintingAddsAndRemovesWholeRegions() {
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[1].name)));
    ui::ImageViewer* viewer = window_->viewer();
    const int64_t image_id = viewer->document()->image_id;
    const std::string on_image = "SELECT count(*) FROM labels l JOIN regions r ON r.id = l.region_id WHERE l.source = 'user' AND r.image_id = " +
                                 std::to_string(image_id);
    const int64_t before = count(on_image);
    key(Qt::Key_B);
    QVERIFY(window_->action(QStringLiteral("paintRegions"))->isChecked());
    QCOMPARE(int(viewer->clickMode()), int(ui::ImageViewer::ClickMode::PaintRegions));
    // A horizontal stroke through the middle of the image.
    const QPoint from = viewer->viewportPointOf({40, 150}), to = viewer->viewportPointOf({360, 150});
    QTest::mousePress(viewer->viewport(), Qt::LeftButton, {}, from);
    for (int k = 1; k <= 10; ++k) test::moveMouse(viewer->viewport(), from + (to - from) * k / 10);
    QSignalSpy painted(viewer, &ui::ImageViewer::regionsPainted);
    QTest::mouseRelease(viewer->viewport(), Qt::LeftButton, {}, to);
    QCOMPARE(painted.count(), 1);
    const auto stroke = painted.front().front().value<std::vector<int64_t>>();
    QVERIFY2(stroke.size() >= 3, "a stroke across the image crosses several regions");
    QVERIFY(test::waitForLabels(*window_));
    QVERIFY(count(on_image) > before);
    for (const int64_t r : stroke) {
      QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user' AND region_id = " + std::to_string(r) +
                     " AND class_id = " + std::to_string(class_id_)),
               1);
    }
    test::saveScreenshot(*window_, QStringLiteral("session_4_painted"));
    // Right-button stroke over the same path removes them again.
    QTest::mousePress(viewer->viewport(), Qt::RightButton, {}, from);
    for (int k = 1; k <= 10; ++k) test::moveMouse(viewer->viewport(), from + (to - from) * k / 10);
    QTest::mouseRelease(viewer->viewport(), Qt::RightButton, {}, to);
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count(on_image), before);
    key(Qt::Key_Z, Qt::ControlModifier);  // undo the erase
    QVERIFY(count(on_image) > before);
    key(Qt::Key_B);
    QCOMPARE(int(viewer->clickMode()), int(ui::ImageViewer::ClickMode::Query));
  }

  void mergingTwoRegionsMakesALabeledUserRegion() {
    ui::ImageViewer* viewer = window_->viewer();
    const auto doc = viewer->document();  // a copy: the viewer gets a new document after the merge
    const int64_t image_id = doc->image_id;
    // Two neighbouring regions at the object's centre and just beside it.
    const QPointF a = objectCentre(1);
    const int ia = doc->regionAt(a.x(), a.y());
    int ib = -1;
    QPointF b;
    for (int dx = 4; dx < 120 && ib < 0; dx += 4) {
      b = a + QPointF(dx, 0);
      const int candidate = doc->regionAt(b.x(), b.y());
      if (candidate >= 0 && candidate != ia) ib = candidate;
    }
    QVERIFY(ia >= 0 && ib >= 0);
    test::clickImagePoint(*window_, a, Qt::ControlModifier);
    test::clickImagePoint(*window_, b, Qt::ControlModifier);
    QCOMPARE(viewer->selectedRegions().size(), size_t(2));
    QSignalSpy shown(window_.get(), &ui::MainWindow::documentShown);
    key(Qt::Key_M);
    QVERIFY(shown.count() > 0 || shown.wait(10000));  // the viewer re-reads the image with the new region
    const std::string user_regions = "SELECT count(*) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit' AND r.image_id = " +
                                     std::to_string(image_id);
    QCOMPARE(count(user_regions), 1);
    const int64_t area_a = doc->regions[size_t(ia)].area, area_b = doc->regions[size_t(ib)].area;
    const int64_t merged_area = count("SELECT max(area) FROM regions r JOIN models m ON m.id = r.generator_id WHERE m.name = 'user-edit'");
    QVERIFY(merged_area >= std::max(area_a, area_b) && merged_area <= area_a + area_b);
    QCOMPARE(count("SELECT count(*) FROM labels l JOIN regions r ON r.id = l.region_id JOIN models m ON m.id = r.generator_id "
                   "WHERE m.name = 'user-edit' AND l.source = 'user'"),
             1);
    QTRY_VERIFY(viewer->document()->regions.size() == doc->regions.size() + 1);
    key(Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(count(user_regions), 0);
  }

  void classesAreRenamedAndRecolouredWithUndo() {
    ui::ClassListModel* classes = window_->labelsPanel()->classModel();
    QVERIFY(classes->setData(classes->index(0), QStringLiteral("zebra"), Qt::EditRole) == false);  // goes through the undo stack
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count("SELECT count(*) FROM classes WHERE name = 'zebra'"), 1);
    QCOMPARE(classes->index(0).data(Qt::EditRole).toString(), QStringLiteral("zebra"));
    window_->recolorClass(class_id_, QColor(QStringLiteral("#123456")));
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count("SELECT count(*) FROM classes WHERE color = '#123456'"), 1);
    key(Qt::Key_Z, Qt::ControlModifier);
    key(Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(count("SELECT count(*) FROM classes WHERE name = 'striped' AND color <> '#123456'"), 1);
    QCOMPARE(classes->index(0).data(Qt::EditRole).toString(), QStringLiteral("striped"));
  }

  void heatMapColoursTheResultImage() {
    window_->resultsPanel()->selectRow(0);
    const int64_t result_image = window_->resultsPanel()->model()->item(0).image_id;
    QTRY_COMPARE(window_->viewer()->document()->image_id, result_image);
    QSignalSpy heat(window_.get(), &ui::MainWindow::heatMapShown);
    QTest::keyClick(window_.get(), Qt::Key_H);
    QVERIFY(heat.wait(10000));
    QVERIFY(window_->viewer()->hasHeatMap());
    QCOMPARE(heat.front().front().toLongLong(), qlonglong(window_->resultsPanel()->model()->item(0).image_id));
    test::saveScreenshot(*window_, QStringLiteral("session_5_heatmap"));
    QTest::keyClick(window_.get(), Qt::Key_H);
    QVERIFY(!window_->viewer()->hasHeatMap());
  }

  void browserFiltersByClassAndSortsByScore() {
    ui::CollectionBrowser* browser = window_->browser();
    QTRY_VERIFY(test::waitForLabels(*window_));
    ui::CollectionFilterModel* filter = browser->filterModel();
    filter->setClassFilter(class_id_);
    // Images with a label of the class: the three accepted results and the painted image.
    QCOMPARE(filter->rowCount(), int(count("SELECT count(DISTINCT r.image_id) FROM labels l JOIN regions r ON r.id = l.region_id")));
    filter->setClassFilter(std::nullopt);
    filter->setLabelFilter(ui::CollectionFilterModel::LabelFilter::Unlabeled);
    QCOMPARE(filter->rowCount(), 12 - int(count("SELECT count(DISTINCT r.image_id) FROM labels l JOIN regions r ON r.id = l.region_id")));
    filter->setLabelFilter(ui::CollectionFilterModel::LabelFilter::Any);
    filter->setStatusFilter(ImageStatus::Failed);
    QCOMPARE(filter->rowCount(), 0);
    filter->setStatusFilter(std::nullopt);
    browser->setSortByScore(true);
    float previous = 2.0f;
    for (int row = 0; row < filter->rowCount(); ++row) {
      const float score = filter->index(row, 0).data(ui::CollectionModel::ScoreRole).toFloat();
      QVERIFY(score <= previous);
      previous = score;
    }
    test::saveScreenshot(*window_, QStringLiteral("session_6_sorted_by_score"));
    browser->setSortByScore(false);
  }

  void autoLabelingRunsAsAJob() {
    // A second class with a user label: the region under the centre of another scene.
    window_->addClass(QStringLiteral("other"));
    QVERIFY(test::waitForLabels(*window_));
    window_->labelsPanel()->selectClassAt(1);
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[3].name)));
    test::clickImagePoint(*window_, QPointF(20, 20), Qt::ControlModifier);
    QCOMPARE(window_->viewer()->selectedRegions().size(), size_t(1));
    key(Qt::Key_L);
    QVERIFY(count("SELECT count(*) FROM labels l JOIN classes c ON c.id = l.class_id WHERE c.name = 'other'") >= 1);
    window_->labelsPanel()->selectClassAt(0);
    // Jobs ▸ Auto-label: a job row with progress; automatic labels of both classes written.
    QSignalSpy finished(window_.get(), &ui::MainWindow::autoLabelFinished);
    window_->action(QStringLiteral("autoLabel"))->trigger();
    QVERIFY(window_->autoLabelRunning());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.front().front().toBool(), true);
    QVERIFY(window_->jobsPanel()->job(QStringLiteral("auto-label"))->finished());
    QVERIFY(count("SELECT count(*) FROM labels WHERE source = 'auto'") > 0);
    QCOMPARE(window_->jobsPanel()->failureCount(), 0);
    QVERIFY(test::waitForLabels(*window_));
    test::saveScreenshot(*window_, QStringLiteral("session_7_auto_labeled"));
  }

  void shortcutsDialogListsEveryKey() {
    ui::ShortcutsDialog dialog(window_->allActions(), window_.get());
    QTableWidget* table = dialog.table();
    QStringList keys;
    for (int row = 0; row < table->rowCount(); ++row) keys << table->item(row, 0)->text() + QStringLiteral("=") + table->item(row, 1)->text();
    const QString all = keys.join(QLatin1Char('\n'));
    for (const QString& expected : {QStringLiteral("A=Accept"), QStringLiteral("X=Reject"), QStringLiteral("H=Similarity"),
                                    QStringLiteral("B=Region painting"), QStringLiteral("F=Fit")}) {
      QVERIFY2(all.contains(expected), qPrintable(expected));
    }
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    test::saveScreenshot(dialog, QStringLiteral("session_8_shortcuts"));
  }

  void layoutAndLastCollectionAreRemembered() {
    window_->close();  // saves the settings, stops the session
    window_.reset();
    QSettings settings(dir_.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("collections/last")).toString(), QString::fromStdString(collection_.string()));
    QVERIFY(!settings.value(QStringLiteral("window/state")).toByteArray().isEmpty());
    ui::MainWindowOptions options;
    options.settings_file = dir_.filePath(QStringLiteral("settings.ini"));
    ui::MainWindow again(options);
    QSignalSpy finished(&again, &ui::MainWindow::ingestFinished);
    again.reopenLastCollection();
    QVERIFY(finished.wait(30000));
    QVERIFY(again.windowTitle().contains(QStringLiteral("scenes")));
    QCOMPARE(again.browser()->model()->rowCount(), 12);
  }
};

QTEST_MAIN(TestLabelingSession)
#include "tst_labeling_session.moc"
