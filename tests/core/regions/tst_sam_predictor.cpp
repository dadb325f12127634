// The interactive predictor: masks at the original resolution with IoU scores, refinement from
// the previous low-res mask, and the embedding caches (memory, then disk across predictors,
// bounded in size).
#include <QtTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/regions/sam_predictor.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

class TestSamPredictor : public QObject {
  Q_OBJECT

private slots:
  void predictsCachesAndRefines() {
    const auto shared = test::sharedDir();
    if (!shared) QSKIP("../shared is absent: golden checkpoints are needed for this test");
    nets::SamModelOptions o;
    o.decoder_heads = 2;
    o.check_architecture = false;
    o.threads = 2;
    auto model = std::make_shared<const nets::SamModel>(
        nets::SamModel::load(*shared / "golden" / "sam_tiny.pth", nets::SamArchitecture::VitB, o));
    cv::Mat bgr = cv::imread((*shared / "golden" / "input.jpg").string()), rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    QTemporaryDir tmp;
    SamPredictorOptions options;
    options.disk_cache = fs::path(tmp.path().toStdString()) / "cache" / "sam";
    options.disk_cache_bytes = 700 << 10;  // room for one 32×64×64 float embedding (512 KiB)
    SamPredictor predictor(model, options);
    QVERIFY(!predictor.hasImage());
    predictor.setImage(rgb, "image-a");
    QVERIFY(!predictor.lastImageWasCached());
    nets::SamPrompt prompt;
    prompt.points = {{320.0f, 213.0f}, {100.0f, 100.0f}};
    prompt.labels = {1, 0};
    const nets::SamMasks masks = predictor.predict(prompt);
    QCOMPARE(int(masks.logits.size()), 3);
    QCOMPARE(masks.logits[0].size(), rgb.size());
    QCOMPARE(int(masks.iou.size()), 3);
    QCOMPARE(masks.low_res_logits[0].size(), cv::Size(256, 256));

    // Refinement from the previous low-res mask, single output.
    nets::SamPrompt refine = prompt;
    refine.mask_input = masks.low_res_logits[0];
    refine.multimask = false;
    const nets::SamMasks refined = predictor.predict(refine);
    QCOMPARE(int(refined.logits.size()), 1);
    QVERIFY(cv::norm(refined.low_res_logits[0], masks.low_res_logits[0], cv::NORM_INF) > 0);

    predictor.setImage(rgb, "image-a");
    QVERIFY(predictor.lastImageWasCached());

    // A new predictor (a new session) finds the embedding on disk and answers identically.
    SamPredictor again(model, options);
    again.setImage(rgb, "image-a");
    QVERIFY(again.lastImageWasCached());
    QCOMPARE(cv::norm(again.predict(prompt).logits[1], masks.logits[1], cv::NORM_INF), 0.0);

    // The disk bound keeps the folder small: a second image evicts the first file.
    again.setImage(rgb, "image-b");
    int files = 0;
    for (const auto& e : fs::directory_iterator(options.disk_cache)) files += e.path().extension() == ".samemb";
    QCOMPARE(files, 1);

    nets::SamPrompt empty;
    QVERIFY_THROWS_EXCEPTION(Error, predictor.predict(empty));
  }
};

QTEST_GUILESS_MAIN(TestSamPredictor)
#include "tst_sam_predictor.moc"
