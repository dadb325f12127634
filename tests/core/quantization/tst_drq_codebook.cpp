// The multi-book DRQ codebook (core/quantization/drq_codebook.h): the split into power-of-two
// books, normalisations, the balanced PCA rotation, and asymmetric scoring tables that equal the
// scores of the decoded vectors.
#include <QtTest>

#include <cmath>
#include <numeric>

#include "core/base/error.h"
#include "core/quantization/drq_codebook.h"
#include "core/quantization/vector_transform.h"
#include "tests/core/quantization/mixture.h"

using namespace regionlab;

namespace {

double dot(const float* a, const float* b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return s;
}

std::vector<float> unitRows(const test::Mixture& m, size_t n) {
  std::vector<float> rows(m.points.begin(), m.points.begin() + ptrdiff_t(n * size_t(m.dim)));
  for (size_t i = 0; i < n; ++i) {
    float* r = rows.data() + i * size_t(m.dim);
    const double norm = std::sqrt(dot(r, r, m.dim));
    for (int d = 0; d < m.dim; ++d) r[d] = float(r[d] / norm);
  }
  return rows;
}

}  // namespace

class TestDrqCodebook : public QObject {
  Q_OBJECT

private slots:
  // 384 = 3 × 128 as REFERENCE.md §C8 suggests (here 48 = 3 × 16 to stay fast).
  void splitsIntoPowerOfTwoBooks() {
    const auto m = test::gaussianMixture(48, 20, 3000, 1.0f, 0.2f, 1);
    DrqCodebookOptions o;
    o.books = 3;
    o.root_bits = 6;
    const DrqCodebook cb = DrqCodebook::train(m.points.data(), 3000, 48, o);
    QCOMPARE(cb.books(), 3);
    QCOMPARE(cb.chunkDim(), 16);
    QCOMPARE(cb.transform().outputDim(), 48);
    // 40-d in 3 books: chunks of 16 (padded to 48).
    const DrqCodebook padded = DrqCodebook::train(m.points.data(), 3000, 40, [] {
      DrqCodebookOptions p;
      p.books = 3;
      p.root_bits = 5;
      return p;
    }());
    QCOMPARE(padded.chunkDim(), 16);
    QCOMPARE(padded.transform().outputDim(), 48);
    // Fewer dimensions than the input need a PCA.
    o.chunk_dim = 8;
    QVERIFY_THROWS_EXCEPTION(Error, DrqCodebook::train(m.points.data(), 3000, 48, o));
    o.pca = true;
    const DrqCodebook reduced = DrqCodebook::train(m.points.data(), 3000, 48, o);
    QCOMPARE(reduced.transform().outputDim(), 24);
    o.chunk_dim = 12;
    QVERIFY_THROWS_EXCEPTION(Error, DrqCodebook::train(m.points.data(), 3000, 48, o));
  }

  void encodeReportsTheReconstructionError() {
    const auto m = test::gaussianMixture(32, 30, 4000, 1.0f, 0.2f, 2);
    const std::vector<float> rows = unitRows(m, 4000);
    DrqCodebookOptions o;
    o.books = 4;
    o.root_bits = 7;
    o.pca = true;
    const DrqCodebook cb = DrqCodebook::train(rows.data(), 4000, 32, o);
    std::vector<float> y(32), back(32);
    for (size_t i = 0; i < 200; ++i) {
      const float* x = rows.data() + i * 32;
      uint16_t codes[4];
      const float reported = cb.encode(x, codes, EncodeMode::Exact);
      cb.decode(codes, back.data());
      // The rotation is orthonormal: the error is the same in the input space.
      const double error = test::squaredDistance(x, back.data(), 32);
      QVERIFY2(std::abs(error - reported) < 1e-4, qPrintable(QString("%1 vs %2").arg(error).arg(reported)));
      // The distance table scores the same thing.
      const AdcTable table = cb.distanceTable(x);
      QVERIFY(std::abs(table.score(codes) - reported) < 1e-4);
    }
  }

  // The asymmetric score of a code equals the query's inner product with the decoded vector, and
  // ranks neighbours like the true inner product does.
  void innerProductTablesScoreDecodedVectors() {
    const auto m = test::gaussianMixture(32, 30, 5000, 1.0f, 0.2f, 4);
    const std::vector<float> rows = unitRows(m, 5000);
    DrqCodebookOptions o;
    o.books = 4;
    o.root_bits = 8;
    o.pca = true;
    const DrqCodebook cb = DrqCodebook::train(rows.data(), 5000, 32, o);
    std::vector<uint16_t> codes(5000 * 4);
    cb.encodeMany(rows.data(), 5000, codes.data());
    const float* q = rows.data() + 17 * 32;
    const AdcTable table = cb.innerProductTable(q);
    std::vector<float> all(5000);
    table.scoreAll(codes.data(), 5000, all.data());
    std::vector<float> decoded(32);
    double correlation_num = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < 5000; ++i) {
      cb.decode(codes.data() + i * 4, decoded.data());
      QVERIFY(std::abs(all[i] - dot(q, decoded.data(), 32)) < 1e-4);
      QCOMPARE(all[i], table.score(codes.data() + i * 4));
      const double truth = dot(q, rows.data() + i * 32, 32);
      correlation_num += truth * all[i];
      sx += truth;
      sy += all[i];
      sxx += truth * truth;
      syy += double(all[i]) * all[i];
    }
    const double n = 5000;
    const double r = (correlation_num - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
    QVERIFY2(r > 0.95, qPrintable(QString::number(r)));
  }

