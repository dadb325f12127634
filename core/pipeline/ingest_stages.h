#pragma once
// The worker side of an ingest: decode → regions → vectors, each stage a pool of threads joined
// to the next by a bounded queue. The caller pops finished items and commits them (the commit
// stage runs on the caller's thread, which owns the database connection). Failures of one image
// are recorded in its item, never thrown.
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/base/bounded_queue.h"
#include "core/image/image_decoder.h"
#include "core/pipeline/ingest_plan.h"

namespace regionlab {

struct ActiveModels;

// Busy time of one stage, summed over its threads.
class StageClock {
public:
  void add(std::chrono::steady_clock::duration d) {
    ns_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
  double seconds() const { return double(ns_.load()) * 1e-9; }

private:
  std::atomic<int64_t> ns_{0};
};

class IngestStages {
public:
  struct Options {
    int threads = 1;  // per CPU stage (a model's maxConcurrency() may lower it)
    size_t queue_capacity = 4;
    DecodeOptions decode;
    std::filesystem::path database;  // read-only connections for stored regions
  };

  // Starts the threads at once; models must outlive this object.
  IngestStages(std::vector<IngestItemPtr> items, const ActiveModels& models, const Options& options,
               const std::atomic<bool>& cancelled);
  ~IngestStages();  // aborts and joins

  // The next embedded item, or nullptr when all are through (or after abort()).
  IngestItemPtr next();
  // Wakes every blocked thread and drops queued items (cancellation). Thread-safe.
  void abort();
  void join();

  StageClock decode_clock, region_clock, vector_clock;

private:
  template <typename Work>
  void startStage(int threads, BoundedQueue<IngestItemPtr>& in, BoundedQueue<IngestItemPtr>& out, StageClock& clock, Work work);
  void decode(IngestItem& item, std::shared_ptr<Database>& reader) const;

  const ActiveModels& models_;
  Options options_;
  const std::atomic<bool>& cancelled_;
  BoundedQueue<IngestItemPtr> to_decode_, decoded_, cut_, embedded_;
  std::vector<std::thread> threads_;
};

}  // namespace regionlab
