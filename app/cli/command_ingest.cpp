#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli/argument_parser.h"
#include "app/cli/commands.h"
#include "core/pipeline/ingest_job.h"

namespace regionlab::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void onInterrupt(int) { g_interrupted = true; }

nlohmann::json reportJson(const IngestReport& r) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& f : r.failed) failed.push_back({{"path", f.path}, {"reason", f.reason}});
  return {{"images", r.images},
          {"done", r.done},
          {"failed", failed},
          {"regions", r.regions},
          {"seconds", r.seconds},
          {"ingested", r.ingested},
          {"skipped", r.skipped},
          {"regions_added", r.regions_added},
          {"cancelled", r.cancelled},
          {"models", r.models},
          {"index", r.index_status},
          {"stage_seconds",
           {{"decode", r.stage_seconds.decode},
            {"regions", r.stage_seconds.regions},
            {"vectors", r.stage_seconds.vectors},
            {"commit", r.stage_seconds.commit},
            {"index", r.stage_seconds.index}}}};
}

}  // namespace

int runIngest(const std::vector<std::string>& args) {
  ArgumentParser p("ingest", "Ingests every image under <folder> (recursively): regions, region vectors and the search index go to\n"
                             "<folder>/.regionlab. Re-running resumes: finished images are skipped. Ctrl-C stops cleanly.");
  p.positional("folder", "The collection folder.")
      .option("threads", "N", "Worker threads for the region and vector stages (0 = one per core).", "0")
      .option("regions", "NAME", "Region generator (default: the collection's choice, else 'default').")
      .option("descriptor", "NAME",
              "Region descriptor (default: the collection's choice, else 'classical'): classical, or dinov2-vits14, -vitb14,\n"
              "-vitl14 (the paper's), -vitg14 and their -reg variants, read from the official checkpoint in the model folder.")
      .option("device", "cpu|cuda|auto", "Where a network descriptor runs (default: $REGIONLAB_DEVICE, else auto).")
      .option("precision", "fp32|bf16|fp16|auto",
              "Network precision (default: $REGIONLAB_PRECISION, else fp32; bf16 on AVX-512 CPUs is ~2x faster, fp16 is CUDA only).")
      .option("max-tokens", "N", "Patch tokens per network pass; larger images are downscaled or tiled.", "4096")
      .option("large-images", "downscale|tile", "What a network descriptor does with images over --max-tokens.", "downscale")
      .option("max-megapixels", "MP", "Refuse images larger than this.", "50")
      .flag("downscale-large", "Downscale images over --max-megapixels instead of refusing them.")
      .flag("retry-failed", "Try images that failed before again.")
      .flag("no-index", "Do not update the search index at the end.")
      .flag("quiet", "No progress on stderr.")
      .flag("json", "Print the report as JSON.");
  if (!p.parse(args)) return 0;

  IngestOptions options;
  options.threads = p.intValue("threads", 0, 256);
  options.models.region_generator = p.value("regions").value_or("");
  options.models.descriptor = p.value("descriptor").value_or("");
  FeatureExtractorOptions& network = options.models.descriptor_options;
  network.inference.device = p.value("device").value_or("");
  network.inference.precision = p.value("precision").value_or("");
  network.inference.threads = options.threads;
  network.max_tokens = p.intValue("max-tokens", 1, 1 << 20);
  const std::string large = p.value("large-images").value_or("downscale");
  if (large != "downscale" && large != "tile") throw UsageError("--large-images must be downscale or tile");
  network.large_images = large == "tile" ? LargeImagePolicy::Tile : LargeImagePolicy::Downscale;
  options.decode.max_pixels = int64_t(p.doubleValue("max-megapixels", 0.01, 10000) * 1e6);
  options.decode.downscale_large = p.has("downscale-large");
  options.retry_failed = p.has("retry-failed");
  options.update_index = !p.has("no-index");
  const bool quiet = p.has("quiet");
  const bool tty = isatty(fileno(stderr));

  IngestJob job(p.get("folder"), options);
  auto last_print = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  job.setProgressCallback([&](const IngestProgress& progress) {
    if (quiet) return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = progress.finished + progress.skipped >= progress.total;
    if (!tty && !last && now - last_print < std::chrono::seconds(2)) return;
    last_print = now;
    std::fprintf(stderr, "%s%lld/%lld images  %.1f images/s  ETA %s  %s%s", tty ? "\r\033[K" : "",
                 (long long)(progress.finished + progress.skipped), (long long)progress.total, progress.images_per_second,
                 progress.eta_seconds >= 0 ? (std::to_string(int(progress.eta_seconds + 0.5)) + " s").c_str() : "-",
                 progress.current.c_str(), tty ? "" : "\n");
  });

  // Ctrl-C / SIGTERM cancel between images; every committed image stays committed.
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished) {
      if (g_interrupted) {
        job.cancel();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  IngestReport report;
  try {
    report = job.run();
  } catch (...) {
    finished = true;
    watcher.join();
    throw;
  }
  finished = true;
  watcher.join();
  if (!quiet && tty) std::fputc('\n', stderr);

  if (p.has("json")) {
    std::printf("%s\n", reportJson(report).dump(2).c_str());
  } else {
    std::printf("Models: %s\n", report.models.c_str());
    std::printf("%lld images: %lld done (%lld ingested now, %lld already done), %zu failed; %lld regions; %.1f s\n",
                (long long)report.images, (long long)report.done, (long long)report.ingested, (long long)report.skipped,
                report.failed.size(), (long long)report.regions, report.seconds);
    if (!report.index_status.empty()) std::printf("Index: %s\n", report.index_status.c_str());
    for (const auto& f : report.failed) std::printf("failed: %s: %s\n", f.path.c_str(), f.reason.c_str());
    if (report.cancelled) std::printf("Cancelled: run the same command again to continue.\n");
  }
  return report.cancelled ? 130 : 0;
}

}  // namespace regionlab::cli
