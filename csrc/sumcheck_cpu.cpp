// CPU executor instantiation of the fused sumcheck kernels.
//
// The sumcheck runs ~2 log N parallel passes of shrinking size; with static scheduling
// one descheduled thread (a shared machine) stalls every pass at its barrier. These
// kernels therefore use the executor interface with dynamic scheduling in chunks, so
// the threads that run take over the work of one that does not.
#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "backend.h"
#include "exec_cpu.h"
#include "sumcheck.h"

namespace zk {
namespace cpu {
namespace sc_detail {

// fr_add / fr_sub with explicit carry chains. The u128-based adc/sbb of common.cuh
// compile to long dependency chains on x86; additions are a third of the work of a
// sumcheck round, and these are about 3x faster. Same results (tested for equality
// through the kernels against the Python reference).
#if defined(__x86_64__)
inline Fr sc_add(const Fr &a, const Fr &b) {
    const u64 p[4] = ZK_FR_P;
    unsigned long long s[4], d[4];
    unsigned char c = 0, br = 0;
    for (int i = 0; i < 4; ++i) c = _addcarry_u64(c, a.v[i], b.v[i], &s[i]);
    for (int i = 0; i < 4; ++i) br = _subborrow_u64(br, s[i], p[i], &d[i]);
    // r < 2^255, so a + b < 2^256 never carries out; s < r exactly when s - r borrows
    Fr o;
    for (int i = 0; i < 4; ++i) o.v[i] = br ? s[i] : d[i];
    return o;
}
inline Fr sc_sub(const Fr &a, const Fr &b) {
    const u64 p[4] = ZK_FR_P;
    unsigned long long s[4];
    unsigned char c = 0, br = 0;
    for (int i = 0; i < 4; ++i) br = _subborrow_u64(br, a.v[i], b.v[i], &s[i]);
    const u64 mask = (u64)0 - (u64)br;  // add r back when a < b
    for (int i = 0; i < 4; ++i) c = _addcarry_u64(c, s[i], p[i] & mask, &s[i]);
    return Fr{{s[0], s[1], s[2], s[3]}};
}
#else
inline Fr sc_add(const Fr &a, const Fr &b) { return fr_add(a, b); }
inline Fr sc_sub(const Fr &a, const Fr &b) { return fr_sub(a, b); }
#endif

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
void sc_eq_levels(Fr *o, const Fr *u, int e) { sc_detail::sc_eq_levels(o, u, e); }
void batched_partial_eval(Fr *o, const Fr *A, size_t batch, size_t rows, size_t cols, const Fr *e,
                          int axis) {
    sc_detail::batched_partial_eval(o, A, batch, rows, cols, e, axis);
}

}  // namespace cpu
}  // namespace zk
