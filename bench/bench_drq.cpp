// DRC/DRQ on real descriptors, against baselines measured in the same run:
//   1. training: a K-centroid DRC codebook on ≥ 1M dense RootSIFT descriptors of the 120 public
//      COCO images vs OpenCV's cv::kmeans (Lloyd, random centres, same K; the speed reference,
//      run on --kmeans-vectors and scaled) and vs Lloyd on all vectors (k-means++ seeding, BLAS
//      assignments: the distortion reference, lloyd_reference.h). Every distortion (mean squared
//      distance to the nearest centroid) is measured on the same, full set of vectors; the
//      per-level line shows the distortion of each tree level's product quantiser, the one below
//      the root being a floor for the root's tree centroids (they are points of that grid); the
//      codebook reconstructs codes by their member means (drq_codebook.h), which that floor does
//      not bind;
//   2. encoding: ns per vector for exact, approximate and fast DRQ and for brute force (the same
//      centroids), their ratio, and how often approximate and fast agree with exact;
//   3. search with codes: ≥ 1M region vectors (the embedded default's vectors of the COCO regions,
//      synthesised into more by adding noise), 8-book codes, asymmetric scan + exact re-rank vs an
//      exhaustive scan: recall@100, time per query, bytes per region.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include <opencv2/core.hpp>

#include "bench/bench_options.h"
#include "bench/bench_timing.h"
#include "bench/benchmarks.h"
#include "bench/coco_public.h"
#include "core/features/dense_sift.h"
#include "core/features/feature_extractor.h"
#include "core/index/dot_product.h"
#include "core/index/drq_code_index.h"
#include "core/index/region_vector_set.h"
#include "core/quantization/drq_codebook.h"
#include "bench/lloyd_reference.h"

namespace regionlab::bench {
namespace {

float squaredDistance(const float* a, const float* b, int n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const float d = a[i + k] - b[i + k];
      s[k] += d * d;
    }
  }
  return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

// Dense RootSIFT of every public image, at grid steps `step` (bins of 6 px), evenly thinned to `target`.
std::vector<float> siftVectors(const std::vector<CocoImage>& images, int step, size_t target, int threads) {
  std::vector<cv::Mat> per_image(images.size());
  DenseSiftOptions o;
  o.step = step;
  parallelOver(images.size(), threads, [&](size_t i) { per_image[i] = computeDenseSift(images[i].rgb, o).descriptors; });
  size_t total = 0;
  for (const cv::Mat& m : per_image) total += size_t(m.rows);
  std::vector<float> all;
  all.reserve(total * 128);
  for (const cv::Mat& m : per_image) all.insert(all.end(), m.ptr<float>(0), m.ptr<float>(0) + m.total());
  if (total <= target) return all;
  std::vector<float> thinned(target * 128);
  for (size_t i = 0; i < target; ++i) std::copy_n(all.data() + (i * total / target) * 128, 128, thinned.data() + i * 128);
  return thinned;
}

size_t seedingVectorsUsed(size_t seeding_vectors, size_t n) { return seeding_vectors == 0 ? n : std::min(n, seeding_vectors); }

struct TrainingResult {
  double seconds = 0, distortion = 0, mean_update_distortion = 0;  // distortion: tree centroids; mean_update: member means
  std::vector<std::pair<size_t, double>> means_by_sample;  // member means from m vectors → distortion on all
  DrqTrainingReport report;
};

TrainingResult trainDrc(const std::vector<float>& x, size_t n, uint32_t k, const std::vector<int>& level_bits, DrcAssignment assignment,
                        bool exact_labels, size_t member_means_vectors, int threads, DrqCodebook* out) {
  DrqCodebookOptions o;
  o.member_means_vectors = member_means_vectors;
  o.drc.exact_labels = exact_labels;
  o.level_bits = level_bits;
  o.books = 1;
  o.centroids = k;
  o.normalisation = VectorNormalisation::None;  // RootSIFT already
  o.drc.assignment = assignment;
  o.drc.threads = threads;
  TrainingResult r;
  const auto t = Clock::now();
  DrqCodebook codebook = DrqCodebook::train(x.data(), n, 128, o, &r.report);
  r.seconds = secondsSince(t);
  // Distortion with the tree centroids (exact DRQ: the nearest grid point), and with the codebook's
  // reconstructions, the member means (drq_codebook.h): the same codes, another decoder.
  std::vector<uint16_t> codes(n);
  codebook.encodeMany(x.data(), n, codes.data(), EncodeMode::Exact, threads);
  double total = 0, mean_total = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* v = x.data() + i * 128;
    total += squaredDistance(v, codebook.book(0).centroid(codes[i]), 128);
    mean_total += squaredDistance(v, codebook.reconstruction(0, codes[i]), 128);
  }
  r.distortion = total / double(n);
  r.mean_update_distortion = mean_total / double(n);
  // How many vectors the member means need (DrqCodebookOptions::member_means_vectors): means
  // from m evenly spaced vectors, distortion on all n.
  for (size_t m = size_t(1) << 15; ; m *= 2) {
    m = std::min(m, n);
    std::vector<double> sums(size_t(k) * 128, 0.0);
    std::vector<size_t> counts(k, 0);
    for (size_t s = 0; s < m; ++s) {
      const size_t i = s * n / m;
      double* sum = sums.data() + size_t(codes[i]) * 128;
      for (int d = 0; d < 128; ++d) sum[d] += x[i * 128 + size_t(d)];
      ++counts[codes[i]];
    }
    std::vector<float> means(size_t(k) * 128);
    for (uint32_t c = 0; c < k; ++c) {
      for (int d = 0; d < 128; ++d) {
        means[size_t(c) * 128 + size_t(d)] = counts[c] ? float(sums[size_t(c) * 128 + size_t(d)] / double(counts[c])) : codebook.book(0).centroid(c)[d];
      }
    }
    double sample_total = 0;
    for (size_t i = 0; i < n; ++i) sample_total += squaredDistance(x.data() + i * 128, means.data() + size_t(codes[i]) * 128, 128);
    r.means_by_sample.emplace_back(m, sample_total / double(n));
    if (m == n) break;
  }
  if (out) *out = std::move(codebook);
  return r;
}

