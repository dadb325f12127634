// Classes and labels (LabelStore), concepts and feedback (FeedbackStore) on a real SQLite file,
// and the v2 → v3 migration keeping existing rows.
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/feedback_store.h"
#include "core/storage/label_store.h"
#include "core/storage/schema.h"
#include "core/storage/sqlite_connection.h"

using namespace regionlab;

namespace {

struct Fixture {
  QTemporaryDir dir;
  std::unique_ptr<Database> db;
  int64_t image = 0, generator = 0, descriptor = 0;
  std::vector<int64_t> regions;

  Fixture() {
    db = Database::open(std::filesystem::path(dir.path().toStdString()) / "regionlab.db");
    generator = db->ensureModel("region_generator", "g", "g", 0);
    descriptor = db->ensureModel("descriptor", "d", "d", 3);
    ImageRecord r;
    r.path = "a.jpg";
    r.width = r.height = 4;
    r.status = ImageStatus::Done;
    image = db->writeImage(r);
    std::vector<Region> rs;
    for (int k = 0; k < 4; ++k) {
      cv::Mat m = cv::Mat::zeros(4, 4, CV_8U);
      m.row(k) = 1;
      rs.push_back(makeRegion(encodeMask(m)));
    }
    regions = db->writeRegions(image, generator, rs);
  }
};

}  // namespace

class TestLabelStore : public QObject {
  Q_OBJECT

private slots:
  void classesHaveUniqueNamesAndColours() {
    Fixture f;
    LabelStore s(*f.db);
    const ClassRecord a = s.createClass("  dog ");
    QCOMPARE(a.name, std::string("dog"));
    QCOMPARE(a.color.size(), size_t(7));
    const ClassRecord b = s.createClass("cat", "#00FF00");
    QCOMPARE(b.color, std::string("#00ff00"));
    QVERIFY(a.color != s.createClass("bird").color);  // palette colours are not reused while free
    QVERIFY_THROWS_EXCEPTION(Error, s.createClass("dog"));
    QVERIFY_THROWS_EXCEPTION(Error, s.createClass("   "));
    QVERIFY_THROWS_EXCEPTION(Error, s.createClass("x", "red"));
    QCOMPARE(s.ensureClass("dog").id, a.id);
    s.renameClass(a.id, "puppy");
    QCOMPARE(s.readClass(a.id)->name, std::string("puppy"));
    QVERIFY_THROWS_EXCEPTION(Error, s.renameClass(a.id, "cat"));
    s.setClassColor(b.id, "123abc");
    QCOMPARE(s.findClass("cat")->color, std::string("#123abc"));
    QCOMPARE(s.readClasses().size(), size_t(3));
  }

  void userLabelsWinOverAutoLabels() {
    Fixture f;
    LabelStore s(*f.db);
    const auto dog = s.createClass("dog"), cat = s.createClass("cat");
    QVERIFY(s.writeAutoLabel(f.regions[0], cat.id, 0.7));
    QVERIFY(s.writeAutoLabel(f.regions[0], cat.id, 0.8));  // rewrites the confidence
    QCOMPARE(s.readLabelsOfRegion(f.regions[0]).size(), size_t(1));
    QCOMPARE(s.readLabelsOfRegion(f.regions[0])[0].confidence, 0.8);
    s.setUserLabel(f.regions[0], dog.id);
    auto labels = s.readLabelsOfRegion(f.regions[0]);
    QCOMPARE(labels.size(), size_t(1));  // the auto label is gone
    QCOMPARE(labels[0].source, LabelSource::User);
    QCOMPARE(labels[0].class_id, dog.id);
    QVERIFY(!s.writeAutoLabel(f.regions[0], cat.id, 0.99));  // auto never overwrites user
    s.setUserLabel(f.regions[0], cat.id);                    // one user class per region
    labels = s.readLabelsOfRegion(f.regions[0]);
    QCOMPARE(labels.size(), size_t(1));
    QCOMPARE(labels[0].class_id, cat.id);
    QVERIFY(s.removeUserLabel(f.regions[0]));
    QVERIFY(!s.removeUserLabel(f.regions[0]));
    QVERIFY_THROWS_EXCEPTION(Error, s.setUserLabel(999, dog.id));
    QVERIFY_THROWS_EXCEPTION(Error, s.setUserLabel(f.regions[1], 999));
    s.setUserLabel(f.regions[1], dog.id);
    s.writeAutoLabel(f.regions[2], dog.id, 0.5);
    const auto counts = s.countLabelsPerClass();
    QCOMPARE(counts[0].user_labels, int64_t(1));
    QCOMPARE(counts[0].auto_labels, int64_t(1));
    QCOMPARE(s.readLabels(LabelSource::Auto).size(), size_t(1));
    QCOMPARE(s.readLabelsOfImage(f.image).size(), size_t(2));
    s.deleteClass(dog.id);
    QVERIFY(s.readLabelsOfImage(f.image).empty());
  }

  void handLabelsKeepTheirOriginWhenAConceptReacceptsThem() {
    Fixture f;
    LabelStore s(*f.db);
    FeedbackStore fb(*f.db);
    const auto dog = s.createClass("dog");
    const float v[3] = {1, 0, 0};
    const int64_t q = fb.createQuery(f.image, f.regions[0], f.descriptor, v);
    s.setUserLabel(f.regions[1], dog.id);     // by hand
    s.setUserLabel(f.regions[1], dog.id, q);  // a concept accepts it again: still the hand's
    QCOMPARE(s.readLabelsOfRegion(f.regions[1])[0].query_id, std::nullopt);
    s.setUserLabel(f.regions[2], dog.id, q);  // made by the concept...
    QCOMPARE(s.readLabelsOfRegion(f.regions[2])[0].query_id, std::optional<int64_t>(q));
    s.setUserLabel(f.regions[2], dog.id);     // ...then confirmed by hand
    QCOMPARE(s.readLabelsOfRegion(f.regions[2])[0].query_id, std::nullopt);
  }

