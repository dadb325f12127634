// The retrieval and semantic-labeling protocols end to end on a small generated collection with
// exact ground truth (a striped target object in half of the scenes): real images, a real
// ingest with the embedded default pipeline, COCO panoptic JSON + PNGs and class-index PNGs
// written by the test, then the core functions and `regionlab-cli eval` with its JSON and chart.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/eval/retrieval_eval.h"
#include "core/eval/semseg_eval.h"
#include "core/pipeline/ingest_job.h"
#include "tests/support/synthetic_images.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {
constexpr int kImages = 12;  // even indices hold the target
constexpr int kIgnore = 255;
}  // namespace

class TestEvalProtocols : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path collection_, gt_, labels_;

  void writeGroundTruth(int i, const test::SyntheticScene& scene, nlohmann::json& images, nlohmann::json& annotations) {
    char stem[32];
    std::snprintf(stem, sizeof stem, "scene_%03d", i);
    const int H = scene.rgb.rows, W = scene.rgb.cols;
    // Panoptic: segment 1 = the target (thing), segment 2 = everything else (stuff).
    cv::Mat ids(H, W, CV_8UC3, cv::Scalar(0, 0, 2));  // BGR: R = 2
    cv::Mat semantic(H, W, CV_8U, cv::Scalar(2));
    if (scene.has_object) {
      ids.setTo(cv::Scalar(0, 0, 1), scene.object_mask);
      semantic.setTo(1, scene.object_mask);
    }
    semantic.rowRange(0, 4).setTo(kIgnore);  // a void strip
    QVERIFY(cv::imwrite((gt_ / "panoptic" / (std::string(stem) + ".png")).string(), ids));
    QVERIFY(cv::imwrite((labels_ / (std::string(stem) + ".png")).string(), semantic));
    nlohmann::json segments = nlohmann::json::array();
    if (scene.has_object) segments.push_back({{"id", 1}, {"category_id", 1}, {"iscrowd", 0}, {"area", cv::countNonZero(scene.object_mask)}});
    segments.push_back({{"id", 2}, {"category_id", 2}, {"iscrowd", 0}, {"area", H * W}});
    images.push_back({{"id", i + 1}, {"file_name", std::string(stem) + ".jpg"}, {"width", W}, {"height", H}});
    annotations.push_back({{"image_id", i + 1}, {"file_name", std::string(stem) + ".png"}, {"segments_info", segments}});
  }

