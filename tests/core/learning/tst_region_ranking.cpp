// Rescoring and re-ranking a whole collection: threaded scores equal single-threaded ones, each
// image's best and nearest-to-boundary regions and both orders match a brute-force pass.
#include <QtTest>

#include <cmath>
#include <random>

#include "core/learning/region_ranking.h"

using namespace regionlab;

class TestRegionRanking : public QObject {
  Q_OBJECT

private slots:
  void matchesBruteForce() {
    const int dim = 12;
    const size_t rows = 200'000;  // enough for the scorer to split over threads
    std::mt19937 rng(3);
    std::normal_distribution<float> g(0.f, 1.f);
    std::uniform_int_distribution<int> per_image(1, 40);
    RegionVectorSet vectors(dim);
    std::vector<float> v(static_cast<size_t>(dim));
    int64_t image = 0;
    for (size_t r = 0; r < rows;) {
      ++image;
      for (int k = per_image(rng); k > 0 && r < rows; --k, ++r) {
        for (float& x : v) x = g(rng);
        vectors.append(int64_t(r + 1), image * 7, v.data());  // sparse image ids
      }
    }
    std::vector<float> w(static_cast<size_t>(dim));
    for (float& x : w) x = g(rng);
    const float b = 0.3f;

    std::vector<float> one(rows), many(rows);
    scoreRegions(vectors, w.data(), b, one, 1);
    scoreRegions(vectors, w.data(), b, many, 4);
    QCOMPARE(one, many);

    const ImageSlots image_slots = buildImageSlots(vectors);
    QCOMPARE(image_slots.images(), size_t(image));
    const auto ranking = rankRegions(vectors, image_slots, w.data(), b, 2);
    QCOMPARE(ranking->scores, one);
    for (uint32_t slot = 0; slot < image_slots.images(); ++slot) {
      const auto image_rows = vectors.rowsOfImage(image_slots.image_of_slot[slot]);
      float best = -INFINITY, nearest = INFINITY;
      for (const uint32_t row : image_rows) {
        best = std::max(best, one[row]);
        nearest = std::min(nearest, std::abs(one[row]));
      }
      QCOMPARE(one[ranking->best_row[slot]], best);
      QCOMPARE(std::abs(one[ranking->nearest_row[slot]]), nearest);
      QCOMPARE(vectors.imageId(ranking->best_row[slot]), image_slots.image_of_slot[slot]);
    }
    for (size_t i = 1; i < image_slots.images(); ++i) {
      QVERIFY(one[ranking->best_row[ranking->slots_by_score[i - 1]]] >= one[ranking->best_row[ranking->slots_by_score[i]]]);
      QVERIFY(std::abs(one[ranking->nearest_row[ranking->slots_by_boundary[i - 1]]]) <=
              std::abs(one[ranking->nearest_row[ranking->slots_by_boundary[i]]]));
    }
  }
};

QTEST_APPLESS_MAIN(TestRegionRanking)
#include "tst_region_ranking.moc"
