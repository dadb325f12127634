// The regionlab executable's command line: --version names every library, --help, usage
// errors, and the headless --screenshot run (open, ingest, show the first image, save, exit).
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;

namespace {

std::string guiBinary() { return (std::filesystem::path(REGIONLAB_BINARY_DIR) / "bin" / "regionlab").string(); }

}  // namespace

class TestGuiCommandLine : public QObject {
  Q_OBJECT

private slots:
  void versionNamesTheLibraries() {
    const auto r = test::runCommand(guiBinary(), {"--version"}, 30000);
    QCOMPARE(r.exit_code, 0);
    for (const char* name : {"RegionLab 0.", "Qt 6.", "OpenCV 4.", "SQLite 3.", "libtorch "}) {
      QVERIFY2(r.output.find(name) != std::string::npos, (r.output + " lacks " + name).c_str());
    }
  }

  void helpAndUsageErrors() {
    const auto help = test::runCommand(guiBinary(), {"--help"}, 30000);
    QCOMPARE(help.exit_code, 0);
    QVERIFY(help.output.find("--screenshot FILE") != std::string::npos);
    QCOMPARE(test::runCommand(guiBinary(), {"--threads"}, 30000).exit_code, 2);
    QCOMPARE(test::runCommand(guiBinary(), {"--threads", "many"}, 30000).exit_code, 2);
    QCOMPARE(test::runCommand(guiBinary(), {"--screenshot", "x.png"}, 30000).exit_code, 2);
    const auto missing = test::runCommand(guiBinary(), {"/nonexistent/folder"}, 30000);
    QCOMPARE(missing.exit_code, 1);
    QVERIFY(missing.error.find("not a folder") != std::string::npos);
  }

  void screenshotRunIngestsAndSavesTheWindow() {
    QTemporaryDir dir;
    const std::filesystem::path collection = std::filesystem::path(dir.path().toStdString()) / "four";
    test::writeRetrievalCollection(collection, 2, 2, 5);
    const std::string png = dir.filePath(QStringLiteral("window.png")).toStdString();
    const auto r = test::runCommand(guiBinary(), {"--screenshot", png, "--threads", "2", collection.string()}, 120000);
    QVERIFY2(r.exit_code == 0, r.error.c_str());
    const QImage shot(QString::fromStdString(png));
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() >= 800 && shot.height() >= 500);
    auto db = Database::open(CollectionPaths(collection).database, Database::Access::ReadOnly);
    QCOMPARE(db->counts().images_done, 4);
  }
};

QTEST_GUILESS_MAIN(TestGuiCommandLine)
#include "tst_gui_command_line.moc"
