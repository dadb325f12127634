// The SAM region generator end to end on the golden MobileSAM/SAM tiny checkpoints: the batched
// production decoder inside the automatic mask generator gives the masks of the official
// per-prompt path (SamModel::predict per point, every mask upscaled, official filter order); the
// SLIC fill covers only uncovered pixels with pieces of ≥ 300 px; missing checkpoints are clear errors.
#include <cstdlib>

#include <QtTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/nets/sam_amg_decoder.h"
#include "core/regions/region_generator.h"
#include "core/regions/sam_region_generator.h"
#include "tests/core/regions/amg_reference.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

cv::Mat readRgb(const fs::path& file) {
  cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

nets::SamModelOptions tinyModelOptions() {
  nets::SamModelOptions o;
  o.decoder_heads = 2;
  o.check_architecture = false;
  o.threads = 2;
  return o;
}

// The official predictor path, one prompt at a time: predict_torch with one positive point,
// multimask, logits at the image's resolution.
class PerPromptDecoder final : public AmgMaskDecoder {
public:
  explicit PerPromptDecoder(const nets::SamModel& model) : model_(model) {}
  void setImage(const cv::Mat& rgb) override { embedding_ = model_.encode(rgb); }
  std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) override {
    results_.clear();
    std::vector<float> iou;
    for (const cv::Point2d& p : points) {
      nets::SamPrompt prompt;
      prompt.points = {cv::Point2f(float(p.x), float(p.y))};
      prompt.labels = {1};
      results_.push_back(model_.predict(embedding_, prompt));
      for (float v : results_.back().iou) iou.push_back(v);
    }
    return iou;
  }
  std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) override {
    std::vector<cv::Mat> out;
    for (int i : indices) out.push_back(results_[size_t(i / 3)].logits[size_t(i % 3)]);
    return out;
  }

private:
  const nets::SamModel& model_;
  nets::SamEmbedding embedding_;
  std::vector<nets::SamMasks> results_;
};

}  // namespace

