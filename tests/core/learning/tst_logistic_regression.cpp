// The per-concept classifier: L-BFGS reaches the optimum, logistic regression separates,
// balances classes, is regularised, warm-starts, refuses one-class data and can be cancelled.
#include <QtTest>

#include <cmath>
#include <random>

#include "core/base/error.h"
#include "core/learning/lbfgs.h"
#include "core/learning/logistic_regression.h"

using namespace regionlab;

namespace {

// Unit vectors around a centre (dim-d Gaussian noise of the given spread, then normalised).
std::vector<float> around(const std::vector<float>& centre, float spread, std::mt19937& rng) {
  std::normal_distribution<float> noise(0.f, spread);
  std::vector<float> v(centre.size());
  double n = 0;
  for (size_t j = 0; j < v.size(); ++j) {
    v[j] = centre[j] + noise(rng);
    n += double(v[j]) * v[j];
  }
  for (float& x : v) x = float(x / std::sqrt(n));
  return v;
}

std::vector<float> axis(int dim, int k) {
  std::vector<float> v(dim, 0.f);
  v[k] = 1.f;
  return v;
}

double norm(const std::vector<float>& w) {
  double s = 0;
  for (const float x : w) s += double(x) * x;
  return std::sqrt(s);
}

}  // namespace

class TestLogisticRegression : public QObject {
  Q_OBJECT

private slots:
  void lbfgsMinimisesRosenbrock() {
    const Objective rosenbrock = [](std::span<const double> x, std::span<double> g) {
      const double a = 1 - x[0], b = x[1] - x[0] * x[0];
      g[0] = -2 * a - 400 * x[0] * b;
      g[1] = 200 * b;
      return a * a + 100 * b * b;
    };
    std::vector<double> x = {-1.2, 1.0};
    LbfgsOptions o;
    o.max_iterations = 500;
    o.gradient_tolerance = 1e-8;
    const LbfgsResult r = minimizeLbfgs(rosenbrock, x, o);
    QVERIFY(r.converged);
    QVERIFY2(std::abs(x[0] - 1) < 1e-4 && std::abs(x[1] - 1) < 1e-4, qPrintable(QString("x = %1, %2").arg(x[0]).arg(x[1])));
  }

  void separatesClusters() {
    std::mt19937 rng(1);
    const int d = 16;
    BinaryExamples train, test;
    train.dim = test.dim = d;
    for (int i = 0; i < 200; ++i) {
      train.add(around(axis(d, 0), 0.25f, rng).data(), i % 2 == 0, 1.f);
      test.add(around(axis(d, 0), 0.25f, rng).data(), true, 1.f);
      test.add(around(axis(d, 1), 0.25f, rng).data(), false, 1.f);
    }
    // Half of the training rows were drawn around axis 0 but labelled by parity: replace the
    // negatives by true negatives so the data are separable.
    for (size_t i = 0; i < train.size(); ++i) {
      if (train.label[i] < 0) {
        const auto v = around(axis(d, 1), 0.25f, rng);
        std::copy(v.begin(), v.end(), train.x.begin() + long(i * d));
      }
    }
    const auto result = trainLogisticRegression(train, {});
    int correct = 0;
    for (size_t i = 0; i < test.size(); ++i) correct += (result.model.decision(test.x.data() + i * d) > 0) == (test.label[i] > 0);
    QVERIFY2(correct >= int(test.size() * 0.95), qPrintable(QString("%1 of %2 correct").arg(correct).arg(test.size())));
    QVERIFY(result.optimizer.converged);
  }

