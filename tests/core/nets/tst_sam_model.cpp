// SAM and MobileSAM against the official code: the golden tiny checkpoints (random weights saved
// exactly as the official files) with the outputs the reference produced from the same input.
// Tolerances are the golden README's: 1e-4 on fp32 tensors, 1e-2 on the fp16 full-size logits.
#include <fstream>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <QtTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/nets/sam_model.h"
#include "core/nets/sam_preprocess.h"
#include "core/nets/state_dict.h"
#include "tests/support/error_message.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
using namespace regionlab::nets;
namespace fs = std::filesystem;
using regionlab::test::errorOf;

namespace {

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

at::Tensor fromMat(const cv::Mat& m) {
  return at::from_blob(const_cast<float*>(m.ptr<float>()), {m.rows, m.cols}, at::kFloat).clone();
}

SamModelOptions tinyOptions() {
  SamModelOptions o;
  o.decoder_heads = 2;             // manifest.json: decoder_heads 2 for both tiny models
  o.check_architecture = false;    // tiny encoders are not an official size
  o.threads = 2;
  return o;
}

SamPrompt promptOf(const StateDict& expected, const std::string& name) {
  SamPrompt p;
  if (const at::Tensor* coords = expected.find(name + ".point_coords")) {
    const at::Tensor c = coords->to(at::kDouble);
    const at::Tensor l = expected.tensor(name + ".point_labels").to(at::kDouble);
    for (int64_t i = 0; i < c.size(0); ++i) {
      p.points.emplace_back(float(c[i][0].item<double>()), float(c[i][1].item<double>()));
      p.labels.push_back(int(l[i].item<double>()));
    }
  }
  if (const at::Tensor* box = expected.find(name + ".box")) {
    const at::Tensor b = box->to(at::kDouble);
    p.box = SamBox{float(b[0].item<double>()), float(b[1].item<double>()), float(b[2].item<double>()), float(b[3].item<double>())};
  }
  p.multimask = true;
  return p;
}

void checkParity(const fs::path& dir, const std::string& name, SamArchitecture architecture) {
  const StateDict inputs = StateDict::load(dir / "sam_tiny.expected.pth");  // holds `input` for both
  const StateDict expected = StateDict::load(dir / (name + ".expected.pth"));
  const SamModel model = SamModel::load(dir / (name + ".pth"), architecture, tinyOptions());
  const at::Tensor input = inputs.tensor("input", {1, 3, 1024, 1024}).contiguous();
  const cv::Size original(640, 426);
  const SamEmbedding embedding = model.encodeInput(input.data_ptr<float>(), original, samResizedSize(426, 640));
  QCOMPARE(embedding.input_size, cv::Size(1024, 682));
  const at::Tensor& expected_embedding = expected.tensor("embedding");
  const at::Tensor got = at::from_blob(const_cast<float*>(embedding.values.data()), expected_embedding.sizes(), at::kFloat);
  const double embedding_diff = maxAbsDiff(got, expected_embedding);
  qInfo("%s embedding max |diff| %.3g", name.c_str(), embedding_diff);
  QVERIFY(embedding_diff < 1e-4);

  for (const std::string prompt : {"point_fg", "points_fg_bg", "box"}) {
    const SamMasks masks = model.predict(embedding, promptOf(expected, prompt), prompt == "point_fg");
    QCOMPARE(int(masks.iou.size()), 3);
    const at::Tensor iou = at::tensor(masks.iou);
    const double iou_diff = maxAbsDiff(iou, expected.tensor(prompt + ".iou"));
    std::vector<at::Tensor> low;
    for (const cv::Mat& m : masks.low_res_logits) low.push_back(fromMat(m));
    const double low_diff = maxAbsDiff(at::stack(low), expected.tensor(prompt + ".low_res_logits"));
    qInfo("%s %s: iou max |diff| %.3g, low-res logits max |diff| %.3g", name.c_str(), prompt.c_str(), iou_diff, low_diff);
    QVERIFY(iou_diff < 1e-4);
    QVERIFY(low_diff < 1e-4);
    if (prompt == "point_fg") {
      std::vector<at::Tensor> full;
      for (const cv::Mat& m : masks.logits) full.push_back(fromMat(m));
      const double full_diff = maxAbsDiff(at::stack(full), expected.tensor("point_fg.masks_logits"));
      qInfo("%s point_fg full-size logits max |diff| %.3g", name.c_str(), full_diff);
      QVERIFY(full_diff < 1e-2);
    }
  }
}


}  // namespace

