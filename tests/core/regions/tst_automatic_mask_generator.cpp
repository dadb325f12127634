// The automatic mask generator against the official one. (1) amg_synthetic.json: the official
// SamAutomaticMaskGenerator run with a synthetic decoder; ours with the same decoder must give the
// same masks (count, one-to-one IoU ≥ 0.99, scores within 1e-4). (2) Exact mode, which reorders
// the work (IoU filter before upscaling, upscaling survivors only), against a straightforward
// transcription of the official _process_batch/_process_crop order: identical output.
#include <fstream>
#include <map>
#include <set>

#include <QtTest>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/regions/automatic_mask_generator.h"
#include "core/regions/synthetic_mask_decoder.h"
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

AmgOptions optionsFrom(const nlohmann::json& p) {
  AmgOptions o;
  o.points_per_side = p.value("points_per_side", o.points_per_side);
  o.pred_iou_thresh = p.value("pred_iou_thresh", o.pred_iou_thresh);
  o.stability_score_thresh = p.value("stability_score_thresh", o.stability_score_thresh);
  o.stability_score_offset = p.value("stability_score_offset", o.stability_score_offset);
  o.box_nms_thresh = p.value("box_nms_thresh", o.box_nms_thresh);
  o.crop_n_layers = p.value("crop_n_layers", o.crop_n_layers);
  o.crop_nms_thresh = p.value("crop_nms_thresh", o.crop_nms_thresh);
  o.crop_overlap_ratio = p.value("crop_overlap_ratio", o.crop_overlap_ratio);
  o.crop_n_points_downscale_factor = p.value("crop_n_points_downscale_factor", o.crop_n_points_downscale_factor);
  o.min_mask_region_area = p.value("min_mask_region_area", o.min_mask_region_area);
  return o;
}

struct Match {
  double min_iou = 1.0, max_score_diff = 0.0;
  bool complete = true;
};

// Greedy one-to-one matching by mask IoU (each expected mask to its best unmatched mask).
Match matchMasks(const std::vector<Rle>& expected, const std::vector<std::pair<float, float>>& expected_scores,
                 const std::vector<AmgMask>& got) {
  Match m;
  std::vector<char> used(got.size(), 0);
  for (size_t i = 0; i < expected.size(); ++i) {
    double best = -1;
    size_t best_j = 0;
    for (size_t j = 0; j < got.size(); ++j) {
      if (used[j]) continue;
      const double iou = rleIoU(expected[i], got[j].segmentation);
      if (iou > best) best = iou, best_j = j;
    }
    if (best < 0) {
      m.complete = false;
      continue;
    }
    used[best_j] = 1;
    m.min_iou = std::min(m.min_iou, best);
    m.max_score_diff = std::max({m.max_score_diff, double(std::abs(expected_scores[i].first - got[best_j].predicted_iou)),
                                 double(std::abs(expected_scores[i].second - got[best_j].stability_score))});
  }
  return m;
}


// A scene of labelled rectangles answered as SAM answers a clean image: a prompt on an object
// gives that object (masks 0 and 1, predicted IoU 0.95 and 0.92) and the whole image (0.80,
// dropped by the IoU filter); a prompt on the background fails the IoU filter (0.5), as SAM's
// ambiguous prompts do. Records every batch of prompts.
class SceneDecoder final : public AmgMaskDecoder {
public:
  explicit SceneDecoder(cv::Mat labels) : labels_(std::move(labels)) {}
  void setImage(const cv::Mat& rgb) override { QCOMPARE(rgb.size(), labels_.size()); }
  std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) override {
    batches.push_back(points);
    last_.clear();
    std::vector<float> iou;
    for (const cv::Point2d& p : points) {
      const int label = labelAt(p);
      last_.push_back(label);
      if (label == 0) {
        iou.insert(iou.end(), {0.5f, 0.5f, 0.5f});
      } else {
        iou.insert(iou.end(), {0.95f, 0.92f, 0.80f});
      }
    }
    return iou;
  }
  std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) override {
    std::vector<cv::Mat> out;
    for (int index : indices) {
      const int label = last_[size_t(index / 3)];
      cv::Mat logits(labels_.size(), CV_32F, cv::Scalar(-10.0f));
      if (index % 3 == 2) {
        logits.setTo(10.0f);
      } else {
        logits.setTo(10.0f, labels_ == label);
      }
      out.push_back(logits);
    }
    return out;
  }
  int labelAt(const cv::Point2d& p) const { return labels_.at<uint8_t>(int(p.y), int(p.x)); }

  std::vector<std::vector<cv::Point2d>> batches;

