// The automatic mask generator's decoder path (SamAmgDecoder: per-image shared transformer parts,
// reassociated attentions, prompts in groups) against the reference path of the same model
// (SamModel::predict, whose parity with the official code tst_sam_model checks): IoU predictions,
// low-resolution and full-size logits of single-point prompts within 1e-5 (relative to the
// logits' range), on the golden tiny SAM (two-block transformer) and MobileSAM (one block).
#include <algorithm>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <QtTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/nets/sam_amg_decoder.h"
#include "core/nets/sam_model.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
using namespace regionlab::nets;

namespace {

SamModelOptions tinyOptions() {
  SamModelOptions o;
  o.decoder_heads = 2;  // manifest.json: decoder_heads 2 for both tiny models
  o.check_architecture = false;
  o.threads = 2;
  return o;
}

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

void checkBatchEqualsSinglePrompts(const std::filesystem::path& dir, const std::string& name, SamArchitecture architecture) {
  const SamModel model = SamModel::load(dir / (name + ".pth"), architecture, tinyOptions());
  cv::Mat rgb = cv::imread((dir / "input.jpg").string(), cv::IMREAD_COLOR);
  QVERIFY(!rgb.empty());
  cv::cvtColor(rgb, rgb, cv::COLOR_BGR2RGB);
  const SamEmbedding embedding = model.encode(rgb);
  // 3×3 points: 9 prompts, so the decoder's groups of prompts end with a partial one.
  std::vector<cv::Point2d> points;
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) points.emplace_back((x + 0.5) * rgb.cols / 3.0, (y + 0.5) * rgb.rows / 3.0);
  }
  SamAmgDecoder decoder(model);
  decoder.setEmbedding(embedding);
  const std::vector<float> iou = decoder.decodeBatch(points);
  QCOMPARE(iou.size(), points.size() * 3);
  std::vector<int> all(iou.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
  const std::vector<cv::Mat> low = decoder.lowResLogits(all, nullptr);
  const std::vector<cv::Mat> full = decoder.maskLogits({0, 4, 26});
  double iou_diff = 0, low_diff = 0, full_diff = 0, range = 0;
  for (size_t p = 0; p < points.size(); ++p) {
    SamPrompt prompt;
    prompt.points = {cv::Point2f(float(points[p].x), float(points[p].y))};
    prompt.labels = {1};
    prompt.multimask = true;
    const SamMasks reference = model.predict(embedding, prompt, p == 0 || p == 1 || p == 8);
    QCOMPARE(int(reference.iou.size()), 3);
    for (size_t k = 0; k < 3; ++k) {
      iou_diff = std::max(iou_diff, double(std::abs(reference.iou[k] - iou[p * 3 + k])));
      low_diff = std::max(low_diff, maxAbsDiff(reference.low_res_logits[k], low[p * 3 + k]));
      range = std::max(range, cv::norm(reference.low_res_logits[k], cv::NORM_INF));
    }
    if (p == 0) full_diff = std::max(full_diff, maxAbsDiff(reference.logits[0], full[0]));
    if (p == 1) full_diff = std::max(full_diff, maxAbsDiff(reference.logits[1], full[1]));
    if (p == 8) full_diff = std::max(full_diff, maxAbsDiff(reference.logits[2], full[2]));
  }
  qInfo("%s: iou max |diff| %.3g, low-res logits max |diff| %.3g (max |logit| %.3g), full-size %.3g", name.c_str(), iou_diff, low_diff,
        range, full_diff);
  QVERIFY(range > 1.0);  // logits with a spread: the comparison means something
  QVERIFY(iou_diff < 1e-5);
  QVERIFY(low_diff < 1e-5 * range);
  QVERIFY(full_diff < 1e-5 * range);
}

}  // namespace

class TestSamAmgDecoder : public QObject {
  Q_OBJECT

private slots:
  void samBatchEqualsSinglePrompts() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    checkBatchEqualsSinglePrompts(dir, "sam_tiny", SamArchitecture::VitB);
  }

  void mobileSamBatchEqualsSinglePrompts() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    checkBatchEqualsSinglePrompts(dir, "mobile_sam_tiny", SamArchitecture::TinyVit);
  }
};

QTEST_GUILESS_MAIN(TestSamAmgDecoder)
#include "tst_sam_amg_decoder.moc"
