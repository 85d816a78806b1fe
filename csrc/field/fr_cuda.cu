// CUDA executor instantiation of the field-tensor kernels.
#include "common/backend.h"
#include "common/exec_cuda.cuh"

namespace zk {
namespace gpu {

Fr *partials_scratch(size_t count) {
    static thread_local Fr *buf = nullptr;  // per host thread (see exec_cuda.cuh); kept for the process
    static thread_local size_t cap = 0;
    if (count > cap) {
        if (buf) ZK_CUDA_OK(cudaFree(buf));
        ZK_CUDA_OK(cudaMalloc(&buf, count * sizeof(Fr)));
        cap = count;
    }
    return buf;
}

#include "field/fr_ops.inc"

__global__ void first_zero_kernel(const Fr *a, size_t n, unsigned long long *first) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x)
        if (fr_is_zero(a[i])) atomicMin(first, (unsigned long long)i);
}

int64_t first_zero(const Fr *a, size_t n) {
    if (n == 0) return -1;
    unsigned long long *d = reinterpret_cast<unsigned long long *>(partials_scratch(1));
    const unsigned long long none = ~0ULL;
    ZK_CUDA_OK(cudaMemcpy(d, &none, sizeof(none), cudaMemcpyHostToDevice));
    first_zero_kernel<<<grid_for(n), kThreads>>>(a, n, d);
    ZK_CUDA_OK(cudaGetLastError());
    unsigned long long h;
    ZK_CUDA_OK(cudaMemcpy(&h, d, sizeof(h), cudaMemcpyDeviceToHost));
    return h == none ? -1 : (int64_t)h;
}

}  // namespace gpu
}  // namespace zk
