// The database survives kill -9 at any moment: regionlab-cli ingest is killed with SIGKILL twice
// mid-way, the file passes PRAGMA integrity_check, and finishing the ingest leaves every image
// present exactly once with exactly its own regions and one vector per region.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/resource.h>

#include "core/regions/superpixel_region_generator.h"
#include "core/image/image_decoder.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

int64_t doneCount(const fs::path& db_file) {
  try {
    SqliteConnection c(db_file, SqliteConnection::Mode::ReadOnly);
    auto s = c.prepare("SELECT count(*) FROM images WHERE status = 'done'");
    return s.step() ? s.columnInt(0) : 0;
  } catch (const std::exception&) {
    return 0;  // not created yet, or schema not there yet
  }
}

// Starts the CLI, waits until at least `target` images are committed, then SIGKILLs it.
int64_t ingestAndKill(const fs::path& dir, int64_t target) {
  QProcess cli;
  cli.start(QString::fromStdString(test::cliBinary().string()), {"ingest", QString::fromStdString(dir.string()), "--quiet", "--threads", "2"});
  if (!cli.waitForStarted()) return -1;
  const fs::path db = CollectionPaths(dir).database;
  QElapsedTimer timer;
  timer.start();
  while (cli.state() == QProcess::Running && doneCount(db) < target && timer.elapsed() < 120000) QThread::msleep(5);
  const qint64 pid = cli.processId();
  if (cli.state() == QProcess::Running) ::kill(pid_t(pid), SIGKILL);
  cli.waitForFinished();
  return doneCount(db);
}

}  // namespace

class TestIngestCrashSafety : public QObject {
  Q_OBJECT

private slots:
  void survivesSigkillMidIngest() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const int count = 40;
    for (int i = 0; i < count; ++i) test::writeRgbImage(dir / ("img" + std::to_string(1000 + i) + ".jpg"), test::makeShapesImage(uint32_t(i), {360, 270}));

    const int64_t after_first = ingestAndKill(dir, 4);
    const int64_t after_second = ingestAndKill(dir, after_first + 8);
    qInfo("killed after %lld, then after %lld of %d images", (long long)after_first, (long long)after_second, count);
    QVERIFY(after_first >= 4);
    QVERIFY(after_second < count);  // the kill really happened mid-way

    const fs::path db_file = CollectionPaths(dir).database;
    {
      auto db = Database::open(db_file);
      QCOMPARE(db->integrityCheck(), std::string("ok"));
    }
    const auto finish = test::runCommand(test::cliBinary().string(), {"ingest", dir.string(), "--quiet", "--json"});
    QVERIFY2(finish.exit_code == 0, finish.error.c_str());

    auto db = Database::open(db_file);
    QCOMPARE(db->integrityCheck(), std::string("ok"));
    const auto images = db->readImages();
    QCOMPARE(int(images.size()), count);  // paths are UNIQUE: each image once
    const SuperpixelRegionGenerator generator;
    for (const ImageRecord& image : images) {
      QCOMPARE(int(image.status), int(ImageStatus::Done));
      const auto regions = db->readRegionsOfImage(image.id);
      // Exactly the image's own regions: the deterministic generator gives the same number.
      const Image decoded = decodeImageFile(dir / image.path);
      QCOMPARE(regions.size(), generator.generate(decoded.rgb).size());
    }
    auto orphans = db->connection().prepare(
        "SELECT (SELECT count(*) FROM regions WHERE id NOT IN (SELECT region_id FROM region_vectors)),"
        "       (SELECT count(*) FROM region_vectors) - (SELECT count(*) FROM regions)");
    QVERIFY(orphans.step());
    QCOMPARE(orphans.columnInt(0), int64_t(0));
    QCOMPARE(orphans.columnInt(1), int64_t(0));
  }

  void failsCleanlyWhenTheDiskIsFull() {
    // The CLI runs with a small file-size limit (writes past it fail as they do on a full disk);
    // the ingest must stop with a one-line error naming the database, leave a sound database,
    // and finish once space is back.
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    for (int i = 0; i < 30; ++i) test::writeRgbImage(dir / ("p" + std::to_string(i) + ".jpg"), test::makeShapesImage(uint32_t(50 + i), {400, 300}));
    QProcess cli;
    cli.setChildProcessModifier([] {
      signal(SIGXFSZ, SIG_IGN);  // make write() fail with EFBIG instead of killing the process
      const rlimit limit{160 * 1024, 160 * 1024};
      setrlimit(RLIMIT_FSIZE, &limit);
    });
    cli.start(QString::fromStdString(test::cliBinary().string()), {"ingest", QString::fromStdString(dir.string()), "--quiet"});
    QVERIFY(cli.waitForFinished(120000));
    const QString error = QString::fromUtf8(cli.readAllStandardError());
    qInfo("with the disk full: exit %d, %s", cli.exitCode(), qPrintable(error.trimmed()));
    QCOMPARE(cli.exitCode(), 1);
    QCOMPARE(error.count('\n'), 1);
    QVERIFY2(error.contains("regionlab.db") || error.contains(".regionlab"), qPrintable(error));
    const fs::path db_file = CollectionPaths(dir).database;
    const int64_t done_before = doneCount(db_file);
    QVERIFY(done_before < 30);
    {
      auto db = Database::open(db_file);
      QCOMPARE(db->integrityCheck(), std::string("ok"));
    }
    const auto finish = test::runCommand(test::cliBinary().string(), {"ingest", dir.string(), "--quiet"});
    QVERIFY2(finish.exit_code == 0, finish.error.c_str());
    QCOMPARE(doneCount(db_file), int64_t(30));
  }
};

QTEST_GUILESS_MAIN(TestIngestCrashSafety)
#include "tst_ingest_crash_safety.moc"
