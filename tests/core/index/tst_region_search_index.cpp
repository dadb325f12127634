// Region search: HNSW agrees with the exact scan on clustered data; the persisted index is
// loaded, appended, or rebuilt from the database (the source of truth) when it is stale,
// missing or damaged; max-over-regions ranking of images; a read-only index (the GUI's, beside an
// ingest) never writes the files.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <random>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/index/region_search_index.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

using namespace regionlab;
namespace fs = std::filesystem;

namespace {

constexpr int kDim = 24;

// Unit vectors around a few cluster centres (random Gaussian vectors give meaningless recall).
std::vector<float> clusteredVectors(int count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> centres(12, std::vector<float>(kDim));
  std::mt19937 centre_rng(1234);
  for (auto& c : centres)
    for (float& x : c) x = normal(centre_rng);
  std::vector<float> out(size_t(count) * kDim);
  for (int i = 0; i < count; ++i) {
    const auto& c = centres[rng() % centres.size()];
    double norm = 0;
    for (int d = 0; d < kDim; ++d) {
      out[i * kDim + d] = c[d] + 0.35f * normal(rng);
      norm += double(out[i * kDim + d]) * out[i * kDim + d];
    }
    for (int d = 0; d < kDim; ++d) out[i * kDim + d] = float(out[i * kDim + d] / std::sqrt(norm));
  }
  return out;
}

struct Fixture {
  QTemporaryDir tmp;
  CollectionPaths paths{fs::path(tmp.path().toStdString())};
  std::unique_ptr<Database> db;
  int64_t generator = 0, model = 0;
  std::vector<float> all;

  Fixture() {
    paths.createDataDirs();
    db = Database::open(paths.database);
    generator = db->ensureModel(kRegionGeneratorKind, "default", "g", 0);
    model = db->ensureModel(kDescriptorKind, "test", "v", kDim);
  }
  // Adds an image with `regions` regions whose vectors come next from `source`.
  int64_t addImage(const std::string& name, int regions, const std::vector<float>& source, size_t& next) {
    ImageRecord r;
    r.path = name;
    r.width = 4;
    r.height = 4;
    r.status = ImageStatus::Done;
    const int64_t id = db->writeImage(r);
    std::vector<Region> rs;
    for (int i = 0; i < regions; ++i) {
      cv::Mat m = cv::Mat::zeros(4, 4, CV_8U);
      m.at<uint8_t>(i % 4, (i / 4) % 4) = 1;
      rs.push_back(makeRegion(encodeMask(m)));
    }
    const auto ids = db->writeRegions(id, generator, rs);
    db->writeRegionVectors(model, ids, source.data() + next * kDim, kDim);
    next += size_t(regions);
    return id;
  }
};

}  // namespace

class TestRegionSearchIndex : public QObject {
  Q_OBJECT

private slots:
  void hnswAgreesWithExactScan() {
    const auto vectors = clusteredVectors(4000, 1);
    auto exact = createExactRegionIndex(kDim);
    auto hnsw = createHnswRegionIndex(kDim);
    std::vector<int64_t> ids(4000);
    for (int i = 0; i < 4000; ++i) ids[i] = 10 + i;
    exact->add(ids, vectors.data());
    hnsw->add(ids, vectors.data());
    const auto queries = clusteredVectors(50, 2);
    double recall = 0;
    for (int q = 0; q < 50; ++q) {
      const auto truth = exact->search(queries.data() + q * kDim, 10);
      const auto found = hnsw->search(queries.data() + q * kDim, 10);
      int hits = 0;
      for (const auto& t : truth)
        for (const auto& f : found) hits += t.region_id == f.region_id;
      recall += hits / 10.0;
      QVERIFY(std::abs(found[0].score - truth[0].score) < 1e-4 || found[0].score <= truth[0].score);
    }
    recall /= 50;
    qInfo("HNSW recall@10 against exact on 4000 clustered vectors: %.3f", recall);
    QVERIFY(recall >= 0.95);
  }

