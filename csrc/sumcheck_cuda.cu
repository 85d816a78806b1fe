// CUDA executor instantiation of the fused sumcheck kernels.
#include "backend.h"
#include "exec_cuda.cuh"
#include "sumcheck.h"

namespace zk {
namespace gpu {
#include "sumcheck_ops.inc"
}  // namespace gpu
}  // namespace zk
