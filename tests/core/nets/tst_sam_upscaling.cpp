// The fused elementwise steps of SAM's output upscaling (sam_upscaling.h) against the ATen
// sequence they replace (reorder, layer_norm, gelu; gelu, hypernetwork product, reorder), at
// SAM's channel counts (vectorised path) and at the tiny golden models' (scalar path).
#include <ATen/ATen.h>
#include <QtTest>

#include "core/nets/sam_upscaling.h"

using namespace regionlab::nets;

class TestSamUpscaling : public QObject {
  Q_OBJECT

private slots:
  void matchesAten_data() {
    QTest::addColumn<int>("c1");
    QTest::addColumn<int>("c2");
    QTest::newRow("SAM 64/32") << 64 << 32;
    QTest::newRow("tiny 8/4") << 8 << 4;
  }
  void matchesAten() {
    QFETCH(int, c1);
    QFETCH(int, c2);
    const int64_t grid = 6, side = 2 * grid, count = 3;
    at::manual_seed(c1);
    const at::Tensor u = at::randn({grid * grid, 4 * c1}) * 2 + 0.5;
    const at::Tensor w = at::randn({c1}), b = at::randn({c1});
    at::Tensor expected = u.view({grid, grid, 2, 2, c1}).permute({0, 2, 1, 3, 4}).reshape({4 * grid * grid, c1});
    expected = at::gelu(at::layer_norm(expected, {c1}, w, b, 1e-6));
    at::Tensor v = at::empty({4 * grid * grid, c1});
    upscaledNormGelu(u.data_ptr<float>(), grid, c1, w.data_ptr<float>(), b.data_ptr<float>(), 1e-6f, v.data_ptr<float>(), 0, 2);
    upscaledNormGelu(u.data_ptr<float>(), grid, c1, w.data_ptr<float>(), b.data_ptr<float>(), 1e-6f, v.data_ptr<float>(), 2, grid);
    QVERIFY2((v - expected).abs().max().item<double>() < 1e-5, "norm + gelu");

    const at::Tensor p = at::randn({side * side, 4 * c2}) * 3;
    const at::Tensor hyper = at::randn({count, c2});
    const at::Tensor rows = at::gelu(p).view({side * side * 4, c2});
    const at::Tensor expected_masks =
        at::matmul(rows, hyper.t()).view({side, side, 2, 2, count}).permute({4, 0, 2, 1, 3}).reshape({count, 2 * side, 2 * side});
    at::Tensor masks = at::empty({count, 2 * side, 2 * side});
    upscaledMasks(p.data_ptr<float>(), side, c2, hyper.data_ptr<float>(), int(count), masks.data_ptr<float>(), 0, 5);
    upscaledMasks(p.data_ptr<float>(), side, c2, hyper.data_ptr<float>(), int(count), masks.data_ptr<float>(), 5, side);
    const double range = expected_masks.abs().max().item<double>();
    QVERIFY2((masks - expected_masks).abs().max().item<double>() < 1e-5 * range, "gelu + hypernetwork product");
  }
};

QTEST_GUILESS_MAIN(TestSamUpscaling)
#include "tst_sam_upscaling.moc"