// Per tree level: the distortion of the product quantiser made of that level's nodes (each
// chunk of 2^l dimensions encoded exactly on its node), on a sample. The root's children's level
// is the grid the root's centroids live on: no root centroid set can do better on a vector than
// the nearest grid point, so it bounds what snapping costs.
void printLevelDistortion(const DrqTree& tree, const std::vector<float>& x, size_t n) {
  const size_t m = std::min<size_t>(n, 20000);
  const std::vector<DrqNode>& nodes = tree.nodes();
  std::map<uint32_t, std::pair<double, uint32_t>> per_level;  // dims → (distortion sum, K)
  std::vector<float> table, scratch;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const DrqNode& node = nodes[i];
    table.resize(node.size());
    double sum = 0;
    for (size_t v = 0; v < m; ++v) {
      subtreeTable(nodes, i, x.data() + (v * n / m) * 128 + node.dim_begin, false, scratch, table.data());
      sum += *std::min_element(table.begin(), table.end());
    }
    auto& level = per_level[node.dim_count];
    level.first += sum / double(m);
    level.second = std::max(level.second, node.size());
  }
  std::printf("per level (exact encoding of every node of the level, %zu vectors): ", m);
  for (const auto& [dims, level] : per_level) std::printf(" %u-d×K%u %.5f;", dims, level.second, level.first);
  std::printf("\n");
}

