// Codebooks and region codes in the collection database (core/storage/codebook_store.h,
// schema v4): stored and read back, newest first, codes deleted with their codebook or region,
// and a v3 database (before codebooks) migrates.
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/regions/region.h"
#include "core/storage/codebook_store.h"
#include "core/storage/database.h"
#include "core/storage/schema.h"
#include "core/storage/sqlite_connection.h"

using namespace regionlab;

namespace {

// An 8×8 image with `count` one-pixel regions; returns the region ids.
std::vector<int64_t> addImageWithRegions(Database& db, const std::string& path, int64_t generator, int count) {
  ImageRecord image;
  image.path = path;
  image.width = 8;
  image.height = 8;
  image.status = ImageStatus::Done;
  const int64_t id = db.writeImage(image);
  std::vector<Region> regions;
  for (int i = 0; i < count; ++i) {
    cv::Mat mask = cv::Mat::zeros(8, 8, CV_8U);
    mask.at<uint8_t>(i / 8, i % 8) = 255;
    regions.push_back(makeRegion(encodeMask(mask)));
  }
  return db.writeRegions(id, generator, regions);
}

}  // namespace

class TestCodebookStore : public QObject {
  Q_OBJECT

private slots:
  void storesCodebooksAndCodes() {
    QTemporaryDir dir;
    auto db = Database::open(std::filesystem::path(dir.path().toStdString()) / "c.db");
    QCOMPARE(db->schemaVersion(), latestSchemaVersion());
    const int64_t generator = db->ensureModel(kRegionGeneratorKind, "default", "g", 0);
    const int64_t model = db->ensureModel(kDescriptorKind, "classical", "d", 4);
    const std::vector<int64_t> regions = addImageWithRegions(*db, "a.jpg", generator, 5);

    CodebookStore store(*db);
    QVERIFY(!store.latestCodebook(model, kRegionCodesPurpose));
    CodebookRecord r;
    r.model_id = model;
    r.purpose = kRegionCodesPurpose;
    r.sha256 = "abc";
    r.books = 2;
    r.centroids = 16;
    r.training_vectors = 5;
    const std::vector<uint8_t> data = {1, 2, 3, 4, 5};
    const int64_t first = store.writeCodebook(r, data);
    r.sha256 = "def";
    const int64_t second = store.writeCodebook(r, data);
    QCOMPARE(store.latestCodebook(model, kRegionCodesPurpose)->id, second);
    QCOMPARE(store.latestCodebook(model, kRegionCodesPurpose)->sha256, std::string("def"));
    QVERIFY(!store.latestCodebook(model, kClustersPurpose));
    QCOMPARE(store.readCodebooks(model, kRegionCodesPurpose).size(), size_t(2));
    QVERIFY(store.readCodebookData(first) == data);
    const auto record = store.readCodebook(first);
    QVERIFY(record);
    QCOMPARE(record->books, 2);
    QCOMPARE(record->centroids, 16);
    QVERIFY(!record->created_at.empty());

    const std::vector<uint16_t> codes = {1, 2, 3, 4, 3, 9, 7, 65535, 3, 0};
    store.writeCodes(first, regions, codes.data(), 2);
    QCOMPARE(store.codeCount(first), int64_t(5));
    std::vector<uint16_t> back;
    std::vector<int64_t> ids;
    store.forEachCode(first, regions[1], [&](int64_t id, std::span<const uint16_t> c) {
      ids.push_back(id);
      back.insert(back.end(), c.begin(), c.end());
    });
    QCOMPARE(ids, std::vector<int64_t>(regions.begin() + 2, regions.end()));
    QCOMPARE(back, std::vector<uint16_t>(codes.begin() + 4, codes.end()));
    QCOMPARE(store.regionsWithCode(first, 3), (std::vector<int64_t>{regions[1], regions[2], regions[4]}));

    // Deleting a region deletes its codes; deleting the codebook deletes the rest.
    db->deleteRegionsOfImage(db->findImage("a.jpg")->id);
    QCOMPARE(store.codeCount(first), int64_t(0));
    const std::vector<int64_t> more = addImageWithRegions(*db, "b.jpg", generator, 3);
    store.writeCodes(second, more, codes.data(), 2);
    QCOMPARE(store.codeCount(second), int64_t(3));
    store.deleteCodebook(second);
    QCOMPARE(store.codeCount(second), int64_t(0));
    QVERIFY(!store.readCodebook(second));
    QVERIFY_THROWS_EXCEPTION(Error, store.readCodebookData(second));
    QCOMPARE(db->integrityCheck(), std::string("ok"));
  }

  void migratesVersionThree() {
    QTemporaryDir dir;
    const auto file = std::filesystem::path(dir.path().toStdString()) / "old.db";
    {
      SqliteConnection c(file, SqliteConnection::Mode::ReadWriteCreate);
      migrateSchema(c, 3);
      QCOMPARE(readSchemaVersion(c), 3);
    }
    auto db = Database::open(file);
    QCOMPARE(db->schemaVersion(), 4);
    CodebookStore store(*db);
    QVERIFY(store.readCodebooks(1, kRegionCodesPurpose).empty());
  }
};

QTEST_APPLESS_MAIN(TestCodebookStore)
#include "tst_codebook_store.moc"
