// The collection database: migrations forward from every earlier version, refusal of newer or
// foreign files, transactions that leave nothing behind when rolled back, and typed round trips.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/storage/database.h"
#include "core/storage/schema.h"
#include "core/storage/sqlite_connection.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

Region squareRegion(int h, int w, cv::Rect r) {
  cv::Mat m = cv::Mat::zeros(h, w, CV_8U);
  m(r).setTo(1);
  return makeRegion(encodeMask(m));
}

ImageRecord doneImage(const std::string& path) {
  ImageRecord r;
  r.path = path;
  r.sha256 = std::string(64, 'a');
  r.width = 40;
  r.height = 30;
  r.orig_width = 40;
  r.orig_height = 30;
  r.status = ImageStatus::Done;
  return r;
}

}  // namespace

class TestDatabase : public QObject {
  Q_OBJECT

private slots:
  void createsTheLatestSchemaWithWalAndForeignKeys() {
    QTemporaryDir tmp;
    auto db = Database::open(fs::path(tmp.path().toStdString()) / "c.db");
    QCOMPARE(db->schemaVersion(), latestSchemaVersion());
    auto mode = db->connection().prepare("PRAGMA journal_mode");
    QVERIFY(mode.step());
    QCOMPARE(mode.columnText(0), std::string("wal"));
    auto fk = db->connection().prepare("PRAGMA foreign_keys");
    QVERIFY(fk.step());
    QCOMPARE(fk.columnInt(0), int64_t(1));
    QCOMPARE(db->integrityCheck(), std::string("ok"));
  }

  void migratesEveryEarlierVersionKeepingData() {
    for (int from = 1; from < latestSchemaVersion(); ++from) {
      QTemporaryDir tmp;
      const fs::path file = fs::path(tmp.path().toStdString()) / "old.db";
      {
        SqliteConnection old(file, SqliteConnection::Mode::ReadWriteCreate);
        migrateSchema(old, from);
        QCOMPARE(readSchemaVersion(old), from);
        old.exec("INSERT INTO images(path, status) VALUES ('kept.jpg', 'done')");
      }
      auto db = Database::open(file);
      QCOMPARE(db->schemaVersion(), latestSchemaVersion());
      QVERIFY(db->findImage("kept.jpg").has_value());
      QCOMPARE(db->integrityCheck(), std::string("ok"));
    }
  }

  void refusesNewerAndForeignFiles() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    {
      auto db = Database::open(dir / "future.db");
      db->connection().exec("UPDATE schema_version SET version = 999");
    }
    try {
      Database::open(dir / "future.db");
      QFAIL("a database from a newer RegionLab was opened");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("newer") != std::string::npos, e.what());
    }
    std::ofstream(dir / "notes.db") << "this is not a database, just some text that is long enough to be a header....";
    try {
      Database::open(dir / "notes.db");
      QFAIL("a text file was opened as a database");
    } catch (const Error& e) {
      QCOMPARE(e.file(), dir / "notes.db");
    }
    QVERIFY_THROWS_EXCEPTION(Error, Database::open(dir / "missing.db", Database::Access::ReadOnly));
  }

  void rolledBackTransactionLeavesNothing() {
    QTemporaryDir tmp;
    auto db = Database::open(fs::path(tmp.path().toStdString()) / "c.db");
    const int64_t gen = db->ensureModel(kRegionGeneratorKind, "default", "x", 0);
    {
      Database::Transaction t(*db);
      const int64_t id = db->writeImage(doneImage("a.jpg"));
      const Region r[] = {squareRegion(30, 40, {1, 1, 5, 5})};
      db->writeRegions(id, gen, r);
      // no commit: destroyed while "an exception" unwinds
    }
    QVERIFY(!db->findImage("a.jpg").has_value());
    QCOMPARE(db->counts().regions, int64_t(0));
  }

  void roundTripsImagesRegionsAndVectors() {
    QTemporaryDir tmp;
    auto db = Database::open(fs::path(tmp.path().toStdString()) / "c.db");
    const int64_t gen = db->ensureModel(kRegionGeneratorKind, "default", "g", 0);
    QCOMPARE(db->ensureModel(kRegionGeneratorKind, "default", "g", 0), gen);  // idempotent
    const int64_t desc = db->ensureModel(kDescriptorKind, "classical", "d", 3);
    ImageRecord rec = doneImage("sub/ünï code.jpg");
    const int64_t id = db->writeImage(rec);
    rec.width = 41;
    QCOMPARE(db->writeImage(rec), id);  // same path updates the row
    QCOMPARE(db->readImage(id)->width, 41);

    const Region regions[] = {squareRegion(30, 40, {0, 0, 10, 10}), squareRegion(30, 40, {5, 5, 20, 20})};
    // (mask sizes follow the image: 30 rows x 40 columns; the record says 41 wide, fix it back)
    rec.width = 40;
    db->writeImage(rec);
    const auto ids = db->writeRegions(id, gen, regions);
    const float vectors[] = {0.5f, -0.25f, 1.0f, 0.1f, 0.2f, 0.3f};
    db->writeRegionVectors(desc, ids, vectors, 3);

    const auto back = db->readRegionsOfImage(id);
    QCOMPARE(back.size(), size_t(2));
    QCOMPARE(back[1].region.mask, regions[1].mask);
    QCOMPARE(back[1].region.bbox, regions[1].bbox);
    const auto v = db->readRegionVector(ids[0], desc);
    QVERIFY(v.has_value());
    QCOMPARE(*v, (std::vector<float>{0.5f, -0.25f, 1.0f}));  // exactly representable in fp16
    QVERIFY(db->imageHasVectors(id, desc));
    const RegionVectorStats stats = db->regionVectorStats(desc);
    QCOMPARE(stats.count, int64_t(2));
    QCOMPARE(stats.max_region_id, ids[1]);

    // Deleting the image's regions cascades to their vectors.
    db->deleteRegionsOfImage(id);
    QCOMPARE(db->counts().region_vectors, int64_t(0));
    QCOMPARE(db->integrityCheck(), std::string("ok"));
  }

  void userLabeledRegionsSurviveReingest() {
    QTemporaryDir tmp;
    auto db = Database::open(fs::path(tmp.path().toStdString()) / "c.db");
    const int64_t gen = db->ensureModel(kRegionGeneratorKind, "default", "g", 0);
    const int64_t id = db->writeImage(doneImage("a.jpg"));
    const Region regions[] = {squareRegion(30, 40, {0, 0, 10, 10}), squareRegion(30, 40, {5, 5, 20, 20})};
    const auto ids = db->writeRegions(id, gen, regions);
    db->connection().exec("INSERT INTO classes(name, color) VALUES ('cat', '#ff0000')");
    db->connection().exec("INSERT INTO labels(region_id, class_id, source) VALUES (" + std::to_string(ids[1]) + ", 1, 'user')");
    db->deleteRegionsOfImage(id);
    const auto left = db->readRegionsOfImage(id);
    QCOMPARE(left.size(), size_t(1));
    QCOMPARE(left[0].id, ids[1]);
  }
};

QTEST_APPLESS_MAIN(TestDatabase)
#include "tst_database.moc"
