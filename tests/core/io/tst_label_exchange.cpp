// Import and export over a real collection database: every format round-trips through the
// database, a second import adds nothing, a failing import adds nothing, the class map and the
// user/auto choice work, downscaled images are scaled both ways; and the public COCO subset's
// panoptic ground truth, imported and exported as COCO instances, gives back every mask.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

#include "core/base/error.h"
#include "core/io/coco_instances.h"
#include "core/io/coco_panoptic.h"
#include "core/io/label_exchange.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "core/storage/sqlite_connection.h"
#include "tests/core/io/label_fixtures.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

// A collection whose images are recorded as ingested (import needs only their rows and sizes).
struct Collection {
  explicit Collection(const fs::path& root) : paths((fs::create_directories(root), root)) {
    paths.createDataDirs();
    db = Database::open(paths.database);
  }
  int64_t addImage(const std::string& path, int width, int height, int orig_width = 0, int orig_height = 0) {
    ImageRecord r;
    r.path = path;
    r.sha256 = path;
    r.width = width;
    r.height = height;
    r.orig_width = orig_width ? orig_width : width;
    r.orig_height = orig_height ? orig_height : height;
    r.status = ImageStatus::Done;
    return db->writeImage(r);
  }
  int64_t count(const std::string& table) {
    auto s = db->connection().prepare("SELECT count(*) FROM " + table);
    s.step();
    return s.columnInt(0);
  }
  CollectionPaths paths;
  std::unique_ptr<Database> db;
};

LabelSet sortedByName(LabelSet set) {
  std::sort(set.images.begin(), set.images.end(), [](const LabeledImage& a, const LabeledImage& b) { return a.file_name < b.file_name; });
  return set;
}

}  // namespace

