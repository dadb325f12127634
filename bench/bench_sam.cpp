// SAM / MobileSAM automatic mask generation speed on one image, random weights at the real sizes
// (the masks are meaningless; the work is the same as with the official weights, except for how
// many masks pass the filters):
//   encoder   the image embedding (ViT-B or TinyViT) alone, computed once; every mode below
//             decodes from it and prints its time without and with the encoder;
//   exact     the official masks, reordered (core/regions/automatic_mask_generator.h);
//   fast      our fast mode (low-resolution scoring, NMS before upscaling, covered points skipped);
//   baseline  (--baseline) the official order in this process: every mask of every prompt
//             upscaled to full resolution before any filter, same decoder.
//   predictor (--predictor) interactive prompts once the embedding exists: a click, a click plus a
//             negative click, a box, and a refinement from the previous low-res mask; the baseline
//             is the same prompt without the cached embedding (encoder + prompt), as a tool that
//             re-encodes per click would pay.
//   --precision P   the encoder precision of the exact mode (default fp32, the reference's);
//   --fast-precision P  the fast mode's (default auto: bf16 on CPUs with native AVX512-BF16, as
//             the fast region generators use); when it differs, fast mode has its own encoder pass.
//   --fast-max-prompts N  the fast mode's prompt budget per crop (default: AmgOptions', or the
//             mobilesam+slic generator's for vit_t).
//   --skip-encoder  a random embedding instead of the encoder (decoder timings only).
//   --repeat N      every timed step N times, the fastest counts (steady state; first run also printed).
//   --agreement <folder> [--limit N]  fast vs exact mode on every image of the folder (one
//             encoder pass per image): mean best-match mask IoU both ways, mask counts, times.
// Ratios are printed against the in-process baseline when run, and against the official code's
// anchors measured on this machine kind (BUILD_NOTES.md: ViT-B AMG 157 s, MobileSAM AMG 169 s).
// Wall and CPU seconds are both printed: on a shared machine wall time alone says little.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>

#include "bench/bench_options.h"
#include "bench/bench_timing.h"
#include "bench/benchmarks.h"
#include "bench/sam_bench_model.h"
#include "core/nets/sam_amg_decoder.h"
#include "core/nets/sam_model.h"
#include "core/nets/sam_preprocess.h"
#include "core/regions/automatic_mask_generator.h"
#include "core/regions/sam_predictor.h"
#include "core/regions/sam_region_generator.h"