  void ranksImagesByTheirBestRegion() {
    Fixture f;
    const auto vectors = clusteredVectors(300, 3);
    size_t next = 0;
    std::vector<int64_t> images;
    for (int i = 0; i < 30; ++i) images.push_back(f.addImage("img" + std::to_string(i) + ".jpg", 10, vectors, next));
    auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
    const float* query = vectors.data() + 57 * kDim;  // region 57 lives in image 5
    const auto exact = index->searchImages(query, 30, 0, SearchMethod::Exact);
    QCOMPARE(exact.size(), size_t(30));
    QCOMPARE(exact[0].image_id, images[5]);
    QVERIFY(std::abs(exact[0].score - 1.0f) < 1e-2);  // itself (through fp16 storage)
    // Brute force check of the max-over-regions definition on one image.
    const auto& set = index->vectors();
    for (const ImageHit& hit : exact) {
      float best = -2;
      for (uint32_t row : set.rowsOfImage(hit.image_id)) {
        float dot = 0;
        for (int d = 0; d < kDim; ++d) dot += query[d] * set.vector(row)[d];
        best = std::max(best, dot);
      }
      QVERIFY(std::abs(best - hit.score) < 1e-5);
    }
    for (size_t i = 1; i < exact.size(); ++i) QVERIFY(exact[i - 1].score >= exact[i].score);
    // Excluding the query image; HNSW candidates are rescored exactly, so scores agree.
    const auto without = index->searchImages(query, 10, images[5], SearchMethod::Hnsw);
    QCOMPARE(without.size(), size_t(10));
    for (size_t i = 0; i < without.size(); ++i) {
      QVERIFY(without[i].image_id != images[5]);
      QCOMPARE(without[i].image_id, exact[i + 1].image_id);
      QCOMPARE(without[i].score, exact[i + 1].score);
    }
  }

