#include "core/index/region_search_index.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/sha256.h"
#include "core/index/dot_product.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {
namespace {

constexpr int kMetaVersion = 1;

// Size plus hashes of the first and last MiB: catches truncation and damage without reading a
// multi-GB index at every start.
std::string fileFingerprint(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = int64_t(in.tellg());
  const int64_t chunk = std::min<int64_t>(size, 1 << 20);
  std::vector<char> head(static_cast<size_t>(chunk)), tail(static_cast<size_t>(chunk));
  in.seekg(0);
  in.read(head.data(), chunk);
  in.seekg(size - chunk);
  in.read(tail.data(), chunk);
  Sha256 h;
  h.update(head.data(), head.size());
  h.update(tail.data(), tail.size());
  return std::to_string(size) + ":" + h.hexDigest();
}

RegionVectorStats statsOf(const RegionVectorSet& set, int64_t up_to_region_id) {
  RegionVectorStats s;
  for (const int64_t id : set.regionIds()) {
    if (id > up_to_region_id) break;
    ++s.count;
    s.max_region_id = id;
    s.region_id_sum += id;
  }
  return s;
}

}  // namespace

SearchMethod searchMethodFromName(const std::string& name) {
  if (name == "auto") return SearchMethod::Auto;
  if (name == "exact") return SearchMethod::Exact;
  if (name == "hnsw") return SearchMethod::Hnsw;
  if (name == "drq") return SearchMethod::Drq;
  throw Error("unknown search index '" + name + "' (use auto, exact, hnsw or drq)");
}

std::string searchMethodName(SearchMethod method) {
  switch (method) {
    case SearchMethod::Auto: return "auto";
    case SearchMethod::Exact: return "exact";
    case SearchMethod::Hnsw: return "hnsw";
    case SearchMethod::Drq: return "drq";
  }
  return "auto";
}

RegionSearchIndex::RegionSearchIndex(const CollectionPaths& paths, int64_t model_id, int dim, const SearchIndexOptions& options)
    : index_file_(paths.index_dir / ("regions-" + std::to_string(model_id) + ".hnsw")),
      meta_file_(paths.index_dir / ("regions-" + std::to_string(model_id) + ".json")),
      model_id_(model_id),
      dim_(dim),
      options_(options),
      vectors_(dim) {}

RegionSearchIndex::~RegionSearchIndex() = default;

std::unique_ptr<RegionSearchIndex> RegionSearchIndex::open(Database& db, const CollectionPaths& paths, int64_t model_id, int dim,
                                                           const SearchIndexOptions& options) {
  std::unique_ptr<RegionSearchIndex> index(new RegionSearchIndex(paths, model_id, dim, options));
  index->vectors_.appendFromDatabase(db, model_id);
  if (options.always_build_hnsw || index->vectors_.size() >= options.exact_below) {
    if (!index->loadHnsw()) index->saveHnsw();
  } else {
    index->last_maintenance_ = "exact scan only";
  }
  index->syncCodes(db);
  return index;
}

void RegionSearchIndex::syncCodes(Database& db) {
  if (!options_.drq.enabled) {
    drq_.reset();
    code_maintenance_ = "region codes disabled";
    return;
  }
  if (options_.read_only) {
    // Training a codebook and storing codes writes the database: that is the writer's job (the
    // ingest that owns the collection); a read-only reader searches with HNSW or the exact scan.
    drq_.reset();
    code_maintenance_ = "region codes are maintained by the collection's writer (read-only index)";
    return;
  }
  drq_ = DrqCodeIndex::sync(db, model_id_, vectors_, options_.drq, &code_maintenance_);
}

bool RegionSearchIndex::loadHnsw() {
  // Returns true when the saved graph was usable as is; otherwise leaves a fresh graph in hnsw_.
  nlohmann::json meta;
  {
    std::ifstream in(meta_file_);
    if (!in) {
      rebuildHnsw("no saved index");
      return false;
    }
    try {
      in >> meta;
    } catch (const std::exception&) {
      rebuildHnsw("index description unreadable");
      return false;
    }
  }
  const RegionVectorStats saved{meta.value("count", int64_t(-1)), meta.value("max_region_id", int64_t(-1)),
                                meta.value("region_id_sum", int64_t(-1))};
  if (meta.value("version", 0) != kMetaVersion || meta.value("model_id", int64_t(-1)) != model_id_ || meta.value("dim", -1) != dim_) {
    rebuildHnsw("index was made for another model or format");
    return false;
  }
  if (statsOf(vectors_, saved.max_region_id) != saved) {
    rebuildHnsw("regions were removed or replaced since the index was saved");
    return false;
  }
  if (meta.value("fingerprint", std::string()) != fileFingerprint(index_file_)) {
    rebuildHnsw("index file is missing or damaged");
    return false;
  }
  try {
    hnsw_ = loadHnswRegionIndex(index_file_, dim_, options_.hnsw);
  } catch (const Error& e) {
    rebuildHnsw(e.reason());
    return false;
  }
  if (int64_t(hnsw_->size()) != saved.count) {
    rebuildHnsw("index holds " + std::to_string(hnsw_->size()) + " vectors, its description says " + std::to_string(saved.count));
    return false;
  }
  // Append what the database gained since the save.
  std::vector<int64_t> ids;
  std::vector<float> added;
  for (size_t row = 0; row < vectors_.size(); ++row) {
    if (vectors_.regionId(row) <= saved.max_region_id) continue;
    ids.push_back(vectors_.regionId(row));
    added.insert(added.end(), vectors_.vector(row), vectors_.vector(row) + dim_);
  }
  if (ids.empty()) {
    last_maintenance_ = "loaded " + std::to_string(hnsw_->size()) + " vectors";
    return true;
  }
  addToHnsw(ids, added.data());
  last_maintenance_ = "appended " + std::to_string(ids.size()) + " vectors";
  return false;
}

