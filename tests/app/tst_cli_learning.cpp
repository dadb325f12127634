// `regionlab-cli learn` and `label` end to end on a generated collection: start a concept from a
// click, teach it with accept/reject, name it, undo, list; label regions and auto-label.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using nlohmann::json;
namespace fs = std::filesystem;
using namespace regionlab;

class TestCliLearning : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string root_;
  std::map<std::string, bool> has_object_;
  std::vector<test::SceneFile> scenes_;

  json run(const std::vector<std::string>& args) {
    const auto r = test::runCommand(test::cliBinary(), args);
    if (r.exit_code != 0) {
      qWarning("%s", r.error.c_str());
      return json();
    }
    return json::parse(r.output);
  }

private slots:
  void initTestCase() {
    root_ = (fs::path(dir_.path().toStdString()) / "collection").string();
    scenes_ = test::writeRetrievalCollection(root_, 5, 3, 500);
    for (const auto& s : scenes_) has_object_[s.name] = s.has_object;
    const auto r = test::runCommand(test::cliBinary(), {"ingest", root_, "--threads", "2"});
    QVERIFY2(r.exit_code == 0, r.error.c_str());
  }

  void teachesNamesAndUndoes() {
    const cv::Point c = scenes_[0].object_center;
    json page = run({"learn", "start", root_, "--image", scenes_[0].name, "--point", std::to_string(c.x) + "," + std::to_string(c.y), "--json"});
    QVERIFY(page.is_object());
    QCOMPARE(page["ranker"].get<std::string>(), std::string("query"));
    const int concept_id = page["concept"].get<int>();
    QCOMPARE(page["total"].get<int>(), 7);
    std::string accept, reject;
    for (const auto& hit : page["results"]) {
      const std::string id = std::to_string(hit["region"].get<int64_t>());
      std::string& list = has_object_.at(hit["image"].get<std::string>()) ? accept : reject;
      if (std::count(list.begin(), list.end(), ',') < 1) list += (list.empty() ? "" : ",") + id;
    }
    QVERIFY(!accept.empty() && !reject.empty());
    page = run({"learn", "feedback", root_, "--concept", std::to_string(concept_id), "--accept", accept, "--reject", reject, "--json"});
    QCOMPARE(page["ranker"].get<std::string>(), std::string("classifier"));
    QVERIFY(page["training"]["positives"].get<int>() >= 2);
    QVERIFY(has_object_.at(page["results"][0]["image"].get<std::string>()));  // an unjudged target image comes first
    const int items = page["feedback_items"].get<int>();

    page = run({"learn", "name", root_, "--concept", std::to_string(concept_id), "--name", "target", "--color", "#ff0000", "--json"});
    QCOMPARE(page["class"].get<std::string>(), std::string("target"));
    json classes = run({"label", "classes", root_, "--json"});
    QCOMPARE(classes[0]["name"].get<std::string>(), std::string("target"));
    QCOMPARE(classes[0]["color"].get<std::string>(), std::string("#ff0000"));
    const int labeled = classes[0]["user_labels"].get<int>();
    QVERIFY(labeled >= 2);  // the query region and the accepted ones

    page = run({"learn", "undo", root_, "--concept", std::to_string(concept_id), "--steps", "1", "--json"});
    QCOMPARE(page["feedback_items"].get<int>(), items - 1);
    const json list = run({"learn", "list", root_, "--json"});
    QCOMPARE(list.size(), size_t(1));
    QCOMPARE(list[0]["class"].get<std::string>(), std::string("target"));
    QCOMPARE(list[0]["feedback_items"].get<int>(), items - 1);
    page = run({"learn", "show", root_, "--concept", std::to_string(concept_id), "--mode", "uncertain", "--page", "2", "--top", "2", "--json"});
    QCOMPARE(page["results"].size(), size_t(2));
  }

  void labelsAndAutoLabels() {
    // A background label on a region of an image without the target, then auto-labeling.
    const auto& empty_scene = scenes_.back();
    QVERIFY(!empty_scene.has_object);
    const auto start = test::runCommand(test::cliBinary(), {"query", root_, "--image", empty_scene.name, "--point", "5,5", "--top", "1", "--json"});
    const json q = json::parse(start.output);
    const std::string background_region = std::to_string(q["query"]["region"].get<int64_t>());
    auto r = test::runCommand(test::cliBinary(), {"label", "set", root_, "--region", background_region, "--class", "background"});
    QVERIFY2(r.exit_code == 0, r.error.c_str());
    const json report = run({"label", "auto", root_, "--json"});
    QCOMPARE(report["images_labeled"].get<int>(), 8);
    QVERIFY(report["masks_written"].get<int>() >= 8);
    const json labels = run({"label", "show", root_, "--image", empty_scene.name, "--json"});
    bool has_user = false, has_auto = false;
    for (const auto& l : labels) {
      has_user |= l["source"] == "user";
      has_auto |= l["source"] == "auto";
    }
    QVERIFY(has_user && has_auto);
    r = test::runCommand(test::cliBinary(), {"label", "remove", root_, "--region", background_region});
    QCOMPARE(r.exit_code, 0);
    r = test::runCommand(test::cliBinary(), {"label", "remove", root_, "--region", background_region});
    QCOMPARE(r.exit_code, 1);
  }

  void reportsMistakes() {
    auto r = test::runCommand(test::cliBinary(), {"learn", "feedback", root_, "--accept", "1"});
    QCOMPARE(r.exit_code, 2);  // --concept missing
    r = test::runCommand(test::cliBinary(), {"learn", "show", root_, "--concept", "99"});
    QCOMPARE(r.exit_code, 1);
    QVERIFY(r.error.find("concept 99 does not exist") != std::string::npos);
    r = test::runCommand(test::cliBinary(), {"learn", "fly", root_});
    QCOMPARE(r.exit_code, 2);
    r = test::runCommand(test::cliBinary(), {"label", "add-class", root_, "--name", "target"});
    QCOMPARE(r.exit_code, 1);  // exists already
  }
};

QTEST_GUILESS_MAIN(TestCliLearning)
#include "tst_cli_learning.moc"