void benchTraining(const std::vector<float>& x, size_t n, uint32_t k, const std::vector<int>& level_bits, int kmeans_iterations, size_t kmeans_vectors, int lloyd_iterations,
                   size_t lloyd_seeding_vectors, bool propagation, bool exact_labels, size_t member_means_vectors, int threads, DrqCodebook& codebook) {
  std::printf("\n1. training, K = %u, %zu dense RootSIFT vectors (128-d); every distortion is measured on all %zu vectors\n", k, n, n);
  std::printf("%-44s %10s %12s %14s %10s\n", "method", "seconds", "distortion", "vs Lloyd", "speed-up");
  DrqCodebook lookup_codebook;
  const TrainingResult drc = trainDrc(x, n, k, level_bits, DrcAssignment::Auto, false, member_means_vectors, threads, &lookup_codebook);
  TrainingResult faithful, exact;
  if (propagation) faithful = trainDrc(x, n, k, level_bits, DrcAssignment::Propagation, false, member_means_vectors, threads, nullptr);
  DrqCodebook exact_codebook;
  if (exact_labels) exact = trainDrc(x, n, k, level_bits, DrcAssignment::Auto, true, member_means_vectors, threads, &exact_codebook);

  // cv::kmeans on (a subset of) the vectors: the speed reference, timed as now and scaled to
  // all vectors; its centres are evaluated on all vectors (its compactness on its own subset is
  // optimistic when the subset is small: few vectors per centre).
  double kmeans_seconds = 0, kmeans_subset_distortion = 0, kmeans_distortion = 0;
  const size_t m = std::min(n, kmeans_vectors);
  if (kmeans_iterations > 0) {
    const cv::Mat data(int(m), 128, CV_32F, const_cast<float*>(x.data()));
    cv::Mat labels, centres;
    const int saved = cv::getNumThreads();
    cv::setNumThreads(threads);
    const auto t = Clock::now();
    const double compactness =
        cv::kmeans(data, int(k), labels, cv::TermCriteria(cv::TermCriteria::MAX_ITER, kmeans_iterations, 0), 1, cv::KMEANS_RANDOM_CENTERS, centres);
    kmeans_seconds = secondsSince(t) * double(n) / double(m);  // per-iteration cost is linear in the vectors
    cv::setNumThreads(saved);
    kmeans_subset_distortion = compactness / double(m);
    kmeans_distortion = assignNearest(x.data(), n, 128, centres.ptr<float>(0), k, threads).distortion;
  }
  // Lloyd on all vectors (k-means++ seeding, the same iterations), assignments by BLAS: the
  // distortion reference.
  LloydResult lloyd;
  if (lloyd_iterations > 0) {
    LloydOptions lo;
    lo.k = k;
    lo.iterations = lloyd_iterations;
    lo.seeding_vectors = lloyd_seeding_vectors;
    lo.threads = threads;
    lloyd = lloydKMeans(x.data(), n, 128, lo);
  }
  const double reference = lloyd_iterations > 0 ? lloyd.distortion : kmeans_distortion;
  auto row = [&](const std::string& name, double seconds, double distortion) {
    std::printf("%-44s %10.1f %12.5f %14.3f %9.1fx\n", name.c_str(), seconds, distortion, reference > 0 ? distortion / reference : 0.0,
                seconds > 0 && kmeans_seconds > 0 ? kmeans_seconds / seconds : 0.0);
  };
  if (lloyd_iterations > 0) {
    row("Lloyd, k-means++ (" + std::to_string(seedingVectorsUsed(lloyd_seeding_vectors, n)) + " vectors), " + std::to_string(lloyd_iterations) + " it., BLAS",
        lloyd.seconds, lloyd.distortion);
  }
  if (kmeans_iterations > 0) {
    row("cv::kmeans, " + std::to_string(kmeans_iterations) + " Lloyd iterations" + (m < n ? " (" + std::to_string(m) + " vectors)" : ""),
        kmeans_seconds, kmeans_distortion);
    if (m < n) {
      std::printf("  (cv::kmeans timed on %zu vectors and scaled to %zu; its distortion on its own %zu training vectors: %.5f)\n", m, n, m,
                  kmeans_subset_distortion);
    }
  }
  // The tree alone (its centroids are grid points), then the codebook as trained: the same codes
  // reconstructed by their member means, one more pass over the data included in its time.
  auto drcRows = [&](const std::string& name, const TrainingResult& r) {
    row(name + ", tree centroids", r.seconds - r.report.member_means_seconds, r.distortion);
    row(name + ", member means (codebook)", r.seconds, r.mean_update_distortion);
  };
  drcRows("DRC", drc);
  if (propagation) drcRows("DRC propagation only", faithful);
  if (exact_labels) drcRows("DRC exact labels", exact);
  std::printf("DRC time split: transform %.1f s, histograms + labels %.1f s (grows with the data), k-means on histograms/grids %.1f s "
              "(independent of the data size), member means %.1f s (one exact encoding of the data)\n",
              drc.report.transform_seconds, drc.report.histogram_seconds, drc.report.training_seconds, drc.report.member_means_seconds);
  std::printf("member means from m evenly spaced vectors (distortion on all %zu):", n);
  for (const auto& [m, d] : drc.means_by_sample) std::printf(" %zu: %.5f;", m, d);
  std::printf("\n");
  if (lloyd_iterations > 0) std::printf("Lloyd time split: k-means++ seeding %.1f s, iterations %.1f s\n", lloyd.seeding_seconds, lloyd.seconds - lloyd.seeding_seconds);
  // Consistency of the two assignment paths: BLAS nearest-centroid search with the DRC centroids
  // must give the exact DRQ distortion.
  const double blas = assignNearest(x.data(), n, 128, lookup_codebook.book(0).centroids().data(), lookup_codebook.bookSize(0), threads).distortion;
  std::printf("check: DRC centroids assigned by BLAS %.5f, by exact DRQ %.5f\n", blas, drc.distortion);
  printLevelDistortion(lookup_codebook.book(0), x, n);
  if (exact_labels) {
    std::printf("DRC, exact training labels: histograms + labels %.1f s, k-means on histograms/grids %.1f s\n", exact.report.histogram_seconds,
                exact.report.training_seconds);
    printLevelDistortion(exact_codebook.book(0), x, n);
  }
  codebook = std::move(exact_labels ? exact_codebook : lookup_codebook);
}

