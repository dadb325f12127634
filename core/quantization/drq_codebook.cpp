#include "core/quantization/drq_codebook.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "core/base/error.h"
#include "core/quantization/codebook_file.h"

namespace regionlab {

DrqCodebookOptions singleBookClusteringOptions(int dim, uint32_t k, int pca_dim, int max_pca_dim, uint64_t seed, int threads) {
  DrqCodebookOptions o;
  o.books = 1;
  o.chunk_dim = pca_dim > 0 ? pca_dim : int(std::min<uint32_t>(uint32_t(max_pca_dim), std::bit_floor(uint32_t(dim))));
  o.centroids = k;
  o.normalisation = VectorNormalisation::L2;
  o.pca = true;
  o.pca_samples = 50'000;
  o.drc.seed = seed;
  o.drc.threads = threads;
  return o;
}
namespace {

using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <typename Body>
void parallelRanges(size_t n, int threads, Body&& body) {
  const int count = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  if (count == 1 || n < 256) {
    body(size_t(0), n);
    return;
  }
  std::vector<std::thread> pool;
  const size_t step = (n + size_t(count) - 1) / size_t(count);
  for (size_t begin = 0; begin < n; begin += step) pool.emplace_back([&, begin] { body(begin, std::min(n, begin + step)); });
  for (std::thread& t : pool) t.join();
}

float squaredDistanceTo(const float* a, const float* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) {
    const float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

float dotWith(const float* a, const float* b, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// Per book, the mean of the training vectors (column-major `columns`, n per dimension; m of them,
// evenly spaced) that exact encoding sends to each code; a code none reaches keeps its tree centroid.
std::vector<std::vector<float>> memberMeans(const std::vector<DrqTree>& trees, const float* columns, size_t n, size_t m, int threads) {
  std::vector<std::vector<float>> means;
  for (size_t b = 0; b < trees.size(); ++b) {
    const DrqTree& tree = trees[b];
    const size_t chunk = size_t(tree.dim()), k = tree.size();
    const float* book_columns = columns + b * chunk * n;
    std::mutex merge;
    std::vector<double> sums(k * chunk, 0.0);
    std::vector<size_t> counts(k, 0);
    parallelRanges(m, threads, [&](size_t begin, size_t end) {
      std::vector<double> local_sums(k * chunk, 0.0);
      std::vector<size_t> local_counts(k, 0);
      std::vector<float> x(chunk);
      for (size_t s = begin; s < end; ++s) {
        const size_t i = m == n ? s : s * n / m;
        for (size_t d = 0; d < chunk; ++d) x[d] = book_columns[d * n + i];
        const uint16_t code = tree.encode(x.data(), EncodeMode::Exact);
        double* sum = local_sums.data() + size_t(code) * chunk;
        for (size_t d = 0; d < chunk; ++d) sum[d] += x[d];
        ++local_counts[code];
      }
      const std::lock_guard lock(merge);
      for (size_t j = 0; j < sums.size(); ++j) sums[j] += local_sums[j];
      for (size_t c = 0; c < k; ++c) counts[c] += local_counts[c];
    });
    std::vector<float> book(k * chunk);
    for (size_t c = 0; c < k; ++c) {
      for (size_t d = 0; d < chunk; ++d) {
        book[c * chunk + d] = counts[c] > 0 ? float(sums[c * chunk + d] / double(counts[c])) : tree.centroid(uint32_t(c))[d];
      }
    }
    means.push_back(std::move(book));
  }
  return means;
}

}  // namespace

void AdcTable::scoreAll(const uint16_t* codes, size_t n, float* out) const {
  const float* v = values.data();
  if (books == 8) {  // the region-code default: unrolled
    const size_t s = stride;
    for (size_t i = 0; i < n; ++i, codes += 8) {
      out[i] = offset + ((v[codes[0]] + v[s + codes[1]]) + (v[2 * s + codes[2]] + v[3 * s + codes[3]])) +
               ((v[4 * s + codes[4]] + v[5 * s + codes[5]]) + (v[6 * s + codes[6]] + v[7 * s + codes[7]]));
    }
    return;
  }
  for (size_t i = 0; i < n; ++i, codes += books) out[i] = score(codes);
}

DrqCodebook::DrqCodebook(VectorTransform transform, std::vector<DrqTree> books, std::vector<std::vector<float>> reconstructions)
    : transform_(std::move(transform)), books_(std::move(books)), reconstructions_(std::move(reconstructions)) {
  if (books_.empty()) throw Error("a DRQ codebook needs at least one book");
  if (!reconstructions_.empty()) {
    if (reconstructions_.size() != books_.size()) throw Error("a DRQ codebook needs member means for every book or none");
    for (size_t b = 0; b < books_.size(); ++b) {
      if (reconstructions_[b].size() != size_t(books_[b].size()) * size_t(books_[b].dim())) {
        throw Error("the member means of DRQ book " + std::to_string(b) + " do not match its centroids");
      }
    }
  }
  for (const DrqTree& t : books_) {
    if (t.dim() != books_.front().dim()) throw Error("the books of a DRQ codebook must have equal dimensions");
    if (t.hasLookupTables() != books_.front().hasLookupTables()) throw Error("the books of a DRQ codebook disagree on lookup tables");
  }
  if (transform_.outputDim() != int(books_.size()) * books_.front().dim()) {
    throw Error("DRQ codebook books cover " + std::to_string(books_.size() * size_t(books_.front().dim())) + " dimensions, the transform makes " +
                std::to_string(transform_.outputDim()));
  }
  const std::vector<uint8_t> bytes = encodeCodebook(*this);
  static constexpr char kHex[] = "0123456789abcdef";
  id_.reserve(64);
  for (size_t i = bytes.size() - 32; i < bytes.size(); ++i) {
    id_ += kHex[bytes[i] >> 4];
    id_ += kHex[bytes[i] & 15];
  }
}

DrqCodebook DrqCodebook::withoutLookupTables() const {
  std::vector<DrqTree> trees;
  for (const DrqTree& t : books_) trees.push_back(t.withoutLookupTables());
  return DrqCodebook(transform_, std::move(trees), reconstructions_);
}

const float* DrqCodebook::reconstruction(int book, uint32_t code) const {
  if (reconstructions_.empty()) return books_[size_t(book)].centroid(code);
  return reconstructions_[size_t(book)].data() + size_t(code) * size_t(chunkDim());
}

DrqCodebook DrqCodebook::train(const float* rows, size_t n, int dim, const DrqCodebookOptions& options, DrqTrainingReport* report) {
  if (n == 0) throw Error("a DRQ codebook needs training vectors");
  if (dim < 1) throw Error("a DRQ codebook needs vectors with at least one dimension");
  if (options.books < 1) throw Error("a DRQ codebook needs at least one book");
  for (size_t i = 0; i < n * size_t(dim); ++i) {
    if (!std::isfinite(rows[i])) throw Error("training vector " + std::to_string(i / size_t(dim)) + " has a non-finite value");
  }
  int chunk = options.chunk_dim;
  if (chunk == 0) chunk = int(std::bit_ceil(uint32_t((dim + options.books - 1) / options.books)));
  if (!std::has_single_bit(uint32_t(chunk))) throw Error("DRQ chunks must be a power of two in size, got " + std::to_string(chunk));
  const int output_dim = options.books * chunk;
  if (output_dim < dim && !options.pca) {
    throw Error(std::to_string(options.books) + " books of " + std::to_string(chunk) + " dimensions cannot hold " + std::to_string(dim) +
                "-d vectors without a PCA rotation");
  }
  if (options.centroids > 32768 || options.root_bits < 0 || options.root_bits > 15) {
    throw Error("DRQ books hold at most 32768 centroids");
  }

  auto t = Clock::now();
  VectorTransform transform(dim, std::max(dim, output_dim), options.normalisation);
  if (options.pca) {
    const size_t samples = std::clamp<size_t>(options.pca_samples, 2, n);
    std::vector<float> sample(samples * size_t(dim));
    for (size_t s = 0; s < samples; ++s) {
      const size_t row = s * n / samples;
      std::copy_n(rows + row * size_t(dim), dim, sample.data() + s * size_t(dim));
    }
    transform = VectorTransform::learnPca(sample.data(), samples, dim, options.books, chunk, options.normalisation);
  }
  // Column-major copy of the transformed data: trainDrqTree reads one dimension at a time.
  std::vector<float> columns(size_t(output_dim) * n);
  parallelRanges(n, options.drc.threads, [&](size_t begin, size_t end) {
    std::vector<float> y(static_cast<size_t>(output_dim));
    for (size_t i = begin; i < end; ++i) {
      transform.apply(rows + i * size_t(dim), y.data());
      for (int d = 0; d < output_dim; ++d) columns[size_t(d) * n + i] = y[size_t(d)];
    }
  });
  const double transform_seconds = secondsSince(t);

  DrcOptions drc = options.drc;
  const int root_bits = options.centroids > 0 ? int(std::bit_width(options.centroids - 1)) : options.root_bits;
  drc.level_bits = options.level_bits.empty() ? defaultLevelBits(chunk, std::max(root_bits, 0)) : options.level_bits;
  drc.root_size = options.centroids;
  std::vector<DrqTree> trees;
  DrqTrainingReport totals;
  totals.transform_seconds = transform_seconds;
  for (int b = 0; b < options.books; ++b) {
    drc.seed = options.drc.seed + uint64_t(b) * 7919;
    DrcTrainingReport r;
    trees.push_back(trainDrqTree(columns.data() + size_t(b) * size_t(chunk) * n, n, chunk, drc, &r));
    totals.histogram_seconds += r.histogram_seconds;
    totals.training_seconds += r.training_seconds;
  }
  std::vector<std::vector<float>> means;
  if (options.member_means) {
    t = Clock::now();
    const size_t m = options.member_means_vectors == 0 ? n : std::min(n, options.member_means_vectors);
    means = memberMeans(trees, columns.data(), n, m, options.drc.threads);
    totals.member_means_seconds = secondsSince(t);
  }
  if (report) *report = totals;
  return DrqCodebook(std::move(transform), std::move(trees), std::move(means));
}

float DrqCodebook::encode(const float* x, uint16_t* codes, EncodeMode mode) const {
  thread_local std::vector<float> y;
  y.resize(size_t(transform_.outputDim()));
  transform_.apply(x, y.data());
  const int chunk = chunkDim();
  float total = 0;
  for (size_t b = 0; b < books_.size(); ++b) {
    const float* x = y.data() + b * size_t(chunk);
    float d = 0;
    codes[b] = books_[b].encode(x, mode, &d);
    total += reconstructions_.empty() ? d : squaredDistanceTo(x, reconstruction(int(b), codes[b]), size_t(chunk));
  }
  return total;
}

void DrqCodebook::encodeMany(const float* rows, size_t n, uint16_t* codes, EncodeMode mode, int threads) const {
  const size_t dim = size_t(inputDim()), nb = books_.size();
  parallelRanges(n, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) encode(rows + i * dim, codes + i * nb, mode);
  });
}

void DrqCodebook::decode(const uint16_t* codes, float* out) const {
  std::vector<float> y(static_cast<size_t>(transform_.outputDim()));
  const size_t chunk = size_t(chunkDim());
  for (size_t b = 0; b < books_.size(); ++b) std::copy_n(reconstruction(int(b), codes[b]), chunk, y.data() + b * chunk);
  transform_.invert(y.data(), out);
}

AdcTable DrqCodebook::innerProductTable(const float* query) const {
  AdcTable table;
  table.books = books();
  for (const DrqTree& t : books_) table.stride = std::max(table.stride, t.size());
  table.values.assign(size_t(table.books) * table.stride, 0.0f);
  std::vector<float> q(static_cast<size_t>(transform_.outputDim()));
  table.offset = transform_.applyToQuery(query, q.data());
  const size_t chunk = size_t(chunkDim());
  for (size_t b = 0; b < books_.size(); ++b) {
    float* out = table.values.data() + b * table.stride;
    if (reconstructions_.empty()) {
      books_[b].innerProductTable(q.data() + b * chunk, out);  // bottom-up through the tree
      continue;
    }
    for (uint32_t c = 0; c < books_[b].size(); ++c) out[c] = dotWith(q.data() + b * chunk, reconstruction(int(b), c), chunk);
  }
  return table;
}

AdcTable DrqCodebook::distanceTable(const float* query) const {
  AdcTable table;
  table.books = books();
  for (const DrqTree& t : books_) table.stride = std::max(table.stride, t.size());
  table.values.assign(size_t(table.books) * table.stride, 0.0f);
  std::vector<float> y(static_cast<size_t>(transform_.outputDim()));
  transform_.apply(query, y.data());
  const size_t chunk = size_t(chunkDim());
  for (size_t b = 0; b < books_.size(); ++b) {
    float* out = table.values.data() + b * table.stride;
    if (reconstructions_.empty()) {
      books_[b].distanceTable(y.data() + b * chunk, out);
      continue;
    }
    for (uint32_t c = 0; c < books_[b].size(); ++c) out[c] = squaredDistanceTo(y.data() + b * chunk, reconstruction(int(b), c), chunk);
  }
  return table;
}

}  // namespace regionlab
