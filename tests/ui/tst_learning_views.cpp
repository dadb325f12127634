// The learning views of the main window (offscreen, real database, generated images): results
// re-ranked after each retrain with the moves counted, the "uncertain first" order, the search
// index as its own job row, the cluster page's bulk labeling, and the query engine reloaded
// after a change of models.
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QUndoStack>
#include <QtTest>

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"
#include "tests/ui/gui_test_support.h"
#include "ui/clusters/cluster_page.h"
#include "ui/jobs/jobs_panel.h"
#include "ui/labels/label_service.h"
#include "ui/query/query_service.h"
#include "ui/results/results_model.h"
#include "ui/results/results_panel.h"
#include "ui/window/collection_session.h"

using namespace regionlab;

class TestLearningViews : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::filesystem::path collection_;
  std::vector<test::SceneFile> scenes_;
  std::unique_ptr<ui::MainWindow> window_;

  int64_t count(const std::string& sql) {
    auto db = Database::open(CollectionPaths(collection_).database, Database::Access::ReadOnly);
    auto s = db->connection().prepare(sql);
    s.step();
    return s.columnInt(0);
  }

  // What the window's own concept says now about the listed images (its database thread).
  std::unordered_map<int64_t, RankedHit> sessionScores(RankingMode mode) {
    ui::ResultsModel* model = window_->resultsPanel()->model();
    std::vector<int64_t> images;
    for (const ui::ResultItem& item : model->results()->items) images.push_back(item.image_id);
    std::unordered_map<int64_t, RankedHit> out;
    bool done = false;
    window_->session()->labels()->readConcept(
        model->results()->record,
        [images, mode](const ConceptSession& session, Database&) { return session.scoreImages(images, mode); },
        [&](const ui::Outcome<std::vector<RankedHit>>& outcome) {
          if (outcome.ok()) {
            for (const RankedHit& hit : *outcome.value) out[hit.image_id] = hit;
          }
          done = true;
        });
    if (!QTest::qWaitFor([&] { return done; }, 20000)) qWarning("no answer from the concept");
    return out;
  }

  // The unjudged part of the list follows the session's scores of `mode`.
  void checkOrderFollowsSession(RankingMode mode) {
    ui::ResultsModel* model = window_->resultsPanel()->model();
    const auto scores = sessionScores(mode);
    int first_unjudged = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
      if (model->verdict(row) != 0) {
        QVERIFY2(first_unjudged < 0, "judged results stay first");
        continue;
      }
      if (first_unjudged < 0) first_unjudged = row;
      const ui::ResultItem& item = model->item(row);
      const auto it = scores.find(item.image_id);
      QVERIFY(it != scores.end());
      QCOMPARE(item.region_id, it->second.region_id);
      QCOMPARE(item.score, it->second.score);
      if (row > first_unjudged) {
        const float before = model->item(row - 1).score;
        if (mode == RankingMode::Score) {
          QVERIFY(before >= item.score);
        } else {
          QVERIFY(std::abs(before) <= std::abs(item.score));
        }
      }
    }
    QVERIFY(first_unjudged >= 0);
  }

