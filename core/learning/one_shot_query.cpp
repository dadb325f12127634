#include "core/learning/one_shot_query.h"

#include <chrono>

#include <opencv2/imgcodecs.hpp>

#include "core/base/error.h"
#include "core/image/image_decoder.h"
#include "core/learning/region_pick.h"
#include "core/storage/database.h"

namespace regionlab {

namespace fs = std::filesystem;

QueryEngine::QueryEngine(const fs::path& collection_root, const SearchIndexOptions& index_options) : paths_(collection_root) {
  if (!paths_.hasDatabase()) throw Error(paths_.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  db_ = Database::open(paths_.database);
  models_ = resolveActiveModels(*db_, {}, false);
  index_ = RegionSearchIndex::open(*db_, paths_, models_.descriptor_id, models_.descriptor->dim(), index_options);
}

QueryEngine::~QueryEngine() = default;

bool QueryEngine::refresh() {
  std::lock_guard lock(mutex_);
  return index_->refresh(*db_);
}

std::optional<int64_t> QueryEngine::findImageId(const std::string& image) {
  std::string relative = image;
  const fs::path p(image);
  if (p.is_absolute()) relative = paths_.relativePath(p);
  if (auto record = db_->findImage(fs::path(relative).lexically_normal().generic_string())) return record->id;
  return std::nullopt;
}

QueryVector QueryEngine::resolve(const QuerySpec& spec) {
  std::lock_guard lock(mutex_);
  QueryVector q;
  std::optional<ImageRecord> image;
  if (!spec.image.empty()) {
    const auto id = findImageId(spec.image);
    if (!id) throw Error(spec.image, "image is not in the collection " + paths_.root.string());
    image = db_->readImage(*id);
    if (image->status != ImageStatus::Done) {
      throw Error(spec.image, "image has not been ingested" + (image->error.empty() ? std::string() : " (" + image->error + ")"));
    }
  }

  if (spec.region_id) {
    auto region = db_->readRegion(*spec.region_id);
    if (!region) throw Error("region " + std::to_string(*spec.region_id) + " does not exist");
    if (image && region->image_id != image->id) {
      throw Error(spec.image, "region " + std::to_string(*spec.region_id) + " belongs to another image");
    }
    if (!image) image = db_->readImage(region->image_id);
    q.region_id = region->id;
    q.region = region->region;
  } else if (spec.point) {
    if (!image) throw Error("a point query needs the image it was clicked in");
    const auto [x, y] = *spec.point;
    if (x < 0 || y < 0 || x >= image->width || y >= image->height) {
      throw Error(image->path, "point (" + std::to_string(x) + ", " + std::to_string(y) + ") is outside the " +
                                   std::to_string(image->width) + "x" + std::to_string(image->height) + " image");
    }
    // The same rule as the GUI viewer's pick (region_pick.h).
    std::vector<RegionRecord> candidates = readPickCandidates(*db_, image->id, models_.generator_id);
    if (const auto picked = pickRegionAt(candidates, x, y)) {
      q.region_id = candidates[*picked].id;
      q.region = std::move(candidates[*picked].region);
    }
    if (q.region_id == 0) {
      throw Error(image->path, "no region contains point (" + std::to_string(x) + ", " + std::to_string(y) + ")");
    }
  } else if (spec.mask_png) {
    if (!image) throw Error(*spec.mask_png, "a mask query needs the image the mask belongs to");
    const cv::Mat mask = cv::imread(spec.mask_png->string(), cv::IMREAD_GRAYSCALE);
    if (mask.empty()) throw Error(*spec.mask_png, "cannot read the mask as an image");
    if (mask.cols != image->width || mask.rows != image->height) {
      throw Error(*spec.mask_png, "mask is " + std::to_string(mask.cols) + "x" + std::to_string(mask.rows) + ", the image is " +
                                      std::to_string(image->width) + "x" + std::to_string(image->height));
    }
    q.region = makeRegion(encodeMask(mask));
    if (q.region.area == 0) throw Error(*spec.mask_png, "mask is empty (no non-zero pixel)");
  } else {
    throw Error("a query needs a region id, a point or a mask");
  }

  q.image_id = image->id;
  q.image = image->path;
  if (q.region_id != 0) {
    if (auto v = db_->readRegionVector(q.region_id, models_.descriptor_id)) q.vector = std::move(*v);
  }
  if (q.vector.empty()) {  // a mask, or a region stored before this descriptor: embed it now
    const Image decoded = decodeImageFile(paths_.absolutePath(image->path));
    if (decoded.width() != image->width || decoded.height() != image->height) {
      throw Error(image->path, "image changed on disk since it was ingested; ingest again");
    }
    const Rle masks[] = {q.region.mask};
    q.vector = models_.descriptor->extract(decoded.rgb, masks);
  }
  return q;
}

QueryResult QueryEngine::search(const QueryVector& query, const QueryOptions& options) {
  std::lock_guard lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  if (int(query.vector.size()) != models_.descriptor->dim()) {
    throw Error("query vector has " + std::to_string(query.vector.size()) + " values, the descriptor makes " +
                std::to_string(models_.descriptor->dim()));
  }
  QueryResult result;
  result.query_image_id = query.image_id;
  result.query_image = query.image;
  result.query_region_id = query.region_id;
  result.query_region = query.region;
  result.descriptor = models_.descriptor->name();
  result.method = searchMethodName(index_->resolve(options.method));
  const int64_t excluded = options.include_query_image ? 0 : query.image_id;
  for (const ImageHit& hit : index_->searchImages(query.vector.data(), options.top_k, excluded, options.method)) {
    QueryHit h;
    h.image_id = hit.image_id;
    h.region_id = hit.region_id;
    h.score = hit.score;
    if (auto region = db_->readRegion(hit.region_id)) h.bbox = region->region.bbox;
    if (auto image = db_->readImage(hit.image_id)) h.image = image->path;
    result.results.push_back(std::move(h));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace regionlab
