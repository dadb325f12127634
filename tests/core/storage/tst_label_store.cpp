// LabelStore: classes, one user class per region with undo-able replacement, user regions and
// ✓/✗ feedback, on a real SQLite file.
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"
#include "core/storage/sqlite_connection.h"

using namespace regionlab;

namespace {

Region squareRegion(int x, int y, int side) {
  cv::Mat mask = cv::Mat::zeros(40, 60, CV_8U);
  mask(cv::Rect(x, y, side, side)).setTo(1);
  return makeRegion(encodeMask(mask));
}

int64_t countRows(Database& db, const std::string& sql) {
  auto s = db.connection().prepare(sql);
  s.step();
  return s.columnInt(0);
}

}  // namespace

class TestLabelStore : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::unique_ptr<Database> db_;
  int64_t image_ = 0;
  std::vector<int64_t> regions_;

private slots:
  void init() {
    db_ = Database::open(std::filesystem::path(dir_.path().toStdString()) / (std::string(QTest::currentTestFunction()) + ".db"));
    ImageRecord image;
    image.path = "a.png";
    image.width = 60;
    image.height = 40;
    image.status = ImageStatus::Done;
    image_ = db_->writeImage(image);
    const int64_t generator = db_->ensureModel(kRegionGeneratorKind, "default", "x", 0);
    const std::vector<Region> regions = {squareRegion(0, 0, 10), squareRegion(20, 5, 10), squareRegion(40, 20, 15)};
    regions_ = db_->writeRegions(image_, generator, regions);
  }
  void cleanup() { db_.reset(); }

  void classesAreAddedRenamedRecoloured() {
    LabelStore store(*db_);
    const int64_t cat = store.addClass("  cat ", "#ff0000");
    const int64_t dog = store.addClass("dog", "#00ff00");
    QVERIFY_THROWS_EXCEPTION(Error, store.addClass("cat", "#0000ff"));
    QVERIFY_THROWS_EXCEPTION(Error, store.addClass("", "#0000ff"));
    QVERIFY_THROWS_EXCEPTION(Error, store.addClass("bird", "red"));
    QVERIFY_THROWS_EXCEPTION(Error, store.renameClass(dog, "cat"));
    store.renameClass(dog, "wolf");
    store.setClassColor(cat, "#123456");
    const auto classes = store.readClasses();
    QCOMPARE(classes.size(), size_t(2));
    QCOMPARE(classes[0], (ClassRecord{cat, "cat", "#123456"}));
    QCOMPARE(classes[1], (ClassRecord{dog, "wolf", "#00ff00"}));
    // Re-creating a deleted class with its id (redo after undo) keeps references valid.
    store.deleteClass(dog);
    QCOMPARE(store.addClass("wolf", "#00ff00", dog), dog);
  }

  void userClassReplacesAndUndoes() {
    LabelStore store(*db_);
    const int64_t cat = store.addClass("cat", "#ff0000");
    const int64_t dog = store.addClass("dog", "#00ff00");
    const UserClassAssignment before = store.writeUserClasses({{regions_[0], cat}, {regions_[1], cat}});
    QVERIFY(!before.at(regions_[0]) && !before.at(regions_[1]));
    const UserClassAssignment relabel = store.writeUserClasses({{regions_[0], dog}, {regions_[2], std::nullopt}});
    QCOMPARE(relabel.at(regions_[0]), std::optional<int64_t>(cat));
    QVERIFY(!relabel.at(regions_[2]));
    QCOMPARE(countRows(*db_, "SELECT count(*) FROM labels WHERE source = 'user'"), 2);
    auto now = store.readUserClasses(regions_);
    QCOMPARE(now.at(regions_[0]), std::optional<int64_t>(dog));
    QCOMPARE(now.at(regions_[1]), std::optional<int64_t>(cat));
    QVERIFY(!now.at(regions_[2]));
    // Undo = write back what was replaced.
    store.writeUserClasses(relabel);
    now = store.readUserClasses(regions_);
    QCOMPARE(now.at(regions_[0]), std::optional<int64_t>(cat));
    const auto by_image = store.readClassesByImage();
    QCOMPARE(by_image.at(image_), std::vector<int64_t>{cat});
    const auto labels = store.readLabelsOfImage(image_);
    QCOMPARE(labels.size(), size_t(2));
    QCOMPARE(labels[0].region_id, regions_[0]);
    QVERIFY(labels[0].source == LabelSource::User);
  }

  void userRegionsSurviveReingestAndCanBeDeleted() {
    LabelStore store(*db_);
    const int64_t cat = store.addClass("cat", "#ff0000");
    const Region merged = makeRegion(rleUnion(db_->readRegion(regions_[0])->region.mask, db_->readRegion(regions_[1])->region.mask));
    const int64_t id = store.addUserRegion(image_, merged);
    store.writeUserClasses({{id, cat}});
    QCOMPARE(db_->readRegion(id)->region.area, int64_t(200));
    db_->deleteRegionsOfImage(image_);  // what a re-ingest does: the labeled user region stays
    QVERIFY(db_->readRegion(id));
    store.deleteRegion(id);
    QVERIFY(!db_->readRegion(id));
    QCOMPARE(countRows(*db_, "SELECT count(*) FROM labels"), 0);
  }

  void verdictsAreRecordedPerQuery() {
    LabelStore store(*db_);
    const int64_t model = db_->ensureModel(kDescriptorKind, "classical", "y", 3);
    const std::vector<float> vec = {0.5f, 0.25f, 1.0f};
    const int64_t query = store.addQuery(image_, regions_[0], model, vec);
    QCOMPARE(store.setVerdict(query, regions_[1], 1), 0);
    QCOMPARE(store.setVerdict(query, regions_[2], -1), 0);
    QCOMPARE(store.setVerdict(query, regions_[1], -1), 1);
    QCOMPARE(store.setVerdict(query, regions_[2], 0), -1);
    const auto verdicts = store.readVerdicts(query);
    QCOMPARE(verdicts.size(), size_t(1));
    QCOMPARE(verdicts.at(regions_[1]), -1);
    QVERIFY_THROWS_EXCEPTION(Error, store.setVerdict(query, regions_[1], 2));
  }
};

QTEST_GUILESS_MAIN(TestLabelStore)
#include "tst_label_store.moc"
