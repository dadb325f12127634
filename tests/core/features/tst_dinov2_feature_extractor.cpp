// The DINOv2 feature extractor: the paper's preprocessing on input.jpg (values from the reference
// code), its centre-crop rounding, region vectors equal to a literal upsample-crop-average
// computed here with ATen, large images within a token budget, identity = checkpoint SHA-256,
// and the factory finding official file names in the model folder.
#include <algorithm>
#include <cfenv>
#include <cmath>
#include <fstream>

// ATen before Qt: Qt's "slots" macro would otherwise rewrite a member name in ATen's headers.
#include <ATen/ATen.h>
#include <QtTest>
#include <opencv2/imgproc.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/features/dinov2_feature_extractor.h"
#include "core/features/dinov2_preprocess.h"
#include "core/image/image_decoder.h"
#include "core/nets/checkpoint_sha256.h"
#include "core/nets/dinov2.h"
#include "core/nets/state_dict.h"
#include "core/regions/rle.h"
#include "tests/support/test_environment.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

// dinov2_tiny.pth's configuration (manifest.json): 3 heads, offset 0.1, no antialias.
nets::DinoV2Preset tinyPreset() { return {"dinov2-tiny", "dinov2_tiny.pth", "DINOv2 tiny (golden)", 3, 0.1, false}; }

FeatureExtractorOptions cpuOptions(int max_tokens = 4096, LargeImagePolicy policy = LargeImagePolicy::Downscale) {
  FeatureExtractorOptions o;
  o.inference.device = "cpu";
  o.inference.precision = "fp32";
  o.inference.threads = 1;  // tiny model: threads only add synchronisation (and CI shares its cores)
  o.max_tokens = max_tokens;
  o.large_images = policy;
  return o;
}

// Region-like masks: rectangles and ellipses over the image, one touching each border.
std::vector<Rle> someMasks(int height, int width) {
  std::vector<Rle> masks;
  cv::RNG rng(5);
  for (int i = 0; i < 8; ++i) {
    cv::Mat m = cv::Mat::zeros(height, width, CV_8U);
    if (i < 4) {
      const int x = i == 0 ? 0 : rng.uniform(0, width / 2), y = i == 1 ? 0 : rng.uniform(0, height / 2);
      const int w = i == 2 ? width - x : rng.uniform(5, width / 2), h = i == 3 ? height - y : rng.uniform(5, height / 2);
      m(cv::Rect(x, y, w, h)).setTo(1);
    } else {
      cv::ellipse(m, {rng.uniform(0, width), rng.uniform(0, height)}, {rng.uniform(10, 80), rng.uniform(10, 60)}, rng.uniform(0, 180), 0, 360,
                  1, cv::FILLED);
    }
    masks.push_back(encodeMask(m));
  }
  return masks;
}

// The reference pipeline written out literally (REFERENCE.md §A2, §A4): pad, normalise, run,
// upsample the patch map bilinearly to the padded size, CenterCrop (round half to even), mean
// in each mask.
std::vector<float> literalRegionVectors(const nets::DinoV2& net, const cv::Mat& rgb, const std::vector<Rle>& masks) {
  const int h = rgb.rows, w = rgb.cols, hp = (h + 13) / 14 * 14, wp = (w + 13) / 14 * 14;
  const at::Tensor pixels = at::from_blob(const_cast<uint8_t*>(rgb.data), {h, w, 3}, at::kByte).permute({2, 0, 1}).to(at::kFloat).div(255);
  const int top = (hp - h) / 2, left = (wp - w) / 2;
  at::Tensor x = at::constant_pad_nd(pixels, {left, wp - w - left, top, hp - h - top}, 0);
  x = x.sub(at::tensor({0.485f, 0.456f, 0.406f}).view({3, 1, 1})).div(at::tensor({0.229f, 0.224f, 0.225f}).view({3, 1, 1}));
  const at::Tensor tokens = net.forward(x.unsqueeze(0));
  const int skip = net.architecture().tokensBeforePatches(), d = net.architecture().embed_dim;
  const at::Tensor map = tokens[0].narrow(0, skip, (hp / 14) * (wp / 14)).t().reshape({1, d, hp / 14, wp / 14});
  const at::Tensor up = at::upsample_bilinear2d(map, {hp, wp}, false)[0];
  std::fesetround(FE_TONEAREST);  // nearbyint then rounds half to even, like Python's round()
  const int crop_top = int(std::nearbyint((hp - h) / 2.0)), crop_left = int(std::nearbyint((wp - w) / 2.0));
  const at::Tensor cropped = up.narrow(1, crop_top, h).narrow(2, crop_left, w).reshape({d, h * w});
  std::vector<float> out;
  for (const Rle& m : masks) {
    const cv::Mat mask = decodeRle(m);
    at::Tensor flat = at::from_blob(mask.data, {h * w}, at::kByte).to(at::kBool);
    const at::Tensor mean = cropped.index_select(1, flat.nonzero().squeeze(1)).mean(1);
    out.insert(out.end(), mean.data_ptr<float>(), mean.data_ptr<float>() + d);
  }
  return out;
}