  void keepsThePersistedIndexInStepWithTheDatabase() {
    Fixture f;
    const auto vectors = clusteredVectors(400, 4);
    size_t next = 0;
    for (int i = 0; i < 20; ++i) f.addImage("a" + std::to_string(i) + ".jpg", 10, vectors, next);
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("rebuilt") == 0, index->lastMaintenance().c_str());
    }
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("loaded 200") == 0, index->lastMaintenance().c_str());
    }
    for (int i = 0; i < 5; ++i) f.addImage("b" + std::to_string(i) + ".jpg", 10, vectors, next);
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("appended 50") == 0, index->lastMaintenance().c_str());
      QCOMPARE(index->vectors().size(), size_t(250));
    }
    // A removed image makes the saved graph stale: rebuilt, never served with dead regions.
    f.db->deleteImage(f.db->findImage("a3.jpg")->id);
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("rebuilt 240") == 0, index->lastMaintenance().c_str());
    }
    // A damaged file is detected and rebuilt from the database.
    const fs::path file = f.paths.index_dir / ("regions-" + std::to_string(f.model) + ".hnsw");
    QVERIFY(fs::exists(file));
    {
      std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
      io.seekp(100);
      io.write("garbage!", 8);
    }
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("rebuilt 240") == 0, index->lastMaintenance().c_str());
      const auto hits = index->searchImages(vectors.data(), 3, 0, SearchMethod::Hnsw);
      QCOMPARE(hits.size(), size_t(3));
    }
    fs::remove(file);
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
      QVERIFY2(index->lastMaintenance().find("rebuilt 240") == 0, index->lastMaintenance().c_str());
    }
    // refresh() picks up vectors committed after opening.
    auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
    f.addImage("c.jpg", 10, vectors, next);
    QVERIFY(index->refresh(*f.db));
    QCOMPARE(index->vectors().size(), size_t(250));
    QVERIFY(!index->refresh(*f.db));
  }

  void readOnlyIndexNeverWritesTheFiles() {
    Fixture f;
    const auto vectors = clusteredVectors(400, 5);
    size_t next = 0;
    for (int i = 0; i < 10; ++i) f.addImage("a" + std::to_string(i) + ".jpg", 10, vectors, next);
    const fs::path file = f.paths.index_dir / ("regions-" + std::to_string(f.model) + ".hnsw");
    const fs::path meta = f.paths.index_dir / ("regions-" + std::to_string(f.model) + ".json");
    SearchIndexOptions read_only;
    read_only.read_only = true;
    read_only.exact_below = 120;  // the graph is needed from 120 vectors on
    {
      auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim, read_only);
      QVERIFY(index->hasHnsw());  // built in memory
      QVERIFY(!fs::exists(file) && !fs::exists(meta));
      f.addImage("b.jpg", 10, vectors, next);
      QVERIFY(index->refresh(*f.db));
      QCOMPARE(index->vectors().size(), size_t(110));
      f.db->deleteImage(f.db->findImage("a0.jpg")->id);  // forces a rebuild
      QVERIFY(index->refresh(*f.db));
      QCOMPARE(index->vectorSetGeneration(), 1);
      QVERIFY(!fs::exists(file) && !fs::exists(meta));
      QCOMPARE(index->searchImages(vectors.data() + 15 * kDim, 1, 0, SearchMethod::Hnsw).size(), size_t(1));
    }
    // A writer saves the graph; a read-only reader loads it and appends in memory only.
    auto writer = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim);
    QVERIFY(fs::exists(file));
    const auto saved_time = fs::last_write_time(file);
    const std::string saved_meta = [&] {
      std::ifstream in(meta);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }();
    f.addImage("c.jpg", 10, vectors, next);
    auto reader = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim, read_only);
    QVERIFY2(reader->lastMaintenance().find("appended 10") == 0, reader->lastMaintenance().c_str());
    f.addImage("d.jpg", 10, vectors, next);
    QVERIFY(reader->refresh(*f.db));
    QCOMPARE(reader->vectors().size(), size_t(120));
    QCOMPARE(fs::last_write_time(file), saved_time);
    std::ifstream in(meta);
    QCOMPARE(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), saved_meta);
    QCOMPARE(reader->vectorSetGeneration(), 0);
  }

  void buildingReportsProgressAndCanBeCancelled() {
    Fixture f;
    const auto vectors = clusteredVectors(300, 9);
    size_t next = 0;
    for (int i = 0; i < 10; ++i) f.addImage("a" + std::to_string(i) + ".jpg", 30, vectors, next);
    const fs::path meta = f.paths.index_dir / ("regions-" + std::to_string(f.model) + ".json");
    // Cancelled after the first batch: open() fails and saves nothing.
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    SearchIndexOptions options;
    options.hnsw_batch = 64;
    options.cancel = cancel;
    std::vector<std::pair<size_t, size_t>> reports;
    options.on_progress = [&](size_t inserted, size_t total) {
      reports.emplace_back(inserted, total);
      cancel->store(true);
    };
    QVERIFY_THROWS_EXCEPTION(Error, RegionSearchIndex::open(*f.db, f.paths, f.model, kDim, options));
    QCOMPARE(reports.size(), size_t(1));
    QCOMPARE(reports.front(), std::make_pair(size_t(64), size_t(300)));
    QVERIFY(!fs::exists(meta));
    // Uncancelled: every batch is reported, the last one with every vector, and the graph saved.
    cancel->store(false);
    reports.clear();
    options.on_progress = [&](size_t inserted, size_t total) { reports.emplace_back(inserted, total); };
    const auto index = RegionSearchIndex::open(*f.db, f.paths, f.model, kDim, options);
    QCOMPARE(reports.size(), size_t(5));  // 64, 128, 192, 256, 300
    QCOMPARE(reports.back(), std::make_pair(size_t(300), size_t(300)));
    QVERIFY(fs::exists(meta));
    QCOMPARE(index->searchImages(vectors.data(), 1, 0, SearchMethod::Hnsw).size(), size_t(1));
  }
};

QTEST_APPLESS_MAIN(TestRegionSearchIndex)
#include "tst_region_search_index.moc"
