#include "core/quantization/vector_transform.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <opencv2/core.hpp>

#include "core/base/error.h"
#include "core/index/dot_product.h"

namespace regionlab {
namespace {

uint32_t reverseBits(uint32_t v, int bits) {
  uint32_t r = 0;
  for (int b = 0; b < bits; ++b) r |= ((v >> b) & 1u) << (bits - 1 - b);
  return r;
}

}  // namespace

std::string normalisationName(VectorNormalisation n) {
  switch (n) {
    case VectorNormalisation::None: return "none";
    case VectorNormalisation::L2: return "l2";
    case VectorNormalisation::RootSift: return "rootsift";
  }
  return "none";
}

VectorNormalisation normalisationFromName(const std::string& name) {
  if (name == "none") return VectorNormalisation::None;
  if (name == "l2") return VectorNormalisation::L2;
  if (name == "rootsift" || name == "root") return VectorNormalisation::RootSift;
  throw Error("unknown vector normalisation '" + name + "' (use none, l2 or rootsift)");
}

VectorTransform::VectorTransform(int input_dim, int output_dim, VectorNormalisation normalisation)
    : input_dim_(input_dim), output_dim_(output_dim), normalisation_(normalisation) {
  if (input_dim < 1 || output_dim < input_dim) {
    throw Error("cannot pad " + std::to_string(input_dim) + "-d vectors to " + std::to_string(output_dim) + " dimensions");
  }
}

VectorTransform::VectorTransform(int input_dim, int output_dim, VectorNormalisation normalisation, std::vector<float> mean,
                                 std::vector<float> rotation)
    : input_dim_(input_dim), output_dim_(output_dim), normalisation_(normalisation), mean_(std::move(mean)), rotation_(std::move(rotation)) {
  if (input_dim < 1 || output_dim < 1) throw Error("vector transform without dimensions");
  if (rotation_.empty()) {
    if (!mean_.empty() || output_dim < input_dim) throw Error("vector transform without rotation cannot centre or reduce");
  } else if (mean_.size() != size_t(input_dim) || rotation_.size() != size_t(input_dim) * size_t(output_dim)) {
    throw Error("vector transform rotation is not " + std::to_string(output_dim) + "×" + std::to_string(input_dim));
  }
}

VectorTransform VectorTransform::learnPca(const float* rows, size_t n, int input_dim, int books, int chunk_dim,
                                          VectorNormalisation normalisation) {
  if (chunk_dim < 1 || !std::has_single_bit(uint32_t(chunk_dim))) throw Error("PCA chunks must be a power of two in size");
  if (n < 2) throw Error("a PCA rotation needs at least 2 training vectors");
  VectorTransform t(input_dim, std::max(input_dim, books * chunk_dim), normalisation);
  t.output_dim_ = books * chunk_dim;
  cv::Mat data(int(n), input_dim, CV_32F);
  for (size_t i = 0; i < n; ++i) {
    float* row = data.ptr<float>(int(i));
    std::copy_n(rows + i * size_t(input_dim), input_dim, row);
    t.normalise(row);
  }
  const cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW);  // eigenvectors by decreasing eigenvalue
  t.mean_.assign(pca.mean.ptr<float>(0), pca.mean.ptr<float>(0) + input_dim);
  t.rotation_.assign(size_t(t.output_dim_) * size_t(input_dim), 0.0f);
  const int bits = std::countr_zero(uint32_t(chunk_dim));
  const int components = std::min(pca.eigenvectors.rows, t.output_dim_);
  for (int r = 0; r < components; ++r) {
    const int book = r % books;
    const auto within = uint32_t(r / books);
    const size_t position = size_t(book) * size_t(chunk_dim) + reverseBits(within, bits);
    std::copy_n(pca.eigenvectors.ptr<float>(r), input_dim, t.rotation_.data() + position * size_t(input_dim));
  }
  return t;
}

void VectorTransform::normalise(float* x) const {
  const int d = input_dim_;
  if (normalisation_ == VectorNormalisation::L2) {
    double s = 0;
    for (int i = 0; i < d; ++i) s += double(x[i]) * x[i];
    if (s > 0) {
      const auto inv = float(1.0 / std::sqrt(s));
      for (int i = 0; i < d; ++i) x[i] *= inv;
    }
  } else if (normalisation_ == VectorNormalisation::RootSift) {
    double s = 0;
    for (int i = 0; i < d; ++i) s += std::abs(x[i]);
    if (s > 0) {
      for (int i = 0; i < d; ++i) x[i] = std::copysign(float(std::sqrt(std::abs(x[i]) / s)), x[i]);
    }
  }
}

void VectorTransform::apply(const float* x, float* out) const {
  thread_local std::vector<float> v;
  v.assign(x, x + input_dim_);
  normalise(v.data());
  if (rotation_.empty()) {
    std::copy(v.begin(), v.end(), out);
    std::fill(out + input_dim_, out + output_dim_, 0.0f);
    return;
  }
  for (int i = 0; i < input_dim_; ++i) v[size_t(i)] -= mean_[size_t(i)];
  for (int o = 0; o < output_dim_; ++o) out[o] = dotProduct(rotation_.data() + size_t(o) * size_t(input_dim_), v.data(), input_dim_);
}

float VectorTransform::applyToQuery(const float* q, float* out) const {
  if (rotation_.empty()) {
    std::copy(q, q + input_dim_, out);
    std::fill(out + input_dim_, out + output_dim_, 0.0f);
    return 0.0f;
  }
  for (int o = 0; o < output_dim_; ++o) out[o] = dotProduct(rotation_.data() + size_t(o) * size_t(input_dim_), q, input_dim_);
  return dotProduct(q, mean_.data(), input_dim_);
}

void VectorTransform::invert(const float* y, float* out) const {
  if (rotation_.empty()) {
    std::copy(y, y + input_dim_, out);
    return;
  }
  std::copy(mean_.begin(), mean_.end(), out);
  for (int o = 0; o < output_dim_; ++o) {
    const float* r = rotation_.data() + size_t(o) * size_t(input_dim_);
    const float yo = y[o];
    if (yo == 0.0f) continue;
    for (int i = 0; i < input_dim_; ++i) out[i] += r[i] * yo;
  }
}

}  // namespace regionlab