double maxRelativeDiff(const std::vector<float>& a, const std::vector<float>& b) {
  double scale = 0, diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, double(std::abs(b[i])));
    diff = std::max(diff, double(std::abs(a[i] - b[i])));
  }
  return diff / std::max(scale, 1e-12);
}

}  // namespace

class TestDinoV2FeatureExtractor : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;

private slots:
  void initTestCase() { qputenv("XDG_CACHE_HOME", (tmp_.path() + "/cache").toUtf8()); }

  // Values printed by the reference preprocessing (PIL decode, ToTensor, centre pad, Normalize)
  // on the same file.
  void preprocessingMatchesReferenceOnInputJpg() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const Image image = decodeImageFile(golden / "input.jpg");
    const Dinov2Input in = centrePadAndNormalise(image.rgb, 14);
    QCOMPARE(in.padded_height, 434);
    QCOMPARE(in.padded_width, 644);
    QCOMPARE(in.pad_top, 4);
    QCOMPARE(in.pad_left, 2);
    const size_t plane = 434 * 644;
    auto at = [&](int c, int y, int x) { return double(in.pixels[size_t(c) * plane + size_t(y) * 644 + size_t(x)]); };
    const double expected[5][2][3] = {
        {{0, 0}, {-2.1179039478302, -2.0357141494750977, -1.804444432258606}},
        {{4, 2}, {0.7933042645454407, 0.34523820877075195, -0.5321131944656372}},
        {{200, 300}, {0.9988012909889221, 0.6953782439231873, -0.6018299460411072}},
        {{433, 643}, {-2.1179039478302, -2.0357141494750977, -1.804444432258606}},
        {{429, 641}, {-0.28555530309677124, -1.3179270029067993, -1.0201306343078613}},
    };
    for (const auto& e : expected) {
      for (int c = 0; c < 3; ++c) QCOMPARE(at(c, int(e[0][0]), int(e[0][1])), e[1][c]);
    }
    const double sums[3] = {31294.171268709935, -58782.99567145482, -166566.51272007637};
    for (int c = 0; c < 3; ++c) {
      double sum = 0;
      for (size_t i = 0; i < plane; ++i) sum += in.pixels[size_t(c) * plane + i];
      QVERIFY2(std::abs(sum - sums[c]) < 1e-6 * std::abs(sums[c]), qPrintable(QString::number(sum, 'g', 17)));
    }
  }

  void cropOffsetsRoundHalfToEven() {
    // torchvision CenterCrop: round((Hp − H) / 2) for pads 0..13.
    const int expected[14] = {0, 0, 1, 2, 2, 2, 3, 4, 4, 4, 5, 6, 6, 6};
    for (int pad = 0; pad < 14; ++pad) QCOMPARE(centreCropOffset(100 + pad, 100), expected[pad]);
    const PoolingGeometry g = referencePoolingGeometry(423, 637, 14);  // pads 11 and 7
    QCOMPARE(g.grid_height, 31);
    QCOMPARE(g.grid_width, 46);
    QCOMPARE(g.upsampled_height, 434);
    QCOMPARE(g.crop_top, 6);   // pad 11: the image starts at row 5 of the padded frame
    QCOMPARE(g.crop_left, 4);  // pad 7: the image starts at column 3
  }

  void regionVectorsEqualTheLiteralReference_data() {
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::newRow("426x640, even pads") << 426 << 640;
    QTest::newRow("423x637, pads 11 and 7") << 423 << 637;
  }
  void regionVectorsEqualTheLiteralReference() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    QFETCH(int, height);
    QFETCH(int, width);
    const cv::Mat rgb = decodeImageFile(golden / "input.jpg").rgb(cv::Rect(0, 0, width, height)).clone();
    const DinoV2FeatureExtractor extractor(tinyPreset(), golden / "dinov2_tiny.pth", cpuOptions());
    const std::vector<Rle> masks = someMasks(height, width);
    const std::vector<float> vectors = extractor.extract(rgb, masks);
    QCOMPARE(vectors.size(), masks.size() * 48);

    const nets::StateDict weights = nets::StateDict::load(golden / "dinov2_tiny.pth");
    const nets::DinoV2 net(weights, nets::inferDinoV2Architecture(weights, tinyPreset()), nets::resolveInference(cpuOptions().inference));
    const double diff = maxRelativeDiff(vectors, literalRegionVectors(net, rgb, masks));
    qInfo("max relative difference to the literal reference: %.2e", diff);
    QVERIFY(diff < 1e-5);
  }

  void largeImagesStayWithinTheTokenBudget() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const cv::Mat rgb = decodeImageFile(golden / "input.jpg").rgb;  // 31 × 46 = 1426 patches
    const std::vector<Rle> masks = someMasks(rgb.rows, rgb.cols);
    const DinoV2FeatureExtractor whole(tinyPreset(), golden / "dinov2_tiny.pth", cpuOptions());
    const std::vector<float> reference = whole.extract(rgb, masks);
    for (const LargeImagePolicy policy : {LargeImagePolicy::Downscale, LargeImagePolicy::Tile}) {
      const DinoV2FeatureExtractor limited(tinyPreset(), golden / "dinov2_tiny.pth", cpuOptions(200, policy));
      const auto f = limited.patchFeatures(rgb);
      const PoolingGeometry& g = f.geometry;
      QCOMPARE(g.image_height, rgb.rows);
      QCOMPARE(g.image_width, rgb.cols);
      if (policy == LargeImagePolicy::Downscale) {
        QVERIFY(g.grid_height * g.grid_width <= 200);
      } else {
        QCOMPARE(g.grid_height * g.grid_width, 1426);  // full resolution, run in tiles
      }
      const std::vector<float> vectors = limited.extract(rgb, masks);
      QCOMPARE(vectors.size(), reference.size());
      // Same regions, same model: the vectors still point the same way as the whole-image ones.
      for (size_t m = 0; m < masks.size(); ++m) {
        double ab = 0, aa = 0, bb = 0;
        for (int c = 0; c < 48; ++c) {
          const double x = vectors[m * 48 + size_t(c)], y = reference[m * 48 + size_t(c)];
          QVERIFY(std::isfinite(x));
          ab += x * y, aa += x * x, bb += y * y;
        }
        QVERIFY2(ab / std::sqrt(aa * bb) > 0.5, qPrintable(QString::number(ab / std::sqrt(aa * bb))));
      }
    }
  }

  void identityIsTheCheckpointSha256() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const fs::path file = golden / "dinov2_tiny.pth";
    const DinoV2FeatureExtractor extractor(tinyPreset(), file, cpuOptions());
    QCOMPARE(extractor.identity(), sha256HexOfFile(file));
    QCOMPARE(extractor.name(), std::string("dinov2-tiny"));
    QCOMPARE(extractor.dim(), 48);
    QCOMPARE(extractor.maxConcurrency(), 1);
    QVERIFY(QString::fromStdString(extractor.description()).contains("fp32 on cpu"));
    // Remembered by path, size and mtime: the cache file now names it.
    std::ifstream cache(nets::checkpointHashCacheFile());
    const std::string text((std::istreambuf_iterator<char>(cache)), std::istreambuf_iterator<char>());
    QVERIFY(text.find(extractor.identity()) != std::string::npos);
  }

  void factoryFindsOfficialFileNames() {
    REGIONLAB_REQUIRE_GOLDEN(golden);
    const QString models = tmp_.path() + "/models";
    QDir().mkpath(models);
    qputenv("REGIONLAB_MODEL_DIR", models.toUtf8());
    const QString missing = QString::fromStdString([&] {
      try {
        createFeatureExtractor("dinov2-vits14", cpuOptions());
      } catch (const Error& e) {
        return std::string(e.what());
      }
      return std::string();
    }());
    QVERIFY2(missing.contains("dinov2_vits14_pretrain.pth") && missing.contains(models) && missing.contains("'classical' works without weights"),
             qPrintable(missing));
    // The tiny checkpoint under an official name: the architecture comes from its shapes; the
    // preset's offset 0.1 / no antialias match the file's, only the head count (6) differs.
    fs::create_symlink(golden / "dinov2_tiny.pth", fs::path(models.toStdString()) / "dinov2_vits14_pretrain.pth");
    const auto extractor = createFeatureExtractor("dinov2-vits14", cpuOptions());
    QCOMPARE(extractor->name(), std::string("dinov2-vits14"));
    QCOMPARE(extractor->dim(), 48);
    // The two classical descriptors (with and without visual words) and the eight DINOv2 presets.
    const std::vector<std::string> names = featureExtractorNames();
    QCOMPARE(names.size(), size_t(10));
    QVERIFY(std::find(names.begin(), names.end(), "classical-plain") != names.end());
    QVERIFY(std::find(names.begin(), names.end(), "dinov2-vits14") != names.end());
    qunsetenv("REGIONLAB_MODEL_DIR");
  }
};

QTEST_GUILESS_MAIN(TestDinoV2FeatureExtractor)
#include "tst_dinov2_feature_extractor.moc"