class TestSamModel : public QObject {
  Q_OBJECT

private slots:
  void samVitParity() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    checkParity(dir, "sam_tiny", SamArchitecture::VitB);
  }

  void mobileSamParity() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    checkParity(dir, "mobile_sam_tiny", SamArchitecture::TinyVit);
  }

  // MobileSAM's TinyViT with bf16 GEMMs and patch convolutions (the fast region generator's
  // choice on CPUs with native BF16) stays close to its fp32 embedding.
  void tinyVitBf16StaysCloseToFp32() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    SamModelOptions bf16 = tinyOptions();
    bf16.precision = "bf16";
    bf16.device = "cpu";
    try {
      resolveInference(bf16);
    } catch (const Error& e) {
      QSKIP(e.what());
    }
    SamModelOptions fp32 = tinyOptions();
    fp32.precision = "fp32";
    fp32.device = "cpu";
    const StateDict inputs = StateDict::load(dir / "sam_tiny.expected.pth");
    const at::Tensor input = inputs.tensor("input", {1, 3, 1024, 1024}).contiguous();
    const SamModel exact = SamModel::load(dir / "mobile_sam_tiny.pth", SamArchitecture::TinyVit, fp32);
    const SamModel fast = SamModel::load(dir / "mobile_sam_tiny.pth", SamArchitecture::TinyVit, bf16);
    QVERIFY(fast.describe().find("bf16") != std::string::npos);
    const SamEmbedding a = exact.encodeInput(input.data_ptr<float>(), {640, 426}, samResizedSize(426, 640));
    const SamEmbedding b = fast.encodeInput(input.data_ptr<float>(), {640, 426}, samResizedSize(426, 640));
    QCOMPARE(a.values.size(), b.values.size());
    const at::Tensor ta = at::from_blob(const_cast<float*>(a.values.data()), {int64_t(a.values.size())}, at::kFloat);
    const at::Tensor tb = at::from_blob(const_cast<float*>(b.values.data()), {int64_t(b.values.size())}, at::kFloat);
    const double relative = (ta - tb).norm().item<double>() / ta.norm().item<double>();
    qInfo("TinyViT bf16 vs fp32 embedding: relative L2 error %.4g", relative);
    QVERIFY(relative > 0.0);   // bf16 really ran
    QVERIFY(relative < 2e-2);  // bf16 keeps 8 significant bits: ~0.4% per rounding
  }

  // Resize-longest-side (Pillow bilinear) + normalise + pad on the decoded photo gives the
  // reference's stored input.
  void preprocessingMatchesReference() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    cv::Mat bgr = cv::imread((dir / "input.jpg").string(), cv::IMREAD_COLOR);
    QVERIFY(!bgr.empty());
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::Size resized;
    const std::vector<float> input = samPreprocess(rgb, &resized);
    QCOMPARE(resized, cv::Size(1024, 682));
    const StateDict expected = StateDict::load(dir / "sam_tiny.expected.pth");
    const at::Tensor got = at::from_blob(const_cast<float*>(input.data()), {1, 3, 1024, 1024}, at::kFloat);
    const double diff = maxAbsDiff(got, expected.tensor("input"));
    qInfo("preprocessed input max |diff| %.3g", diff);
    QVERIFY(diff < 1e-4);
  }

  void pillowResizeKeepsConstantImages() {
    cv::Mat flat(37, 53, CV_8UC3, cv::Scalar(10, 200, 255));
    for (cv::Size s : {cv::Size(106, 74), cv::Size(20, 13), cv::Size(53, 10)}) {
      const cv::Mat r = pillowBilinearResize(flat, s);
      QCOMPARE(r.size(), s);
      QCOMPARE(cv::norm(r, cv::Mat(s, CV_8UC3, cv::Scalar(10, 200, 255)), cv::NORM_INF), 0.0);
    }
  }

  void wrongCheckpointIsRefused() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    QVERIFY(errorOf([&] { SamModel::load(dir / "sam_tiny.pth", SamArchitecture::TinyVit, tinyOptions()); }).find("not MobileSAM") !=
            std::string::npos);
    QVERIFY(errorOf([&] { SamModel::load(dir / "mobile_sam_tiny.pth", SamArchitecture::VitL, tinyOptions()); })
                .find("holds MobileSAM (TinyViT), not SAM ViT-L") != std::string::npos);
    SamModelOptions strict = tinyOptions();
    strict.check_architecture = true;
    const std::string vit = errorOf([&] { SamModel::load(dir / "sam_tiny.pth", SamArchitecture::VitB, strict); });
    QVERIFY2(vit.find("not SAM ViT-B") != std::string::npos, vit.c_str());
    QVERIFY(errorOf([&] { SamModel::load(dir / "dinov2_tiny.pth", SamArchitecture::VitB, strict); }).find("not a Segment Anything checkpoint") !=
            std::string::npos);
  }

  void truncatedCheckpointIsRefused() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    QTemporaryDir tmp;
    const fs::path cut = fs::path(tmp.path().toStdString()) / "sam_vit_b_01ec64.pth";
    std::ifstream in(dir / "sam_tiny.pth", std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    bytes.resize(bytes.size() / 2);
    std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    const std::string message = errorOf([&] { SamModel::load(cut, SamArchitecture::VitB, tinyOptions()); });
    QVERIFY2(message.find(cut.string()) != std::string::npos, message.c_str());
  }

  void tinyImagesAreRefused() {
    REGIONLAB_REQUIRE_GOLDEN(dir);
    const SamModel model = SamModel::load(dir / "sam_tiny.pth", SamArchitecture::VitB, tinyOptions());
    const std::string message = errorOf([&] { model.encode(cv::Mat(10, 40, CV_8UC3, cv::Scalar::all(0))); });
    QVERIFY2(message.find("smaller than one 16-pixel SAM patch") != std::string::npos, message.c_str());
    QVERIFY(errorOf([&] { model.encode(cv::Mat(40, 40, CV_8UC4, cv::Scalar::all(0))); }).find("8-bit RGB") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestSamModel)
#include "tst_sam_model.moc"
