// Fused sumcheck round kernels: declarations for both executors.
//
// A round works on K multilinear tables of the current length m (a power of two) and a
// list of product terms sum_t coef_t * prod_{k in term t} f_k. Binding convention: the
// TOP variable is bound first, pairing index i with i + m/2.
#pragma once
#include <cstdint>
#include <cstddef>

#include "field/fr.cuh"

namespace zk {

constexpr int kScMaxTables = 8;
constexpr int kScMaxTerms = 8;
constexpr int kScMaxFactors = 8;
constexpr int kScMaxPoints = 10;  // evaluation points t = 0..npts-1 (degree <= 9)

// One round's work, passed by value to the kernel (it is a kernel parameter on CUDA).
struct ScSpec {
    Fr *dst[kScMaxTables];        // folded tables (length m) — may equal src (in place)
    const Fr *src[kScMaxTables];  // tables before the fold (length 2m when fold, else m)
    int K;                        // number of tables
    int T;                        // number of terms
    int tlen[kScMaxTerms];        // factors per term (1..kScMaxFactors)
    int tidx[kScMaxTerms][kScMaxFactors];
    Fr coef[kScMaxTerms];         // Montgomery form
    int coef_one[kScMaxTerms];    // coefficient is 1: skip its multiplication
    const Fr *w;                  // optional weight: pair i is weighted by w[i >> wshift]
    int wshift;
    Fr *wnext;                    // optional: wnext[x] = w[x] + w[x + whalf] for x < whalf
    size_t whalf;                 // (the next round's weights, eq tables one variable down)
    int npts;                     // round-polynomial evaluations at t = 0..npts-1 (0: fold only)
    int skip1;                    // do not evaluate t = 1 (the caller derives it from the claim)
    int fold;                     // first fold src with r into dst
    Fr r;
};

#define ZK_SUMCHECK_KERNELS                                                     \
    void sc_round(const ScSpec &s, size_t m, Fr *out);                          \
    void sc_eq_levels(Fr *o, const Fr *u, int e, bool top_only);                \
    void batched_partial_eval(Fr *o, const Fr *A, size_t batch, size_t rows,    \
                              size_t cols, const Fr *e, int axis);

namespace cpu {
ZK_SUMCHECK_KERNELS
}
namespace gpu {
ZK_SUMCHECK_KERNELS
}
}  // namespace zk
