// regionlab-cli clusters and query --index drq, end to end on a small generated collection.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;

class TestCliClusters : public QObject {
  Q_OBJECT

private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    folder_ = dir_.path().toStdString();
    for (uint32_t i = 0; i < 6; ++i) test::writeRgbImage(std::filesystem::path(folder_) / ("shapes" + std::to_string(i) + ".png"), test::makeShapesImage(i));
    const auto ingest = test::runCommand(test::cliBinary().string(), {"ingest", folder_});
    QVERIFY2(ingest.exit_code == 0, ingest.error.c_str());
  }

  void clustersTheRegions() {
    const auto run = test::runCommand(test::cliBinary().string(), {"clusters", folder_, "--k", "4", "--json"});
    QVERIFY2(run.exit_code == 0, run.error.c_str());
    const auto out = nlohmann::json::parse(run.output);
    QCOMPARE(out["clusters"].size(), size_t(4));
    size_t members = 0;
    int64_t previous_size = INT64_MAX;
    for (const auto& c : out["clusters"]) {
      QCOMPARE(c["size"].get<size_t>(), c["regions"].size());
      QVERIFY(c["size"].get<int64_t>() <= previous_size);  // largest first
      previous_size = c["size"].get<int64_t>();
      members += c["regions"].size();
      for (const auto& r : c["regions"]) QVERIFY(r["image"].get<std::string>().rfind("shapes", 0) == 0);
    }
    QCOMPARE(members, out["regions"].get<size_t>());
    // Without --k: the stored clustering, the same grouping.
    const auto again = test::runCommand(test::cliBinary().string(), {"clusters", folder_, "--json"});
    QVERIFY2(again.exit_code == 0, again.error.c_str());
    QCOMPARE(nlohmann::json::parse(again.output)["clusters"], out["clusters"]);
    // Usage errors exit 2.
    QCOMPARE(test::runCommand(test::cliBinary().string(), {"clusters", folder_, "--k", "0"}).exit_code, 2);
  }

  // Six images give a few hundred regions: too few for codes, and --index drq says so.
  void drqSearchExplainsMissingCodes() {
    const auto run = test::runCommand(test::cliBinary().string(), {"query", folder_, "--image", "shapes0.png", "--point", "50,50", "--index", "drq"});
    QCOMPARE(run.exit_code, 1);
    QVERIFY2(QString::fromStdString(run.error).contains("--index exact"), run.error.c_str());
    const auto exact = test::runCommand(test::cliBinary().string(), {"query", folder_, "--image", "shapes0.png", "--point", "50,50", "--index", "exact"});
    QVERIFY2(exact.exit_code == 0, exact.error.c_str());
    QCOMPARE(test::runCommand(test::cliBinary().string(), {"query", folder_, "--region", "1", "--index", "pq"}).exit_code, 2);
  }

private:
  QTemporaryDir dir_;
  std::string folder_;
};

QTEST_GUILESS_MAIN(TestCliClusters)
#include "tst_cli_clusters.moc"