  void autoLabelMasksAreReplacedButPromotedOnesStay() {
    Fixture f;
    LabelStore s(*f.db);
    const auto dog = s.createClass("dog"), sky = s.createClass("sky");
    const int64_t auto_gen = f.db->ensureModel("region_generator", "auto-labels", "x", 0);
    cv::Mat top = cv::Mat::zeros(4, 4, CV_8U), bottom = cv::Mat::zeros(4, 4, CV_8U);
    top.rowRange(0, 2) = 1;
    bottom.rowRange(2, 4) = 1;
    const AutoLabelMask masks[] = {{sky.id, makeRegion(encodeMask(top)), 0.9}, {dog.id, makeRegion(encodeMask(bottom)), 0.6}};
    const auto first = s.replaceAutoLabelMasks(f.image, auto_gen, masks);
    QCOMPARE(first.size(), size_t(2));
    QCOMPARE(f.db->readRegionsOfImage(f.image, auto_gen).size(), size_t(2));
    s.setUserLabel(first[1], dog.id);  // the user confirms the dog mask
    const auto second = s.replaceAutoLabelMasks(f.image, auto_gen, std::span(masks, 1));
    const auto kept = f.db->readRegionsOfImage(f.image, auto_gen);
    QCOMPARE(kept.size(), size_t(2));  // the promoted mask and the new sky mask
    QCOMPARE(kept[0].id, first[1]);
    QCOMPARE(kept[1].id, second[0]);
    QCOMPARE(f.db->readRegionsOfImage(f.image, f.generator).size(), size_t(4));  // the generator's regions untouched
  }

  void feedbackIsALogWhoseLatestVerdictCounts() {
    Fixture f;
    FeedbackStore s(*f.db);
    const float v[3] = {0.25f, 0.5f, 1.f};
    QVERIFY_THROWS_EXCEPTION(Error, s.createQuery(f.image, f.regions[0], f.descriptor, std::span(v, 2)));
    const int64_t q = s.createQuery(f.image, f.regions[0], f.descriptor, v);
    const auto query = s.readQuery(q);
    QCOMPARE(query->vector, std::vector<float>(v, v + 3));
    QCOMPARE(query->region_id, std::optional<int64_t>(f.regions[0]));
    QCOMPARE(query->class_id, std::nullopt);
    const int64_t a = s.addFeedback(q, f.regions[1], Verdict::Accept);
    s.addFeedback(q, f.regions[2], Verdict::Reject);
    const int64_t c = s.addFeedback(q, f.regions[1], Verdict::Reject);
    QVERIFY_THROWS_EXCEPTION(Error, s.addFeedback(q, 999, Verdict::Accept));
    QVERIFY_THROWS_EXCEPTION(Error, s.addFeedback(q + 1, f.regions[1], Verdict::Accept));
    auto log = s.readFeedback(q);
    QCOMPARE(log.size(), size_t(3));
    QCOMPARE(log.front().id, a);
    QCOMPARE(effectiveVerdicts(log).at(f.regions[1]), Verdict::Reject);
    QVERIFY(s.deleteFeedback(c));
    log = s.readFeedback(q);
    QCOMPARE(effectiveVerdicts(log).at(f.regions[1]), Verdict::Accept);
    const auto summary = s.summarizeQueries();
    QCOMPARE(summary.size(), size_t(1));
    QCOMPARE(summary[0].accepted, int64_t(1));
    QCOMPARE(summary[0].rejected, int64_t(1));
    LabelStore labels(*f.db);
    const auto cls = labels.createClass("thing");
    s.setQueryClass(q, cls.id);
    QCOMPARE(s.readQueries(cls.id).size(), size_t(1));
    labels.deleteClass(cls.id);
    QCOMPARE(s.readQuery(q)->class_id, std::nullopt);  // ON DELETE SET NULL
    f.db->deleteRegionsOfImage(f.image);
    QVERIFY(s.readFeedback(q).empty());  // feedback goes with its regions
    QCOMPARE(s.readQuery(q)->region_id, std::nullopt);
    s.deleteQuery(q);
    QVERIFY(!s.readQuery(q));
  }

  void migratesAVersion2DatabaseKeepingItsRows() {
    QTemporaryDir dir;
    const auto file = std::filesystem::path(dir.path().toStdString()) / "old.db";
    {
      SqliteConnection c(file, SqliteConnection::Mode::ReadWriteCreate);
      migrateSchema(c, 2);
      QCOMPARE(readSchemaVersion(c), 2);
      c.exec("INSERT INTO classes(name, color) VALUES ('old', '#000000')");
      c.exec("INSERT INTO models(kind, name, sha256, dim) VALUES ('descriptor', 'd', 'd', 1)");
      c.exec("INSERT INTO queries(model_id, vec) VALUES (1, x'0000803f')");
    }
    auto db = Database::open(file);
    QCOMPARE(db->schemaVersion(), latestSchemaVersion());
    QVERIFY(latestSchemaVersion() >= 3);
    LabelStore labels(*db);
    QCOMPARE(labels.findClass("old")->color, std::string("#000000"));
    FeedbackStore fb(*db);
    const auto q = fb.readQuery(1);
    QCOMPARE(q->vector, std::vector<float>{1.f});
    QCOMPARE(q->class_id, std::nullopt);
    fb.setQueryClass(1, labels.findClass("old")->id);
    QCOMPARE(fb.readQuery(1)->class_id, labels.findClass("old")->id);
  }
};

QTEST_APPLESS_MAIN(TestLabelStore)
#include "tst_label_store.moc"
