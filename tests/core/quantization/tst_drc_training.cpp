// DRC training and DRQ encoding of one tree (core/quantization/drc_training.h, drq_tree.h):
// exact encoding is the brute-force nearest centroid, fast and approximate encodings agree with
// it at least at their documented floors, known clusters are recovered, training is
// deterministic, and out-of-range values are clamped.
#include <QtTest>

#include <algorithm>
#include <limits>
#include <map>

#include "core/base/error.h"
#include "core/quantization/drc_training.h"
#include "core/quantization/drq_tree.h"
#include "tests/core/quantization/mixture.h"

using namespace regionlab;
using regionlab::test::gaussianMixture;
using regionlab::test::squaredDistance;
using regionlab::test::toColumns;

namespace {

DrqTree trainOn(const test::Mixture& m, size_t n, int root_bits, DrcAssignment assignment = DrcAssignment::Auto, int threads = 0,
                uint32_t root_size = 0, bool exact_labels = false) {
  DrcOptions o;
  o.exact_labels = exact_labels;
  o.level_bits = defaultLevelBits(m.dim, root_bits);
  o.root_size = root_size;
  o.assignment = assignment;
  o.threads = threads;
  const std::vector<float> columns = toColumns(m.points, n, m.dim);
  return trainDrqTree(columns.data(), n, m.dim, o);
}

// Nearest centroid by brute force in double precision.
std::pair<uint32_t, double> bruteForce(const DrqTree& tree, const float* x) {
  uint32_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (uint32_t k = 0; k < tree.size(); ++k) {
    const double d = squaredDistance(x, tree.centroid(k), tree.dim());
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return {best, best_d};
}

// Floors documented in drq_tree.h (EncodeMode), measured on this data with a margin.
constexpr double kFastFloor = 0.45;
constexpr double kApproximateFloor = 0.90;

}  // namespace

class TestDrcTraining : public QObject {
  Q_OBJECT

private slots:
  void exactEncodingIsTheNearestCentroid_data() {
    QTest::addColumn<int>("assignment");
    QTest::newRow("propagation") << int(DrcAssignment::Propagation);
    QTest::newRow("exhaustive") << int(DrcAssignment::Exhaustive);
  }
  // Property: for thousands of vectors, in and far outside the training distribution, the exact
  // encoder returns a centroid whose true distance is the minimum over all centroids.
  void exactEncodingIsTheNearestCentroid() {
    QFETCH(int, assignment);
    const auto m = gaussianMixture(16, 40, 12000, 1.0f, 0.25f, 7);
    const DrqTree tree = trainOn(m, 12000, 8, DrcAssignment(assignment));
    QCOMPARE(tree.size(), 256u);
    QCOMPARE(tree.dim(), 16);

    std::mt19937_64 random(11);
    std::uniform_real_distribution<float> wide(-3.0f, 3.0f);
    int index_mismatches = 0;
    for (int i = 0; i < 4000; ++i) {
      std::vector<float> x(16);
      if (i % 2 == 0) {
        std::copy_n(m.points.data() + size_t(random() % 12000) * 16, 16, x.data());
        for (float& v : x) v += 0.05f * wide(random);
      } else {
        for (float& v : x) v = wide(random);  // mostly outside the training range
      }
      float reported = 0;
      const uint16_t code = tree.encode(x.data(), EncodeMode::Exact, &reported);
      const auto [best, best_d] = bruteForce(tree, x.data());
      const double got = squaredDistance(x.data(), tree.centroid(code), 16);
      QVERIFY2(got <= best_d + 1e-5 * (1.0 + best_d), qPrintable(QString("vector %1: exact code %2 at %3, nearest %4 at %5")
                                                                     .arg(i).arg(code).arg(got).arg(best).arg(best_d)));
      QVERIFY(std::abs(double(reported) - got) <= 1e-4 * (1.0 + got));
      if (code != best) ++index_mismatches;  // only possible on exact ties
    }
    QVERIFY(index_mismatches <= 2);
  }

