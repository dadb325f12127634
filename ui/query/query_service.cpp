#include "ui/query/query_service.h"

#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/index/dot_product.h"
#include "core/learning/one_shot_query.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"
#include "ui/query/result_items.h"
#include "ui/viewer/region_shapes.h"

namespace regionlab::ui {
// Lives on the executor's thread (apart from `stale`, set by the GUI).
struct QueryService::EngineState {
  explicit EngineState(std::filesystem::path r) : root(std::move(r)) {}

  QueryEngine& engine() {
    if (!engine_) {
      const CollectionPaths paths(root);
      if (!paths.hasDatabase()) throw Error(paths.root, "not ingested yet: no images to search");
      // The GUI's engine only reads: during an ingest the job owns the saved HNSW graph (a
      // second writer would race it on the same files), and below
      // SearchIndexOptions::exact_below regions an exact scan answers anyway.
      SearchIndexOptions options;
      options.always_build_hnsw = false;
      options.read_only = true;
      stale = false;
      engine_ = std::make_unique<QueryEngine>(paths.root, options);
    } else if (stale.exchange(false)) {
      engine_->refresh();
    }
    return *engine_;
  }

  Database& reader() {
    if (!reader_) reader_ = Database::open(CollectionPaths(root).database, Database::Access::ReadOnly);
    return *reader_;
  }

  void close() { engine_.reset(); }

  std::filesystem::path root;
  std::atomic<bool> stale{false};

private:
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<Database> reader_;
};

QueryService::QueryService(std::filesystem::path collection_root, QueryServiceOptions options, QObject* parent)
    : QObject(parent), state_(std::make_shared<EngineState>(std::move(collection_root))), options_(options) {}

QueryService::~QueryService() { executor_.waitForDone(); }

void QueryService::markStale() { state_->stale = true; }

void QueryService::reopen() {
  auto state = state_;
  executor_.run([state] {
    state->close();
    return true;
  });
  open();
}

void QueryService::open() {
  auto state = state_;
  executor_
      .run([state] {
        const ActiveModels& models = state->engine().models();
        return std::make_pair(QString::fromStdString(models.summary()), qint64(models.generator_id));
      })
      .then(this, [this](const Outcome<std::pair<QString, qint64>>& outcome) {
        if (outcome.ok()) emit engineReady(outcome.value->first, outcome.value->second); else emit engineFailed(outcome.error);
      });
}

namespace {

std::shared_ptr<const ResultSet> runQuery(QueryEngine& engine, Database& reader, const CollectionPaths& paths,
                                          const QueryRequest& request, int sequence, size_t top_k) {
  QuerySpec spec;
  spec.image = request.image_path.toStdString();
  if (request.region_id != 0) {
    spec.region_id = request.region_id;
  } else if (request.mask) {
    // The engine takes masks as PNG files (as the CLI does).
    paths.createDataDirs();
    const std::filesystem::path png = paths.cache_dir / "query-mask.png";
    if (!cv::imwrite(png.string(), decodeRle(request.mask->mask) * 255)) throw Error(png, "cannot write the query mask");
    spec.mask_png = png;
  } else {
    throw Error("a query needs a region or a mask");
  }
  const QueryVector query = engine.resolve(spec);
  QueryOptions options;
  options.top_k = top_k;
  const QueryResult found = engine.search(query, options);

  auto set = std::make_shared<ResultSet>();
  set->sequence = sequence;
  set->query_image_id = query.image_id;
  set->query_image = QString::fromStdString(query.image);
  set->query_region_id = query.region_id;
  set->query_shape = regionOutlinePath(query.region.mask, query.region.bbox);
  set->descriptor = QString::fromStdString(found.descriptor);
  set->method = QString::fromStdString(found.method);
  set->images_searched = int64_t(engine.index().vectors().imageCount());
  for (const QueryHit& hit : found.results) {
    set->items.push_back(readResultItem(reader, hit.image_id, hit.image, hit.region_id, hit.score));
  }
  // Every image's max-over-regions score (exact scan), for sorting the browser by score.
  const RegionSearchIndex& index = engine.index();
  for (const ImageHit& hit : index.searchImages(query.vector.data(), index.vectors().imageCount(), 0, SearchMethod::Exact)) {
    set->score_by_image[hit.image_id] = hit.score;
  }
  set->record = std::make_shared<QuerySeed>(QuerySeed{query, engine.models().descriptor_id, 0});
  set->total = set->score_by_image.size() - (set->score_by_image.contains(query.image_id) ? 1 : 0);
  set->seconds = found.seconds;
  return set;
}

}  // namespace

int QueryService::run(const QueryRequest& request) {
  const int sequence = ++sequence_;
  ++pending_;
  emit queryStarted(sequence);
  auto state = state_;
  const size_t top_k = options_.top_k;
  executor_
      .run([state, request, sequence, top_k] {
        QueryEngine& engine = state->engine();
        return runQuery(engine, state->reader(), engine.paths(), request, sequence, top_k);
      })
      .then(this, [this, sequence](const Outcome<std::shared_ptr<const ResultSet>>& outcome) {
        --pending_;
        if (sequence != sequence_) return;  // superseded by a later query
        if (outcome.ok()) emit queryFinished(*outcome.value); else emit queryFailed(sequence, outcome.error);
      });
  return sequence;
}

QFuture<Outcome<HeatMap>> QueryService::heatMap(std::shared_ptr<const ResultSet> results, int64_t image_id) {
  auto state = state_;
  return executor_.run([state, results, image_id] {
    QueryEngine& engine = state->engine();
    const RegionVectorSet& vectors = engine.index().vectors();
    const std::vector<float>& query = results->record->query.vector;
    std::unordered_map<int64_t, float> score_of_region;
    for (const uint32_t row : vectors.rowsOfImage(image_id)) {
      score_of_region[vectors.regionId(row)] = dotProduct(query.data(), vectors.vector(row), vectors.dim());
    }
    std::vector<std::pair<Rle, float>> scored;
    QSize size;
    for (RegionRecord& r : state->reader().readRegionsOfImage(image_id)) {
      size = QSize(r.region.mask.width, r.region.mask.height);
      const auto it = score_of_region.find(r.id);
      if (it != score_of_region.end()) scored.emplace_back(std::move(r.region.mask), it->second);
    }
    if (scored.empty()) throw Error("image " + std::to_string(image_id) + " has no region vectors to compare with the query");
    HeatMap map = buildHeatMap(size, scored);
    map.image_id = image_id;
    return map;
  });
}

}  // namespace regionlab::ui
