// The one-pass postprocess_masks resampling (composed_bilinear.h) against the official two steps
// done with ATen (upsample_bilinear2d 256² → 1024², crop to the resized input, upsample_bilinear2d
// to the original size) on random logits, for landscape, portrait, square, small (upsampled in
// the second step) and large originals.
#include <ATen/ATen.h>
#include <QtTest>

#include "core/nets/composed_bilinear.h"
#include "core/nets/sam_preprocess.h"

using namespace regionlab::nets;

class TestComposedBilinear : public QObject {
  Q_OBJECT

private slots:
  void equalsTwoStepUpsample_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::newRow("640x480 landscape") << 640 << 480;
    QTest::newRow("480x640 portrait") << 480 << 640;
    QTest::newRow("500x500 square") << 500 << 500;
    QTest::newRow("1024x1024 no second step") << 1024 << 1024;
    QTest::newRow("97x61 small") << 97 << 61;
    QTest::newRow("2000x731 large") << 2000 << 731;
    QTest::newRow("333x1500 tall") << 333 << 1500;
  }
  void equalsTwoStepUpsample() {
    QFETCH(int, width);
    QFETCH(int, height);
    at::manual_seed(width * 7 + height);
    const at::Tensor low = at::randn({1, 1, 256, 256}) * 10;
    const cv::Size input = samResizedSize(height, width);
    at::Tensor expected = at::upsample_bilinear2d(low, {kSamInputSize, kSamInputSize}, false);
    expected = expected.slice(2, 0, input.height).slice(3, 0, input.width);
    expected = at::upsample_bilinear2d(expected, {height, width}, false)[0][0].contiguous();

    const ResampleAxis rows = composedBilinearAxis(256, kSamInputSize, input.height, height);
    const ResampleAxis cols = composedBilinearAxis(256, kSamInputSize, input.width, width);
    QVERIFY(rows.taps <= 4 && cols.taps <= 4);
    QVERIFY(rows.sourceExtent() <= 256 && cols.sourceExtent() <= 256);
    std::vector<float> work(size_t(rows.sourceExtent()) * size_t(width));
    at::Tensor mine = at::full({height, width + 5}, 123.0f);  // rows 5 floats apart beyond the width
    resampleSeparable(low.data_ptr<float>(), 256, rows, cols, mine.data_ptr<float>(), width + 5, work.data());
    const double range = low.abs().max().item<double>();
    const double diff = (mine.narrow(1, 0, width) - expected).abs().max().item<double>();
    QVERIFY2(diff < 1e-5 * range, qPrintable(QString("max |diff| %1, range %2").arg(diff).arg(range)));
    QVERIFY(mine.narrow(1, width, 5).eq(123.0f).all().item<bool>());  // nothing written beyond the width
  }

  void singleAxisEqualsAten() {
    // One bilinear step alone (the building block), including downsampling and the last sample.
    for (const auto& [in, out] : std::vector<std::pair<int, int>>{{256, 1024}, {768, 480}, {7, 3}, {3, 11}, {1, 5}}) {
      at::manual_seed(in * 31 + out);
      const at::Tensor x = at::randn({1, 1, 1, in});
      const at::Tensor expected = at::upsample_bilinear2d(x, {1, out}, false).view({out});
      const ResampleAxis axis = bilinearAxis(in, out);
      const float* s = x.data_ptr<float>();
      for (int i = 0; i < out; ++i) {
        float v = 0;
        for (int t = 0; t < axis.taps; ++t) v += axis.weights[size_t(i * axis.taps + t)] * s[axis.first[size_t(i)] + t];
        const float e = expected[i].item<float>();
        QVERIFY2(std::abs(v - e) < 1e-6f * std::max(1.0f, std::abs(e)), qPrintable(QString("in %1 out %2 at %3: %4 vs %5").arg(in).arg(out).arg(i).arg(v).arg(e)));
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestComposedBilinear)
#include "tst_composed_bilinear.moc"