void benchEncoding(const std::vector<float>& x, size_t n, const DrqCodebook& codebook) {
  const DrqTree& tree = codebook.book(0);
  const size_t m = std::min<size_t>(n, 20000);
  std::vector<const float*> sample(m);
  for (size_t i = 0; i < m; ++i) sample[i] = x.data() + (i * n / m) * 128;
  std::vector<uint16_t> exact(m), out(m);
  auto time = [&](auto&& encode) {
    const auto t = Clock::now();
    for (size_t i = 0; i < m; ++i) out[i] = encode(sample[i]);
    return secondsSince(t) * 1e9 / double(m);
  };
  const double brute_ns = time([&](const float* v) {
    uint32_t best = 0;
    float best_d = squaredDistance(v, tree.centroid(0), 128);
    for (uint32_t c = 1; c < tree.size(); ++c) {
      const float d = squaredDistance(v, tree.centroid(c), 128);
      if (d < best_d) {
        best_d = d;
        best = c;
      }
    }
    return uint16_t(best);
  });
  const std::vector<uint16_t> brute = out;
  const double exact_ns = time([&](const float* v) { return tree.encode(v, EncodeMode::Exact); });
  exact = out;
  const double approximate_ns = time([&](const float* v) { return tree.encode(v, EncodeMode::Approximate); });
  const std::vector<uint16_t> approximate = out;
  const double fast_ns = time([&](const float* v) { return tree.encode(v, EncodeMode::Fast); });
  size_t same_brute = 0, same_approximate = 0, same_fast = 0;
  for (size_t i = 0; i < m; ++i) {
    same_brute += brute[i] == exact[i];
    same_approximate += approximate[i] == exact[i];
    same_fast += out[i] == exact[i];
  }
  std::printf("\n2. encoding, %u centroids, %zu vectors, one thread\n", tree.size(), m);
  std::printf("%-24s %12s %14s %18s\n", "method", "ns/vector", "vs brute force", "same code as exact");
  std::printf("%-24s %12.0f %13.1fx %18.4f\n", "brute force", brute_ns, 1.0, double(same_brute) / double(m));
  std::printf("%-24s %12.0f %13.1fx %18.4f\n", "DRQ exact", exact_ns, brute_ns / exact_ns, 1.0);
  std::printf("%-24s %12.0f %13.1fx %18.4f\n", "DRQ approximate", approximate_ns, brute_ns / approximate_ns, double(same_approximate) / double(m));
  std::printf("%-24s %12.0f %13.1fx %18.4f\n", "DRQ fast", fast_ns, brute_ns / fast_ns, double(same_fast) / double(m));
}

