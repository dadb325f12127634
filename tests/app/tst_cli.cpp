// regionlab-cli end to end, as scripts use it: --help on every command, the documented JSON
// shapes of ingest, query and info, and one-line errors with non-zero exit codes.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "tests/support/bad_input_files.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

test::CommandResult cli(const std::vector<std::string>& args) { return test::runCommand(test::cliBinary().string(), args); }

bool oneLine(const std::string& text) {
  const auto n = std::count(text.begin(), text.end(), '\n');
  return n == 1 && text.back() == '\n';
}

}  // namespace

class TestCli : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  fs::path dir_;
  std::vector<test::SceneFile> scenes_;

private slots:
  void initTestCase() {
    dir_ = fs::path(tmp_.path().toStdString()) / "collection";
    scenes_ = test::writeRetrievalCollection(dir_, 4, 4, 77);
    test::writeBadInputCorpus(dir_ / "bad");
  }

  void everyCommandHasHelp() {
    const auto top = cli({"--help"});
    QCOMPARE(top.exit_code, 0);
    for (const char* command : {"ingest", "query", "info"}) {
      QVERIFY(top.output.find(command) != std::string::npos);
      const auto help = cli({command, "--help"});
      QCOMPARE(help.exit_code, 0);
      QVERIFY2(help.output.find("Usage: regionlab-cli " + std::string(command)) == 0, help.output.c_str());
    }
    QCOMPARE(cli({"--version"}).exit_code, 0);
  }

  void ingestPrintsTheDocumentedJson() {
    const auto r = cli({"ingest", dir_.string(), "--json", "--quiet"});
    QCOMPARE(r.exit_code, 0);
    const json j = json::parse(r.output);
    for (const char* key : {"images", "done", "failed", "regions", "seconds"}) QVERIFY2(j.contains(key), key);
    QCOMPARE(j["images"].get<int>(), 8 + 9);
    QCOMPARE(j["done"].get<int>(), 8 + 6);
    QCOMPARE(j["failed"].size(), size_t(3));
    for (const auto& f : j["failed"]) {
      QVERIFY(f["path"].get<std::string>().rfind("bad/", 0) == 0);
      QVERIFY(!f["reason"].get<std::string>().empty());
    }
    QVERIFY(j["regions"].get<int>() > 100);
    QVERIFY(j["seconds"].is_number());
  }

  void queryPrintsTheDocumentedJson() {
    const auto& s = scenes_[0];
    const std::string point = std::to_string(s.object_center.x) + "," + std::to_string(s.object_center.y);
    const auto r = cli({"query", dir_.string(), "--image", s.name, "--point", point, "--top", "5", "--json"});
    QVERIFY2(r.exit_code == 0, r.error.c_str());
    const json j = json::parse(r.output);
    QCOMPARE(j["query"]["image"].get<std::string>(), s.name);
    QVERIFY(j["query"]["region"].get<int64_t>() > 0);
    QCOMPARE(j["descriptor"].get<std::string>(), std::string("classical"));
    QCOMPARE(j["results"].size(), size_t(5));
    float previous = 2;
    for (const auto& hit : j["results"]) {
      QVERIFY(hit["image"].is_string() && hit["region"].is_number_integer());
      const float score = hit["score"].get<float>();
      QVERIFY(score <= previous && score >= 0 && score <= 1.0001f);
      previous = score;
      QCOMPARE(hit["bbox"].size(), size_t(4));
    }
    // The three holding the object come first.
    for (int i = 0; i < 3; ++i) {
      const std::string image = j["results"][i]["image"];
      QVERIFY(std::find_if(scenes_.begin(), scenes_.end(), [&](const auto& x) { return x.name == image && x.has_object; }) != scenes_.end());
    }
    // By region id, with the exact index: same ranking.
    const auto again = cli({"query", dir_.string(), "--region", std::to_string(j["query"]["region"].get<int64_t>()), "--top", "5",
                            "--index", "exact", "--json"});
    QCOMPARE(json::parse(again.output)["results"][0]["image"], j["results"][0]["image"]);
  }

  void infoListsCountsModelsAndFailures() {
    const auto r = cli({"info", dir_.string(), "--json"});
    QCOMPARE(r.exit_code, 0);
    const json j = json::parse(r.output);
    QCOMPARE(j["done"].get<int>(), 14);
    QCOMPARE(j["failed"].size(), size_t(3));
    QVERIFY(j["active"]["summary"].get<std::string>().find("embedded default") != std::string::npos);
    QCOMPARE(j["models"].size(), size_t(2));
    const auto text = cli({"info", dir_.string()});
    QVERIFY(text.output.find("failed: bad/notes.jpg: not an image") != std::string::npos);
  }

  void errorsAreOneLineWithNonZeroExit() {
    const auto not_collection = cli({"query", tmp_.path().toStdString(), "--region", "1"});
    QCOMPARE(not_collection.exit_code, 1);
    QVERIFY2(oneLine(not_collection.error), not_collection.error.c_str());
    const auto missing_folder = cli({"ingest", (dir_ / "nope").string()});
    QCOMPARE(missing_folder.exit_code, 1);
    QVERIFY(oneLine(missing_folder.error));
    QVERIFY(missing_folder.error.find("nope") != std::string::npos);
    const auto usage = cli({"query", dir_.string(), "--point", "1,1"});
    QCOMPARE(usage.exit_code, 2);
    QVERIFY(oneLine(usage.error));
    QCOMPARE(cli({"query", dir_.string(), "--image", scenes_[0].name, "--point", "x"}).exit_code, 2);
    QCOMPARE(cli({"frobnicate"}).exit_code, 2);
    const auto bad_point = cli({"query", dir_.string(), "--image", scenes_[0].name, "--point", "9999,1"});
    QCOMPARE(bad_point.exit_code, 1);
    QVERIFY(bad_point.error.find("outside") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
