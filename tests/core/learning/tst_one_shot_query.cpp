// One-shot retrieval on generated data: 40 scenes, 20 holding the same striped object at
// different places and scales on varied backgrounds among distractors. Querying with one
// instance (a click on it) must rank the images holding the object above the others.
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/learning/one_shot_query.h"
#include "core/pipeline/ingest_job.h"
#include "tests/support/synthetic_images.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

struct Collection {
  QTemporaryDir tmp;
  fs::path dir;
  std::vector<test::SceneFile> scenes;
  Collection() : dir(fs::path(tmp.path().toStdString()) / "scenes") {
    scenes = test::writeRetrievalCollection(dir, 20, 20, 500);
    IngestOptions options;
    options.threads = 2;
    const IngestReport r = IngestJob(dir, options).run();
    if (r.done != 40) qFatal("ingest failed");
  }
};

Collection& collection() {
  static Collection c;
  return c;
}

// Average precision of a ranking given which results are relevant (all relevant items counted).
double averagePrecision(const std::vector<bool>& relevant, int total_relevant) {
  double sum = 0;
  int hits = 0;
  for (size_t i = 0; i < relevant.size(); ++i) {
    if (!relevant[i]) continue;
    ++hits;
    sum += double(hits) / double(i + 1);
  }
  return total_relevant ? sum / total_relevant : 0;
}

}  // namespace

class TestOneShotQuery : public QObject {
  Q_OBJECT

private slots:
  void imagesHoldingTheObjectRankFirst() {
    Collection& c = collection();
    QueryEngine engine(c.dir);
    QueryOptions options;
    options.top_k = 100;
    double mean_ap = 0, mean_precision = 0;
    const int queries = 5;
    for (int q = 0; q < queries; ++q) {  // five different instances as queries
      const auto& scene = c.scenes[size_t(q)];
      QuerySpec spec;
      spec.image = scene.name;
      spec.point = std::pair{scene.object_center.x, scene.object_center.y};
      for (const auto method : {SearchMethod::Exact, SearchMethod::Hnsw}) {
        options.method = method;
        const QueryResult result = engine.run(spec, options);
        QCOMPARE(result.results.size(), size_t(39));  // all other images; the query's own excluded
        std::vector<bool> relevant;
        for (const QueryHit& hit : result.results) {
          QVERIFY(hit.image != scene.name);
          const auto it = std::find_if(c.scenes.begin(), c.scenes.end(), [&](const auto& s) { return s.name == hit.image; });
          relevant.push_back(it->has_object);
        }
        const double ap = averagePrecision(relevant, 19);
        const double precision_at_19 = double(std::count(relevant.begin(), relevant.begin() + 19, true)) / 19.0;
        // Every image holding the object ranks above every image without it.
        QVERIFY2(precision_at_19 == 1.0, qPrintable(QString("query %1 (%2): precision@19 %3").arg(q).arg(searchMethodName(method).c_str()).arg(precision_at_19)));
        if (method == SearchMethod::Exact) {
          mean_ap += ap / queries;
          mean_precision += precision_at_19 / queries;
          qInfo("query %d (%s): AP %.3f, precision@19 %.3f", q, scene.name.c_str(), ap, precision_at_19);
        }
      }
    }
    qInfo("mean AP %.3f, mean precision@19 %.3f over %d queries (random ranking: AP ~0.49)", mean_ap, mean_precision, queries);
  }

  void queriesByRegionIdAndByMask() {
    Collection& c = collection();
    QueryEngine engine(c.dir);
    const auto& scene = c.scenes[3];
    QuerySpec by_point;
    by_point.image = scene.name;
    by_point.point = std::pair{scene.object_center.x, scene.object_center.y};
    const QueryVector clicked = engine.resolve(by_point);
    QVERIFY(clicked.region_id > 0);
    QVERIFY(rleContains(clicked.region.mask, scene.object_center.x, scene.object_center.y));

    QuerySpec by_id;
    by_id.region_id = clicked.region_id;
    const QueryResult a = engine.run(by_id, {});
    const QueryResult b = engine.run(by_point, {});
    QCOMPARE(a.results.size(), b.results.size());
    QCOMPARE(a.results.front().image, b.results.front().image);
    QCOMPARE(a.query_image, scene.name);

    // A mask query: the true object mask as a PNG.
    const fs::path png = c.dir.parent_path() / "object.png";
    cv::imwrite(png.string(), scene.object_mask);
    QuerySpec by_mask;
    by_mask.image = scene.name;
    by_mask.mask_png = png;
    const QueryResult m = engine.run(by_mask, {});
    QCOMPARE(m.query_region_id, int64_t(0));
    int relevant = 0;
    for (size_t i = 0; i < 10; ++i) {
      const auto& hit = m.results[i];
      relevant += std::find_if(c.scenes.begin(), c.scenes.end(), [&](const auto& s) { return s.name == hit.image; })->has_object;
    }
    qInfo("mask query: %d of the top 10 hold the object", relevant);
    QVERIFY(relevant >= 9);

    // The query image is returned only when asked.
    QueryOptions include;
    include.include_query_image = true;
    const QueryResult with_self = engine.run(by_id, include);
    QCOMPARE(with_self.results.front().image, scene.name);
    QVERIFY(with_self.results.front().score > 0.99f);
  }

  void refusesBadQueries() {
    Collection& c = collection();
    QueryEngine engine(c.dir);
    QuerySpec outside;
    outside.image = c.scenes[0].name;
    outside.point = std::pair{5000, 5};
    QVERIFY_THROWS_EXCEPTION(Error, engine.resolve(outside));
    QuerySpec unknown;
    unknown.image = "not-there.jpg";
    unknown.point = std::pair{1, 1};
    QVERIFY_THROWS_EXCEPTION(Error, engine.resolve(unknown));
    QuerySpec missing_region;
    missing_region.region_id = 99999999;
    QVERIFY_THROWS_EXCEPTION(Error, engine.resolve(missing_region));
    const fs::path small = c.dir.parent_path() / "small.png";
    cv::imwrite(small.string(), cv::Mat::ones(10, 10, CV_8U));
    QuerySpec wrong_size;
    wrong_size.image = c.scenes[0].name;
    wrong_size.mask_png = small;
    QVERIFY_THROWS_EXCEPTION(Error, engine.resolve(wrong_size));
    QVERIFY_THROWS_EXCEPTION(Error, QueryEngine(c.dir.parent_path()));  // not a collection
  }
};

QTEST_GUILESS_MAIN(TestOneShotQuery)
#include "tst_one_shot_query.moc"
