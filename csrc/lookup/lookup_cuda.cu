// CUDA executor instantiation of the lookup kernels.
#include "common/exec_cuda.cuh"
#include "lookup/lookup.h"

namespace zk {
namespace gpu {

__device__ __forceinline__ void atomic_add_u64(uint64_t *p, uint64_t v) {
    atomicAdd(reinterpret_cast<unsigned long long *>(p), (unsigned long long)v);
}
__device__ __forceinline__ void atomic_min_u64(uint64_t *p, uint64_t v) {
    atomicMin(reinterpret_cast<unsigned long long *>(p), (unsigned long long)v);
}

#include "lookup/lookup_ops.inc"

}  // namespace gpu
}  // namespace zk