  void balancesClasses() {
    // 5 positives against 500 overlapping negatives: unbalanced, the optimum gives up most of
    // the positives; balanced, they weigh as much as the negatives and are recalled.
    std::mt19937 rng(2);
    const int d = 8;
    std::vector<float> pc(d, 0.f), nc(d, 0.f);
    pc[0] = 1.f, pc[1] = 0.3f;
    nc[1] = 1.f, nc[0] = 0.3f;
    BinaryExamples e;
    e.dim = d;
    for (int i = 0; i < 5; ++i) e.add(around(pc, 0.25f, rng).data(), true, 1.f);
    for (int i = 0; i < 500; ++i) e.add(around(nc, 0.25f, rng).data(), false, 1.f);
    BinaryExamples probe;
    probe.dim = d;
    for (int i = 0; i < 300; ++i) probe.add(around(pc, 0.25f, rng).data(), true, 1.f);
    const auto recall = [&](const LinearModel& m) {
      int hits = 0;
      for (size_t i = 0; i < probe.size(); ++i) hits += m.decision(probe.x.data() + i * d) > 0;
      return double(hits) / double(probe.size());
    };
    LogisticRegressionOptions balanced, unbalanced;
    unbalanced.balance_classes = false;
    const double r_balanced = recall(trainLogisticRegression(e, balanced).model);
    const double r_unbalanced = recall(trainLogisticRegression(e, unbalanced).model);
    QVERIFY2(r_balanced > 0.8, qPrintable(QString::number(r_balanced)));
    QVERIFY2(r_balanced > r_unbalanced + 0.2, qPrintable(QString("balanced %1, unbalanced %2").arg(r_balanced).arg(r_unbalanced)));
  }

  void penaltyShrinksWeights() {
    std::mt19937 rng(3);
    BinaryExamples e;
    e.dim = 8;
    for (int i = 0; i < 50; ++i) {
      e.add(around(axis(8, 0), 0.3f, rng).data(), true, 1.f);
      e.add(around(axis(8, 1), 0.3f, rng).data(), false, 1.f);
    }
    LogisticRegressionOptions strong, weak;
    strong.l2 = 1e-1;
    weak.l2 = 1e-4;
    QVERIFY(norm(trainLogisticRegression(e, strong).model.w) < 0.5 * norm(trainLogisticRegression(e, weak).model.w));
  }

  void warmStartConvergesFasterToTheSameModel() {
    std::mt19937 rng(4);
    BinaryExamples e;
    e.dim = 32;
    for (int i = 0; i < 300; ++i) {
      e.add(around(axis(32, 0), 0.6f, rng).data(), true, 1.f);
      e.add(around(axis(32, 1), 0.6f, rng).data(), false, i % 3 == 0 ? 0.1f : 1.f);
    }
    const auto first = trainLogisticRegression(e, {});
    for (int i = 0; i < 5; ++i) e.add(around(axis(32, 0), 0.6f, rng).data(), true, 1.f);  // one more batch of feedback
    const auto cold = trainLogisticRegression(e, {});
    const auto warm = trainLogisticRegression(e, {}, &first.model);
    QVERIFY2(warm.optimizer.iterations < cold.optimizer.iterations,
             qPrintable(QString("warm %1, cold %2 iterations").arg(warm.optimizer.iterations).arg(cold.optimizer.iterations)));
    // The problem is strictly convex: both reach the same optimum.
    double diff = 0;
    for (int j = 0; j < 32; ++j) diff = std::max(diff, double(std::abs(warm.model.w[j] - cold.model.w[j])));
    QVERIFY2(diff < 1e-2 * norm(cold.model.w), qPrintable(QString::number(diff)));
  }

  void refusesOneClassData() {
    BinaryExamples e;
    e.dim = 2;
    const float v[2] = {1, 0};
    e.add(v, true, 1.f);
    e.add(v, true, 1.f);
    QVERIFY_THROWS_EXCEPTION(Error, trainLogisticRegression(e, {}));
  }

  void stopsWhenCancelled() {
    std::mt19937 rng(5);
    BinaryExamples e;
    e.dim = 8;
    for (int i = 0; i < 20; ++i) {
      e.add(around(axis(8, 0), 0.3f, rng).data(), true, 1.f);
      e.add(around(axis(8, 1), 0.3f, rng).data(), false, 1.f);
    }
    std::atomic<bool> cancel{true};
    const auto r = trainLogisticRegression(e, {}, nullptr, &cancel);
    QVERIFY(r.optimizer.cancelled);
    QCOMPARE(r.optimizer.iterations, 0);
  }
};

QTEST_APPLESS_MAIN(TestLogisticRegression)
#include "tst_logistic_regression.moc"
