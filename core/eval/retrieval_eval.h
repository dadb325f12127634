#pragma once
// The regions paper's one-shot object retrieval protocol (REFERENCE.md §A7; paper Table 11) on a
// collection with COCO panoptic ground truth:
//   - queries: per category, up to N ground-truth instance masks, each from a different image,
//     embedded with the collection's active descriptor (pooled in the mask);
//   - gallery: the collection's images that have ground truth, minus the query's own image;
//     relevant = those containing the category;
//   - image score = max over the image's regions of q·r (raw dot product);
//   - AP per query (sklearn's definition), averaged within a category, then over categories;
//     precision@10 and @50 likewise.
// Baselines of Table 11, with the same descriptor so they run with any model: the query's mask
// vector against one whole-image vector per gallery image ("DINOv2" row: a single token per
// image), and an embedding of the query's bounding-box crop against the same whole-image
// vectors ("crop" row). The random baseline is the exact expected AP / precision of a random
// ranking for the same queries.
// What differs: the paper's whole-image token is DINOv2's CLS token and its crop baseline
// embeds with CLIP; here both use the active descriptor pooled over the whole (cropped) image.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/eval/coco_panoptic.h"

namespace regionlab {

struct RetrievalEvalOptions {
  int queries_per_class = 50;  // the paper's 50
  bool things_only = true;     // COCO thing categories: the paper's object classes
  uint64_t seed = 1;           // which instances become queries
  bool baselines = true;       // whole-image and crop baselines (one extra embedding per image and query)
  // Called as work advances: stage ("queries", "gallery"), done, total.
  std::function<void(const std::string&, int64_t, int64_t)> progress;
};

struct RetrievalScores {
  double mean_ap = 0;
  double precision_at_10 = 0;
  double precision_at_50 = 0;
};

struct ClassRetrievalResult {
  int category_id = 0;
  std::string name;
  int queries = 0;
  double mean_relevant = 0;  // relevant gallery images per query
  RetrievalScores regions, random, whole_image, crop;
};

struct RetrievalEvalReport {
  std::string descriptor;  // ActiveModels::summary()
  int64_t gallery_images = 0;
  int64_t images_without_ground_truth = 0;
  int64_t images_size_mismatch = 0;  // collection image size differs from the ground truth's: left out
  int64_t queries = 0;
  int64_t skipped_queries = 0;  // no other gallery image holds the class
  int64_t classes = 0;
  RetrievalScores regions, random, whole_image, crop;
  bool has_baselines = false;
  std::vector<ClassRetrievalResult> per_class;  // by category id
  double seconds = 0;
};

// Throws Error when the collection has no database or no image maps to the ground truth (images
// map by file stem: "<anything>/000000000009.jpg" ↔ the GT's 000000000009.jpg).
RetrievalEvalReport evaluateRetrieval(const std::filesystem::path& collection_root, const PanopticDataset& ground_truth,
                                      const RetrievalEvalOptions& options = {});

}  // namespace regionlab
