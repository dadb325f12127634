// regionlab-cli export / import / models end to end: exit statuses, JSON reports, one-line
// errors that name the file and the reason, and no duplicate on a second import.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/io/label_exchange.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "tests/core/io/label_fixtures.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

class TestCliFormats : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path root_;
  fs::path labels_;

private slots:
  void initTestCase() {
    root_ = fs::path(dir_.path().toStdString()) / "collection";
    fs::create_directories(root_);
    const CollectionPaths paths(root_);
    paths.createDataDirs();
    auto db = Database::open(paths.database);
    for (const auto& [path, w, h] : {std::tuple{"a/one.jpg", 64, 48}, std::tuple{"b/two.png", 40, 30}}) {
      ImageRecord r;
      r.path = path;
      r.width = r.orig_width = w;
      r.height = r.orig_height = h;
      r.status = ImageStatus::Done;
      db->writeImage(r);
    }
    labels_ = fs::path(dir_.path().toStdString()) / "labels";
    writeLabelSet(test::makeTrickyLabelSet(), LabelFormat::Labelme, labels_, {}, root_);
  }

  void importTwiceThenExport() {
    const auto first = test::runCommand(test::cliBinary(), {"import", root_.string(), labels_.string(), "--format", "labelme", "--json"});
    QCOMPARE(first.exit_code, 0);
    QCOMPARE(nlohmann::json::parse(first.output)["labels_added"].get<int>(), 4);
    const auto second = test::runCommand(test::cliBinary(), {"import", root_.string(), labels_.string(), "--format", "labelme", "--json"});
    QCOMPARE(nlohmann::json::parse(second.output)["labels_added"].get<int>(), 0);
    QCOMPARE(nlohmann::json::parse(second.output)["labels_existing"].get<int>(), 4);

    const fs::path out = fs::path(dir_.path().toStdString()) / "yolo";
    const auto exported = test::runCommand(test::cliBinary(), {"export", root_.string(), out.string(), "--format", "yolo-seg"});
    QCOMPARE(exported.exit_code, 0);
    QVERIFY2(exported.output.find("warning: a/one.jpg: instance") != std::string::npos, exported.output.c_str());
    QVERIFY(fs::exists(out / "data.yaml"));
    QVERIFY(fs::is_symlink(out / "images" / "a" / "one.jpg"));
  }

  void errorsAreOneLineWithFileAndReason() {
    const fs::path bad = fs::path(dir_.path().toStdString()) / "bad.json";
    { std::ofstream(bad) << "{\"images\": [}"; }
    const auto r = test::runCommand(test::cliBinary(), {"import", root_.string(), bad.string()});
    QCOMPARE(r.exit_code, 1);
    QVERIFY2(r.error.find("bad.json: invalid JSON at line 1") != std::string::npos, r.error.c_str());
    QCOMPARE(std::count(r.error.begin(), r.error.end(), '\n'), 1L);
    const auto usage = test::runCommand(test::cliBinary(), {"export", root_.string(), "x", "--format", "png"});
    QCOMPARE(usage.exit_code, 1);
    QVERIFY(usage.error.find("unknown label format 'png'") != std::string::npos);
  }

  void modelsListAndUse() {
    const fs::path models = fs::path(dir_.path().toStdString()) / "models";
    qputenv("REGIONLAB_MODEL_DIR", QByteArray::fromStdString(models.string()));
    const auto list = test::runCommand(test::cliBinary(), {"models", "list", "--collection", root_.string(), "--json"});
    QCOMPARE(list.exit_code, 0);
    const auto doc = nlohmann::json::parse(list.output);
    QCOMPARE(doc["models"].size(), size_t(14));
    QCOMPARE(doc["active"][0]["model"].get<std::string>(), std::string("default"));
    const auto use = test::runCommand(test::cliBinary(), {"models", "use", root_.string(), "sam_vit_b"});
    QCOMPARE(use.exit_code, 1);
    QVERIFY2(use.error.find("models import sam_vit_b <file>") != std::string::npos, use.error.c_str());
  }
};

QTEST_GUILESS_MAIN(TestCliFormats)
#include "tst_cli_formats.moc"