void RegionSearchIndex::rebuildHnsw(const std::string& why) {
  hnsw_ = createHnswRegionIndex(dim_, options_.hnsw);
  if (vectors_.size() > 0) addToHnsw(vectors_.regionIds(), vectors_.data());
  last_maintenance_ = "rebuilt " + std::to_string(vectors_.size()) + " vectors (" + why + ")";
}

void RegionSearchIndex::addToHnsw(std::span<const int64_t> ids, const float* vectors) {
  const size_t batch = std::max<size_t>(1, options_.hnsw_batch);
  for (size_t first = 0; first < ids.size(); first += batch) {
    if (options_.cancel && options_.cancel->load()) throw Error(index_file_, "building the search index was cancelled");
    const size_t n = std::min(batch, ids.size() - first);
    hnsw_->add(ids.subspan(first, n), vectors + first * size_t(dim_));
    if (options_.on_progress) options_.on_progress(first + n, ids.size());
  }
}

void RegionSearchIndex::saveHnsw() {
  if (!hnsw_ || options_.read_only) return;
  std::error_code ec;
  std::filesystem::create_directories(index_file_.parent_path(), ec);
  saveHnswRegionIndex(*hnsw_, index_file_);
  const RegionVectorStats stats = statsOf(vectors_, INT64_MAX);
  const nlohmann::json meta = {{"version", kMetaVersion},
                               {"model_id", model_id_},
                               {"dim", dim_},
                               {"count", stats.count},
                               {"max_region_id", stats.max_region_id},
                               {"region_id_sum", stats.region_id_sum},
                               {"fingerprint", fileFingerprint(index_file_)}};
  const std::filesystem::path temporary = meta_file_.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << meta.dump(1) << "\n";
    out.flush();
    if (!out) throw Error(meta_file_, "cannot write index description (disk full?)");
  }
  std::filesystem::rename(temporary, meta_file_, ec);
  if (ec) throw Error(meta_file_, "cannot replace index description: " + ec.message());
}

bool RegionSearchIndex::refresh(Database& db) {
  const size_t before = vectors_.size();
  const int64_t before_max = vectors_.maxRegionId();
  vectors_.appendFromDatabase(db, model_id_);
  const RegionVectorStats stored = db.regionVectorStats(model_id_);
  if (statsOf(vectors_, INT64_MAX) != stored) {
    // Regions were removed (an image changed on disk and was re-ingested): start over.
    vectors_ = RegionVectorSet(dim_);
    vectors_.appendFromDatabase(db, model_id_);
    ++generation_;
    if (hnsw_ || options_.always_build_hnsw || vectors_.size() >= options_.exact_below) {
      rebuildHnsw("regions were removed or replaced");
      saveHnsw();
    }
    syncCodes(db);
    return true;
  }
  if (vectors_.size() == before) return false;
  // New vectors: encode them with the current codebook, or train/retrain per the policy.
  if (drq_ && !drq_->retrainDue(vectors_.size(), options_.drq)) {  // never in read-only mode: syncCodes leaves drq_ empty
    drq_->append(db, vectors_, options_.drq.threads);
    code_maintenance_ = "encoded " + std::to_string(vectors_.size() - before) + " new vectors";
  } else {
    syncCodes(db);
  }
  const bool want_hnsw = hnsw_ || options_.always_build_hnsw || vectors_.size() >= options_.exact_below;
  if (want_hnsw) {
    if (!hnsw_) {
      rebuildHnsw("collection grew past the exact-scan size");
    } else {
      std::vector<int64_t> ids;
      std::vector<float> added;
      for (size_t row = before; row < vectors_.size(); ++row) {
        ids.push_back(vectors_.regionId(row));
        added.insert(added.end(), vectors_.vector(row), vectors_.vector(row) + dim_);
      }
      addToHnsw(ids, added.data());
      last_maintenance_ = "appended " + std::to_string(ids.size()) + " vectors after region " + std::to_string(before_max);
    }
    saveHnsw();
  }
  return true;
}