namespace regionlab::bench {
namespace {

// The official order: every mask of every prompt upscaled, then IoU, stability, box, edge filters.
double runBaseline(const cv::Mat& rgb, const nets::SamEmbedding& embedding, nets::SamAmgDecoder& decoder, const AmgOptions& o, size_t* kept) {
  const auto t = Clock::now();
  decoder.setEmbedding(embedding);
  const auto grid = amg::pointGrid(o.points_per_side);
  size_t count = 0;
  for (size_t start = 0; start < grid.size(); start += size_t(o.points_per_batch)) {
    std::vector<cv::Point2d> points;
    for (size_t i = start; i < std::min(grid.size(), start + size_t(o.points_per_batch)); ++i) {
      points.emplace_back(grid[i].x * rgb.cols, grid[i].y * rgb.rows);
    }
    const std::vector<float> iou = decoder.decodeBatch(points);
    std::vector<int> all(iou.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = int(i);
    const std::vector<cv::Mat> masks = decoder.maskLogits(all);
    for (size_t i = 0; i < masks.size(); ++i) {
      if (!(iou[i] > float(o.pred_iou_thresh))) continue;
      if (!(amg::stabilityScore(masks[i], 0.0f, float(o.stability_score_offset)) >= float(o.stability_score_thresh))) continue;
      ++count;
    }
  }
  *kept = count;
  return secondsSince(t);
}

// Answers setImage with an embedding computed beforehand, so that exact and fast mode in the
// agreement run share one encoder pass per image; everything else goes to the SamAmgDecoder.
class PrecomputedEmbeddingDecoder final : public AmgMaskDecoder {
public:
  PrecomputedEmbeddingDecoder(const nets::SamModel& model, const nets::SamEmbedding& embedding) : inner_(model), embedding_(embedding) {}
  void setImage(const cv::Mat& rgb) override {
    if (rgb.size() != embedding_.original_size) throw std::runtime_error("agreement: crops need their own embedding (crop_n_layers 0 only)");
    inner_.setEmbedding(embedding_);
  }
  std::vector<float> decodeBatch(const std::vector<cv::Point2d>& points) override { return inner_.decodeBatch(points); }
  std::vector<cv::Mat> maskLogits(const std::vector<int>& indices) override { return inner_.maskLogits(indices); }
  std::vector<cv::Mat> lowResLogits(const std::vector<int>& indices, cv::Size* valid) override { return inner_.lowResLogits(indices, valid); }
  std::vector<cv::Mat> upscaleLowRes(const std::vector<cv::Mat>& low_res) override { return inner_.upscaleLowRes(low_res); }
  const nets::SamAmgDecoder& inner() const { return inner_; }

private:
  nets::SamAmgDecoder inner_;
  const nets::SamEmbedding& embedding_;
};

// Σ over masks of `from` of the best IoU with a mask of `to` (0 when `to` is empty).
double sumBestIoU(const std::vector<AmgMask>& from, const std::vector<AmgMask>& to) {
  double sum = 0;
  for (const AmgMask& f : from) {
    double best = 0;
    for (const AmgMask& t : to) best = std::max(best, rleIoU(f.segmentation, t.segmentation));
    sum += best;
  }
  return sum;
}

std::vector<std::filesystem::path> imagesIn(const std::filesystem::path& folder, int limit) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.path().string().find("/.") != std::string::npos) continue;  // .regionlab and other hidden folders
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (limit > 0 && int(files.size()) > limit) files.resize(size_t(limit));
  return files;
}

// Fast mode against exact mode on every image of a folder: one encoder pass per image, both modes
// from that embedding. Agreement = mean over the fast masks of their best IoU with an exact mask
// (and the reverse: how well the fast masks cover the exact ones), pooled over all images.
int runAgreement(const nets::SamModel& model, const nets::SamModel& fast_model, const std::filesystem::path& folder, int limit,
                 const AmgOptions& options) {
  const std::vector<std::filesystem::path> files = imagesIn(folder, limit);
  if (files.empty()) throw std::runtime_error("no images in " + folder.string());
  double fast_to_exact = 0, exact_to_fast = 0, encoder_s = 0, exact_s = 0, fast_s = 0, exact_cpu = 0, fast_cpu = 0;
  int64_t exact_masks = 0, fast_masks = 0, fast_prompts = 0, exact_prompts = 0;
  int images_both_empty = 0;
  for (const auto& file : files) {
    const cv::Mat rgb = loadBenchImage(file.string());
    auto t = Clock::now();
    const nets::SamEmbedding embedding = model.encode(rgb);
    encoder_s += secondsSince(t);
    const bool own_fast_embedding = &fast_model != &model;
    const nets::SamEmbedding fast_embedding = own_fast_embedding ? fast_model.encode(rgb) : nets::SamEmbedding();
    std::vector<AmgMask> result[2];
    AmgStatistics stats[2];
    double seconds[2], cpu[2];
    for (int mode = 0; mode < 2; ++mode) {
      AmgOptions o = options;
      o.fast = mode == 1;
      const bool fast_encoder = mode == 1 && own_fast_embedding;
      PrecomputedEmbeddingDecoder decoder(fast_encoder ? fast_model : model, fast_encoder ? fast_embedding : embedding);
      const double c = cpuSeconds();
      t = Clock::now();
      result[mode] = generateMasks(rgb, decoder, o, &stats[mode]);
      seconds[mode] = secondsSince(t);
      cpu[mode] = cpuSeconds() - c;
    }
    const double fe = sumBestIoU(result[1], result[0]), ef = sumBestIoU(result[0], result[1]);
    fast_to_exact += fe;
    exact_to_fast += ef;
    exact_masks += int64_t(result[0].size());
    fast_masks += int64_t(result[1].size());
    exact_prompts += stats[0].prompts_decoded;
    fast_prompts += stats[1].prompts_decoded;
    exact_s += seconds[0];
    fast_s += seconds[1];
    exact_cpu += cpu[0];
    fast_cpu += cpu[1];
    if (result[0].empty() && result[1].empty()) ++images_both_empty;
    std::printf("%-28s exact %3zu masks %6.2f s (cpu %6.2f)  fast %3zu masks %6.2f s (cpu %6.2f), %4lld prompts  fast→exact %.3f  exact→fast %.3f\n",
                file.filename().string().c_str(), result[0].size(), seconds[0], cpu[0], result[1].size(), seconds[1], cpu[1],
                (long long)stats[1].prompts_decoded, result[1].empty() ? NAN : fe / double(result[1].size()),
                result[0].empty() ? NAN : ef / double(result[0].size()));
  }
  const double n = double(files.size());
  std::printf("agreement over %zu images (%d with no mask in either mode): %lld exact masks, %lld fast masks\n", files.size(), images_both_empty,
              (long long)exact_masks, (long long)fast_masks);
  std::printf("  mean best-match IoU of fast masks vs exact masks: %.4f (goal ≥ 0.95)\n",
              fast_masks ? fast_to_exact / double(fast_masks) : NAN);
  std::printf("  mean best-match IoU of exact masks vs fast masks: %.4f\n", exact_masks ? exact_to_fast / double(exact_masks) : NAN);
  std::printf("  per image: encoder %.2f s; exact %.2f s (cpu %.2f), %.0f prompts; fast %.2f s (cpu %.2f), %.0f prompts; fast %.1fx exact\n",
              encoder_s / n, exact_s / n, exact_cpu / n, double(exact_prompts) / n, fast_s / n, fast_cpu / n, double(fast_prompts) / n,
              exact_s / fast_s);
  return 0;
}

// Per-prompt latency of the interactive predictor (issue goal: < 150 ms with ViT-B once encoded).
void benchPredictor(std::shared_ptr<const nets::SamModel> model, const cv::Mat& rgb, int rounds) {
  SamPredictor predictor(model);
  auto t = Clock::now();
  predictor.setImage(rgb, "bench-image");
  const double encoder = secondsSince(t);
  const float w = float(rgb.cols), h = float(rgb.rows);
  std::vector<double> seconds;
  cv::RNG rng(7);
  for (int i = 0; i < rounds; ++i) {
    const cv::Point2f click(rng.uniform(0.1f, 0.9f) * w, rng.uniform(0.1f, 0.9f) * h);
    const cv::Point2f negative(rng.uniform(0.1f, 0.9f) * w, rng.uniform(0.1f, 0.9f) * h);
    nets::SamPrompt prompts[4];
    prompts[0].points = {click};
    prompts[0].labels = {1};
    prompts[1].points = {click, negative};
    prompts[1].labels = {1, 0};
    prompts[2].box = nets::SamBox{std::min(click.x, negative.x), std::min(click.y, negative.y), std::max(click.x, negative.x) + 8,
                                  std::max(click.y, negative.y) + 8};
    prompts[2].multimask = false;
    for (int p = 0; p < 4; ++p) {
      if (p == 3) {
        // Refinement: the previous answer's best low-res mask fed back with the clicks.
        const nets::SamMasks previous = predictor.predict(prompts[0]);
        const size_t best = size_t(std::max_element(previous.iou.begin(), previous.iou.end()) - previous.iou.begin());
        prompts[3] = prompts[1];
        prompts[3].mask_input = previous.low_res_logits[best];
        prompts[3].multimask = false;
      }
      t = Clock::now();
      const nets::SamMasks masks = predictor.predict(prompts[p]);
      seconds.push_back(secondsSince(t));
      if (masks.logits.empty() || masks.logits[0].size() != rgb.size()) throw std::runtime_error("predictor returned no full-size mask");
    }
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2], worst = seconds.back();
  std::printf("%-10s %8.1f ms median, %.1f ms max over %zu prompts (points, +negative, box, refinement); encoder once %.2f s; "
              "goal < 150 ms: %s; %.0fx vs re-encoding per prompt\n",
              "predictor", 1e3 * median, 1e3 * worst, seconds.size(), encoder, median < 0.150 ? "met" : "NOT met",
              (encoder + median) / median);
}

}  // namespace