private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const fs::path root = dir_.path().toStdString();
    collection_ = root / "collection";
    gt_ = root / "gt";
    labels_ = root / "labels";
    fs::create_directories(collection_);
    fs::create_directories(gt_ / "panoptic");
    fs::create_directories(labels_);
    nlohmann::json images = nlohmann::json::array(), annotations = nlohmann::json::array();
    for (int i = 0; i < kImages; ++i) {
      const test::SyntheticScene scene = test::makeRetrievalScene(100 + uint32_t(i), i % 2 == 0);
      char name[32];
      std::snprintf(name, sizeof name, "scene_%03d.jpg", i);
      test::writeRgbImage(collection_ / name, scene.rgb, {cv::IMWRITE_JPEG_QUALITY, 92});
      writeGroundTruth(i, scene, images, annotations);
    }
    const nlohmann::json categories = {{{"id", 1}, {"name", "target"}, {"isthing", 1}}, {{"id", 2}, {"name", "background"}, {"isthing", 0}}};
    std::ofstream(gt_ / "panoptic.json") << nlohmann::json{{"images", images}, {"annotations", annotations}, {"categories", categories}}.dump();
    IngestOptions options;
    options.threads = 2;
    const IngestReport report = IngestJob(collection_, options).run();
    QCOMPARE(report.done, int64_t(kImages));
  }

  void retrievalFindsTheTargetAboveChance() {
    const PanopticDataset gt = readCocoPanoptic(gt_ / "panoptic.json");
    QCOMPARE(gt.images.size(), size_t(kImages));
    const RetrievalEvalReport r = evaluateRetrieval(collection_, gt);
    qInfo("retrieval: mAP %.3f (whole image %.3f, crop %.3f, random %.3f)", r.regions.mean_ap, r.whole_image.mean_ap, r.crop.mean_ap,
          r.random.mean_ap);
    QCOMPARE(r.gallery_images, int64_t(kImages));
    QCOMPARE(r.classes, int64_t(1));      // things only: the target
    QCOMPARE(r.queries, int64_t(kImages / 2));  // one per image holding it
    QCOMPARE(r.skipped_queries, int64_t(0));
    // 5 relevant among 11 others: the exact random expectation.
    QVERIFY(std::abs(r.random.mean_ap - 0.5647) < 0.001);  // H_11/11 + 4 (11 - H_11) / 110
    QVERIFY2(r.regions.mean_ap > r.random.mean_ap + 0.2, qPrintable(QString("mAP %1 vs random %2").arg(r.regions.mean_ap).arg(r.random.mean_ap)));
    QVERIFY(r.has_baselines);
    QVERIFY(r.whole_image.mean_ap > 0 && r.crop.mean_ap > 0);
    // Fewer queries per class and stuff categories are honoured.
    RetrievalEvalOptions o;
    o.queries_per_class = 2;
    o.things_only = false;
    o.baselines = false;
    const RetrievalEvalReport r2 = evaluateRetrieval(collection_, gt, o);
    QCOMPARE(r2.classes, int64_t(2));
    QCOMPARE(r2.queries, int64_t(4));
    QVERIFY(!r2.has_baselines);
  }

  void semanticLabelingIsScoredAgainstTheOracle() {
    SemsegEvalOptions o;
    o.ignore_values = {kIgnore};
    o.class_names = {{1, "target"}, {2, "background"}};
    const SemsegEvalReport r = evaluateSemanticSegmentation(collection_, labels_, o);
    qInfo("semseg: mIoU %.3f, oracle %.3f, soft oracle %.3f", r.mean_iou, r.oracle_mean_iou, r.oracle_soft_mean_iou);
    QCOMPARE(r.train_images, int64_t(6));
    QCOMPARE(r.test_images, int64_t(6));
    QVERIFY(r.training_regions > 10);
    QCOMPARE(r.coverage, 1.0);  // the default generator covers every pixel
    QCOMPARE(r.per_class.size(), size_t(2));
    QCOMPARE(r.per_class[0].name, std::string("target"));
    QVERIFY2(r.oracle_mean_iou > 0.7, qPrintable(QString::number(r.oracle_mean_iou)));
    QVERIFY2(r.mean_iou > 0.5, qPrintable(QString::number(r.mean_iou)));
    QVERIFY(r.mean_iou <= r.oracle_mean_iou + 0.1);
    QVERIFY(r.pixel_accuracy > 0.8);
    QVERIFY_THROWS_EXCEPTION(Error, evaluateSemanticSegmentation(collection_, gt_ / "missing", o));
  }

  void cliWritesJsonAndChart() {
    const fs::path chart = fs::path(dir_.path().toStdString()) / "retrieval.png";
    auto result = test::runCommand(test::cliBinary(), {"eval", "retrieval", collection_.string(), "--coco-panoptic",
                                                       (gt_ / "panoptic.json").string(), "--chart", chart.string(), "--json"});
    QVERIFY2(result.exit_code == 0, result.error.c_str());
    auto j = nlohmann::json::parse(result.output);
    for (const char* key : {"mAP", "precision_at_10", "precision_at_50", "random_mAP", "queries", "classes", "per_class"}) {
      QVERIFY2(j.contains(key), key);
    }
    QCOMPARE(j["queries"].get<int>(), kImages / 2);
    QCOMPARE(j["per_class"][0]["name"].get<std::string>(), std::string("target"));
    const cv::Mat png = cv::imread(chart.string());
    QVERIFY(!png.empty() && png.cols == 1000);

    result = test::runCommand(test::cliBinary(), {"eval", "semseg", collection_.string(), "--labels", labels_.string(), "--ignore", "255", "--json"});
    QVERIFY2(result.exit_code == 0, result.error.c_str());
    j = nlohmann::json::parse(result.output);
    for (const char* key : {"mIoU", "oracle_mIoU", "per_class"}) QVERIFY2(j.contains(key), key);
    QVERIFY(fs::exists(j["chart"].get<std::string>()));

    result = test::runCommand(test::cliBinary(), {"eval", "retrieval", collection_.string()});
    QCOMPARE(result.exit_code, 2);  // --coco-panoptic missing: a usage error
    result = test::runCommand(test::cliBinary(), {"eval", "semseg", collection_.string(), "--labels", (gt_ / "nope").string()});
    QCOMPARE(result.exit_code, 1);
    QVERIFY(result.error.find("nope") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestEvalProtocols)
#include "tst_eval_protocols.moc"
