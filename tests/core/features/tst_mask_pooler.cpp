// Exact fast mask pooling equals the naive "bilinear upsample (align_corners=false), crop, then
// average in the mask" on random inputs, odd sizes and crop offsets.
#include <QtTest>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/features/mask_pooler.h"
#include "core/regions/rle.h"

using namespace regionlab;

namespace {

// Naive reference, written independently of MaskPooler: materialise the upsampled map.
std::vector<double> naivePool(const std::vector<float>& tokens, int channels, const PoolingGeometry& g, const cv::Mat& mask) {
  auto axis = [](int dst, int in, int out) {
    const double scale = double(in) / out;
    double src = (dst + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    int i0 = int(src);
    if (i0 > in - 1) i0 = in - 1;
    const int i1 = i0 + 1 < in ? i0 + 1 : in - 1;
    const double l = src - i0;
    return std::tuple<int, int, double>{i0, i1, l};
  };
  std::vector<double> sum(channels, 0.0);
  int64_t count = 0;
  for (int y = 0; y < g.image_height; ++y) {
    for (int x = 0; x < g.image_width; ++x) {
      if (!mask.at<uint8_t>(y, x)) continue;
      const auto [y0, y1, ly] = axis(y + g.crop_top, g.grid_height, g.upsampled_height);
      const auto [x0, x1, lx] = axis(x + g.crop_left, g.grid_width, g.upsampled_width);
      for (int c = 0; c < channels; ++c) {
        auto t = [&](int gy, int gx) { return double(tokens[size_t(gy * g.grid_width + gx) * channels + c]); };
        sum[c] += (1 - ly) * ((1 - lx) * t(y0, x0) + lx * t(y0, x1)) + ly * ((1 - lx) * t(y1, x0) + lx * t(y1, x1));
      }
      ++count;
    }
  }
  for (double& s : sum) s = count ? s / double(count) : 0.0;
  return sum;
}

}  // namespace

class TestMaskPooler : public QObject {
  Q_OBJECT

private slots:
  void matchesNaivePooling_data() {
    QTest::addColumn<int>("grid_h");
    QTest::addColumn<int>("grid_w");
    QTest::addColumn<int>("image_h");
    QTest::addColumn<int>("image_w");
    QTest::addColumn<int>("channels");
    // DINOv2 geometry: image padded to a multiple of 14, grid = padded / 14, centre crop.
    QTest::newRow("padded 426x640 (COCO 139)") << 31 << 46 << 426 << 640 << 7;
    QTest::newRow("odd 99x61, pad 6/9") << 8 << 5 << 99 << 61 << 5;
    QTest::newRow("grid 1x1") << 1 << 1 << 13 << 11 << 3;
    QTest::newRow("no padding 28x42") << 2 << 3 << 28 << 42 << 4;
    QTest::newRow("tall 3x17") << 17 << 3 << 230 << 40 << 2;
  }
  void matchesNaivePooling() {
    QFETCH(int, grid_h);
    QFETCH(int, grid_w);
    QFETCH(int, image_h);
    QFETCH(int, image_w);
    QFETCH(int, channels);
    const int up_h = std::max(grid_h * 14, image_h), up_w = std::max(grid_w * 14, image_w);
    const PoolingGeometry g{grid_h, grid_w, up_h, up_w, (up_h - image_h) / 2, (up_w - image_w) / 2 + ((up_w - image_w) % 2), image_h, image_w};
    cv::RNG rng(grid_h * 31 + image_w);
    std::vector<float> tokens(size_t(grid_h * grid_w * channels));
    for (float& t : tokens) t = float(rng.gaussian(1.0) * 3.0 + 0.5);
    const MaskPooler pooler(g);
    std::vector<cv::Mat> masks;
    std::vector<Rle> rles;
    for (int m = 0; m < 12; ++m) {
      cv::Mat mask = cv::Mat::zeros(image_h, image_w, CV_8U);
      if (m == 0) {
        mask.setTo(1);  // whole image
      } else if (m == 1) {
        mask.at<uint8_t>(image_h - 1, image_w - 1) = 1;  // one pixel in the corner
      } else if (m == 2) {
        mask.col(image_w / 2).setTo(1);  // one column: runs cross no column boundary
      } else {
        const double density = rng.uniform(0.02, 0.9);
        for (int y = 0; y < image_h; ++y)
          for (int x = 0; x < image_w; ++x) mask.at<uint8_t>(y, x) = rng.uniform(0.0, 1.0) < density;
      }
      masks.push_back(mask);
      rles.push_back(encodeMask(mask));
    }
    const std::vector<float> fast = pooler.pool(tokens.data(), channels, rles);
    for (size_t m = 0; m < masks.size(); ++m) {
      const auto naive = naivePool(tokens, channels, g, masks[m]);
      double scale = 0;
      for (double v : naive) scale = std::max(scale, std::abs(v));
      for (int c = 0; c < channels; ++c) {
        const double diff = std::abs(double(fast[m * channels + c]) - naive[c]);
        QVERIFY2(diff <= 1e-5 * std::max(scale, 1.0), qPrintable(QString("mask %1 channel %2: %3 vs %4").arg(m).arg(c).arg(fast[m * channels + c]).arg(naive[c])));
      }
    }
    // Cell weights sum to the mask area (bilinear weights of each pixel sum to one).
    double total = 0;
    for (const auto& [cell, w] : pooler.cellWeights(rles[0])) total += w;
    QVERIFY(std::abs(total - double(image_h) * image_w) < 1e-3 * image_h * image_w);
  }

  void emptyMaskGivesZeros() {
    const MaskPooler pooler({2, 2, 28, 28, 0, 0, 28, 28});
    const std::vector<float> tokens(4 * 3, 1.0f);
    const Rle empty{28, 28, {784}};
    const auto out = pooler.pool(tokens.data(), 3, std::span<const Rle>(&empty, 1));
    QCOMPARE(out, std::vector<float>(3, 0.0f));
  }

  void rejectsInconsistentGeometry() {
    QVERIFY_THROWS_EXCEPTION(Error, MaskPooler({2, 2, 28, 28, 5, 0, 28, 28}));  // crop runs off the map
    QVERIFY_THROWS_EXCEPTION(Error, MaskPooler({0, 2, 28, 28, 0, 0, 28, 28}));
    const MaskPooler pooler({2, 2, 28, 28, 0, 0, 28, 28});
    QVERIFY_THROWS_EXCEPTION(Error, pooler.cellWeights(Rle{27, 28, {27 * 28}}));
  }
};

QTEST_APPLESS_MAIN(TestMaskPooler)
#include "tst_mask_pooler.moc"
