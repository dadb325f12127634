// Ingest on real files: a folder mixing good images with every kind of bad input finishes the
// good ones and reports each bad one by name and reason; re-running resumes; changed files are
// re-ingested; cancel stops between images; an unreadable file is reported with its reason.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pipeline/collection_status.h"
#include "core/pipeline/ingest_job.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/support/bad_input_files.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

class TestIngestJob : public QObject {
  Q_OBJECT

private slots:
  void ingestsGoodFilesAndReportsBadOnes() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const auto corpus = test::writeBadInputCorpus(dir / "photos");
    fs::create_directories(dir / "photos" / "nested");
    test::writeRgbImage(dir / "photos" / "nested" / "deeper.jpg", test::makeShapesImage(9));  // folders are walked
    IngestOptions options;
    options.threads = 2;
    IngestJob job(dir / "photos", options);
    int progress_calls = 0;
    job.setProgressCallback([&](const IngestProgress& p) {
      ++progress_calls;
      QVERIFY(p.finished <= p.total);
    });
    const IngestReport report = job.run();
    QCOMPARE(report.images, int64_t(corpus.size() + 1));
    int good = 1;  // nested/deeper.jpg
    for (const auto& f : corpus) good += f.should_ingest;
    QCOMPARE(report.done, int64_t(good));
    QCOMPARE(report.ingested, int64_t(good));
    QCOMPARE(progress_calls, int(corpus.size() + 1));
    QVERIFY(report.regions > good * 10);
    for (const auto& f : corpus) {
      if (f.should_ingest) continue;
      const auto it = std::find_if(report.failed.begin(), report.failed.end(), [&](const IngestFailure& x) { return x.path == f.name; });
      QVERIFY2(it != report.failed.end(), f.name.c_str());
      QVERIFY2(it->reason.find(f.reason_contains) != std::string::npos, it->reason.c_str());
    }
    QCOMPARE(report.failed.size(), corpus.size() + 1 - size_t(good));

