#include "core/eval/retrieval_eval.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>

#include "core/base/error.h"
#include "core/eval/ranking_metrics.h"
#include "core/image/image_decoder.h"
#include "core/index/dot_product.h"
#include "core/index/region_vector_set.h"
#include "core/learning/region_ranking.h"
#include "core/pipeline/active_models.h"
#include "core/storage/collection_paths.h"
#include "core/storage/database.h"

namespace regionlab {

namespace fs = std::filesystem;

namespace {

struct GalleryImage {
  int64_t image_id = 0;
  std::string path;  // relative to the collection
  const PanopticImage* gt = nullptr;
  uint32_t slot = 0;              // in ImageSlots
  std::set<int> categories;       // present in the ground truth (crowd included)
};

struct Query {
  int category_id = 0;
  size_t gallery_index = 0;  // the image it comes from
  int64_t segment_id = 0;
  std::vector<float> vector, crop_vector;
};

// Collection images that have ground truth of the same size.
std::vector<GalleryImage> mapGallery(Database& db, const RegionVectorSet& vectors, const ImageSlots& image_slots, const PanopticDataset& gt,
                                     RetrievalEvalReport& report) {
  std::map<int64_t, uint32_t> slot_of_image;
  for (uint32_t s = 0; s < image_slots.images(); ++s) slot_of_image[image_slots.image_of_slot[s]] = s;
  std::vector<GalleryImage> gallery;
  for (const ImageRecord& image : db.readImages()) {
    if (image.status != ImageStatus::Done || !slot_of_image.contains(image.id)) continue;
    const PanopticImage* truth = gt.findByStem(fs::path(image.path).stem().string());
    if (!truth) {
      ++report.images_without_ground_truth;
      continue;
    }
    if (truth->width != image.width || truth->height != image.height) {
      ++report.images_size_mismatch;
      continue;
    }
    GalleryImage g{image.id, image.path, truth, slot_of_image.at(image.id), {}};
    for (const PanopticSegment& s : truth->segments) g.categories.insert(s.category_id);
    gallery.push_back(std::move(g));
  }
  return gallery;
}

// Up to N instances per category, each from a different image, chosen reproducibly.
std::vector<Query> chooseQueries(const std::vector<GalleryImage>& gallery, const PanopticDataset& gt, const RetrievalEvalOptions& o) {
  std::vector<Query> queries;
  for (const auto& [category_id, category] : gt.categories) {
    if (o.things_only && !category.isthing) continue;
    std::vector<std::pair<size_t, std::vector<int64_t>>> candidates;  // gallery index → its instances
    for (size_t i = 0; i < gallery.size(); ++i) {
      std::vector<int64_t> segments;
      for (const PanopticSegment& s : gallery[i].gt->segments) {
        if (s.category_id == category_id && !s.iscrowd) segments.push_back(s.id);
      }
      if (!segments.empty()) candidates.emplace_back(i, std::move(segments));
    }
    std::mt19937_64 rng(o.seed * 1000003ULL + uint64_t(category_id));
    std::shuffle(candidates.begin(), candidates.end(), rng);
    for (size_t k = 0; k < candidates.size() && int(k) < o.queries_per_class; ++k) {
      const auto& [index, segments] = candidates[k];
      Query q;
      q.category_id = category_id;
      q.gallery_index = index;
      q.segment_id = segments[std::uniform_int_distribution<size_t>(0, segments.size() - 1)(rng)];
      queries.push_back(std::move(q));
    }
  }
  return queries;
}

// Decodes each gallery image once: embeds its queries' masks (and their crops), and the whole image.
void embedQueriesAndImages(const CollectionPaths& paths, const FeatureExtractor& descriptor, const std::vector<GalleryImage>& gallery,
                           std::vector<Query>& queries, bool baselines, std::vector<std::vector<float>>& whole_image,
                           const RetrievalEvalOptions& o) {
  std::map<size_t, std::vector<Query*>> by_image;
  for (Query& q : queries) by_image[q.gallery_index].push_back(&q);
  whole_image.assign(gallery.size(), {});
  for (size_t i = 0; i < gallery.size(); ++i) {
    const auto mine = by_image.find(i);
    if (!baselines && mine == by_image.end()) continue;
    const Image image = decodeImageFile(paths.absolutePath(gallery[i].path));
    if (baselines) {
      const Rle full[] = {encodeMask(cv::Mat::ones(image.height(), image.width(), CV_8U))};
      whole_image[i] = descriptor.extract(image.rgb, full);
    }
    if (mine != by_image.end()) {
      const cv::Mat ids = readPanopticSegmentIds(*gallery[i].gt);
      std::vector<Rle> masks;
      for (Query* q : mine->second) masks.push_back(encodeMask(ids == int(q->segment_id)));
      const std::vector<float> v = descriptor.extract(image.rgb, masks);
      for (size_t k = 0; k < mine->second.size(); ++k) {
        Query& q = *mine->second[k];
        q.vector.assign(v.begin() + long(k * descriptor.dim()), v.begin() + long((k + 1) * descriptor.dim()));
        if (baselines) {
          const BoundingBox b = rleBoundingBox(masks[k]);
          const cv::Mat crop = image.rgb(cv::Rect(b.x, b.y, b.width, b.height)).clone();
          const Rle crop_full[] = {encodeMask(cv::Mat::ones(crop.rows, crop.cols, CV_8U))};
          q.crop_vector = descriptor.extract(crop, crop_full);
        }
      }
    }
    if (o.progress) o.progress("gallery", int64_t(i + 1), int64_t(gallery.size()));
  }
}

struct QueryScores {
  RetrievalScores regions, random, whole_image, crop;
  int64_t relevant = 0;
};

RetrievalScores scoresOf(std::span<const float> scores, std::span<const uint8_t> relevant) {
  return {averagePrecision(scores, relevant), precisionAtK(scores, relevant, 10), precisionAtK(scores, relevant, 50)};
}

void accumulate(RetrievalScores& sum, const RetrievalScores& s) {
  sum.mean_ap += s.mean_ap;
  sum.precision_at_10 += s.precision_at_10;
  sum.precision_at_50 += s.precision_at_50;
}

void divide(RetrievalScores& s, double n) {
  s.mean_ap /= n;
  s.precision_at_10 /= n;
  s.precision_at_50 /= n;
}

// Ranks the gallery (minus the query's image) for one query and adds its scores to its class;
// returns false when no other image holds the class (the query is skipped).
bool scoreQuery(const Query& q, const std::vector<GalleryImage>& gallery, const RegionVectorSet& vectors, const ImageSlots& image_slots,
                const std::vector<std::vector<float>>& whole_image, bool baselines, ClassRetrievalResult& c) {
  const auto ranking = rankRegions(vectors, image_slots, q.vector.data(), 0.f, 1);
  std::vector<float> scores, whole_scores, crop_scores;
  std::vector<uint8_t> relevant;
  for (size_t i = 0; i < gallery.size(); ++i) {
    if (i == q.gallery_index) continue;  // relevant = *other* images holding the class
    scores.push_back(ranking->scores[ranking->best_row[gallery[i].slot]]);
    relevant.push_back(gallery[i].categories.contains(q.category_id) ? 1 : 0);
    if (baselines) {
      whole_scores.push_back(dotProduct(q.vector.data(), whole_image[i].data(), vectors.dim()));
      crop_scores.push_back(dotProduct(q.crop_vector.data(), whole_image[i].data(), vectors.dim()));
    }
  }
  const auto n_relevant = int64_t(std::count(relevant.begin(), relevant.end(), uint8_t(1)));
  if (n_relevant == 0) return false;
  c.category_id = q.category_id;
  ++c.queries;
  c.mean_relevant += double(n_relevant);
  accumulate(c.regions, scoresOf(scores, relevant));
  const double chance = double(n_relevant) / double(relevant.size());
  accumulate(c.random, {expectedRandomAveragePrecision(n_relevant, int64_t(relevant.size())), chance, chance});
  if (baselines) {
    accumulate(c.whole_image, scoresOf(whole_scores, relevant));
    accumulate(c.crop, scoresOf(crop_scores, relevant));
  }
  return true;
}

}  // namespace

RetrievalEvalReport evaluateRetrieval(const fs::path& collection_root, const PanopticDataset& gt, const RetrievalEvalOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const CollectionPaths paths(collection_root);
  if (!paths.hasDatabase()) throw Error(paths.root, "not a RegionLab collection yet (no .regionlab/regionlab.db): ingest it first");
  auto db = Database::open(paths.database);
  const ActiveModels models = resolveActiveModels(*db, {}, false);
  RegionVectorSet vectors(models.descriptor->dim());
  vectors.appendFromDatabase(*db, models.descriptor_id);
  const ImageSlots image_slots = buildImageSlots(vectors);

  RetrievalEvalReport report;
  report.descriptor = models.summary();
  const std::vector<GalleryImage> gallery = mapGallery(*db, vectors, image_slots, gt, report);
  if (gallery.size() < 2) throw Error(paths.root, "fewer than two ingested images match the ground truth by file name");
  report.gallery_images = int64_t(gallery.size());
  std::vector<Query> queries = chooseQueries(gallery, gt, o);
  std::vector<std::vector<float>> whole_image;
  embedQueriesAndImages(paths, *models.descriptor, gallery, queries, o.baselines, whole_image, o);
  report.has_baselines = o.baselines;

  std::map<int, ClassRetrievalResult> per_class;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    if (scoreQuery(queries[qi], gallery, vectors, image_slots, whole_image, o.baselines, per_class[queries[qi].category_id])) {
      per_class[queries[qi].category_id].name = gt.categories.at(queries[qi].category_id).name;
      ++report.queries;
    } else {
      ++report.skipped_queries;
    }
    if (o.progress) o.progress("queries", int64_t(qi + 1), int64_t(queries.size()));
  }
  std::erase_if(per_class, [](const auto& item) { return item.second.queries == 0; });
  if (per_class.empty()) throw Error(paths.root, "no usable query: no class occurs in two of the matched images");
  for (auto& [id, c] : per_class) {
    const double n = c.queries;
    c.mean_relevant /= n;
    for (RetrievalScores* s : {&c.regions, &c.random, &c.whole_image, &c.crop}) divide(*s, n);
    accumulate(report.regions, c.regions);
    accumulate(report.random, c.random);
    accumulate(report.whole_image, c.whole_image);
    accumulate(report.crop, c.crop);
    report.per_class.push_back(c);
  }
  report.classes = int64_t(per_class.size());
  for (RetrievalScores* s : {&report.regions, &report.random, &report.whole_image, &report.crop}) divide(*s, double(report.classes));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace regionlab
