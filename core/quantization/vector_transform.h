#pragma once
// The map from input vectors to the space a DRQ codebook quantises: per-vector normalisation,
// then (optionally) centring and a PCA rotation learnt on the training data, then zero padding
// to books × chunk dimensions, each chunk a power of two (REFERENCE.md §C8: DRC's J×J grids need
// both halves of every node at the same level).
//
// The PCA output is "balanced" (REFERENCE.md §C8 suggests it; the idea is the eigenvalue
// allocation of Ge et al., "Optimized Product Quantization", CVPR 2013): components, strongest
// first, are dealt round-robin to the books, and inside a book placed in bit-reversed order, so
// every book and every half of every tree node receives a fair share of the variance instead of
// the first chunk taking it all.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace regionlab {

enum class VectorNormalisation : uint8_t {
  None = 0,
  L2 = 1,        // x / ||x||₂ (region descriptors, DINOv2 features)
  RootSift = 2,  // sign(x)·sqrt(|x| / ||x||₁) (Arandjelović & Zisserman 2012; drvq's "root")
};
std::string normalisationName(VectorNormalisation n);
VectorNormalisation normalisationFromName(const std::string& name);  // throws Error

class VectorTransform {
public:
  VectorTransform() = default;
  // Identity (plus normalisation and zero padding) from input_dim to output_dim ≥ input_dim.
  VectorTransform(int input_dim, int output_dim, VectorNormalisation normalisation);
  // Learns a balanced PCA rotation on n normalised rows (row-major, input_dim values each). With
  // output_dim < input_dim the weakest components are dropped. books·chunk must equal output_dim.
  static VectorTransform learnPca(const float* rows, size_t n, int input_dim, int books, int chunk_dim, VectorNormalisation normalisation);
  // From stored parts (codebook files); throws Error when the sizes disagree.
  VectorTransform(int input_dim, int output_dim, VectorNormalisation normalisation, std::vector<float> mean, std::vector<float> rotation);

  int inputDim() const { return input_dim_; }
  int outputDim() const { return output_dim_; }
  VectorNormalisation normalisation() const { return normalisation_; }
  bool hasRotation() const { return !rotation_.empty(); }
  const std::vector<float>& mean() const { return mean_; }          // input_dim values, or empty
  const std::vector<float>& rotation() const { return rotation_; }  // output_dim × input_dim, or empty

  // Normalises in place (input_dim values).
  void normalise(float* x) const;
  // out (output_dim values) = R (normalise(x) − mean), zero padded.
  void apply(const float* x, float* out) const;
  // For asymmetric scoring: out = R q (no normalisation, no centring); returns q · mean, so that
  // q · y = (R q) · (R (y − mean)) + q · mean for any y in the span of R.
  float applyToQuery(const float* q, float* out) const;
  // Back to the input space: Rᵀ y + mean (input_dim values).
  void invert(const float* y, float* out) const;

private:
  int input_dim_ = 0;
  int output_dim_ = 0;
  VectorNormalisation normalisation_ = VectorNormalisation::None;
  std::vector<float> mean_;
  std::vector<float> rotation_;
};

}  // namespace regionlab
