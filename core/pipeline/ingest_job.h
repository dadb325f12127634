#pragma once
// Ingests a collection folder: every image is decoded, cut into regions, embedded and committed
// to the collection database, as a pipeline of stages on worker threads joined by bounded
// queues (decode → regions → vectors → commit), then the region index is brought up to date.
//
// Like COLMAP's controllers, the job is one object run the same way by the CLI, the GUI and the
// tests: construct, attach callbacks, run() (blocking) on whatever thread suits the caller,
// cancel() from any thread. Resume is built in: images already done with the active models are
// skipped (same path and size/mtime, or same content hash), so re-running after a crash, a cancel
// or a kill -9 continues where it stopped.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/image/image_decoder.h"
#include "core/pipeline/active_models.h"

namespace regionlab {

struct IngestOptions {
  // Worker threads for the region and vector stages; 0 = one per core.
  int threads = 0;
  // Images waiting between two stages; bounds memory when a stage is slower than the one before.
  int queue_capacity = 4;
  // Failed images are normally skipped until their file changes; this retries them now.
  bool retry_failed = false;
  DecodeOptions decode;
  // Models to use (empty: the collection's remembered choice, else the embedded default).
  ModelChoice models;
  // Bring the region index up to date after the images (the GUI and CLI query it next).
  bool update_index = true;
};

struct IngestProgress {
  int64_t total = 0;       // images found in the folder
  int64_t finished = 0;    // handled by this run so far (ingested + failed)
  int64_t skipped = 0;     // already done before this run
  int64_t failed = 0;      // failed in this run
  double elapsed_seconds = 0;
  double images_per_second = 0;  // of this run's processed images
  double eta_seconds = -1;       // -1 until a rate is known
  std::string current;           // relative path of the image just finished
};

struct IngestFailure {
  std::string path;  // relative to the collection
  std::string reason;
};

// Seconds spent in each stage, summed over its threads.
struct StageSeconds {
  double decode = 0, regions = 0, vectors = 0, commit = 0, index = 0;
};

struct IngestReport {
  int64_t images = 0;         // image files found
  int64_t done = 0;           // images done in the collection after this run
  int64_t ingested = 0;       // images processed successfully by this run
  int64_t skipped = 0;        // already done, untouched
  std::vector<IngestFailure> failed;  // every failed image of the collection, with reasons
  int64_t failed_this_run = 0;
  int64_t regions = 0;        // regions of the collection after this run
  int64_t regions_added = 0;  // regions written by this run
  double seconds = 0;
  bool cancelled = false;
  StageSeconds stage_seconds;
  std::string models;          // ActiveModels::summary()
  std::string index_status;    // what the index update did
};

// Reported per image as it is committed (the GUI updates its grid from these).
struct ImageEvent {
  int64_t image_id = 0;
  std::string path;
  bool ok = false;
  std::string reason;
  int regions = 0;
};

class IngestJob {
public:
  IngestJob(std::filesystem::path collection_root, IngestOptions options = {});
  ~IngestJob();

  void setProgressCallback(std::function<void(const IngestProgress&)> callback);
  void setImageCallback(std::function<void(const ImageEvent&)> callback);

  // Runs to completion or cancellation. Throws Error for failures of the whole job (collection
  // folder missing, database unusable, disk full); problems with single images are reported in
  // the result instead.
  IngestReport run();
  // Thread-safe; the job stops after the images in flight (each is committed whole or not at all).
  void cancel();
  bool cancelled() const { return cancelled_.load(); }

private:
  std::filesystem::path root_;
  IngestOptions options_;
  std::function<void(const IngestProgress&)> on_progress_;
  std::function<void(const ImageEvent&)> on_image_;
  std::atomic<bool> cancelled_{false};
  std::mutex abort_mutex_;
  std::function<void()> abort_queues_;  // set while run() is active; wakes blocked stages on cancel
};

}  // namespace regionlab
