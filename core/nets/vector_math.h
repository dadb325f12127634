#pragma once
// GCC vector helpers shared by the hand-vectorised CPU kernels of core/nets (softmax_rows.cpp,
// sam_upscaling.cpp). Include only from .cpp files whose kernels are target_clones'd: the helpers
// are always inlined, so each clone compiles them for its own instruction set.
#include <cstdint>
#include <cstring>

namespace regionlab::nets::vec {

#define REGIONLAB_INLINE inline __attribute__((always_inline))

// 16 floats as one GCC vector: each clone compiles it to AVX-512, 2×AVX2 or 4×SSE.
using F16 = float __attribute__((vector_size(64)));
using I16 = int32_t __attribute__((vector_size(64)));
constexpr int kLanes = 16;

REGIONLAB_INLINE F16 splat(float v) { return F16{} + v; }
REGIONLAB_INLINE F16 vmax(F16 a, F16 b) { return a > b ? a : b; }
template <typename To, typename From>
REGIONLAB_INLINE To bits(From v) {
  To out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

// exp(x) for x ≤ 0 (and anything beside a row's max): x = n·ln2 + r, |r| ≤ ln2/2, exp(r) by
// Cephes' expf polynomial, 2^n written into the exponent bits. Adding 1.5·2^23 rounds x·log2(e)
// to an integer and leaves it in the low mantissa bits.
REGIONLAB_INLINE F16 expNonPositive(F16 x) {
  x = vmax(x, splat(-87.0f));  // exp(-87) ≈ 1.6e-38, still a normal float
  const F16 shifter = splat(12582912.0f);
  const F16 t = x * 1.44269504088896341f + shifter;
  const F16 n = t - shifter;
  F16 r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  F16 p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const I16 exponent = (bits<I16>(t) - bits<int32_t>(12582912.0f) + 127) << 23;
  return p * bits<F16>(exponent);
}

REGIONLAB_INLINE F16 load(const float* p) {
  F16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
REGIONLAB_INLINE void store(float* p, F16 v) { std::memcpy(p, &v, sizeof v); }

// GELU as ATen computes it for float (x·0.5·(1 + erf(x/√2)), erf by Abramowitz–Stegun 7.1.26 as
// in ATen's Vectorized<float>::erf, |error| < 1.5e-7), with the exp above.
REGIONLAB_INLINE F16 gelu(F16 x) {
  const F16 z = x * 0.70710678118654752440f;
  const F16 a = z < 0.0f ? -z : z;
  const F16 t = 1.0f / (a * 0.3275911f + 1.0f);
  F16 r = t * 1.061405429f - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  const F16 e = 1.0f - r * t * expNonPositive(-(z * z));
  const F16 erf = z < 0.0f ? -e : e;
  return x * 0.5f * (1.0f + erf);
}

}  // namespace regionlab::nets::vec
