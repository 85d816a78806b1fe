// CPU executor instantiation of the fused sumcheck kernels.
//
// The sumcheck runs ~2 log N parallel passes of shrinking size; with static scheduling
// one descheduled thread (a shared machine) stalls every pass at its barrier. These
// kernels therefore use the executor interface with dynamic scheduling in chunks, so
// the threads that run take over the work of one that does not.
#include <algorithm>

#include "backend.h"
#include "exec_cpu.h"
#include "sumcheck.h"

namespace zk {
namespace cpu {
namespace sc_detail {

// The kernels' additions. (Hand-written carry-chain variants with intrinsics measured no
// faster inside the fused kernels on this machine, so these are the field's own.)
inline Fr sc_add(const Fr &a, const Fr &b) { return fr_add(a, b); }
inline Fr sc_sub(const Fr &a, const Fr &b) { return fr_sub(a, b); }

inline int64_t chunk_for(size_t n) {
    const int64_t per = (int64_t)n / (omp_get_max_threads() * 16);
    return std::max<int64_t>(1024, per);
}

template <class F>
void map(size_t n, F f) {
    const int64_t chunk = chunk_for(n);
#pragma omp parallel for schedule(dynamic, chunk) if (n >= kParallelMin)
    for (int64_t i = 0; i < (int64_t)n; ++i) f((size_t)i);
}

template <class F>
void reduce(size_t n, int k, F f, Fr *out) {
    const int threads = n >= kParallelMin ? omp_get_max_threads() : 1;
    const int64_t chunk = chunk_for(n);
    std::vector<Fr> part((size_t)threads * k, fr_zero());
#pragma omp parallel num_threads(threads)
    {
        Fr acc[ZK_MAX_REDUCE];
        for (int j = 0; j < k; ++j) acc[j] = fr_zero();
#pragma omp for schedule(dynamic, chunk)
        for (int64_t i = 0; i < (int64_t)n; ++i) f((size_t)i, acc);
        const int t = omp_get_thread_num();
        for (int j = 0; j < k; ++j) part[(size_t)t * k + j] = acc[j];
    }
    for (int j = 0; j < k; ++j) {
        Fr s = fr_zero();
        for (int t = 0; t < threads; ++t) s = fr_add(s, part[(size_t)t * k + j]);
        out[j] = s;
    }
}

#include "sumcheck_ops.inc"

}  // namespace sc_detail

void sc_round(const ScSpec &s, size_t m, Fr *out) { sc_detail::sc_round(s, m, out); }
void sc_eq_levels(Fr *o, const Fr *u, int e, bool top_only) {
    sc_detail::sc_eq_levels(o, u, e, top_only);
}
void batched_partial_eval(Fr *o, const Fr *A, size_t batch, size_t rows, size_t cols, const Fr *e,
                          int axis) {
    sc_detail::batched_partial_eval(o, A, batch, rows, cols, e, axis);
}

}  // namespace cpu
}  // namespace zk
