// Each interchange format written and read back: RLE formats give identical masks, polygon
// formats IoU ≥ 0.99 (exact where the mask has no hole); malformed files are refused with the
// file, the line or field, and the reason.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/io/coco_instances.h"
#include "core/io/coco_panoptic.h"
#include "core/io/labelme.h"
#include "core/io/mask_polygons.h"
#include "core/io/palette_png.h"
#include "core/io/pascal_voc.h"
#include "core/io/yolo_seg.h"
#include "tests/core/io/label_fixtures.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// Instances matched in order: same class, masks with IoU at least min_iou.
void compareSets(const LabelSet& expected, const LabelSet& actual, double min_iou, bool by_stem = false) {
  QCOMPARE(actual.images.size(), expected.images.size());
  for (size_t i = 0; i < expected.images.size(); ++i) {
    const LabeledImage& e = expected.images[i];
    const LabeledImage& a = actual.images[i];
    const std::string expected_name = by_stem ? fs::path(e.file_name).replace_extension().generic_string() : e.file_name;
    QCOMPARE(a.file_name, expected_name);
    QCOMPARE(a.width, e.width);
    QCOMPARE(a.height, e.height);
    QCOMPARE(a.instances.size(), e.instances.size());
    for (size_t k = 0; k < e.instances.size(); ++k) {
      QCOMPARE(a.instances[k].class_name, e.instances[k].class_name);
      const double iou = rleIoU(a.instances[k].mask, e.instances[k].mask);
      QVERIFY2(iou >= min_iou, qPrintable(QString("%1 instance %2: IoU %3").arg(QString::fromStdString(e.file_name)).arg(k).arg(iou)));
    }
  }
}

cv::Mat classUnion(const LabeledImage& image, const std::string& name) {
  cv::Mat m = cv::Mat::zeros(image.height, image.width, CV_8U);
  for (const LabeledInstance& i : image.instances) {
    if (i.class_name == name) m |= decodeRle(i.mask);
  }
  return m;
}