void benchSearch(const std::vector<CocoImage>& images, size_t target, int queries, float noise, int threads) {
  const auto descriptor = createFeatureExtractor("classical");
  const auto dim = size_t(descriptor->dim());
  std::vector<std::vector<float>> per_image(images.size());
  parallelOver(images.size(), threads, [&](size_t i) { per_image[i] = descriptor->extract(images[i].rgb, images[i].regions); });
  std::vector<float> real;
  for (const auto& v : per_image) real.insert(real.end(), v.begin(), v.end());
  const size_t n_real = real.size() / dim;
  // Synthesis: a random real vector plus Gaussian noise, clipped at 0 and renormalised (the
  // descriptor's vectors are non-negative unit vectors).
  std::mt19937_64 random(7);
  std::normal_distribution<float> gaussian(0.0f, noise);
  auto synthesise = [&](float* out) {
    const float* base = real.data() + (random() % n_real) * dim;
    double norm = 0;
    for (size_t d = 0; d < dim; ++d) {
      out[d] = std::max(0.0f, base[d] + gaussian(random));
      norm += double(out[d]) * out[d];
    }
    for (size_t d = 0; d < dim; ++d) out[d] = float(out[d] / std::sqrt(norm));
  };
  const size_t n = std::max(target, n_real);
  RegionVectorSet vectors(static_cast<int>(dim));
  std::vector<float> v(dim);
  for (size_t i = 0; i < n; ++i) {
    if (i < n_real) {
      std::copy_n(real.data() + i * dim, dim, v.data());
    } else {
      synthesise(v.data());
    }
    vectors.append(int64_t(i + 1), int64_t(i / 80 + 1), v.data());
  }

  DrqIndexOptions o;
  o.threads = threads;
  auto t = Clock::now();
  DrqCodebookOptions co;
  co.books = o.books;
  co.root_bits = drqRootBitsFor(n, o);
  co.pca = true;
  co.pca_samples = 30000;
  co.drc.threads = threads;
  std::vector<float> training(std::min(n, o.max_training_vectors) * dim);
  const size_t samples = training.size() / dim;
  for (size_t s = 0; s < samples; ++s) std::copy_n(vectors.vector(s * n / samples), dim, training.data() + s * dim);
  DrqCodebook codebook = DrqCodebook::train(training.data(), samples, int(dim), co);
  const double train_seconds = secondsSince(t);
  t = Clock::now();
  std::vector<uint16_t> codes(n * size_t(codebook.books()));
  codebook.encodeMany(vectors.data(), n, codes.data(), EncodeMode::Exact, threads);
  const double encode_seconds = secondsSince(t);
  const DrqCodeIndex index(std::move(codebook), 0, int64_t(samples), std::move(codes));

  std::printf("\n3. search, %zu region vectors (%zu real from %zu COCO images, the rest synthesised with noise σ = %.3f), %zu-d, %d queries\n",
              n, n_real, images.size(), double(noise), dim, queries);
  std::printf("codebook: %d books × %u centroids, trained on %zu vectors in %.1f s; %zu vectors encoded in %.1f s\n", index.codebook().books(),
              index.codebook().bookSize(0), samples, train_seconds, n, encode_seconds);
  // Queries: real vectors, perturbed with the same noise, and the exhaustive top 100.
  std::vector<std::vector<float>> query_vectors(static_cast<size_t>(queries), std::vector<float>(dim));
  for (auto& q : query_vectors) synthesise(q.data());
  constexpr size_t kTop = 100;
  std::vector<std::vector<int64_t>> truth(query_vectors.size());
  t = Clock::now();
  for (size_t q = 0; q < query_vectors.size(); ++q) {
    std::vector<std::pair<float, int64_t>> scored(n);
    for (size_t r = 0; r < n; ++r) scored[r] = {dotProduct(query_vectors[q].data(), vectors.vector(r), int(dim)), vectors.regionId(r)};
    std::partial_sort(scored.begin(), scored.begin() + kTop, scored.end(), std::greater<>());
    for (size_t i = 0; i < kTop; ++i) truth[q].push_back(scored[i].second);
  }
  const double exhaustive_ms = secondsSince(t) * 1e3 / double(queries);
  std::printf("%-34s %10s %12s %14s %16s\n", "method", "recall@100", "ms/query", "vs exhaustive", "bytes/region");
  std::printf("%-34s %10.4f %12.2f %13.1fx %16zu\n", "exhaustive scan (fp32 vectors)", 1.0, exhaustive_ms, 1.0, dim * 4);
  for (const size_t rerank : {size_t(1000), size_t(2000), size_t(5000)}) {
    size_t found = 0;
    t = Clock::now();
    for (size_t q = 0; q < query_vectors.size(); ++q) {
      const auto hits = index.searchRegions(query_vectors[q].data(), kTop, rerank, vectors);
      for (const IndexHit& h : hits) found += std::find(truth[q].begin(), truth[q].end(), h.region_id) != truth[q].end();
    }
    const double ms = secondsSince(t) * 1e3 / double(queries);
    const std::string name = "DRQ codes + exact re-rank of " + std::to_string(rerank);
    std::printf("%-34s %10.4f %12.2f %13.1fx %16zu\n", name.c_str(), double(found) / double(kTop * query_vectors.size()), ms,
                exhaustive_ms / ms, index.bytesPerRegion());
  }
  std::printf("(re-ranking reads the %zu-byte fp16 vectors of the candidates only; the scan itself reads %zu bytes per region)\n", dim * 2,
              index.bytesPerRegion());
}

}  // namespace