private:
  cv::Mat labels_;
  std::vector<int> last_;
};

// 640×480 (grid points of 32² at x = 10 + 20i, y = 7.5 + 15j): A and B large; C small beside A,
// hit by no point of the coarsest 8² level (x indices 2, 6, …, 30); D small and alone in the
// background, hit only by a point of the 16² level.
cv::Mat sceneLabels() {
  cv::Mat labels = cv::Mat::zeros(480, 640, CV_8U);
  labels(cv::Rect(100, 100, 200, 150)).setTo(1);  // A
  labels(cv::Rect(400, 60, 160, 140)).setTo(2);   // B
  labels(cv::Rect(305, 150, 30, 30)).setTo(3);    // C
  labels(cv::Rect(560, 380, 30, 30)).setTo(4);    // D
  return labels;
}

std::vector<int> labelsFound(const std::vector<AmgMask>& masks, const cv::Mat& labels) {
  std::vector<int> found;
  for (const AmgMask& m : masks) {
    const cv::Mat mask = decodeRle(m.segmentation);
    double best = 0;
    int best_label = -1;
    for (int label = 1; label <= 4; ++label) {
      const cv::Mat object = labels == label;
      const double inter = cv::countNonZero(mask & object), uni = cv::countNonZero(mask | object);
      if (uni > 0 && inter / uni > best) best = inter / uni, best_label = label;
    }
    if (best > 0.999) found.push_back(best_label);
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

class TestAutomaticMaskGenerator : public QObject {
  Q_OBJECT

private slots:
  void gridAndCropsFollowTheReference() {
    const auto grid = amg::pointGrid(32);
    QCOMPARE(int(grid.size()), 1024);
    QCOMPARE(grid[0].x, 1.0 / 64);
    QCOMPARE(grid[1].x, 1.0 / 64 + 1.0 * ((1.0 - 1.0 / 64 - 1.0 / 64) / 31));  // x fastest
    QCOMPARE(grid[31].x, 1.0 - 1.0 / 64);
    QCOMPARE(grid[32].y, grid[1].x);
    const auto crops = amg::cropBoxes({640, 426}, 1, 512.0 / 1500.0);
    QCOMPARE(int(crops.size()), 5);
    // overlap = int(0.3413·426·1) = 145; crop_w = ceil((145 + 640)/2) = 393, crop_h = ceil((145 + 426)/2) = 286.
    QCOMPARE(crops[1].box, cv::Rect(0, 0, 393, 286));
    QCOMPARE(crops[2].box, cv::Rect(0, 141, 393, 285));   // product(x0s, y0s): y varies first
    QCOMPARE(crops[3].box, cv::Rect(248, 0, 392, 286));
  }

  void nmsKeepsHighestAndSuppressesOverlaps() {
    const std::vector<amg::Box> boxes = {{0, 0, 10, 10}, {1, 1, 10, 10}, {20, 20, 30, 30}, {0, 0, 10, 10}};
    const std::vector<float> scores = {0.5f, 0.9f, 0.7f, 0.9f};
    QCOMPARE(amg::nms(boxes, scores, 0.7), (std::vector<int>{1, 2}));  // ties keep input order: 1 before 3
  }

  void smallRegionsAreRemoved() {
    cv::Mat mask = cv::Mat::zeros(40, 40, CV_8U);
    cv::rectangle(mask, {5, 5}, {30, 30}, 1, cv::FILLED);
    mask.at<uint8_t>(10, 10) = 0;        // a 1-pixel hole
    mask.at<uint8_t>(38, 38) = 1;        // a 1-pixel island
    QVERIFY(amg::removeSmallRegions(mask, 5, true));
    QCOMPARE(mask.at<uint8_t>(10, 10), uint8_t(1));
    QVERIFY(amg::removeSmallRegions(mask, 5, false));
    QCOMPARE(mask.at<uint8_t>(38, 38), uint8_t(0));
    QCOMPARE(cv::countNonZero(mask), 26 * 26);
    QVERIFY(!amg::removeSmallRegions(mask, 5, false));
  }

  void reproducesTheOfficialSyntheticRuns() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    std::ifstream in(dir / "amg_synthetic.json");
    const nlohmann::json golden = nlohmann::json::parse(in);
    const cv::Mat rgb = readRgb(dir / "input.jpg");
    for (const auto& run : golden.at("runs")) {
      const AmgOptions options = optionsFrom(run.at("params"));
      SyntheticMaskDecoder decoder;
      const std::vector<AmgMask> got = generateMasks(rgb, decoder, options);
      std::vector<Rle> expected;
      std::vector<std::pair<float, float>> scores;
      for (const auto& a : run.at("annotations")) {
        Rle r;
        r.height = a.at("segmentation").at("size")[0];
        r.width = a.at("segmentation").at("size")[1];
        r.counts = a.at("segmentation").at("counts").get<std::vector<uint32_t>>();
        expected.push_back(r);
        scores.emplace_back(a.at("predicted_iou").get<float>(), a.at("stability_score").get<float>());
      }
      const Match m = matchMasks(expected, scores, got);
      qInfo("run %s: %zu masks (expected %zu), min matched IoU %.5f, max score diff %.2g", run.at("params").dump().c_str(), got.size(),
            expected.size(), m.min_iou, m.max_score_diff);
      QCOMPARE(got.size(), expected.size());
      QVERIFY(m.complete);
      QVERIFY(m.min_iou >= 0.99);
      QVERIFY(m.max_score_diff <= 1e-4);
    }
  }

  void exactModeEqualsTheStraightforwardAlgorithm() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const cv::Mat rgb = readRgb(dir / "input.jpg");
    AmgOptions a;
    a.points_per_side = 16;
    AmgOptions b = a;
    b.pred_iou_thresh = 0.8;
    b.stability_score_thresh = 0.85;
    b.crop_n_layers = 1;
    b.crop_n_points_downscale_factor = 2;
    for (const AmgOptions& o : {a, b}) {
      SyntheticMaskDecoder d1, d2;
      AmgStatistics stats;
      const auto fast_path = generateMasks(rgb, d1, o, &stats);
      const auto reference = test::referenceGenerate(rgb, d2, o);
      QVERIFY(!reference.empty());
      QCOMPARE(fast_path.size(), reference.size());
      for (size_t i = 0; i < reference.size(); ++i) {
        QVERIFY(fast_path[i].segmentation == reference[i].segmentation);
        QCOMPARE(fast_path[i].box, reference[i].box);
        QCOMPARE(fast_path[i].predicted_iou, reference[i].predicted_iou);
        QCOMPARE(fast_path[i].stability_score, reference[i].stability_score);
        QCOMPARE(fast_path[i].point, reference[i].point);
        QCOMPARE(fast_path[i].area, reference[i].area);
      }
      if (o.pred_iou_thresh == a.pred_iou_thresh) QVERIFY(stats.masks_upscaled < stats.prompts_decoded * 3);  // IoU filter first
    }
  }

  void smallRegionPostprocessingChangesMasks() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const cv::Mat rgb = readRgb(dir / "input.jpg");
    AmgOptions o;
    o.points_per_side = 8;
    o.pred_iou_thresh = 0.8;
    o.stability_score_thresh = 0.85;
    SyntheticMaskDecoder d1, d2;
    const auto plain = generateMasks(rgb, d1, o);
    o.min_mask_region_area = 100000;  // larger than the small ellipses: they become empty or stay
    const auto processed = generateMasks(rgb, d2, o);
    QVERIFY(!plain.empty());
    QVERIFY(processed.size() <= plain.size());
    for (const auto& m : processed) QCOMPARE(m.area, rleArea(m.segmentation));
  }

  // Fast mode without point skipping only moves NMS before the upscaling (the synthetic decoder
  // has no separate low resolution): the same masks, fewer upscaled. Point skipping decodes fewer
  // prompts; with this decoder, whose ellipses slide with the prompt instead of snapping to
  // objects, it loses masks — its agreement is measured on real images (regionlab-bench).
  void fastModeAgreesAndSkipsWork() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const cv::Mat rgb = readRgb(dir / "input.jpg");
    AmgOptions o;
    o.points_per_side = 16;
    SyntheticMaskDecoder d1, d2, d3;
    AmgStatistics exact_stats, fast_stats, skip_stats;
    const auto exact = generateMasks(rgb, d1, o, &exact_stats);
    o.fast = true;
    o.fast_skip_covered_points = false;
    o.fast_refine_near_found = false;
    o.fast_max_prompts = 0;
    const auto fast = generateMasks(rgb, d2, o, &fast_stats);
    o.fast_skip_covered_points = true;
    o.fast_refine_near_found = true;
    const auto skipping = generateMasks(rgb, d3, o, &skip_stats);
    auto agreement = [&](const std::vector<AmgMask>& got) {
      double total = 0;
      for (const auto& e : exact) {
        double best = 0;
        for (const auto& f : got) best = std::max(best, rleIoU(e.segmentation, f.segmentation));
        total += best;
      }
      return exact.empty() ? 1.0 : total / double(exact.size());
    };
    qInfo("exact %zu masks; fast %zu (agreement %.4f, upscaled %lld vs %lld); skipping %zu (agreement %.4f, prompts %lld vs %lld)",
          exact.size(), fast.size(), agreement(fast), (long long)fast_stats.masks_upscaled, (long long)exact_stats.masks_upscaled,
          skipping.size(), agreement(skipping), (long long)skip_stats.prompts_decoded, (long long)exact_stats.prompts_decoded);
    QCOMPARE(fast.size(), exact.size());
    QVERIFY(agreement(fast) > 0.999);
    QVERIFY(fast_stats.masks_upscaled < exact_stats.masks_upscaled);
    QVERIFY(skip_stats.prompts_decoded < exact_stats.prompts_decoded);
  }

  // Coarse-to-fine order with coverage skipping never decodes a point inside a mask accepted in an
  // earlier batch; fast mode finds the objects exact mode finds, except one alone in a background
  // where every coarser prompt failed (fast_refine_near_found), which it finds with that rule off.
  void fastModeFindsTheSceneObjectsWithoutDecodingCoveredPoints() {
    const cv::Mat labels = sceneLabels();
    const cv::Mat rgb(labels.size(), CV_8UC3, cv::Scalar(0, 0, 0));
    AmgOptions o;
    o.fast_max_prompts = 0;
    SceneDecoder exact_decoder(labels), fast_decoder(labels), no_near_decoder(labels);
    AmgStatistics exact_stats, fast_stats, no_near_stats;
    const auto exact = generateMasks(rgb, exact_decoder, o, &exact_stats);
    o.fast = true;
    const auto fast = generateMasks(rgb, fast_decoder, o, &fast_stats);
    o.fast_refine_near_found = false;
    const auto no_near = generateMasks(rgb, no_near_decoder, o, &no_near_stats);
    qInfo("prompts: exact %lld, fast %lld (%lld skipped, %lld of them not near), fast without the near rule %lld",
          (long long)exact_stats.prompts_decoded, (long long)fast_stats.prompts_decoded, (long long)fast_stats.prompts_skipped,
          (long long)fast_stats.prompts_skipped_not_near, (long long)no_near_stats.prompts_decoded);
    QCOMPARE(labelsFound(exact, labels), (std::vector<int>{1, 2, 3, 4}));
    QCOMPARE(exact.size(), size_t(4));
    QCOMPARE(labelsFound(fast, labels), (std::vector<int>{1, 2, 3}));
    QCOMPARE(fast.size(), size_t(3));
    QCOMPARE(labelsFound(no_near, labels), (std::vector<int>{1, 2, 3, 4}));
    QCOMPARE(no_near.size(), size_t(4));
    QVERIFY(fast_stats.prompts_decoded < no_near_stats.prompts_decoded);
    QVERIFY(no_near_stats.prompts_decoded < exact_stats.prompts_decoded);
    QVERIFY(fast_stats.prompts_decoded < exact_stats.prompts_decoded / 4);
    QCOMPARE(fast_stats.prompts_decoded + fast_stats.prompts_skipped, exact_stats.prompts_decoded);
    for (const SceneDecoder* d : {&fast_decoder, &no_near_decoder}) {
      std::map<int, size_t> first_batch;  // object → batch in which a prompt first hit it
      for (size_t b = 0; b < d->batches.size(); ++b) {
        QVERIFY(d->batches[b].size() <= size_t(o.fast_points_per_batch));
        for (const cv::Point2d& p : d->batches[b]) {
          const int label = d->labelAt(p);
          if (label == 0) continue;
          const auto it = first_batch.emplace(label, b).first;
          QCOMPARE(it->second, b);  // a later batch never decodes a point of an accepted object
        }
      }
    }
    // The 8² level (x indices 2, 6, …, 30, y likewise) comes first: every one of its points is
    // decoded before any other point, unless an object found earlier already covers it.
    std::vector<std::pair<int, int>> order;
    for (const auto& batch : fast_decoder.batches) {
      for (const cv::Point2d& p : batch) order.emplace_back(int(std::lround((p.x - 10.0) / 20.0)), int(std::lround((p.y - 7.5) / 15.0)));
    }
    auto coarse = [](const std::pair<int, int>& ij) { return ij.first % 4 == 2 && ij.second % 4 == 2; };
    const auto first_fine = std::find_if_not(order.begin(), order.end(), coarse);
    QVERIFY(std::none_of(first_fine, order.end(), coarse));
    const std::set<std::pair<int, int>> coarse_decoded(order.begin(), first_fine);
    for (int j = 2; j < 32; j += 4) {
      for (int i = 2; i < 32; i += 4) {
        QVERIFY(coarse_decoded.count({i, j}) || fast_decoder.labelAt({10.0 + 20.0 * i, 7.5 + 15.0 * j}) != 0);
      }
    }
    QVERIFY(coarse_decoded.size() >= 56);
  }

  // An image where every prompt fails: only the coarsest level is decoded; and a prompt budget
  // stops the decoding, the budget's prompts spread over the whole image.
  void fastModeRefinesOnlyNearFindingsAndKeepsItsBudget() {
    const cv::Mat rgb(480, 640, CV_8UC3, cv::Scalar(0, 0, 0));
    AmgOptions o;
    o.fast = true;
    o.fast_max_prompts = 0;
    SceneDecoder empty_scene(cv::Mat::zeros(rgb.size(), CV_8U));
    AmgStatistics stats;
    QVERIFY(generateMasks(rgb, empty_scene, o, &stats).empty());
    QCOMPARE(stats.prompts_decoded, int64_t(64));
    QCOMPARE(stats.prompts_skipped_not_near, int64_t(1024 - 64));
    o.fast_max_prompts = 16;
    SceneDecoder budget_scene(cv::Mat::zeros(rgb.size(), CV_8U));
    QVERIFY(generateMasks(rgb, budget_scene, o, &stats).empty());
    QCOMPARE(stats.prompts_decoded, int64_t(16));
    QCOMPARE(stats.prompts_over_budget, int64_t(1024 - 16));
    int quadrants[4] = {0, 0, 0, 0};
    for (const auto& batch : budget_scene.batches) {
      for (const cv::Point2d& p : batch) ++quadrants[(p.x >= 320 ? 1 : 0) + (p.y >= 240 ? 2 : 0)];
    }
    for (int q : quadrants) QCOMPARE(q, 4);
  }
};

QTEST_GUILESS_MAIN(TestAutomaticMaskGenerator)
#include "tst_automatic_mask_generator.moc"
