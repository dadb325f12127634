// Ingest throughput on a folder of images, with the time of each stage. The folder is ingested
// into a fresh scratch collection (symlinks to the images), so the user's folder is untouched and
// every run measures a full ingest.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "bench/bench_options.h"
#include "bench/benchmarks.h"
#include "core/image/image_decoder.h"
#include "core/pipeline/collection_scanner.h"
#include "core/pipeline/ingest_job.h"

namespace regionlab::bench {

namespace fs = std::filesystem;

int benchIngest(const std::vector<std::string>& args) {
  if (args.empty() || args[0].rfind("--", 0) == 0) throw std::runtime_error("usage: regionlab-bench ingest <folder> [--threads N]");
  const fs::path source = fs::absolute(args[0]);
  const int threads = intOption(args, "threads", 0);
  const fs::path scratch = fs::temp_directory_path() / ("regionlab-bench-ingest-" + std::to_string(getpid()));
  fs::create_directories(scratch);
  int64_t images = 0;
  for (const ScannedFile& f : scanCollection(source)) {
    const fs::path link = scratch / f.relative_path;
    fs::create_directories(link.parent_path());
    fs::create_symlink(f.path, link);
    ++images;
  }
  std::printf("ingest benchmark: %lld images from %s, %d threads (0 = one per core)\n", (long long)images, source.c_str(), threads);

  IngestOptions options;
  options.threads = threads;
  IngestJob job(scratch, options);
  const IngestReport r = job.run();
  fs::remove_all(scratch);

  const double throughput = double(r.ingested) / r.seconds;
  const StageSeconds& s = r.stage_seconds;
  const double busy = s.decode + s.regions + s.vectors + s.commit + s.index;
  std::printf("models: %s\n", r.models.c_str());
  std::printf("images ingested: %lld, failed: %lld, regions: %lld (%.1f per image)\n", (long long)r.ingested,
              (long long)r.failed_this_run, (long long)r.regions_added, r.ingested ? double(r.regions_added) / r.ingested : 0.0);
  std::printf("wall time: %.2f s  ->  %.2f images/s (target 5.0: ratio %.2fx)\n", r.seconds, throughput, throughput / 5.0);
  std::printf("stage time (summed over threads; %% of summed busy time; ms per image):\n");
  const std::pair<const char*, double> stages[] = {
      {"decode", s.decode}, {"regions", s.regions}, {"vectors", s.vectors}, {"commit", s.commit}, {"index", s.index}};
  for (const auto& [name, seconds] : stages) {
    std::printf("  %-8s %7.2f s  %5.1f%%  %7.1f ms\n", name, seconds, busy > 0 ? 100.0 * seconds / busy : 0.0,
                r.ingested ? 1e3 * seconds / double(r.ingested) : 0.0);
  }
  return r.failed_this_run == 0 ? 0 : 1;
}

}  // namespace regionlab::bench
