// DINOv2 against the official code: the golden tiny checkpoints (saved exactly as the published
// ones) run on the stored input must give forward_features' CLS, register and patch outputs to
// 1e-4, for MLP and SwiGLU FFNs, without and with registers, under both pos-embed conventions.
#include <fstream>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/nets/dinov2.h"
#include "core/nets/dinov2_presets.h"
#include "core/nets/state_dict.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
using namespace regionlab::nets;
namespace fs = std::filesystem;

namespace {

struct Golden {
  StateDict weights;
  StateDict expected;
  DinoV2Architecture arch;
};

// The architecture as the manifest states it for the reference run (heads and the interpolation
// convention are what a preset would supply).
Golden loadGolden(const fs::path& golden, const std::string& name) {
  std::ifstream in(golden / "manifest.json");
  const nlohmann::json entry = nlohmann::json::parse(in).at(name);
  Golden g{StateDict::load(golden / (name + ".pth")), StateDict::load(golden / (name + ".expected.pth")), {}};
  g.arch = inferDinoV2Architecture(g.weights, entry.at("num_heads").get<int>(), entry.at("interpolate_offset").get<double>(),
                                   entry.at("interpolate_antialias").get<bool>());
  if (g.arch.embed_dim != entry.at("embed_dim").get<int>() || g.arch.depth != entry.at("depth").get<int>() ||
      g.arch.num_registers != entry.at("num_register_tokens").get<int>()) {
    throw std::runtime_error("architecture read from the shapes differs from the manifest: " + g.arch.summary());
  }
  return g;
}

InferenceSettings cpu(ComputePrecision precision = ComputePrecision::Float32) {
  InferenceSettings s;
  s.precision = precision;
  s.threads = 1;  // tiny models: threads only add synchronisation (and CI shares its cores)
  return s;
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) { return a.numel() == 0 ? 0.0 : (a - b).abs().max().item<double>(); }

}  // namespace