    // info lists the same failures; the EXIF-rotated image is stored upright (240x160 stored,
    // orientation 6 → 160x240 displayed).
    const CollectionStatus status = readCollectionStatus(dir / "photos");
    QCOMPARE(status.failed, int64_t(report.failed.size()));
    QCOMPARE(status.done, int64_t(good));
    QCOMPARE(status.failures.size(), report.failed.size());
    QVERIFY(status.active_models.find("embedded default") != std::string::npos);
    auto db = Database::open(CollectionPaths(dir / "photos").database);
    const auto rotated = db->findImage("rotated.jpg");
    QVERIFY(rotated.has_value());
    QCOMPARE(rotated->width, 160);
    QCOMPARE(rotated->height, 240);
    QVERIFY(db->findImage("name with spaces é ü.jpg").has_value());
    QVERIFY(db->findImage("nested/deeper.jpg").has_value());
  }

  void resumesAndReingestsOnlyChangedFiles() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    for (int i = 0; i < 6; ++i) test::writeRgbImage(dir / ("img" + std::to_string(i) + ".png"), test::makeShapesImage(uint32_t(20 + i)));
    IngestOptions options;
    options.threads = 2;
    const IngestReport first = IngestJob(dir, options).run();
    QCOMPARE(first.ingested, int64_t(6));
    const IngestReport again = IngestJob(dir, options).run();
    QCOMPARE(again.ingested, int64_t(0));
    QCOMPARE(again.skipped, int64_t(6));
    QCOMPARE(again.regions, first.regions);

    // Touching a file (new mtime, same bytes) re-hashes it but does not redo its regions.
    const fs::path touched = dir / "img1.png";
    fs::last_write_time(touched, fs::last_write_time(touched) + std::chrono::hours(1));
    const IngestReport after_touch = IngestJob(dir, options).run();
    QCOMPARE(after_touch.regions_added, int64_t(0));
    QCOMPARE(after_touch.regions, first.regions);

    // Changing content re-ingests that image only, replacing its regions.
    test::writeRgbImage(dir / "img2.png", test::makeShapesImage(999));
    const IngestReport after_change = IngestJob(dir, options).run();
    QCOMPARE(after_change.ingested, int64_t(1));
    QVERIFY(after_change.regions_added > 0);
    auto db = Database::open(CollectionPaths(dir).database);
    QCOMPARE(db->integrityCheck(), std::string("ok"));
    QCOMPARE(db->counts().regions, db->counts().region_vectors);

    // A failed file is retried only when it changes or when asked.
    std::ofstream(dir / "broken.jpg") << "not an image";
    QCOMPARE(IngestJob(dir, options).run().failed_this_run, int64_t(1));
    QCOMPARE(IngestJob(dir, options).run().failed_this_run, int64_t(0));
    IngestOptions retry = options;
    retry.retry_failed = true;
    QCOMPARE(IngestJob(dir, retry).run().failed_this_run, int64_t(1));
  }

  void cancelStopsBetweenImagesAndResumes() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    for (int i = 0; i < 24; ++i) test::writeRgbImage(dir / ("img" + std::to_string(100 + i) + ".jpg"), test::makeShapesImage(uint32_t(i)));
    IngestOptions options;
    options.threads = 2;
    IngestJob job(dir, options);
    job.setImageCallback([&](const ImageEvent&) { job.cancel(); });  // cancel after the first commit
    const IngestReport cancelled = job.run();
    QVERIFY(cancelled.cancelled);
    QVERIFY(cancelled.ingested >= 1 && cancelled.ingested < 24);
    const IngestReport rest = IngestJob(dir, options).run();
    QCOMPARE(rest.skipped, cancelled.ingested);
    QCOMPARE(rest.done, int64_t(24));
  }

  void reportsAFileUnreadableByPermissions() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString()) / "perm";
    fs::create_directories(dir);
    test::writeRgbImage(dir / "ok.jpg", test::makeShapesImage(1));
    test::writeRgbImage(dir / "locked.jpg", test::makeShapesImage(2));
    fs::permissions(dir / "locked.jpg", fs::perms::none);
    if (geteuid() != 0) {
      const IngestReport r = IngestJob(dir).run();
      QCOMPARE(r.done, int64_t(1));
      QCOMPARE(r.failed.size(), size_t(1));
      QVERIFY2(r.failed[0].reason.find("Permission denied") != std::string::npos, r.failed[0].reason.c_str());
      return;
    }
    // Root reads any file, so run the CLI as an unprivileged user for whom the file is locked.
    const uid_t nobody = 65534;
    fs::permissions(dir.parent_path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                           fs::perms::others_read | fs::perms::others_exec);
    if (chown(dir.c_str(), nobody, nobody) != 0 || chown((dir / "ok.jpg").c_str(), nobody, nobody) != 0) {
      QSKIP("cannot hand the test folder to user nobody");
    }
    QProcess cli;
    cli.setChildProcessModifier([] {
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(97);
    });
    cli.start(QString::fromStdString(test::cliBinary().string()), {"ingest", QString::fromStdString(dir.string()), "--json", "--quiet"});
    QVERIFY(cli.waitForFinished(120000));
    if (cli.exitCode() == 97) QSKIP("cannot switch to user nobody");
    if (cli.exitCode() == 126 || cli.exitCode() == 127 || cli.error() == QProcess::FailedToStart) {
      QSKIP("the CLI binary is not executable by user nobody (build folder permissions)");
    }
    const QByteArray out = cli.readAllStandardOutput();
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QVERIFY2(out.contains("\"done\": 1"), out.constData());
    QVERIFY2(out.contains("locked.jpg") && out.contains("Permission denied"), out.constData());
  }
};

QTEST_GUILESS_MAIN(TestIngestJob)
#include "tst_ingest_job.moc"
