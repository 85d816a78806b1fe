// CUDA executor: the same functor interface as exec_cpu.h, run as grid-stride kernels.
#pragma once
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "field/fr.cuh"

#define ZK_DEV __device__
#define ZK_MAX_REDUCE 16

#define ZK_CUDA_OK(expr)                                                                 \
    do {                                                                                 \
        cudaError_t err__ = (expr);                                                      \
        if (err__ != cudaSuccess)                                                        \
            throw std::runtime_error(std::string("CUDA error at ") + __FILE__ + ":" +    \
                                     std::to_string(__LINE__) + ": " +                   \
                                     cudaGetErrorString(err__));                         \
    } while (0)

namespace zk {
namespace gpu {

constexpr int kThreads = 256;

inline unsigned grid_for(size_t n) {
    size_t b = (n + kThreads - 1) / kThreads;
    return (unsigned)(b < 8192 ? (b ? b : 1) : 8192);
}

template <class F>
__global__ void map_kernel(size_t n, F f) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        f(i);
}

template <class F>
void map(size_t n, F f) {
    if (n == 0) return;
    map_kernel<<<grid_for(n), kThreads>>>(n, f);
    ZK_CUDA_OK(cudaGetLastError());
}

// Independent tasks: on the GPU simply one thread each.
template <class F>
void map_tasks(size_t count, F f) {
    map(count, f);
}

// The CPU executor's hint (run small work on one thread) means nothing here.
template <class F>
void map_tasks_if(size_t count, bool, F f) {
    map(count, f);
}

__device__ __forceinline__ Fr shfl_down(const Fr &a, int delta) {
    Fr r;
    for (int l = 0; l < 4; ++l) r.v[l] = __shfl_down_sync(0xffffffffu, a.v[l], delta);
    return r;
}

// Each block writes k partial sums to part[block * k + j].
template <class F>
__global__ void reduce_kernel(size_t n, int k, F f, Fr *part) {
    __shared__ Fr warp_sums[kThreads / 32][ZK_MAX_REDUCE];
    Fr acc[ZK_MAX_REDUCE];
    for (int j = 0; j < k; ++j) acc[j] = fr_zero();
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        f(i, acc);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    for (int j = 0; j < k; ++j) {
        Fr v = acc[j];
        for (int d = 16; d > 0; d >>= 1) v = fr_add(v, shfl_down(v, d));
        if (lane == 0) warp_sums[warp][j] = v;
    }
    __syncthreads();
    if (threadIdx.x < (unsigned)k) {
        Fr s = fr_zero();
        for (int w = 0; w < kThreads / 32; ++w) s = fr_add(s, warp_sums[w][threadIdx.x]);
        part[(size_t)blockIdx.x * k + threadIdx.x] = s;
    }
}

// Device scratch for block partials, grown on demand and reused (no per-call cudaMalloc);
// one buffer per host thread, so concurrent callers (the GIL is released) never share it.
Fr *partials_scratch(size_t count);

// Reduction: one kernel, one device-to-host copy of the block partials (the only
// synchronisation; a sumcheck round needs its few sums on the host anyway), summed on the
// host. The host buffer is per thread and reused: no allocation per call.
template <class F>
void reduce(size_t n, int k, F f, Fr *out) {
    unsigned blocks = grid_for(n) < 1024 ? grid_for(n) : 1024;
    Fr *part = partials_scratch((size_t)blocks * k);
    reduce_kernel<<<blocks, kThreads>>>(n, k, f, part);
    ZK_CUDA_OK(cudaGetLastError());
    static thread_local std::vector<Fr> host;
    host.resize((size_t)blocks * k);
    ZK_CUDA_OK(cudaMemcpy(host.data(), part, (size_t)blocks * k * sizeof(Fr), cudaMemcpyDeviceToHost));
    for (int j = 0; j < k; ++j) {
        Fr s = fr_zero();
        for (unsigned b = 0; b < blocks; ++b) s = fr_add(s, host[(size_t)b * k + j]);
        out[j] = s;
    }
}

inline size_t num_chunks(size_t n) {
    size_t c = (n + 31) / 32;
    return c ? c : 1;
}

}  // namespace gpu
}  // namespace zk
