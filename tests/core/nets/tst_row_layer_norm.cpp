// The fused residual + LayerNorm + positional-encoding pass of SAM's mask decoder
// (row_layer_norm.h) against ATen's layer_norm of the same sums.
#include <ATen/ATen.h>
#include <QtTest>

#include "core/nets/row_layer_norm.h"

using namespace regionlab::nets;

class TestRowLayerNorm : public QObject {
  Q_OBJECT

private slots:
  void matchesAtenLayerNorm_data() {
    QTest::addColumn<int>("width");
    QTest::newRow("256 (SAM)") << 256;
    QTest::newRow("13 (partial vector)") << 13;
  }
  void matchesAtenLayerNorm() {
    QFETCH(int, width);
    at::manual_seed(width);
    const int64_t period = 10, rows = 35, first = 7;  // rows start mid-period and wrap three times
    const at::Tensor x = at::randn({rows, width}) * 3 + 1;
    const at::Tensor residual = at::randn({period, width});
    const at::Tensor add = at::randn({width});
    const at::Tensor pe = at::randn({period, width});
    const at::Tensor weight = at::randn({width}), bias = at::randn({width});
    const at::Tensor index = (at::arange(rows) + first).remainder(period);
    const at::Tensor expected = at::layer_norm(x + residual.index_select(0, index) + add, {width}, weight, bias, 1e-5);
    const at::Tensor expected_pe = expected + pe.index_select(0, index);

    at::Tensor mine = x.clone(), with_pe = at::empty({rows, width});
    RowLayerNormArgs args;
    args.width = width;
    args.weight = weight.data_ptr<float>();
    args.bias = bias.data_ptr<float>();
    args.residual = residual.data_ptr<float>();
    args.add = add.data_ptr<float>();
    args.pe = pe.data_ptr<float>();
    args.period = period;
    args.with_pe = with_pe.data_ptr<float>();
    rowLayerNorm(mine.data_ptr<float>(), first, rows, args);
    QVERIFY2((mine - expected).abs().max().item<double>() < 1e-5, "normalised rows");
    QVERIFY2((with_pe - expected_pe).abs().max().item<double>() < 1e-5, "rows + pe");

    // Without the optional operands: a plain layer_norm.
    at::Tensor plain = x.clone();
    RowLayerNormArgs bare;
    bare.width = width;
    bare.weight = weight.data_ptr<float>();
    bare.bias = bias.data_ptr<float>();
    rowLayerNorm(plain.data_ptr<float>(), 0, rows, bare);
    QVERIFY((plain - at::layer_norm(x, {width}, weight, bias, 1e-5)).abs().max().item<double>() < 1e-5);
  }
};

QTEST_GUILESS_MAIN(TestRowLayerNorm)
#include "tst_row_layer_norm.moc"