int benchDrq(const std::vector<std::string>& args) {
  const auto root = args.empty() || args[0].rfind("--", 0) == 0 ? defaultCocoRoot() : std::filesystem::path(args[0]);
  const int threads = intOption(args, "threads", int(std::max(1u, std::thread::hardware_concurrency())));
  const size_t vectors = size_t(intOption(args, "vectors", 1'000'000));
  const auto k = uint32_t(intOption(args, "k", 4096));
  const int kmeans_iterations = intOption(args, "kmeans-iterations", 10);
  const size_t kmeans_vectors = size_t(intOption(args, "kmeans-vectors", int(vectors)));
  const size_t regions = size_t(intOption(args, "regions", 1'000'000));
  const int queries = intOption(args, "queries", 100);
  const float noise = std::stof(optionValue(args, "noise", "0.02"));
  const int lloyd_iterations = intOption(args, "lloyd-iterations", 10);
  const size_t lloyd_seeding_vectors = size_t(intOption(args, "lloyd-seeding-vectors", 100'000));
  const bool propagation = hasFlag(args, "propagation");
  const bool exact_labels = hasFlag(args, "exact-labels");
  const size_t member_means_vectors = size_t(intOption(args, "member-means-vectors", int(DrqCodebookOptions().member_means_vectors)));
  std::vector<int> level_bits;  // empty: the defaults
  for (std::string list = optionValue(args, "level-bits", ""); !list.empty();) {
    const size_t comma = list.find(',');
    level_bits.push_back(std::stoi(list.substr(0, comma)));
    list = comma == std::string::npos ? "" : list.substr(comma + 1);
  }
  const std::string only = optionValue(args, "only", "");

  auto t = Clock::now();
  const std::vector<CocoImage> images = loadCocoPublic(root, threads);
  size_t region_count = 0;
  for (const CocoImage& im : images) region_count += im.regions.size();
  std::printf("drq benchmark: %zu COCO images, %zu regions (default generator), %d threads, loaded in %.1f s\n", images.size(), region_count,
              threads, secondsSince(t));
  if (only.empty() || only == "train" || only == "encode") {
    t = Clock::now();
    // Dense SIFT on a 4-px grid gives ~2M vectors for the 120 images; thinned to `vectors`.
    const std::vector<float> sift = siftVectors(images, 4, vectors, threads);
    const size_t n = sift.size() / 128;
    std::printf("dense RootSIFT: %zu vectors in %.1f s\n", n, secondsSince(t));
    DrqCodebook codebook;
    benchTraining(sift, n, k, level_bits, only == "encode" ? 0 : kmeans_iterations, kmeans_vectors, only == "encode" ? 0 : lloyd_iterations,
                  lloyd_seeding_vectors, propagation, exact_labels, member_means_vectors, threads, codebook);
    benchEncoding(sift, n, codebook);
  }
  if (only.empty() || only == "search") benchSearch(images, regions, queries, noise, threads);
  return 0;
}

}  // namespace regionlab::bench
