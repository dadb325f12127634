#pragma once
// Interactive SAM prediction (click-to-mask): encode an image once, then answer prompts —
// positive/negative points, a box, refinement from the previous low-resolution mask — with masks
// at the original resolution and their predicted IoU (segment-anything SamPredictor).
//
//   SamPredictor p(model, {.disk_cache = paths.cache / "sam", .cache_namespace = generator_identity});
//   p.setImage(rgb, image_sha256);                  // encodes, or takes the cached embedding
//   SamMasks m = p.predict({.points = {{x, y}}, .labels = {1}});
//   prompt.mask_input = m.low_res_logits[best];     // refine with the next click
//
// Embeddings are cached per image key in memory (LRU) and optionally on disk (a folder such as
// <collection>/.regionlab/cache/sam, bounded in bytes, oldest files removed first).
// Not thread-safe: one predictor per interactive view.
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "core/nets/sam_model.h"

namespace regionlab {

struct SamPredictorOptions {
  // Embeddings kept in memory (4 MB each for SAM/MobileSAM).
  size_t memory_cache_images = 8;
  // Folder for embeddings on disk; empty = no disk cache.
  std::filesystem::path disk_cache;
  // Bound on the disk cache's total size.
  int64_t disk_cache_bytes = int64_t(512) << 20;
  // Distinguishes models sharing one cache folder (e.g. the generator's identity).
  std::string cache_namespace = "sam";
};

class SamPredictor {
public:
  SamPredictor(std::shared_ptr<const nets::SamModel> model, SamPredictorOptions options = {});

  // image_key identifies the image's pixels (its SHA-256). rgb: CV_8UC3.
  void setImage(const cv::Mat& rgb, const std::string& image_key);
  bool hasImage() const { return current_ != nullptr; }
  // Whether the last setImage() was answered from a cache (no encoder run).
  bool lastImageWasCached() const { return last_cached_; }
  // Masks at the original resolution, IoU per mask, low-res logits for refinement.
  nets::SamMasks predict(const nets::SamPrompt& prompt) const;

private:
  std::filesystem::path diskFile(const std::string& key) const;
  std::shared_ptr<const nets::SamEmbedding> readDisk(const std::string& key) const;
  void writeDisk(const std::string& key, const nets::SamEmbedding& e) const;

  std::shared_ptr<const nets::SamModel> model_;
  SamPredictorOptions options_;
  std::list<std::pair<std::string, std::shared_ptr<const nets::SamEmbedding>>> memory_;  // most recent first
  std::shared_ptr<const nets::SamEmbedding> current_;
  bool last_cached_ = false;
};

}  // namespace regionlab