class TestLabelExchange : public QObject {
  Q_OBJECT

private slots:
  void everyFormatRoundTripsThroughTheDatabase_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<double>("min_iou");
    QTest::newRow("coco") << "coco" << 1.0;
    QTest::newRow("coco-panoptic") << "coco-panoptic" << 1.0;
    QTest::newRow("yolo-seg") << "yolo-seg" << 0.99;
    QTest::newRow("labelme") << "labelme" << 1.0;
  }
  void everyFormatRoundTripsThroughTheDatabase() {
    QFETCH(QString, format);
    QFETCH(double, min_iou);
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    c.addImage("a/one.jpg", 64, 48);
    c.addImage("b/two.png", 40, 30);
    const LabelSet fixture = test::makeTrickyLabelSet();
    const LabelFormat f = labelFormatFromName(format.toStdString());

    // fixture → files → database → files → set: compare with the fixture.
    const fs::path first = fs::path(dir.path().toStdString()) / "first";
    writeLabelSet(fixture, f, first, {}, root);
    const fs::path source = f == LabelFormat::CocoInstances ? first / "instances.json" : f == LabelFormat::CocoPanoptic ? first / "panoptic.json" : first;
    LabelImportOptions options;
    options.format = f;
    const LabelImportReport report = importCollectionLabels(root, source, options);
    QCOMPARE(report.images_matched, 2);
    // YOLO-seg writes the road's three far-apart pieces as three objects (see writeYoloSeg).
    const int expected_labels = f == LabelFormat::YoloSeg ? 6 : 4;
    QCOMPARE(report.written.labels_added, expected_labels);
    QCOMPARE(report.written.classes_added, 3);

    // Importing twice does not duplicate.
    const int64_t regions = c.count("regions"), labels = c.count("labels");
    const LabelImportReport again = importCollectionLabels(root, source, options);
    QCOMPARE(again.written.labels_added, 0);
    QCOMPARE(again.written.labels_existing, expected_labels);
    QCOMPARE(c.count("regions"), regions);
    QCOMPARE(c.count("labels"), labels);

    const fs::path second = fs::path(dir.path().toStdString()) / "second";
    LabelExportOptions export_options;
    export_options.format = LabelFormat::CocoInstances;
    exportCollectionLabels(root, second, export_options);
    const LabelSet back = sortedByName(readCocoInstances(second / "instances.json"));
    QCOMPARE(back.images.size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
      const LabeledImage& e = fixture.images[i];
      const LabeledImage& a = back.images[i];
      QCOMPARE(a.file_name, e.file_name);
      for (const LabelClass& cls : fixture.classes) {
        cv::Mat expected = cv::Mat::zeros(e.height, e.width, CV_8U), actual = expected.clone();
        for (const LabeledInstance& i : e.instances) if (i.class_name == cls.name) expected |= decodeRle(i.mask);
        for (const LabeledInstance& i : a.instances) if (i.class_name == cls.name) actual |= decodeRle(i.mask);
        const int inter = cv::countNonZero(expected & actual), uni = cv::countNonZero(expected | actual);
        const double iou = uni == 0 ? 1.0 : double(inter) / uni;
        QVERIFY2(iou >= min_iou, qPrintable(QString("%1: %2 IoU %3").arg(format, QString::fromStdString(cls.name)).arg(iou)));
      }
      if (f != LabelFormat::YoloSeg) QCOMPARE(a.instances.size(), e.instances.size());
    }
  }

  void failingImportAddsNothing() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    c.addImage("a/one.jpg", 64, 48);  // b/two.png is not in the collection
    const fs::path out = fs::path(dir.path().toStdString()) / "out";
    writeLabelSet(test::makeTrickyLabelSet(), LabelFormat::CocoInstances, out, {}, root);
    LabelImportOptions options;
    try {
      importCollectionLabels(root, out / "instances.json", options);
      QFAIL("an image missing from the collection must fail the import");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("b/two.png") != std::string::npos, e.what());
      QVERIFY(std::string(e.what()).find("--skip-missing") != std::string::npos);
    }
    QCOMPARE(c.count("labels"), int64_t(0));
    QCOMPARE(c.count("regions"), int64_t(0));
    QCOMPARE(c.count("classes"), int64_t(0));

    options.missing_images = MissingImagePolicy::Skip;
    const LabelImportReport report = importCollectionLabels(root, out / "instances.json", options);
    QCOMPARE(report.missing_images, std::vector<std::string>{"b/two.png"});
    QCOMPARE(report.written.labels_added, 3);
  }

  void wrongSizeIsRefused() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    c.addImage("a/one.jpg", 64, 47);
    c.addImage("b/two.png", 40, 30);
    const fs::path out = fs::path(dir.path().toStdString()) / "out";
    writeLabelSet(test::makeTrickyLabelSet(), LabelFormat::CocoInstances, out, {}, root);
    try {
      importCollectionLabels(root, out / "instances.json", {});
      QFAIL("a size mismatch must fail the import");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("64x48 in the label file but 64x47") != std::string::npos, e.what());
    }
    QCOMPARE(c.count("labels"), int64_t(0));
  }

  void classMapRenamesAndLeavesOut() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    c.addImage("a/one.jpg", 64, 48);
    c.addImage("b/two.png", 40, 30);
    const fs::path out = fs::path(dir.path().toStdString()) / "out";
    writeLabelSet(test::makeTrickyLabelSet(), LabelFormat::CocoInstances, out, {}, root);
    std::ofstream(out / "map.json") << R"({"cat": "feline", "road": null})";
    LabelImportOptions options;
    options.class_map = readClassMapFile(out / "map.json");
    const LabelImportReport report = importCollectionLabels(root, out / "instances.json", options);
    QCOMPARE(report.instances_left_out, 1);
    QCOMPARE(report.written.labels_added, 3);
    auto s = c.db->connection().prepare("SELECT name FROM classes ORDER BY name");
    std::vector<std::string> names;
    while (s.step()) names.push_back(s.columnText(0));
    QCOMPARE(names, (std::vector<std::string>{"dog", "feline"}));

    options.class_map.clear();
    options.only_existing_classes = true;  // "cat" and "road" are unknown now
    try {
      importCollectionLabels(root, out / "instances.json", options);
      QFAIL("unknown classes must be refused");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("classes not in the collection: cat, road") != std::string::npos, e.what());
    }
  }

  void exportChoosesUserOrAutoAboveConfidence() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    const int64_t image = c.addImage("img.jpg", 20, 10);
    const int64_t gen = c.db->ensureModel("region_generator", "default", "x", 0);
    std::vector<Region> regions;
    for (int k = 0; k < 3; ++k) {
      cv::Mat m = cv::Mat::zeros(10, 20, CV_8U);
      cv::rectangle(m, cv::Rect(k * 6, 0, 5, 5), 1, cv::FILLED);
      regions.push_back(makeRegion(encodeMask(m)));
    }
    const auto ids = c.db->writeRegions(image, gen, regions);
    c.db->connection().exec("INSERT INTO classes(name, color) VALUES ('cat', '#ff0000')");
    auto label = [&](int64_t region, const char* source, double confidence) {
      c.db->connection().prepare("INSERT INTO labels(region_id, class_id, source, confidence) VALUES (?, 1, ?, ?)")
          .bind(1, region).bind(2, std::string(source)).bind(3, confidence).run();
    };
    label(ids[0], "user", 1.0);
    label(ids[1], "auto", 0.9);
    label(ids[2], "auto", 0.3);
    auto exported = [&](LabelExportOptions o) {
      const fs::path out = fs::path(dir.path().toStdString()) / ("out" + std::to_string(o.include_auto) + std::to_string(int(o.min_auto_confidence * 10)));
      exportCollectionLabels(root, out, o);
      return readCocoInstances(out / "instances.json").instanceCount();
    };
    LabelExportOptions o;
    QCOMPARE(exported(o), size_t(1));
    o.include_auto = true;
    QCOMPARE(exported(o), size_t(2));
    o.min_auto_confidence = 0.2;
    QCOMPARE(exported(o), size_t(3));
  }

  void downscaledImagesAreScaledBothWays() {
    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    c.addImage("img.jpg", 32, 24, 64, 48);  // analysed at half size
    LabelSet set;
    LabeledImage image{"img.jpg", 1, 64, 48, {}};
    cv::Mat m = cv::Mat::zeros(48, 64, CV_8U);
    cv::rectangle(m, cv::Rect(8, 8, 32, 16), 1, cv::FILLED);
    image.instances.push_back({"cat", encodeMask(m), LabelSource::User, 1.0, false});
    set.images.push_back(image);
    set.completeClasses();
    const fs::path in = fs::path(dir.path().toStdString()) / "in";
    writeLabelSet(set, LabelFormat::CocoInstances, in, {}, root);
    importCollectionLabels(root, in / "instances.json", {});
    auto s = c.db->connection().prepare("SELECT w, h FROM regions");
    QVERIFY(s.step());
    QCOMPARE(s.columnInt(0), int64_t(16));  // stored at the analysed size
    const fs::path out = fs::path(dir.path().toStdString()) / "out";
    exportCollectionLabels(root, out, {});
    const LabelSet back = readCocoInstances(out / "instances.json");
    QCOMPARE(back.images[0].width, 64);
    QCOMPARE(rleIoU(back.images[0].instances[0].mask, set.images[0].instances[0].mask), 1.0);
  }

  // The public COCO subset: panoptic ground truth → database → COCO instances, mask by mask.
  void cocoPanopticGroundTruthSurvivesImportAndExport() {
    const auto shared = test::sharedDir();
    if (!shared) QSKIP("../shared is absent: no public COCO subset");
    const fs::path data = *shared / "data" / "coco128_lightly";
    const fs::path json = data / "panoptic_segmentation" / "annotations" / "panoptic_val2017.json";
    if (!fs::exists(json)) QSKIP("coco128_lightly panoptic annotations are absent");
    const LabelSet truth = readCocoPanoptic(json);
    QVERIFY(truth.images.size() >= 50);

    QTemporaryDir dir;
    const fs::path root = fs::path(dir.path().toStdString()) / "collection";
    Collection c(root);
    for (const LabeledImage& image : truth.images) c.addImage("val2017/" + image.file_name, image.width, image.height);
    LabelImportOptions options;
    options.format = LabelFormat::CocoPanoptic;
    const LabelImportReport report = importCollectionLabels(root, json, options);
    QCOMPARE(report.images_matched, int(truth.images.size()));
    QCOMPARE(report.written.labels_added, int(truth.instanceCount()));

    const fs::path out = fs::path(dir.path().toStdString()) / "out";
    exportCollectionLabels(root, out, {});
    const LabelSet exported = readCocoInstances(out / "instances.json");
    std::map<std::string, const LabeledImage*> by_name;
    for (const LabeledImage& image : exported.images) by_name[image.file_name] = &image;
    size_t compared = 0;
    for (const LabeledImage& image : truth.images) {
      const auto it = by_name.find("val2017/" + image.file_name);
      QVERIFY2(it != by_name.end(), image.file_name.c_str());
      const LabeledImage& out_image = *it->second;
      QCOMPARE(out_image.instances.size(), image.instances.size());
      for (const LabeledInstance& expected : image.instances) {
        // Panoptic segments do not overlap: each has exactly one identical counterpart.
        const auto match = std::find_if(out_image.instances.begin(), out_image.instances.end(), [&](const LabeledInstance& i) {
          return i.mask == expected.mask && i.class_name == expected.class_name;
        });
        QVERIFY2(match != out_image.instances.end(), (image.file_name + ": " + expected.class_name).c_str());
        ++compared;
      }
    }
    QCOMPARE(compared, truth.instanceCount());
    qInfo("compared %zu masks of %zu images", compared, truth.images.size());
  }
};

QTEST_APPLESS_MAIN(TestLabelExchange)
#include "tst_label_exchange.moc"