int benchSam(const std::vector<std::string>& args) {
  const int threads = intOption(args, "threads", int(std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  const std::string model_name = optionValue(args, "model", "vit_b");
  const bool tiny = model_name == "vit_t";
  const nets::SamArchitecture architecture = tiny ? nets::SamArchitecture::TinyVit : nets::SamArchitecture::VitB;
  const cv::Mat rgb = loadBenchImage(optionValue(args, "image", ""));
  // The AMG options of the region generator that runs this model in fast mode (mobilesam+slic for
  // vit_t: its prompt budget), else the defaults; --fast-max-prompts overrides the budget.
  AmgOptions options = tiny ? samRegionOptionsFor("mobilesam+slic")->amg : AmgOptions{};
  options.fast = false;
  options.points_per_side = intOption(args, "points", 32);
  options.fast_max_prompts = intOption(args, "fast-max-prompts", options.fast_max_prompts);
  const std::string modes = optionValue(args, "modes", "exact,fast");
  const double anchor = tiny ? 169.0 : 157.0;
  std::printf("sam benchmark: %s (random weights at the real size), image %dx%d, %d points per side, torch threads %d\n",
              nets::samArchitectureName(architecture), rgb.cols, rgb.rows, options.points_per_side, at::get_num_threads());
  std::printf("official AMG anchor on this machine kind (BUILD_NOTES.md): %.0f s per image; fast mode: coarsest level %d², "
              "batches of %d, at most %d prompts per crop\n",
              anchor, options.fast_coarse_points_per_side, options.fast_points_per_batch, options.fast_max_prompts);
  const std::string precision = optionValue(args, "precision", "fp32"), fast_precision = optionValue(args, "fast-precision", "auto");
  const auto shared_model = std::make_shared<const nets::SamModel>(randomSamModel(architecture, threads, precision));
  const nets::SamModel& model = *shared_model;
  // The fast mode's encoder: the same random weights in its own precision (a second model only
  // when the precisions resolve differently).
  std::unique_ptr<nets::SamModel> own_fast_model;
  {
    nets::InferenceOptions fo;
    fo.precision = fast_precision;
    if (nets::resolveInference(fo).precision != model.settings().precision) {
      own_fast_model = std::make_unique<nets::SamModel>(randomSamModel(architecture, threads, fast_precision));
    }
  }
  const nets::SamModel& fast_model = own_fast_model ? *own_fast_model : model;
  std::printf("encoder precision: exact %s, fast %s\n", nets::precisionName(model.settings().precision),
              nets::precisionName(fast_model.settings().precision));
  const std::string agreement = optionValue(args, "agreement", "");
  if (!agreement.empty()) return runAgreement(model, fast_model, agreement, intOption(args, "limit", 0), options);

  // One encoder pass; every mode below decodes from that embedding, and its time with the encoder
  // is its own time plus this one.
  double cpu = cpuSeconds();
  auto t = Clock::now();
  nets::SamEmbedding embedding;
  if (hasFlag(args, "skip-encoder")) {
    // Decoder timings only: a random embedding of the real shape (the decoder's work does not
    // depend on the values; the masks do).
    embedding.channels = 256;
    embedding.grid = 64;
    const at::Tensor values = at::randn({256 * 64 * 64});
    embedding.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    embedding.original_size = rgb.size();
    embedding.input_size = nets::samResizedSize(rgb.rows, rgb.cols);
  } else {
    embedding = model.encode(rgb);
  }
  double encoder = secondsSince(t), encoder_cpu = cpuSeconds() - cpu;
  // --repeat N: every timed step runs N times and the fastest run counts — the steady state an
  // ingest of many images sees (the first run in a process also pays one-off costs: oneDNN
  // primitives, first touch of reused buffers); the first run's time is printed too.
  const int repeat = std::max(1, intOption(args, "repeat", 1));
  const double first_encoder = encoder;
  for (int r = 1; r < repeat && !hasFlag(args, "skip-encoder"); ++r) {
    cpu = cpuSeconds();
    t = Clock::now();
    embedding = model.encode(rgb);
    if (secondsSince(t) < encoder) encoder = secondsSince(t), encoder_cpu = cpuSeconds() - cpu;
  }
  std::printf("%-10s %8.2f s  (cpu %.2f s)%s", "encoder", encoder, encoder_cpu, hasFlag(args, "skip-encoder") ? " skipped: random embedding" : "");
  if (repeat > 1) std::printf(" fastest of %d; first %.2f s", repeat, first_encoder);
  std::printf("\n");
  double baseline = 0;
  if (hasFlag(args, "baseline")) {
    nets::SamAmgDecoder decoder(model);
    size_t kept = 0;
    cpu = cpuSeconds();
    const double seconds = runBaseline(rgb, embedding, decoder, options, &kept);
    baseline = encoder + seconds;
    std::printf("%-10s %8.2f s  (cpu %.2f s) with the encoder; without it %.2f s (cpu %.2f s): decoder %.2f s of which masks %.2f s; "
                "%zu masks pass the filters\n",
                "baseline", baseline, encoder_cpu + cpuSeconds() - cpu, seconds, cpuSeconds() - cpu, decoder.decoderSeconds(),
                decoder.maskSeconds(), kept);
  }
  // The fast mode's own encoder pass when its precision differs.
  nets::SamEmbedding fast_embedding;
  double fast_encoder = encoder, fast_encoder_cpu = encoder_cpu;
  if (own_fast_model && modes.find("fast") != std::string::npos && !hasFlag(args, "skip-encoder")) {
    double first = 0;
    for (int r = 0; r < repeat; ++r) {
      cpu = cpuSeconds();
      t = Clock::now();
      fast_embedding = own_fast_model->encode(rgb);
      const double seconds = secondsSince(t);
      if (r == 0) first = seconds;
      if (r == 0 || seconds < fast_encoder) fast_encoder = seconds, fast_encoder_cpu = cpuSeconds() - cpu;
    }
    std::printf("%-10s %8.2f s  (cpu %.2f s) the fast mode's, %s", "encoder", fast_encoder, fast_encoder_cpu,
                nets::precisionName(own_fast_model->settings().precision));
    if (repeat > 1) std::printf(", fastest of %d; first %.2f s", repeat, first);
    std::printf("\n");
  }
  for (const std::string mode : {"exact", "fast"}) {
    if (modes.find(mode) == std::string::npos) continue;
    AmgOptions o = options;
    o.fast = mode == "fast";
    const bool own = o.fast && !fast_embedding.empty();
    const double mode_encoder = own ? fast_encoder : encoder, mode_encoder_cpu = own ? fast_encoder_cpu : encoder_cpu;
    AmgStatistics stats;
    std::vector<AmgMask> masks;
    double decoder_seconds = 0, mask_seconds = 0;
    double seconds = 0, seconds_cpu = 0, first = 0;
    for (int r = 0; r < repeat; ++r) {  // the fastest run's figures are printed
      PrecomputedEmbeddingDecoder run_decoder(own ? fast_model : model, own ? fast_embedding : embedding);
      AmgStatistics run_stats;
      cpu = cpuSeconds();
      t = Clock::now();
      std::vector<AmgMask> run_masks = generateMasks(rgb, run_decoder, o, &run_stats);
      const double run_seconds = secondsSince(t);
      if (r == 0) first = run_seconds;
      if (r > 0 && run_seconds >= seconds) continue;
      seconds = run_seconds;
      seconds_cpu = cpuSeconds() - cpu;
      decoder_seconds = run_decoder.inner().decoderSeconds();
      mask_seconds = run_decoder.inner().maskSeconds();
      stats = run_stats;
      masks = std::move(run_masks);
    }
    std::printf("%-10s %8.2f s  (cpu %.2f s) with the encoder; without it %.2f s (cpu %.2f s): decoder %.2f s of which masks %.2f s; "
                "%lld prompts, %lld skipped (%lld not near anything found), %lld over budget, %lld masks upscaled, %zu masks out;  %.1fx vs official anchor",
                mode.c_str(), mode_encoder + seconds, mode_encoder_cpu + seconds_cpu, seconds, seconds_cpu, decoder_seconds, mask_seconds, (long long)stats.prompts_decoded, (long long)stats.prompts_skipped,
                (long long)stats.prompts_skipped_not_near, (long long)stats.prompts_over_budget, (long long)stats.masks_upscaled, masks.size(), anchor / (mode_encoder + seconds));
    if (baseline > 0) std::printf(", %.1fx vs in-process baseline", baseline / (mode_encoder + seconds));
    if (repeat > 1) std::printf("; fastest of %d, first %.2f s", repeat, first);
    std::printf("\n");
  }
  if (hasFlag(args, "predictor")) benchPredictor(shared_model, rgb, intOption(args, "prompts", 20));
  return 0;
}

}  // namespace regionlab::bench
