// k-means initialisation for learnt prototypes such as ImAge's aggregation tokens
// (core/quantization/kmeans_initialisation.h): L2-normalised descriptors from k directions give
// back those k directions, deterministically.
#include <QtTest>

#include <cmath>

#include "core/base/error.h"
#include "core/quantization/kmeans_initialisation.h"
#include "tests/core/quantization/mixture.h"

using namespace regionlab;

namespace {

void normaliseRows(std::vector<float>& rows, int dim) {
  for (size_t i = 0; i < rows.size() / size_t(dim); ++i) {
    float* r = rows.data() + i * size_t(dim);
    double n = 0;
    for (int d = 0; d < dim; ++d) n += double(r[d]) * r[d];
    for (int d = 0; d < dim; ++d) r[d] = float(r[d] / std::sqrt(n));
  }
}

double cosine(const float* a, const float* b, int dim) {
  double ab = 0, aa = 0, bb = 0;
  for (int d = 0; d < dim; ++d) {
    ab += double(a[d]) * b[d];
    aa += double(a[d]) * a[d];
    bb += double(b[d]) * b[d];
  }
  return ab / std::sqrt(aa * bb);
}

}  // namespace

class TestKMeansInitialisation : public QObject {
  Q_OBJECT

private slots:
  void recoversTheDirections() {
    const int dim = 96, k = 8;  // not a power of two: DRC runs in a 64-d PCA space
    auto m = test::gaussianMixture(dim, k, 8000, 1.0f, 0.04f, 31);
    normaliseRows(m.points, dim);
    normaliseRows(m.centres, dim);
    KMeansInitialisationOptions o;
    o.k = k;
    const KMeansResult result = kmeansInitialisation(m.points.data(), 8000, dim, o);
    QCOMPARE(result.centroids.size(), size_t(k * dim));
    QCOMPARE(result.assignment.size(), size_t(8000));
    std::vector<bool> used(k, false);
    for (int c = 0; c < k; ++c) {
      int best = -1;
      double best_cos = -2;
      for (int r = 0; r < k; ++r) {
        const double cs = cosine(m.centres.data() + c * dim, result.centroids.data() + r * dim, dim);
        if (cs > best_cos) {
          best_cos = cs;
          best = r;
        }
      }
      QVERIFY2(best_cos > 0.99, qPrintable(QString("direction %1 best matched at cosine %2").arg(c).arg(best_cos)));
      QVERIFY2(!used[size_t(best)], "two directions share a centroid");
      used[size_t(best)] = true;
    }
    // Deterministic.
    const KMeansResult again = kmeansInitialisation(m.points.data(), 8000, dim, o);
    QVERIFY(again.centroids == result.centroids);
  }

  void lloydImprovesOnTheSeeding() {
    const int dim = 32;
    auto m = test::gaussianMixture(dim, 40, 6000, 1.0f, 0.3f, 32);
    normaliseRows(m.points, dim);
    KMeansInitialisationOptions o;
    o.k = 16;
    o.lloyd_iterations = 0;
    const double seeded = kmeansInitialisation(m.points.data(), 6000, dim, o).distortion;
    o.lloyd_iterations = 10;
    const double polished = kmeansInitialisation(m.points.data(), 6000, dim, o).distortion;
    QVERIFY2(polished < seeded, qPrintable(QString("%1 vs %2").arg(polished).arg(seeded)));
  }

  void refusesTooFewDescriptors() {
    std::vector<float> few(4 * 16, 0.25f);
    KMeansInitialisationOptions o;
    o.k = 8;
    QVERIFY_THROWS_EXCEPTION(Error, kmeansInitialisation(few.data(), 4, 16, o));
  }
};

QTEST_APPLESS_MAIN(TestKMeansInitialisation)
#include "tst_kmeans_initialisation.moc"