class TestDinoV2 : public QObject {
  Q_OBJECT

private slots:
  void matchesOfficialOutputs_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("registers");
    QTest::newRow("MLP, offset 0.1, no antialias") << "dinov2_tiny" << 0;
    QTest::newRow("4 registers, size + antialias") << "dinov2_tiny_reg" << 4;
    QTest::newRow("SwiGLU") << "dinov2_tiny_swiglu" << 0;
  }
  void matchesOfficialOutputs() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    QFETCH(QString, name);
    QFETCH(int, registers);
    const Golden g = loadGolden(golden, name.toStdString());
    QCOMPARE(g.arch.num_registers, registers);
    const DinoV2 net(g.weights, g.arch, cpu());
    const at::Tensor x = net.forward(g.expected.tensor("input", {1, 3, 168, 224}));
    QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{1, 1 + registers + 12 * 16, 48}));
    const at::Tensor cls = x.narrow(1, 0, 1).squeeze(1), reg = x.narrow(1, 1, registers), patch = x.narrow(1, 1 + registers, 192);
    QCOMPARE(reg.sizes().vec(), g.expected.tensor("reg").sizes().vec());
    const double dc = maxAbsDiff(cls, g.expected.tensor("cls", {1, 48}));
    const double dr = maxAbsDiff(reg, g.expected.tensor("reg"));
    const double dp = maxAbsDiff(patch, g.expected.tensor("patch", {1, 192, 48}));
    qInfo("%s: max |diff| cls %.2e, reg %.2e, patch %.2e", qPrintable(name), dc, dr, dp);
    QVERIFY(dc < 1e-4 && dr < 1e-4 && dp < 1e-4);
  }

  void interpolationConventionMatters() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    // The 12×16 grid is smaller than 37×37, so offset and antialias change the result: running
    // the register model with the other convention must miss the reference.
    Golden g = loadGolden(golden, "dinov2_tiny_reg");
    g.arch.interpolate_offset = 0.1;
    g.arch.interpolate_antialias = false;
    const at::Tensor x = DinoV2(g.weights, g.arch, cpu()).forward(g.expected.tensor("input"));
    QVERIFY(maxAbsDiff(x.narrow(1, 5, 192), g.expected.tensor("patch")) > 1e-3);
  }

  void blocksRunInTwoSegments() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const Golden g = loadGolden(golden, "dinov2_tiny_reg");
    const DinoV2 net(g.weights, g.arch, cpu());
    const at::Tensor input = g.expected.tensor("input");
    const at::Tensor tokens = net.embed(input);
    const at::Tensor copy = tokens.clone();
    const at::Tensor split = net.finalNorm(net.runBlocks(net.runBlocks(tokens, 0, 1), 1, 3));
    QVERIFY(at::equal(tokens, copy));  // the input is left alone
    QVERIFY(maxAbsDiff(split, net.forward(input)) == 0.0);
    // Extra tokens between segments (as ImAge inserts them) are carried through the later blocks.
    const at::Tensor extra = at::randn({1, 3, 48});
    const at::Tensor widened = net.runBlocks(at::cat({extra, net.runBlocks(tokens, 0, 2)}, 1), 2, 3);
    QCOMPARE(widened.size(1), tokens.size(1) + 3);
  }

  void bf16StaysCloseToFp32() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    InferenceOptions bf16;
    bf16.precision = "bf16";
    bf16.device = "cpu";
    try {
      resolveInference(bf16);
    } catch (const Error& e) {
      QSKIP(e.what());
    }
    const Golden g = loadGolden(golden, "dinov2_tiny");
    const at::Tensor input = g.expected.tensor("input");
    const at::Tensor a = DinoV2(g.weights, g.arch, cpu()).forward(input);
    const at::Tensor b = DinoV2(g.weights, g.arch, cpu(ComputePrecision::BFloat16)).forward(input);
    const double cosine = at::cosine_similarity(a.reshape({-1, 48}), b.reshape({-1, 48}), 1).min().item<double>();
    qInfo("bf16 vs fp32: min token cosine %.5f", cosine);
    QVERIFY(cosine > 0.99);
  }

  void weightsThatDoNotFitAreRefused() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const StateDict w = StateDict::load(golden / "dinov2_tiny.pth");
    const QString heads = QString::fromStdString([&] {
      try {
        DinoV2(w, inferDinoV2Architecture(w, 5, 0.1, false), cpu());
      } catch (const Error& e) {
        return std::string(e.what());
      }
      return std::string();
    }());
    QVERIFY2(heads.contains("dinov2_tiny.pth") && heads.contains("not divisible into 5 heads"), qPrintable(heads));
    // A SAM checkpoint is not a DINOv2 backbone: the error names the missing tensor.
    const StateDict sam = StateDict::load(golden / "sam_tiny.pth");
    const QString missing = QString::fromStdString([&] {
      try {
        inferDinoV2Architecture(sam, *findDinoV2Preset("dinov2-vits14"));
      } catch (const Error& e) {
        return std::string(e.what());
      }
      return std::string();
    }());
    QVERIFY2(missing.contains("missing tensor 'cls_token'"), qPrintable(missing));
  }

  void presetsNameTheOfficialFiles() {
    const DinoV2Preset* l = findDinoV2Preset("dinov2-vitl14");
    QVERIFY(l && l->file_name == "dinov2_vitl14_pretrain.pth" && l->num_heads == 16 && l->interpolate_offset == 0.1 && !l->interpolate_antialias);
    const DinoV2Preset* g = findDinoV2Preset("dinov2-vitg14-reg");
    QVERIFY(g && g->file_name == "dinov2_vitg14_reg4_pretrain.pth" && g->num_heads == 24 && g->interpolate_offset == 0.0 && g->interpolate_antialias);
    QCOMPARE(dinov2Presets().size(), size_t(8));
    QVERIFY(findDinoV2Preset("dinov2-vitx14") == nullptr);
    QCOMPARE(findDinoV2Preset("dinov2_vitl14_reg"), findDinoV2Preset("dinov2-vitl14-reg"));  // the model manifest's ids
  }
};

QTEST_GUILESS_MAIN(TestDinoV2)
#include "tst_dinov2.moc"