  void fastAndApproximateAgreeAboveTheirFloors() {
    const auto m = gaussianMixture(16, 40, 20000, 1.0f, 0.25f, 3);
    const DrqTree tree = trainOn(m, 16000, 8);
    int fast = 0, approximate = 0;
    const int held_out = 4000;
    for (int i = 0; i < held_out; ++i) {
      const float* x = m.points.data() + size_t(16000 + i) * 16;
      const uint16_t exact = tree.encode(x, EncodeMode::Exact);
      fast += tree.encode(x, EncodeMode::Fast) == exact;
      approximate += tree.encode(x, EncodeMode::Approximate) == exact;
    }
    const double fast_rate = double(fast) / held_out, approximate_rate = double(approximate) / held_out;
    qInfo("agreement with exact: fast %.3f, approximate %.3f", fast_rate, approximate_rate);
    QVERIFY2(fast_rate >= kFastFloor, qPrintable(QString::number(fast_rate)));
    QVERIFY2(approximate_rate >= kApproximateFloor, qPrintable(QString::number(approximate_rate)));
    QVERIFY(approximate_rate > fast_rate);
  }

  // 12 well-separated components, K = 12: every component becomes one cluster.
  void recoversKnownClusters() {
    const int components = 12;
    const auto m = gaussianMixture(8, components, 12000, 4.0f, 0.15f, 5);
    const DrqTree tree = trainOn(m, 12000, 4, DrcAssignment::Auto, 0, components);
    QCOMPARE(tree.size(), uint32_t(components));
    std::vector<std::map<uint16_t, int>> codes_of(components);
    for (size_t i = 0; i < 12000; ++i) ++codes_of[size_t(m.component[i])][tree.encode(m.points.data() + i * 8, EncodeMode::Exact)];
    std::vector<int> owner(components, -1);
    for (int c = 0; c < components; ++c) {
      const auto top = std::max_element(codes_of[size_t(c)].begin(), codes_of[size_t(c)].end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
      int total = 0;
      for (const auto& [code, count] : codes_of[size_t(c)]) total += count;
      QVERIFY2(top->second >= 0.97 * total, qPrintable(QString("component %1 split: %2 of %3").arg(c).arg(top->second).arg(total)));
      QVERIFY2(owner[top->first] < 0, "two components share a cluster");
      owner[top->first] = c;
      // The cluster's centroid sits at the component's centre: within its noise radius σ√d
      // (0.42; the centres are ~4 apart), grid snapping included.
      const double d = squaredDistance(tree.centroid(top->first), m.centres.data() + size_t(c) * 8, 8);
      QVERIFY2(d < 0.42 * 0.42, qPrintable(QString("centroid %1 is %2 from its centre").arg(top->first).arg(std::sqrt(d))));
    }
  }

  void trainingIsDeterministic() {
    const auto m = gaussianMixture(8, 20, 6000, 1.0f, 0.2f, 9);
    const DrqTree one = trainOn(m, 6000, 7, DrcAssignment::Auto, 1);
    const DrqTree two = trainOn(m, 6000, 7, DrcAssignment::Auto, 2);
    QCOMPARE(one.size(), two.size());
    QVERIFY(one.centroids() == two.centroids());
    QVERIFY(one.root().source == two.root().source);
    QVERIFY(one.root().edge_targets == two.root().edge_targets);
  }

  // Training vectors labelled by exact encoding put each vector at its nearest cell of the
  // parent's grid (not at the cell earlier lookups lead to): on SIFT this lowers the distortion by
  // 6% (regionlab-bench drq --exact-labels); here it must at least not raise it, and stay
  // independent of the thread count.
  void exactTrainingLabelsDoNotRaiseTheDistortion() {
    const auto m = gaussianMixture(16, 40, 12000, 1.0f, 0.25f, 3);
    const size_t n = 12000;
    const DrqTree lookup = trainOn(m, n, 8);
    const DrqTree exact = trainOn(m, n, 8, DrcAssignment::Auto, 1, 0, true);
    const DrqTree exact_two_threads = trainOn(m, n, 8, DrcAssignment::Auto, 2, 0, true);
    QVERIFY(exact.centroids() == exact_two_threads.centroids());
    auto distortion = [&](const DrqTree& tree) {
      double total = 0;
      for (size_t i = 0; i < n; ++i) {
        float d = 0;
        tree.encode(m.points.data() + i * 16, EncodeMode::Exact, &d);
        total += d;
      }
      return total / double(n);
    };
    const double d_lookup = distortion(lookup), d_exact = distortion(exact);
    qInfo("distortion: lookup labels %.5f, exact labels %.5f", d_lookup, d_exact);
    QVERIFY2(d_exact <= d_lookup, qPrintable(QString("%1 > %2").arg(d_exact).arg(d_lookup)));
  }

  void clampsOutOfRangeValues() {
    const auto m = gaussianMixture(4, 10, 4000, 1.0f, 0.2f, 13);
    const DrqTree tree = trainOn(m, 4000, 6);
    for (const float v : {-1e30f, -1e6f, 1e6f, 1e30f}) {
      const std::vector<float> x(4, v);
      for (const EncodeMode mode : {EncodeMode::Fast, EncodeMode::Approximate, EncodeMode::Exact}) {
        QVERIFY(tree.encode(x.data(), mode) < tree.size());
      }
      // Clamping: every value beyond the last bin looks up that bin.
      const std::vector<float> nearer(4, v > 0 ? 1e3f : -1e3f);
      QCOMPARE(tree.encode(x.data(), EncodeMode::Fast), tree.encode(nearer.data(), EncodeMode::Fast));
    }
  }

  void leavesAreSortedAndGraphsSymmetric() {
    const auto m = gaussianMixture(8, 20, 5000, 1.0f, 0.2f, 17);
    const DrqTree tree = trainOn(m, 5000, 7);
    for (const DrqNode& node : tree.nodes()) {
      if (node.isLeaf()) QVERIFY(std::is_sorted(node.centroids.begin(), node.centroids.end()));
      for (uint32_t s = 0; s < node.size(); ++s) {
        for (uint32_t e = node.edge_offsets[s]; e < node.edge_offsets[s + 1]; ++e) {
          const uint16_t t = node.edge_targets[e];
          QVERIFY(t != s);
          const auto begin = node.edge_targets.begin() + node.edge_offsets[t], end = node.edge_targets.begin() + node.edge_offsets[t + 1];
          QVERIFY2(std::find(begin, end, uint16_t(s)) != end, "edge without its reverse");
        }
      }
    }
    QVERIFY(tree.root().edge_targets.size() > tree.size());  // every centroid has neighbours
  }

  void rejectsImpossibleInput() {
    DrcOptions o;
    o.level_bits = {5, 6};
    const std::vector<float> columns(4 * 10, 0.5f);
    QVERIFY_THROWS_EXCEPTION(Error, trainDrqTree(columns.data(), 10, 4, o));  // 4-d needs 3 levels
    o.level_bits = {5, 6, 16};
    QVERIFY_THROWS_EXCEPTION(Error, trainDrqTree(columns.data(), 10, 4, o));
    o.level_bits = {5, 6, 7};
    QVERIFY_THROWS_EXCEPTION(Error, trainDrqTree(columns.data(), 0, 4, o));
    // Constant data: one centroid per node, still a valid tree.
    const DrqTree tree = trainDrqTree(columns.data(), 10, 4, o);
    QCOMPARE(tree.size(), 1u);
  }
};

QTEST_APPLESS_MAIN(TestDrcTraining)
#include "tst_drc_training.moc"