SearchMethod RegionSearchIndex::resolve(SearchMethod method) const {
  if (method == SearchMethod::Hnsw && !hnsw_) return SearchMethod::Exact;
  if (method == SearchMethod::Drq) return SearchMethod::Drq;  // never substituted: drqSearch says why it cannot run
  if (method != SearchMethod::Auto) return method;
  return (hnsw_ && vectors_.size() >= options_.exact_below) ? SearchMethod::Hnsw : SearchMethod::Exact;
}

std::vector<ImageHit> RegionSearchIndex::searchImages(const float* query, size_t top_images, int64_t excluded_image_id,
                                                      SearchMethod method) const {
  switch (resolve(method)) {
    case SearchMethod::Hnsw: return hnswSearch(query, top_images, excluded_image_id);
    case SearchMethod::Drq: return drqSearch(query, top_images, excluded_image_id);
    default: return exactSearch(query, top_images, excluded_image_id);
  }
}

namespace {

void sortAndTruncate(std::vector<ImageHit>& hits, size_t top) {
  const auto better = [](const ImageHit& a, const ImageHit& b) {
    return a.score > b.score || (a.score == b.score && a.image_id < b.image_id);
  };
  top = std::min(top, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + top, hits.end(), better);
  hits.resize(top);
}

}  // namespace

std::vector<ImageHit> RegionSearchIndex::exactSearch(const float* query, size_t top_images, int64_t excluded_image_id) const {
  std::unordered_map<int64_t, size_t> slot_of_image;
  std::vector<ImageHit> best;
  for (size_t row = 0; row < vectors_.size(); ++row) {
    const int64_t image = vectors_.imageId(row);
    if (image == excluded_image_id) continue;
    const float score = dotProduct(query, vectors_.vector(row), dim_);
    const auto [it, inserted] = slot_of_image.try_emplace(image, best.size());
    if (inserted) {
      best.push_back({image, vectors_.regionId(row), score});
    } else if (score > best[it->second].score) {
      best[it->second].score = score;
      best[it->second].region_id = vectors_.regionId(row);
    }
  }
  sortAndTruncate(best, top_images);
  return best;
}

std::vector<ImageHit> RegionSearchIndex::hnswSearch(const float* query, size_t top_images, int64_t excluded_image_id) const {
  // The graph proposes candidate images through their nearest regions; each candidate is then
  // scored exactly over all its regions, so returned scores are true max-over-regions scores.
  const size_t total = vectors_.size();
  size_t k = std::min(total, std::max<size_t>(256, 16 * top_images));
  std::vector<int64_t> candidates;
  while (true) {
    candidates.clear();
    std::unordered_map<int64_t, bool> seen;
    for (const IndexHit& hit : hnsw_->search(query, k)) {
      const auto row = vectors_.rowOfRegion(hit.region_id);
      if (!row) continue;
      const int64_t image = vectors_.imageId(*row);
      if (image == excluded_image_id || !seen.emplace(image, true).second) continue;
      candidates.push_back(image);
    }
    if (candidates.size() >= top_images || k >= total) break;
    k = std::min(total, k * 4);
  }
  return scoreImages(query, candidates, top_images);
}

std::vector<ImageHit> RegionSearchIndex::scoreImages(const float* query, std::span<const int64_t> images, size_t top_images) const {
  std::vector<ImageHit> hits;
  hits.reserve(images.size());
  for (const int64_t image : images) {
    ImageHit best{image, 0, -1e30f};
    for (const uint32_t row : vectors_.rowsOfImage(image)) {
      const float score = dotProduct(query, vectors_.vector(row), dim_);
      if (score > best.score) best = {image, vectors_.regionId(row), score};
    }
    hits.push_back(best);
  }
  sortAndTruncate(hits, top_images);
  return hits;
}

std::vector<ImageHit> RegionSearchIndex::drqSearch(const float* query, size_t top_images, int64_t excluded_image_id) const {
  // The codes propose candidate images through their best-scoring regions (asymmetric inner
  // products); each candidate is then scored exactly over all its regions, as with HNSW.
  if (!drq_) {
    throw Error("DRQ search needs region codes, which are trained once the collection has " + std::to_string(options_.drq.min_vectors) +
                " region vectors (it has " + std::to_string(vectors_.size()) + "); use --index exact");
  }
  const size_t total = vectors_.size();
  size_t k = std::min(total, std::max(options_.drq.rerank, 16 * top_images));
  std::vector<int64_t> candidates;
  while (true) {
    candidates.clear();
    std::unordered_map<int64_t, bool> seen;
    for (const uint32_t row : drq_->candidateRows(query, k, vectors_, excluded_image_id)) {
      const int64_t image = vectors_.imageId(row);
      if (seen.emplace(image, true).second) candidates.push_back(image);
    }
    if (candidates.size() >= top_images || k >= total) break;
    k = std::min(total, k * 4);
  }
  return scoreImages(query, candidates, top_images);
}

}  // namespace regionlab