class TestSamRegionGenerator : public QObject {
  Q_OBJECT

private slots:
  void batchedDecoderMatchesPerPromptPath() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    cv::Mat rgb;
    cv::resize(readRgb(dir / "input.jpg"), rgb, {320, 213}, 0, 0, cv::INTER_AREA);
    const nets::SamModel model = nets::SamModel::load(dir / "sam_tiny.pth", nets::SamArchitecture::VitB, tinyModelOptions());
    AmgOptions o;
    o.points_per_side = 4;
    o.points_per_batch = 5;        // batches of uneven size
    o.pred_iou_thresh = 0.72;      // the tiny model's IoU predictions sit near 0.7–0.77
    o.stability_score_thresh = 0.0;
    o.box_nms_thresh = 0.95;
    nets::SamAmgDecoder batched(model);
    const std::vector<AmgMask> got = generateMasks(rgb, batched, o);
    PerPromptDecoder single(model);
    const std::vector<AmgMask> expected = test::referenceGenerate(rgb, single, o);
    qInfo("%zu masks (per-prompt reference: %zu)", got.size(), expected.size());
    QVERIFY(!expected.empty());
    QCOMPARE(got.size(), expected.size());
    // Matched by prompt point and predicted IoU (batching changes float rounding, which can swap
    // near-equal NMS scores), then the masks must agree.
    for (const AmgMask& g : got) {
      const AmgMask* match = nullptr;
      for (const AmgMask& e : expected) {
        if (e.point == g.point && std::abs(e.predicted_iou - g.predicted_iou) < 1e-4) match = &e;
      }
      QVERIFY(match != nullptr);
      const bool both_empty = g.area == 0 && match->area == 0;  // SAM returns some at random weights
      QVERIFY(both_empty || rleIoU(g.segmentation, match->segmentation) >= 0.99);
      QVERIFY((std::isnan(g.stability_score) && std::isnan(match->stability_score)) ||
              std::abs(g.stability_score - match->stability_score) < 1e-3);
    }
  }

  void slicFillCoversOnlyUncoveredPixels() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const cv::Mat rgb = readRgb(dir / "input.jpg");
    cv::Mat block = cv::Mat::zeros(rgb.size(), CV_8U);
    cv::rectangle(block, cv::Rect(100, 50, 300, 200), 1, cv::FILLED);
    const std::vector<Region> sam = {makeRegion(encodeMask(block))};
    const std::vector<Region> pieces = slicFillRegions(rgb, sam);
    QVERIFY(pieces.size() >= 20);  // ~50 superpixels, most of them outside the block
    cv::Mat covered = block.clone();
    for (const Region& r : pieces) {
      QVERIFY(r.area >= 300);
      const cv::Mat piece = decodeRle(r.mask);
      QCOMPARE(cv::countNonZero(piece & covered), 0);
      covered |= piece;
    }
    QVERIFY(cv::countNonZero(covered) > int(0.95 * double(rgb.total())));
  }

  void generatorAppendsFillAfterSamMasks() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    cv::Mat rgb;
    cv::resize(readRgb(dir / "input.jpg"), rgb, {320, 213}, 0, 0, cv::INTER_AREA);
    SamRegionOptions options = *samRegionOptionsFor("sam-b+slic");
    options.model = tinyModelOptions();
    options.amg.points_per_side = 2;
    options.amg.pred_iou_thresh = 0.99;  // no SAM mask passes: every region is a fill piece
    const SamRegionGenerator generator("sam-b+slic", options, dir / "sam_tiny.pth");
    QCOMPARE(generator.maxConcurrency(), 1);
    QVERIFY(generator.identity().find(sha256HexOfFile(dir / "sam_tiny.pth")) != std::string::npos);
    const std::vector<Region> regions = generator.generate(rgb);
    QVERIFY(regions.size() >= 20);
    for (const Region& r : regions) QVERIFY(r.area >= 300);
  }

  // mobilesam+slic is the fast choice: fast AMG mode with its prompt budget and the encoder's
  // precision left to "auto" (unless $REGIONLAB_PRECISION); end to end on the tiny MobileSAM its
  // regions (masks + SLIC fill) cover the image and the identity records the fast knobs.
  void mobileSamGeneratorIsTheFastChoice() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const SamRegionOptions exact = *samRegionOptionsFor("sam-b+slic");
    QVERIFY(!exact.amg.fast);
    QVERIFY(exact.model.precision.empty());
    SamRegionOptions options = *samRegionOptionsFor("mobilesam+slic");
    QVERIFY(options.amg.fast);
    QCOMPARE(options.amg.fast_max_prompts, 48);
    if (qEnvironmentVariableIsEmpty("REGIONLAB_PRECISION")) QCOMPARE(options.model.precision, std::string("auto"));
    const std::string precision = options.model.precision;
    options.model = tinyModelOptions();
    options.model.precision = precision;
    options.amg.points_per_side = 8;
    cv::Mat rgb;
    cv::resize(readRgb(dir / "input.jpg"), rgb, {320, 213}, 0, 0, cv::INTER_AREA);
    const SamRegionGenerator generator("mobilesam+slic", options, dir / "mobile_sam_tiny.pth");
    QVERIFY(generator.identity().find(" fast=1/1/8/1/16/48") != std::string::npos);
    const std::vector<Region> regions = generator.generate(rgb);
    QVERIFY(!regions.empty());
    cv::Mat covered = cv::Mat::zeros(rgb.size(), CV_8U);
    for (const Region& r : regions) covered |= decodeRle(r.mask);
    QVERIFY(cv::countNonZero(covered) > int(0.95 * double(rgb.total())));
  }

  void missingCheckpointNamesFileAndFolder() {
    QTemporaryDir empty;
    qputenv("REGIONLAB_MODEL_DIR", empty.path().toUtf8());
    std::string message;
    try {
      createRegionGenerator("sam-b+slic");
    } catch (const Error& e) {
      message = e.what();
    }
    QVERIFY2(message.find("sam_vit_b_01ec64.pth") != std::string::npos, message.c_str());
    QVERIFY(message.find(empty.path().toStdString()) != std::string::npos);
    QVERIFY(message.find("'default'") != std::string::npos);
    // The manifest's id, as `regionlab-cli models use sam_vit_b` saves it, names the same generator.
    std::string by_manifest_id;
    try {
      createRegionGenerator("sam_vit_b");
    } catch (const Error& e) {
      by_manifest_id = e.what();
    }
    QCOMPARE(by_manifest_id, message);
    qunsetenv("REGIONLAB_MODEL_DIR");
    QVERIFY(createRegionGenerator("default") != nullptr);
  }
};

QTEST_GUILESS_MAIN(TestSamRegionGenerator)
#include "tst_sam_region_generator.moc"
