// DRQ region codes behind RegionSearchIndex (core/index/drq_code_index.h): trained on the
// collection once it is large enough, stored in the database and reloaded, kept in step when
// vectors are added or removed, retrained when the collection outgrows the codebook, and a DRQ
// search that finds what the exact scan finds.
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/index/region_clusters.h"
#include "core/index/region_search_index.h"
#include "core/storage/codebook_store.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

using namespace regionlab;

namespace {

constexpr int kDim = 48;

// Non-negative unit vectors around `themes` directions (like the classical descriptor's).
class VectorSource {
public:
  explicit VectorSource(int themes) : random_(5), themes_(size_t(themes) * kDim) {
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& v : themes_) v = u(random_) < 0.3f ? u(random_) : 0.0f;
  }
  std::vector<float> next() {
    std::normal_distribution<float> noise(0.0f, 0.08f);
    const size_t theme = random_() % (themes_.size() / kDim);
    std::vector<float> v(kDim);
    double norm = 0;
    for (int d = 0; d < kDim; ++d) {
      v[size_t(d)] = std::max(0.0f, themes_[theme * kDim + size_t(d)] + noise(random_));
      norm += double(v[size_t(d)]) * v[size_t(d)];
    }
    for (float& x : v) x = float(x / std::sqrt(norm));
    return v;
  }

private:
  std::mt19937_64 random_;
  std::vector<float> themes_;
};

class Collection {
public:
  Collection() : paths(dir.path().toStdString()) {
    paths.createDataDirs();
    db = Database::open(paths.database);
    generator = db->ensureModel(kRegionGeneratorKind, "default", "g", 0);
    model = db->ensureModel(kDescriptorKind, "test", "d", kDim);
  }
  // Adds `images` images of `regions` regions each, with vectors.
  void add(int images, int regions) {
    for (int i = 0; i < images; ++i) {
      ImageRecord image;
      image.path = "img" + std::to_string(next_image_++) + ".jpg";
      image.width = 16;
      image.height = 16;
      image.status = ImageStatus::Done;
      Database::Transaction t(*db);
      const int64_t id = db->writeImage(image);
      std::vector<Region> list;
      for (int r = 0; r < regions; ++r) {
        cv::Mat mask = cv::Mat::zeros(16, 16, CV_8U);
        mask.at<uint8_t>(r / 16, r % 16) = 255;
        list.push_back(makeRegion(encodeMask(mask)));
      }
      const std::vector<int64_t> ids = db->writeRegions(id, generator, list);
      std::vector<float> vectors;
      for (size_t r = 0; r < ids.size(); ++r) {
        const auto v = source.next();
        vectors.insert(vectors.end(), v.begin(), v.end());
      }
      db->writeRegionVectors(model, ids, vectors.data(), kDim);
      t.commit();
    }
  }
  QTemporaryDir dir;
  CollectionPaths paths;
  std::unique_ptr<Database> db;
  int64_t generator = 0, model = 0;
  VectorSource source{12};

private:
  int next_image_ = 0;
};

SearchIndexOptions smallCodes() {
  SearchIndexOptions o;
  o.always_build_hnsw = false;
  o.drq.min_vectors = 500;
  o.drq.books = 4;
  o.drq.rerank = 100;
  return o;
}

}  // namespace

class TestDrqCodeIndex : public QObject {
  Q_OBJECT

private slots:
  void noCodesBelowTheThreshold() {
    Collection c;
    c.add(4, 50);  // 200 vectors
    auto index = RegionSearchIndex::open(*c.db, c.paths, c.model, kDim, smallCodes());
    QVERIFY(!index->hasCodes());
    QVERIFY(QString::fromStdString(index->lastCodeMaintenance()).contains("codes start at 500"));
    const std::vector<float> q = c.source.next();
    try {
      index->searchImages(q.data(), 5, 0, SearchMethod::Drq);
      QFAIL("DRQ search without codes must fail");
    } catch (const Error& e) {
      QVERIFY(QString(e.what()).contains("--index exact"));
    }
  }

  void codesFollowTheDatabase() {
    Collection c;
    c.add(40, 50);  // 2000 vectors
    auto index = RegionSearchIndex::open(*c.db, c.paths, c.model, kDim, smallCodes());
    QVERIFY(index->hasCodes());
    QVERIFY2(QString::fromStdString(index->lastCodeMaintenance()).contains("trained"), index->lastCodeMaintenance().c_str());
    CodebookStore store(*c.db);
    const auto codebook = store.latestCodebook(c.model, kRegionCodesPurpose);
    QVERIFY(codebook);
    QCOMPARE(store.codeCount(codebook->id), int64_t(2000));
    QCOMPARE(index->codes()->bytesPerRegion(), size_t(8));
    QCOMPARE(index->codes()->codebook().id(), codebook->sha256);

    // Reopening loads the stored codes, same codebook, same codes.
    auto reopened = RegionSearchIndex::open(*c.db, c.paths, c.model, kDim, smallCodes());
    QVERIFY2(QString::fromStdString(reopened->lastCodeMaintenance()).contains("loaded"), reopened->lastCodeMaintenance().c_str());
    QCOMPARE(reopened->codes()->codebookRowId(), codebook->id);
    for (size_t row = 0; row < 2000; row += 97) {
      QVERIFY(std::equal(index->codes()->code(row), index->codes()->code(row) + 4, reopened->codes()->code(row)));
    }

    // New vectors are encoded and stored with the same codebook.
    c.add(4, 50);
    QVERIFY(index->refresh(*c.db));
    QCOMPARE(index->codes()->size(), size_t(2200));
    QCOMPARE(store.codeCount(codebook->id), int64_t(2200));
    QCOMPARE(index->codes()->codebookRowId(), codebook->id);

    // Removed regions: codes resynchronised from the database.
    c.db->deleteRegionsOfImage(c.db->findImage("img0.jpg")->id);
    QVERIFY(index->refresh(*c.db));
    QCOMPARE(index->codes()->size(), size_t(2150));
    QCOMPARE(store.codeCount(codebook->id), int64_t(2150));

    // Growing 4× past the training set with room for more centroids: retrained, old codes gone.
    c.add(140, 50);
    QVERIFY(index->refresh(*c.db));
    QVERIFY2(index->codes()->codebookRowId() != codebook->id, index->lastCodeMaintenance().c_str());
    QVERIFY(!store.readCodebook(codebook->id));
    QCOMPARE(store.codeCount(index->codes()->codebookRowId()), int64_t(9150));
  }

