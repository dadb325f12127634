#include "bench/benchmarks.h"

namespace regionlab::bench {

const std::vector<Benchmark>& benchmarks() {
  static const std::vector<Benchmark> kBenchmarks = {
      {"ingest", "<folder> [--threads N]", "Ingest throughput (images/s) and the per-stage split on a folder of images", &benchIngest},
      {"pool", "[--channels C] [--grid G] [--size S] [--masks N]",
       "Exact fast mask pooling vs the naive upsample-then-average (torch), same inputs", &benchPool},
      {"dinov2", "[--models s,b,l,g] [--precisions fp32,bf16] [--threads 2] [--repeat 3] [--no-baseline] [--no-memory]",
       "DINOv2 at 518x518 with random weights: time per image vs the official op sequence, bf16 vs fp32 region vectors, peak memory",
       &benchDinov2},
      {"drq",
       "[coco128_lightly folder] [--vectors 1000000] [--k 4096] [--kmeans-iterations 10] [--kmeans-vectors N] [--lloyd-iterations 10] [--member-means-vectors 524288]\n"
       "           [--lloyd-seeding-vectors 100000] [--propagation] [--exact-labels] [--level-bits 5,6,...]\n"
       "           [--regions 1000000] [--queries 100] [--noise 0.02] [--only train|encode|search] [--threads N]",
       "DRC training vs cv::kmeans and Lloyd (distortions on all vectors), DRQ encoding vs brute force, code search vs exhaustive scan (real SIFT / region vectors)", &benchDrq},
      {"texture-words", "[coco128_lightly folder] [--weights 0,0.3,0.5] [--words K] [--threads N]",
       "One-shot retrieval mAP on the public COCO images: the classical descriptor without vs with visual words", &benchTextureWords},
      {"learning", "[--regions N] [--dim D] [--feedback F] [--weak W] [--threads T]",
       "Concept retrain (warm-started logistic regression) + rescore of every region vs the query-only ranking", &benchLearning},
      {"sam", "[--model vit_b|vit_t] [--image file] [--points N] [--modes exact,fast] [--precision P] [--fast-precision P] [--fast-max-prompts N] [--repeat N] [--baseline] [--predictor [--prompts N]] [--threads N] "
       "| [--model …] --agreement <folder> [--limit N]",
       "SAM/MobileSAM automatic mask generator per image (random weights at the real sizes): exact and fast modes; "
       "--agreement: fast vs exact masks (mean best-match IoU) over a folder, one encoder pass per image", &benchSam},
      {"sam-encoder", "[--models vit_b,vit_t] [--precisions fp32,bf16] [--image file] [--repeat 2] [--threads 2]",
       "SAM ViT-B / MobileSAM TinyViT image encoder alone (random weights at the real sizes): wall and CPU s vs the official code",
       &benchSamEncoder},
  };
  return kBenchmarks;
}

}  // namespace regionlab::bench
