// Semantic auto-labeling on a real ingested collection: user labels on two images (target vs
// background regions) train the region classifier; the other images get per-class auto masks
// that find the target, never cover user-labeled pixels, and are replaced on a re-run.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/learning/auto_label_job.h"
#include "core/pipeline/active_models.h"
#include "core/pipeline/ingest_job.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/label_store.h"
#include "tests/support/synthetic_images.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {
constexpr int kImages = 5;
constexpr int kLabeledImages = 2;
}  // namespace

class TestAutoLabelJob : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path root_;
  std::vector<test::SceneFile> scenes_;

  int64_t autoGeneratorId(Database& db) {
    for (const ModelRecord& m : db.readModels()) {
      if (m.name == kAutoLabelGeneratorName) return m.id;
    }
    return 0;
  }

private slots:
  void initTestCase() {
    root_ = fs::path(dir_.path().toStdString()) / "collection";
    scenes_ = test::writeRetrievalCollection(root_, kImages, 0, 300);
    IngestOptions options;
    options.threads = 2;
    QCOMPARE(IngestJob(root_, options).run().done, int64_t(kImages));
    // The user labels the first images' regions: mostly inside the target → target, outside → background.
    auto db = Database::open(CollectionPaths(root_).database);
    const ActiveModels models = resolveActiveModels(*db, {}, false);
    LabelStore labels(*db);
    const auto target = labels.createClass("target"), background = labels.createClass("background");
    for (int i = 0; i < kLabeledImages; ++i) {
      const auto image = db->findImage(scenes_[size_t(i)].name);
      for (const RegionRecord& r : db->readRegionsOfImage(image->id, models.generator_id)) {
        const double inside = double(cv::countNonZero(decodeRle(r.region.mask) & scenes_[size_t(i)].object_mask)) / double(r.region.area);
        if (inside > 0.8) labels.setUserLabel(r.id, target.id);
        if (inside < 0.02) labels.setUserLabel(r.id, background.id);
      }
    }
    QVERIFY(!labels.readLabels(LabelSource::User, target.id).empty());
  }

  void autoLabelsFindTheTargetAndRespectUserLabels() {
    std::vector<AutoLabelProgress> progress;
    AutoLabelJob job(root_);
    job.setProgressCallback([&](const AutoLabelProgress& p) { progress.push_back(p); });
    const AutoLabelReport report = job.run();
    auto classes = report.classes;
    std::sort(classes.begin(), classes.end());
    QCOMPARE(classes, (std::vector<std::string>{"background", "target"}));
    QCOMPARE(report.images_labeled, int64_t(kImages));
    QCOMPARE(progress.size(), size_t(kImages));
    QCOMPARE(progress.back().finished, int64_t(kImages));

    auto db = Database::open(CollectionPaths(root_).database);
    LabelStore labels(*db);
    const int64_t target = labels.findClass("target")->id;
    const int64_t auto_generator = autoGeneratorId(*db);
    QVERIFY(auto_generator > 0);
    QCOMPARE(int64_t(labels.readLabels(LabelSource::Auto).size()), report.masks_written);
    for (int i = 0; i < kImages; ++i) {
      const auto image = db->findImage(scenes_[size_t(i)].name);
      cv::Mat user = cv::Mat::zeros(image->height, image->width, CV_8U);
      cv::Mat target_mask = user.clone();
      for (const LabelRecord& l : labels.readLabelsOfImage(image->id)) {
        const cv::Mat m = decodeRle(db->readRegion(l.region_id)->region.mask);
        if (l.source == LabelSource::User) {
          user |= m;
        } else {
          QVERIFY(l.confidence > 0 && l.confidence <= 1);
          QCOMPARE(db->readRegion(l.region_id)->generator_id, auto_generator);
          if (l.class_id == target) target_mask |= m;
        }
      }
      QCOMPARE(cv::countNonZero(target_mask & user), 0);  // auto never covers user-labeled pixels
      if (i < kLabeledImages) continue;
      const cv::Mat truth = scenes_[size_t(i)].object_mask != 0;
      const double iou = double(cv::countNonZero(target_mask & truth)) / double(cv::countNonZero(target_mask | truth));
      QVERIFY2(iou > 0.5, qPrintable(QString("%1: target IoU %2").arg(scenes_[size_t(i)].name.c_str()).arg(iou)));
    }
  }

  void rerunsReplaceTheAutoMasks() {
    const AutoLabelReport first = AutoLabelJob(root_).run();
    const AutoLabelReport second = AutoLabelJob(root_).run();
    QCOMPARE(second.masks_written, first.masks_written);
    auto db = Database::open(CollectionPaths(root_).database);
    QCOMPARE(int64_t(LabelStore(*db).readLabels(LabelSource::Auto).size()), second.masks_written);
    AutoLabelOptions only_one;
    only_one.images = {scenes_[3].name};
    QCOMPARE(AutoLabelJob(root_, only_one).run().images_labeled, int64_t(1));
    only_one.images = {"missing.jpg"};
    QVERIFY_THROWS_EXCEPTION(Error, AutoLabelJob(root_, only_one).run());
  }

  void needsTwoClasses() {
    auto db = Database::open(CollectionPaths(root_).database);
    LabelStore labels(*db);
    labels.deleteClass(labels.findClass("background")->id);
    QVERIFY_THROWS_EXCEPTION(Error, AutoLabelJob(root_).run());
  }
};

QTEST_GUILESS_MAIN(TestAutoLabelJob)
#include "tst_auto_label_job.moc"