  void drqSearchFindsWhatTheExactScanFinds() {
    Collection c;
    c.add(60, 50);
    auto index = RegionSearchIndex::open(*c.db, c.paths, c.model, kDim, smallCodes());
    QVERIFY(index->hasCodes());
    int agreeing = 0, total = 0;
    for (int q = 0; q < 30; ++q) {
      const std::vector<float> query = c.source.next();
      const auto exact = index->searchImages(query.data(), 10, 0, SearchMethod::Exact);
      const auto drq = index->searchImages(query.data(), 10, 0, SearchMethod::Drq);
      QCOMPARE(drq.size(), size_t(10));
      for (size_t i = 0; i < drq.size(); ++i) {
        // DRQ scores are exact max-over-regions scores of the images it returns.
        float best = -1;
        for (const uint32_t row : index->vectors().rowsOfImage(drq[i].image_id)) {
          float s = 0;
          for (int d = 0; d < kDim; ++d) s += query[size_t(d)] * index->vectors().vector(row)[d];
          best = std::max(best, s);
        }
        QVERIFY(std::abs(best - drq[i].score) < 1e-5);
        if (i > 0) QVERIFY(drq[i - 1].score >= drq[i].score);
      }
      for (const ImageHit& e : exact) {
        total += 1;
        agreeing += std::any_of(drq.begin(), drq.end(), [&](const ImageHit& h) { return h.image_id == e.image_id; });
      }
    }
    const double recall = double(agreeing) / total;
    qInfo("DRQ image recall@10 vs exact: %.3f", recall);
    QVERIFY2(recall >= 0.95, qPrintable(QString::number(recall)));
    // Excluding the query image.
    const auto hits = index->searchImages(index->vectors().vector(0), 5, index->vectors().imageId(0), SearchMethod::Drq);
    for (const ImageHit& h : hits) QVERIFY(h.image_id != index->vectors().imageId(0));
  }

  void clustersAreStoredAndReloaded() {
    Collection c;
    c.add(20, 50);
    RegionVectorSet vectors(kDim);
    vectors.appendFromDatabase(*c.db, c.model);
    ClusteringOptions o;
    o.k = 12;
    const RegionClusters built = RegionClusters::build(*c.db, c.model, vectors, o);
    QCOMPARE(built.clusterCount(), 12u);
    QCOMPARE(built.regionCount(), size_t(1000));
    const auto loaded = RegionClusters::load(*c.db, c.model, vectors);
    QVERIFY(loaded);
    QCOMPARE(loaded->codebookRowId(), built.codebookRowId());
    CodebookStore store(*c.db);
    for (uint32_t k = 0; k < 12; ++k) {
      const auto a = built.members(k), b = loaded->members(k);
      QCOMPARE(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) QCOMPARE(a[i].region_id, b[i].region_id);
      for (size_t i = 1; i < a.size(); ++i) QVERIFY(a[i - 1].similarity >= a[i].similarity);
      // The storage view of "regions of cluster k" agrees.
      std::vector<int64_t> ids;
      for (const ClusterMember& m : a) ids.push_back(m.region_id);
      std::sort(ids.begin(), ids.end());
      QCOMPARE(store.regionsWithCode(built.codebookRowId(), uint16_t(k)), ids);
    }
    // The 12 themes are recovered: each cluster is mostly one theme, so its members are similar.
    for (uint32_t k = 0; k < 12; ++k) {
      if (built.members(k).size() < 10) continue;
      QVERIFY(built.members(k).back().similarity > 0.6f);
    }
    // A new clustering replaces the old one.
    o.k = 5;
    const RegionClusters again = RegionClusters::build(*c.db, c.model, vectors, o);
    QCOMPARE(store.readCodebooks(c.model, kClustersPurpose).size(), size_t(1));
    QCOMPARE(RegionClusters::load(*c.db, c.model, vectors)->clusterCount(), 5u);
    o.k = 2000;
    QVERIFY_THROWS_EXCEPTION(Error, RegionClusters::build(*c.db, c.model, vectors, o));
  }
};

QTEST_APPLESS_MAIN(TestDrqCodeIndex)
#include "tst_drq_code_index.moc"