  // Each code is reconstructed by the mean of the training vectors exactly encoded to it (no
  // rotation here: the transformed space is the input space), which can only lower the
  // training distortion below that of the tree centroids; without member means codes stand for
  // the tree centroids.
  void reconstructsCodesByTheirMemberMeans() {
    const auto m = test::gaussianMixture(32, 40, 6000, 1.0f, 0.3f, 5);
    DrqCodebookOptions o;
    o.books = 2;
    o.root_bits = 7;
    o.normalisation = VectorNormalisation::None;
    const DrqCodebook cb = DrqCodebook::train(m.points.data(), 6000, 32, o);
    QVERIFY(cb.hasMemberMeans());
    std::vector<double> sums(2 * 128 * 16, 0.0);
    std::vector<int> counts(2 * 128, 0);
    double tree_total = 0, means_total = 0;
    std::vector<uint16_t> codes(6000 * 2);
    cb.encodeMany(m.points.data(), 6000, codes.data(), EncodeMode::Exact, 2);
    for (size_t i = 0; i < 6000; ++i) {
      for (int b = 0; b < 2; ++b) {
        const float* x = m.points.data() + i * 32 + size_t(b) * 16;
        const uint16_t code = codes[i * 2 + size_t(b)];
        QCOMPARE(code, cb.book(b).encode(x, EncodeMode::Exact));  // the partition is the tree's
        for (int d = 0; d < 16; ++d) sums[(size_t(b) * 128 + code) * 16 + size_t(d)] += x[d];
        ++counts[size_t(b) * 128 + code];
        tree_total += test::squaredDistance(x, cb.book(b).centroid(code), 16);
        means_total += test::squaredDistance(x, cb.reconstruction(b, code), 16);
      }
    }
    int reached = 0;
    for (int b = 0; b < 2; ++b) {
      for (uint32_t c = 0; c < cb.bookSize(b); ++c) {
        const int count = counts[size_t(b) * 128 + c];
        reached += count > 0;
        for (int d = 0; d < 16; ++d) {
          const double expected = count > 0 ? sums[(size_t(b) * 128 + c) * 16 + size_t(d)] / count : cb.book(b).centroid(c)[d];
          QVERIFY2(std::abs(cb.reconstruction(b, c)[d] - expected) < 1e-5, qPrintable(QString("book %1 code %2").arg(b).arg(c)));
        }
      }
    }
    QVERIFY(reached > 200);
    QVERIFY2(means_total < tree_total, qPrintable(QString("%1 vs %2").arg(means_total).arg(tree_total)));
    o.member_means = false;
    const DrqCodebook plain = DrqCodebook::train(m.points.data(), 6000, 32, o);
    QVERIFY(!plain.hasMemberMeans());
    QCOMPARE(plain.reconstruction(1, 3), plain.book(1).centroid(3));
    QVERIFY(plain.book(0).centroids() == cb.book(0).centroids());  // the same tree either way
  }

  void normalises() {
    VectorTransform l2(4, 4, VectorNormalisation::L2);
    float a[4] = {3, 0, 4, 0};
    l2.normalise(a);
    QCOMPARE(a[0], 0.6f);
    QCOMPARE(a[2], 0.8f);
    VectorTransform root(4, 8, VectorNormalisation::RootSift);
    float b[4] = {1, -3, 0, 0}, out[8];
    root.apply(b, out);
    QCOMPARE(out[0], 0.5f);
    QVERIFY(std::abs(out[1] + std::sqrt(0.75f)) < 1e-6);
    QCOMPARE(out[7], 0.0f);  // padding
    QCOMPARE(normalisationFromName("rootsift"), VectorNormalisation::RootSift);
    QVERIFY_THROWS_EXCEPTION(Error, normalisationFromName("l3"));
  }

  // Balanced PCA: the strongest components are dealt to different books, and within a book to
  // both halves of the root.
  void balancedPcaSpreadsVariance() {
    const auto m = test::gaussianMixture(16, 50, 4000, 1.0f, 0.3f, 5);
    std::vector<float> rows = m.points;
    // Stretch the first axis so it dominates.
    for (size_t i = 0; i < 4000; ++i) rows[i * 16] *= 10.0f;
    const VectorTransform t = VectorTransform::learnPca(rows.data(), 4000, 16, 2, 8, VectorNormalisation::None);
    std::vector<double> variance(16, 0.0);
    std::vector<float> y(16);
    for (size_t i = 0; i < 4000; ++i) {
      t.apply(rows.data() + i * 16, y.data());
      for (int d = 0; d < 16; ++d) variance[size_t(d)] += double(y[size_t(d)]) * y[size_t(d)];
    }
    const auto strongest = size_t(std::max_element(variance.begin(), variance.end()) - variance.begin());
    QCOMPARE(strongest, size_t(0));  // rank 0 → book 0, position 0
    // Rank 1 goes to book 1, rank 2 to book 0's second half (bit-reversed position 4).
    std::vector<size_t> order(16);
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return variance[a] > variance[b]; });
    QCOMPARE(order[1], size_t(8));
    QCOMPARE(order[2], size_t(4));
    // The rotation is orthonormal: invert(apply(x)) = normalised x.
    std::vector<float> back(16);
    t.apply(rows.data(), y.data());
    t.invert(y.data(), back.data());
    QVERIFY(test::squaredDistance(back.data(), rows.data(), 16) < 1e-6);
  }
};

QTEST_APPLESS_MAIN(TestDrqCodebook)
#include "tst_drq_codebook.moc"