private slots:
  void initTestCase() {
    collection_ = std::filesystem::path(dir_.path().toStdString()) / "scenes";
    scenes_ = test::writeRetrievalCollection(collection_, 8, 6, 41);
    window_ = test::makeMainWindow(dir_);
    window_->show();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QSignalSpy indexed(window_.get(), &ui::MainWindow::indexBuilt);
    QVERIFY(test::openAndIngest(*window_, collection_));
    // The index is a job row of its own, after the ingest's.
    QVERIFY(indexed.count() > 0 || indexed.wait(30000));
    QVERIFY(indexed.front().front().toBool());
    ui::JobRow* row = window_->jobsPanel()->job(QStringLiteral("index"));
    QVERIFY(row);
    QVERIFY(row->finished());
    QVERIFY2(row->status()->text().contains(QStringLiteral("vectors")), qPrintable(row->status()->text()));
    QVERIFY(std::filesystem::exists(CollectionPaths(collection_).index_dir));
    QVERIFY(window_->jobsPanel()->job(QStringLiteral("ingest"))->finished());
    window_->addClass(QStringLiteral("target"));
    QVERIFY(test::waitForLabels(*window_));
  }

  void retrainingReranksTheResults() {
    QVERIFY(test::openImageByDoubleClick(*window_, QString::fromStdString(scenes_[0].name)));
    QSignalSpy finished(window_.get(), &ui::MainWindow::queryFinished);
    const cv::Point centre = scenes_[0].object_center;
    test::clickImagePoint(*window_, QPointF(centre.x + 0.5, centre.y + 0.5));
    QVERIFY(finished.wait(20000));
    ui::ResultsPanel* panel = window_->resultsPanel();
    ui::ResultsModel* model = panel->model();
    QVERIFY(model->rowCount() >= 8);

    // ✓ the first result, ✗ the last one; each verdict retrains and re-ranks.
    QSignalSpy reranked(window_.get(), &ui::MainWindow::resultsReranked);
    std::vector<int64_t> before;
    panel->selectRow(0);
    window_->setVerdictOnCurrentResult(1);
    QVERIFY(test::waitForLabels(*window_));
    QVERIFY(reranked.count() >= 1);
    for (const ui::ResultItem& item : model->results()->items) before.push_back(item.image_id);
    panel->selectRow(model->rowCount() - 1);
    const int64_t rejected_image = model->item(model->rowCount() - 1).image_id;
    window_->setVerdictOnCurrentResult(-1);
    // The selection moved on from the last row: nothing to move to, it stays on that image.
    const int selected_row = panel->currentRow();
    const int64_t selected = selected_row >= 0 ? model->item(selected_row).image_id : 0;
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(reranked.count(), 2);
    QCOMPARE(model->results()->ranker, QStringLiteral("classifier"));
    QVERIFY(model->results()->classifier_version > 0);
    checkOrderFollowsSession(RankingMode::Score);
    // Judged results keep their marks: the ✓ first, the ✗ right after it.
    QCOMPARE(model->verdict(0), 1);
    QCOMPARE(model->verdict(1), -1);
    QCOMPARE(model->item(1).image_id, rejected_image);
    if (selected) QCOMPARE(model->item(panel->currentRow()).image_id, selected);

    // The counts the signal and the status line give are those of the lists.
    std::unordered_map<int64_t, int> old_row;
    for (size_t row = 0; row < before.size(); ++row) old_row[before[row]] = int(row);
    int moved = 0, added = 0, top_changed = 0;
    std::unordered_set<int64_t> old_top(before.begin(), before.begin() + std::min<size_t>(20, before.size()));
    for (int row = 0; row < model->rowCount(); ++row) {
      const int64_t image = model->item(row).image_id;
      const auto it = old_row.find(image);
      if (it == old_row.end()) {
        ++added;
        QVERIFY(model->isNew(row));
      } else if (it->second != row) {
        ++moved;
        QCOMPARE(model->rankChange(row), it->second - row);
      } else {
        QCOMPARE(model->rankChange(row), 0);
      }
      if (row < 20 && !old_top.contains(image)) ++top_changed;
    }
    const QList<QVariant> last = reranked.back();
    QCOMPARE(last[0].toInt(), moved);
    QCOMPARE(last[1].toInt(), top_changed);
    QCOMPARE(last[2].toInt(), added);
    QVERIFY2(moved > 0, "rejecting the last result moves it up to the judged block");
    auto* status = panel->findChild<QLabel*>(QStringLiteral("classifierStatus"));
    QVERIFY2(status->text().contains(QStringLiteral("2 ✓ / 1 ✗")), qPrintable(status->text()));
    QVERIFY2(status->text().contains(QStringLiteral("%1 results moved").arg(moved)), qPrintable(status->text()));
    QVERIFY2(status->text().contains(QStringLiteral("top-20 changed %1").arg(top_changed)), qPrintable(status->text()));
    test::saveScreenshot(*window_, QStringLiteral("learning_1_reranked"));
  }

  void uncertainFirstOrdersByTheBoundary() {
    ui::ResultsPanel* panel = window_->resultsPanel();
    QSignalSpy reranked(window_.get(), &ui::MainWindow::resultsReranked);
    QTest::keyClick(window_.get(), Qt::Key_U);
    QVERIFY(window_->action(QStringLiteral("uncertainFirst"))->isChecked());
    QCOMPARE(int(panel->rankingMode()), int(RankingMode::Uncertainty));
    QVERIFY(reranked.count() > 0 || reranked.wait(20000));
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(int(panel->model()->rankingMode()), int(RankingMode::Uncertainty));
    checkOrderFollowsSession(RankingMode::Uncertainty);
    auto* status = panel->findChild<QLabel*>(QStringLiteral("classifierStatus"));
    QVERIFY2(status->text().contains(QStringLiteral("uncertain first")), qPrintable(status->text()));
    test::saveScreenshot(*window_, QStringLiteral("learning_2_uncertain_first"));
    // Find more keeps the order (every image of this small collection is listed already).
    const int rows = panel->model()->rowCount();
    reranked.clear();
    QTest::keyClick(window_.get(), Qt::Key_F, Qt::ShiftModifier);
    QVERIFY(reranked.count() > 0 || reranked.wait(20000));
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(panel->model()->rowCount(), rows);
    QCOMPARE(reranked.back()[2].toInt(), 0);
    checkOrderFollowsSession(RankingMode::Uncertainty);
    // Back to best first from the panel's combo box.
    reranked.clear();
    panel->orderBox()->setCurrentIndex(0);
    QVERIFY(!window_->action(QStringLiteral("uncertainFirst"))->isChecked());
    QVERIFY(reranked.count() > 0 || reranked.wait(20000));
    QVERIFY(test::waitForLabels(*window_));
    checkOrderFollowsSession(RankingMode::Score);
  }

  void clusterPageLabelsAWholeCluster() {
    const std::string user_labels = "SELECT count(*) FROM labels WHERE source = 'user'";
    const int64_t before = count(user_labels);
    const int undo_before = window_->undoStack()->count();
    window_->action(QStringLiteral("showClusters"))->trigger();
    ui::ClusterPage* page = window_->clusterPage();
    QVERIFY(page);
    QSignalSpy clustered(page, &ui::ClusterPage::clustersReady);
    QSignalSpy shown(page, &ui::ClusterPage::pageReady);
    QSignalSpy failed(page, &ui::ClusterPage::failed);
    // Opening the page clusters with the default K; cluster again with K = 6.
    QVERIFY2(clustered.count() > 0 || clustered.wait(60000), failed.isEmpty() ? "no clusters" : qPrintable(failed.front().front().toString()));
    QVERIFY(!page->busy() || QTest::qWaitFor([&] { return !page->busy(); }, 30000));
    clustered.clear();
    shown.clear();
    page->clusterCount()->setValue(6);
    page->cluster(false);
    QVERIFY(clustered.wait(60000));
    QVERIFY(clustered.front().front().toInt() >= 2);
    QVERIFY(shown.count() > 0 || shown.wait(30000));
    const int regions = page->regionGrid()->count();
    QVERIFY(regions > 0 && regions <= ui::ClusterPage::kPageSize);
    QVERIFY(!page->regionGrid()->item(0)->icon().isNull());
    // Label the whole page with the current class: one undoable edit, in the database at once.
    page->selectAllRegions();
    QVERIFY(page->labelButton()->isEnabled());
    QVERIFY2(page->labelButton()->text().contains(QStringLiteral("target")), qPrintable(page->labelButton()->text()));
    std::vector<int64_t> ids;
    for (int i = 0; i < regions; ++i) ids.push_back(page->regionGrid()->item(i)->data(Qt::UserRole + 1).toLongLong());
    QTest::mouseClick(page->labelButton(), Qt::LeftButton);
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(window_->undoStack()->count(), undo_before + 1);
    const int64_t class_id = *window_->currentClass();
    for (const int64_t id : ids) {
      QCOMPARE(count("SELECT count(*) FROM labels WHERE source = 'user' AND region_id = " + std::to_string(id) + " AND class_id = " +
                     std::to_string(class_id)),
               int64_t(1));
    }
    QVERIFY(count(user_labels) > before);
    page->resize(900, 600);
    test::saveScreenshot(*page, QStringLiteral("learning_4_cluster_page"));
    window_->undoStack()->undo();
    QVERIFY(test::waitForLabels(*window_));
    QCOMPARE(count(user_labels), before);
    page->close();
  }

  void changingModelsReloadsTheEngine() {
    auto* models = window_->findChild<QLabel*>(QStringLiteral("modelsLabel"));
    const QString before = models->text();
    QVERIFY2(before.contains(QStringLiteral("embedded default")), qPrintable(before));
    QSignalSpy ready(window_->session()->queries(), &ui::QueryService::engineReady);
    QSignalSpy reloaded(window_.get(), &ui::MainWindow::modelsReloaded);
    // A descriptor whose weights are not installed: the reloaded engine says so.
    {
      auto db = Database::open(CollectionPaths(collection_).database);
      db->writeSetting("descriptor", "dinov2-vits14");
    }
    window_->reloadModels();
    QVERIFY(reloaded.wait(20000));
    QVERIFY2(reloaded.front().front().toString().startsWith(QStringLiteral("failed")), qPrintable(reloaded.front().front().toString()));
    QVERIFY2(models->text().contains(QStringLiteral("dinov2")), qPrintable(models->text()));
    // Back to the embedded descriptor: the engine opens again, and the status bar tells the user
    // that ingested images keep their old regions, with the re-ingest link.
    {
      auto db = Database::open(CollectionPaths(collection_).database);
      db->deleteSetting("descriptor");
    }
    reloaded.clear();
    window_->reloadModels();
    QVERIFY(reloaded.wait(20000));
    QCOMPARE(ready.count(), 1);
    QVERIFY2(models->text().contains(QStringLiteral("keep their old regions")), qPrintable(models->text()));
    QVERIFY(models->text().contains(QStringLiteral("href=\"reingest\"")));
    QVERIFY(models->text() != before);
    test::saveScreenshot(*window_, QStringLiteral("learning_3_models_reloaded"));
    // "Re-ingest now" runs the ingest as a job again (nothing changed: every image is done).
    QSignalSpy ingested(window_.get(), &ui::MainWindow::ingestFinished);
    QSignalSpy indexed(window_.get(), &ui::MainWindow::indexBuilt);
    QMetaObject::invokeMethod(models, "linkActivated", Q_ARG(QString, QStringLiteral("reingest")));
    QVERIFY(ingested.count() > 0 || ingested.wait(30000));
    QVERIFY(ingested.front().front().toBool());
    QVERIFY(indexed.count() > 0 || indexed.wait(30000));
    QVERIFY(window_->jobsPanel()->job(QStringLiteral("index"))->status()->text().contains(QStringLiteral("loaded")));
    // Every image has the chosen models' regions now: the notice goes.
    QTRY_VERIFY_WITH_TIMEOUT(!models->text().contains(QStringLiteral("keep their old regions")), 20000);
    QVERIFY2(models->text().contains(QStringLiteral("embedded default")), qPrintable(models->text()));
  }

  void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TestLearningViews)
#include "tst_learning_views.moc"
