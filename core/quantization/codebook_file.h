#pragma once
// RegionLab's DRQ codebook file (".drq"), format version 2 (version 1 files, without member means,
// are still read). Our own format, not drvq's
// codebook.bin (REFERENCE.md §C7: native size_t and doubles, no magic, no checksum). Every
// integer and float is little-endian; a reader checks the magic, the version, the SHA-256
// trailer and every index before trusting anything, and throws Error(file, reason) otherwise.
//
//   offset 0   magic            8 bytes  "RLDRQCB" followed by a zero byte
//              version          u32      2 with member means; 1 without (flag bit 1 unknown
//                                        there), so such files are the same as before version 2
//              input_dim        u32      dimensions of the vectors given to encode()
//              output_dim       u32      books × chunk_dim (after PCA / padding)
//              books            u32
//              chunk_dim        u32      dimensions per book (a power of two)
//              normalisation    u8       0 none, 1 L2, 2 RootSIFT
//              has_rotation     u8       1: a PCA mean and rotation follow
//              flags            u16      bit 0: lookup tables present (bin/cell maps, graphs);
//                                        without them only exact encoding works; bit 1: member
//                                        means follow the books; other bits 0
//   [rotation] mean             f32 × input_dim
//              rotation         f32 × output_dim × input_dim (row-major)
//   per book   node_count       u32      2·chunk_dim − 1
//     per node (post-order: children before parents, the root last)
//              kind             u8       0 leaf, 1 node
//              dim_begin        u32      first dimension of the node within its chunk
//              dim_count        u32
//              k                u32      number of centroids (1 … 65536)
//       leaf:  base, bin_width  f32, f32
//              bins             u32     (0 without lookup tables)
//              centroids        f32 × k  (increasing)
//              source           u16 × bins  (bin → centroid)
//       node:  child0, child1   i32, i32 (indices of earlier nodes)
//              code0, code1     u16 × k each (the centroid's cell in the children's grid)
//       with lookup tables only:
//        node: source           u16 × (k_child0 · k_child1)  (cell j0 + k_child0·j1 → centroid)
//              edge_count       u32
//              edge_offsets     u32 × (k + 1)
//              edge_targets     u16 × edge_count
//              edge_weights     f32 × edge_count
//   [member means, per book]     f32 × k_root × chunk_dim (transformed space; drq_codebook.h)
//   trailer    sha256           32 bytes over everything before it; its hex is the codebook id
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "core/quantization/drq_codebook.h"

namespace regionlab {

inline constexpr uint32_t kCodebookFormatVersion = 2;

std::vector<uint8_t> encodeCodebook(const DrqCodebook& codebook);
// `origin` names the bytes' source in errors (a file, or "database codebook 3").
DrqCodebook decodeCodebook(std::span<const uint8_t> bytes, const std::filesystem::path& origin);

// Writes atomically (temporary file, then rename).
void writeCodebookFile(const DrqCodebook& codebook, const std::filesystem::path& file);
DrqCodebook readCodebookFile(const std::filesystem::path& file);

}  // namespace regionlab
