// CPU batched MSM (msm.h): one Pippenger MSM (g1_cpu.cpp) per row; several rows spread
// over OpenMP threads (each row's MSM then runs on its thread alone).
#include <omp.h>

#include "curve/g1_cpu.h"
#include "curve/msm.h"

namespace zk {
namespace cpu {

// out[r] = msm(row r of scalars) for every row, rows in parallel.
template <class Scalar, class Msm>
static void msm_each_row(G1Xyzz *out, const Scalar *scalars, const G1Affine *points, size_t rows, size_t cols,
                         Msm msm) {
    if (rows == 1) {
        out[0] = msm(scalars, points, cols);
        return;
    }
#pragma omp parallel for schedule(dynamic, 1) if (rows > 1)
    for (int64_t r = 0; r < (int64_t)rows; ++r) out[r] = msm(scalars + (size_t)r * cols, points, cols);
}

void g1_msm_rows(G1Xyzz *out, const Fr *scalars, const G1Affine *points, size_t rows, size_t cols) {
    msm_each_row(out, scalars, points, rows, cols,
                 [](const Fr *s, const G1Affine *p, size_t n) { return g1_msm(s, p, n); });
}

void g1_msm_rows_u64(G1Xyzz *out, const uint64_t *scalars, const G1Affine *points, size_t rows, size_t cols) {
    msm_each_row(out, scalars, points, rows, cols,
                 [](const uint64_t *s, const G1Affine *p, size_t n) { return g1_msm_u64(s, p, n); });
}

}  // namespace cpu
}  // namespace zk
