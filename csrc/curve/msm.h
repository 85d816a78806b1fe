// Batched multi-scalar multiplication: rows MSMs sharing one set of points,
//   out[r] = sum_{j < cols} scalars[r * cols + j] * points[j],      r < rows,
// scalars in Montgomery form. A single MSM is rows = 1. Hyrax commitments are exactly
// this shape (every row of a matrix against the same row generators).
//
// CPU (g1_cpu.cpp's Pippenger per row, rows spread over OpenMP threads) and CUDA
// (msm_cuda.cu: bucket method with a radix sort by bucket) give the same group
// elements; the results are returned in XYZZ form and normalised by the caller, so
// the affine results are bit-identical.
#pragma once
#include <cstddef>

#include "curve/g1.cuh"
#include "field/fr.cuh"

namespace zk {
namespace cpu {
void g1_msm_rows(G1Xyzz *out, const Fr *scalars, const G1Affine *points, size_t rows, size_t cols);
// The same with non-negative 64-bit integer scalars (small-integer commitments; CPU only).
void g1_msm_rows_u64(G1Xyzz *out, const uint64_t *scalars, const G1Affine *points, size_t rows, size_t cols);
}
namespace gpu {
// scalars: device memory (rows * cols); points: host memory (cols), copied to a reused
// device buffer; out: host memory (rows). Synchronous.
void g1_msm_rows(G1Xyzz *out, const Fr *scalars, const G1Affine *points, size_t rows, size_t cols);
}
}  // namespace zk