template <typename F>
QString errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestLabelFormats : public QObject {
  Q_OBJECT

private slots:
  void cocoRleRoundTripIsIdentical() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path file = fs::path(dir.path().toStdString()) / "instances.json";
    writeCocoInstances(set, file);
    const LabelSet back = readCocoInstances(file);
    compareSets(set, back, 1.0);
    // The segmentation is COCO's compressed string, as pycocotools writes it.
    const auto doc = nlohmann::json::parse(std::ifstream(file));
    const auto& seg = doc["annotations"][0]["segmentation"];
    QVERIFY(seg["counts"].is_string());
    QCOMPARE(seg["counts"].get<std::string>(), rleToCocoString(set.images[0].instances[0].mask));
    QCOMPARE(doc["categories"].size(), size_t(3));
    QCOMPARE(doc["images"][0]["width"].get<int>(), 64);
  }

  void cocoPolygonsKeepHolesAsRle() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path file = fs::path(dir.path().toStdString()) / "instances.json";
    const ExportReport report = writeCocoInstances(set, file, {true, -1});
    QVERIFY(!report.notes.empty());  // the ring went out as RLE, and the report says so
    const auto doc = nlohmann::json::parse(std::ifstream(file));
    QVERIFY(doc["annotations"][0]["segmentation"].is_array());   // ellipse: polygon
    QVERIFY(doc["annotations"][1]["segmentation"].is_object());  // ring: RLE
    QCOMPARE(doc["annotations"][2]["segmentation"].size(), size_t(3));  // three parts, three polygons
    compareSets(set, readCocoInstances(file), 1.0);
  }

  void panopticRoundTripIsIdenticalWithoutOverlaps() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path file = fs::path(dir.path().toStdString()) / "panoptic.json";
    const ExportReport report = writeCocoPanoptic(set, file);
    QVERIFY(report.warnings.empty());
    QVERIFY(fs::exists(fs::path(dir.path().toStdString()) / "panoptic" / "a" / "one.png"));
    compareSets(set, readCocoPanoptic(file), 1.0);
  }

  void panopticReportsOverlaps() {
    QTemporaryDir dir;
    LabelSet set = test::makeTrickyLabelSet();
    LabeledImage& image = set.images[1];
    cv::Mat m = cv::Mat::zeros(30, 40, CV_8U);
    cv::rectangle(m, cv::Rect(15, 10, 20, 15), 1, cv::FILLED);  // overlaps the first rectangle
    image.instances.push_back({"dog", encodeMask(m), LabelSource::User, 1.0, false});
    const ExportReport report = writeCocoPanoptic(set, fs::path(dir.path().toStdString()) / "panoptic.json");
    QCOMPARE(report.warnings.size(), size_t(1));  // the larger one, painted first, loses the overlap
    QVERIFY(report.warnings[0].find("lost 100 of 300 pixels") != std::string::npos);
  }

  void yoloRoundTrip() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path folder = fs::path(dir.path().toStdString()) / "yolo";
    const ExportReport report = writeYoloSeg(set, folder);
    // The road's pieces lie far apart: bridging them would paint the bridge, so they are split,
    // and the report says so.
    QCOMPARE(report.warnings.size(), size_t(1));
    QVERIFY(report.warnings[0].find("(road) is in 3 pieces") != std::string::npos);
    const auto sizes = [&](const std::string& stem) -> std::optional<cv::Size> {
      for (const auto& image : set.images) {
        if (fs::path(image.file_name).replace_extension().generic_string() == stem) return cv::Size(image.width, image.height);
      }
      return std::nullopt;
    };
    const YoloReadResult back = readYoloSeg(folder, sizes);
    QVERIFY(back.missing_images.empty());
    QCOMPARE(back.labels.images.size(), set.images.size());
    for (size_t i = 0; i < set.images.size(); ++i) {
      QCOMPARE(back.labels.images[i].file_name, fs::path(set.images[i].file_name).replace_extension().generic_string());
      for (const LabelClass& c : set.classes) {
        const cv::Mat expected = classUnion(set.images[i], c.name), actual = classUnion(back.labels.images[i], c.name);
        QVERIFY2(maskIoU(expected, actual) >= 0.99, c.name.c_str());
      }
    }
    QCOMPARE(back.labels.images[0].instances.size(), size_t(5));  // cat, dog (hole bridged), road in 3
    // Hole-free single-part instances come back exactly.
    QCOMPARE(rleIoU(back.labels.images[1].instances[0].mask, set.images[1].instances[0].mask), 1.0);
  }

  void yoloClassNamesInEveryYamlForm() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    writeText(d / "map.yaml", "path: .\nnames:\n  1: person\n  3: 'traffic light'  # comment\nnc: 2\n");
    writeText(d / "list.yaml", "names:\n  - cat\n  - \"dog\"\n");
    writeText(d / "flow.yaml", "names: [cat, 'dog']\n");
    QCOMPARE(readYoloClassNames(d / "map.yaml"), (std::map<int, std::string>{{1, "person"}, {3, "traffic light"}}));
    QCOMPARE(readYoloClassNames(d / "list.yaml"), (std::map<int, std::string>{{0, "cat"}, {1, "dog"}}));
    QCOMPARE(readYoloClassNames(d / "flow.yaml"), (std::map<int, std::string>{{0, "cat"}, {1, "dog"}}));
  }

  void labelmeRoundTrip() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path folder = fs::path(dir.path().toStdString()) / "labelme";
    const ExportReport report = writeLabelme(set, folder);
    QVERIFY(!report.notes.empty());  // the ring is a mask shape
    const LabelSet back = readLabelme(folder);
    // labelme names the image by the JSON's folder and imagePath's file name.
    compareSets(set, back, 1.0);
  }

  void vocClassMapsDecodeToTheRightClasses() {
    QTemporaryDir dir;
    const LabelSet set = test::makeTrickyLabelSet();
    const fs::path folder(dir.path().toStdString());
    writePascalVoc(set, folder);
    // An independent decoder (OpenCV/libpng) expands the palette to colours; map them back.
    const cv::Mat bgr = cv::imread((folder / "SegmentationClass" / "a" / "one.png").string(), cv::IMREAD_COLOR);
    QCOMPARE(bgr.cols, 64);
    const auto palette = vocPalette();
    for (size_t k = 0; k < set.images[0].instances.size(); ++k) {
      const cv::Mat mask = decodeRle(set.images[0].instances[k].mask);
      const cv::Vec3b rgb = palette[k + 1];  // classes cat, dog, road → 1, 2, 3 in this fixture
      const cv::Mat is_class = [&] {
        cv::Mat m;
        cv::inRange(bgr, cv::Scalar(rgb[2], rgb[1], rgb[0]), cv::Scalar(rgb[2], rgb[1], rgb[0]), m);
        return m;
      }();
      QCOMPARE(maskIoU(is_class, mask), 1.0);
    }
    std::ifstream names(folder / "class_names.txt");
    std::string first;
    std::getline(names, first);
    QCOMPARE(first, std::string("background"));
  }

  void malformedCocoFilesAreRefusedWithFieldAndReason() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    writeText(d / "bad.json", "{\"images\": [\n  {\"id\": 1,}\n]}");
    QVERIFY(errorOf([&] { readCocoInstances(d / "bad.json"); }).contains("bad.json: invalid JSON at line 2"));

    const std::string head = R"({"categories":[{"id":1,"name":"cat"}],"images":[{"id":1,"file_name":"x.jpg","width":10,"height":8}],"annotations":[)";
    writeText(d / "cat.json", head + R"({"id":1,"image_id":1,"category_id":7,"segmentation":[[0,0,5,0,5,5]]}]})");
    QVERIFY(errorOf([&] { readCocoInstances(d / "cat.json"); }).contains("annotations[0].category_id: unknown category id 7"));

    writeText(d / "size.json", head + R"({"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[9,10],"counts":"0"}}]})");
    QVERIFY(errorOf([&] { readCocoInstances(d / "size.json"); }).contains("annotations[0].segmentation.size"));

    writeText(d / "range.json", head + R"({"id":1,"image_id":1,"category_id":1,"segmentation":[[0,0,50,0,5,5]]}]})");
    const QString range = errorOf([&] { readCocoInstances(d / "range.json"); });
    QVERIFY2(range.contains("annotations[0].segmentation[0]: point 1"), qPrintable(range));

    writeText(d / "counts.json", head + R"({"id":1,"image_id":1,"category_id":1,"segmentation":{"size":[8,10],"counts":[3,4]}}]})");
    QVERIFY(errorOf([&] { readCocoInstances(d / "counts.json"); }).contains("annotations[0].segmentation.counts"));

    writeText(d / "image.json", head + R"({"id":1,"image_id":5,"category_id":1,"segmentation":[[0,0,5,0,5,5]]}]})");
    QVERIFY(errorOf([&] { readCocoInstances(d / "image.json"); }).contains("annotations[0].image_id: no image has id 5"));
  }

  void malformedYoloAndLabelmeFilesAreRefused() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    writeText(d / "y" / "data.yaml", "names:\n  0: cat\n");
    writeText(d / "y" / "labels" / "img.txt", "0 0.1 0.1 0.5 0.1 0.5 0.5\n0 0.1 0.1 1.5 0.1 0.5 0.5\n");
    const auto sizes = [](const std::string&) -> std::optional<cv::Size> { return cv::Size(10, 10); };
    const QString range = errorOf([&] { readYoloSeg(d / "y", sizes); });
    QVERIFY2(range.contains("img.txt: line 2: point 1"), qPrintable(range));
    writeText(d / "y" / "labels" / "img.txt", "3 0.1 0.1 0.5 0.1 0.5 0.5\n");
    QVERIFY(errorOf([&] { readYoloSeg(d / "y", sizes); }).contains("line 1: class index 3 is not in the class names"));
    writeText(d / "y" / "labels" / "img.txt", "0 0.1 0.1 0.5\n");
    QVERIFY(errorOf([&] { readYoloSeg(d / "y", sizes); }).contains("line 1: a polygon needs an even number"));

    writeText(d / "l" / "img.json",
              R"({"imagePath":"img.jpg","imageWidth":10,"imageHeight":10,"shapes":[{"label":"cat","points":[[1,1],[5,5]],"shape_type":"line"}]})");
    QVERIFY(errorOf([&] { readLabelme(d / "l"); }).contains("shapes[0].shape_type: 'line' has no area"));
  }
};

QTEST_APPLESS_MAIN(TestLabelFormats)
#include "tst_label_formats.moc"
