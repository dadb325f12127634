#pragma once
// SAM's postprocess_masks (segment-anything Sam.postprocess_masks, REFERENCE.md §D1.5) in one
// pass: bilinear 256² → 1024², crop to the resized input, bilinear to the original size, each
// step F.interpolate(mode="bilinear", align_corners=False). Both steps are linear and separable,
// so on each axis their composition is one matrix whose rows have a few consecutive non-zeros
// (≤ 3 for SAM's sizes): the output is A_y · L · A_xᵀ, computed only for the original-size pixels
// (the two-step path writes 1024² intermediate values per mask). Same sums with the weights
// multiplied out first: the results differ from the two-step ones by float rounding only
// (tests/core/nets/tst_composed_bilinear.cpp checks 1e-5 of the logits' range).
#include <cstdint>
#include <vector>

namespace regionlab::nets {

// One output axis: output i = Σ_t weights[i·taps + t] · source[first[i] + t].
struct ResampleAxis {
  int taps = 0;
  std::vector<int> first;
  std::vector<float> weights;
  int sourceExtent() const;  // 1 + the largest source index any output reads
};

// The weights of F.interpolate(bilinear, align_corners=False) from `in` to `out` samples (ATen's
// source index and lambdas, in float as ATen computes them on float tensors).
ResampleAxis bilinearAxis(int in, int out);
// bilinear in → mid, keep the first `crop` samples, bilinear crop → out, composed (in double,
// rounded once to float).
ResampleAxis composedBilinearAxis(int in, int mid, int crop, int out);

// dst (rows.first.size() × cols.first.size(), dst_stride floats apart) = rows · src · colsᵀ;
// src rows src_stride floats apart. `work` holds rows.sourceExtent() × cols.first.size() floats.
void resampleSeparable(const float* src, int64_t src_stride, const ResampleAxis& rows, const ResampleAxis& cols, float* dst,
                       int64_t dst_stride, float* work);

}  // namespace regionlab::nets
