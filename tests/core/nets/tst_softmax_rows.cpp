// The attention's vectorised softmax against ATen's, for float32 and bfloat16 rows of awkward
// lengths, strided rows, and scores with a wide range (large negative logits underflow to 0).
#include <ATen/ATen.h>
#include <QtTest>

#include "core/nets/softmax_rows.h"

using namespace regionlab::nets;

class TestSoftmaxRows : public QObject {
  Q_OBJECT

private slots:
  void matchesAtenFloat_data() {
    QTest::addColumn<int>("cols");
    QTest::addColumn<double>("spread");
    for (const int cols : {1, 7, 16, 17, 1370}) {
      QTest::newRow(("cols " + std::to_string(cols)).c_str()) << cols << 3.0;
    }
    QTest::newRow("wide range") << 333 << 60.0;
  }
  void matchesAtenFloat() {
    QFETCH(int, cols);
    QFETCH(double, spread);
    at::manual_seed(cols);
    const at::Tensor scores = at::randn({5, cols + 3}) * spread;  // rows 3 floats apart beyond cols
    at::Tensor mine = scores.clone();
    softmaxRowsInPlace(mine.data_ptr<float>(), 5, cols, cols + 3);
    const at::Tensor expected = at::softmax(scores.narrow(1, 0, cols), 1);
    const double diff = (mine.narrow(1, 0, cols) - expected).abs().max().item<double>();
    QVERIFY2(diff < 1e-6, qPrintable(QString::number(diff)));
    QVERIFY(at::equal(mine.narrow(1, cols, 3), scores.narrow(1, cols, 3)));  // untouched beyond the row
  }

  void shortRowsMatchAten() {
    // Rows of a few columns, counts that end in a partial chunk and a partial vector.
    for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{{1, 1}, {3, 7}, {1000, 7}, {257, 5}, {513, 16}}) {
      at::manual_seed(rows + cols);
      const at::Tensor scores = at::randn({rows, cols}) * 20.0;
      at::Tensor mine = scores.clone();
      softmaxShortRowsInPlace(mine.data_ptr<float>(), rows, cols);
      const double diff = (mine - at::softmax(scores, 1)).abs().max().item<double>();
      QVERIFY2(diff < 1e-6, qPrintable(QString("%1x%2: %3").arg(rows).arg(cols).arg(diff)));
    }
  }

  void matchesAtenBfloat16() {
    at::manual_seed(3);
    const at::Tensor scores = (at::randn({4, 1370}) * 4).to(at::kBFloat16);
    at::Tensor mine = scores.clone();
    softmaxRowsInPlace(reinterpret_cast<uint16_t*>(mine.data_ptr<at::BFloat16>()), 4, 1370, 1370);
    const at::Tensor expected = at::softmax(scores.to(at::kFloat), 1);
    // One rounding to bf16 (8 significant bits) of the exact result.
    const double rel = ((mine.to(at::kFloat) - expected).abs() / expected.clamp_min(1e-30)).max().item<double>();
    QVERIFY2(rel <= 1.0 / 256, qPrintable(QString::number(rel)));
  }
};

QTEST_GUILESS_MAIN(TestSoftmaxRows)
#include "tst_softmax_rows.moc"
