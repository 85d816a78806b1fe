// CPU executor: runs per-element functors over [0, n) with OpenMP on all cores.
#pragma once
#include <omp.h>

#include <vector>

#include "field/fr.cuh"

#define ZK_DEV
#define ZK_MAX_REDUCE 16

namespace zk {
namespace cpu {

// Below this many elements a parallel region costs more than it saves.
constexpr size_t kParallelMin = 4096;

// Work is handed out dynamically in chunks: with static scheduling one descheduled
// thread (a shared machine) stalls every pass at its barrier, and a sumcheck makes
// ~2 log N such passes; dynamic chunks let the running threads take over its share.
inline int64_t chunk_for(size_t n) {
    const int64_t per = (int64_t)n / (omp_get_max_threads() * 16);
    return per > 1024 ? per : 1024;
}

template <class F>
void map(size_t n, F f) {
    const int64_t chunk = chunk_for(n);
#pragma omp parallel for schedule(dynamic, chunk) if (n >= kParallelMin)
    for (int64_t i = 0; i < (int64_t)n; ++i) f((size_t)i);
}

// A few heavy independent tasks (one per thread or so), each run by one thread.
template <class F>
void map_tasks(size_t count, F f) {
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
    for (int64_t i = 0; i < (int64_t)count; ++i) f((size_t)i);
}

// map_tasks, on the calling thread alone unless `parallel` (the caller's estimate that the
// work is worth a parallel region).
template <class F>
void map_tasks_if(size_t count, bool parallel, F f) {
#pragma omp parallel for schedule(dynamic, 1) if (parallel && count > 1)
    for (int64_t i = 0; i < (int64_t)count; ++i) f((size_t)i);
}

// out[j] = sum over i < n of the contributions f(i, acc) adds into acc[0..k).
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

inline size_t num_chunks(size_t n) {
    return n >= kParallelMin ? (size_t)omp_get_max_threads() * 4 : 1;
}

}  // namespace cpu
}  // namespace zk
