#pragma once
// The attention of SAM's ViT image encoder with decomposed relative positions (segment-anything
// image_encoder.py, Attention + add_decomposed_rel_pos; REFERENCE.md §D1.2):
//     attn = (q·scale)·kᵀ + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]
//     rel_h[b, y, x, ky] = q[b, y, x]·Rh[y, ky],  rel_w[b, y, x, kx] = q[b, y, x]·Rw[x, kx]
//     out = softmax(attn)·v
// computed on the CPU without any tokens×tokens tensor beyond a block of query rows: each thread
// takes whole (window, head) pairs, and for a block of grid rows of queries computes the scores
// (one GEMM into a reused buffer of a few MB), the two relative-position terms (two small
// batched GEMMs), adds them, normalises in place and multiplies by v into the output's slice.
// Other devices and precisions run the same formula as batched tensor operations.
//
// Internal to core/nets: at::Tensor is only declared here (callers include ATen).
#include <cstdint>

namespace at {
class Tensor;
}

namespace regionlab::nets {

// qkv: B×N×3C (N = h·w tokens of an h×w grid or window, row-major), heads side by side inside each
// of [q | k | v], q already multiplied by scale = head_dim^-0.5. rel_h: h×h×head_dim and
// rel_w: w×w×head_dim, the gathered tables R[i][j] = rel_pos[i − j + size − 1] divided by scale
// (the reference adds q·R with the unscaled q). Returns B×N×C, heads side by side.
at::Tensor samRelPosAttention(const at::Tensor& qkv, int64_t h, int64_t w, int heads, const at::Tensor& rel_h, const at::Tensor& rel_w);

// The same formula as whole-tensor operations (the CUDA path; also what the CPU path is tested
// against for other precisions).
at::Tensor samRelPosAttentionBatched(const at::Tensor& qkv, int64_t h, int64_t w, int heads, const at::Tensor& rel_h,
                                     const at::Tensor& rel_w);

// R[i][j] = rel_pos[i − j + size − 1]: size×size×head_dim (get_rel_pos without its resize branch,
// which official checkpoints never take).
at::Tensor samRelativePositionTable(int64_t size, const at::Tensor& rel_pos);

}  // namespace regionlab::nets
