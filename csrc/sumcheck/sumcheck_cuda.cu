// CUDA executor instantiation of the fused sumcheck kernels.
#include "common/backend.h"
#include "common/exec_cuda.cuh"
#include "sumcheck/sumcheck.h"

namespace zk {
namespace gpu {
ZK_HD Fr sc_add(const Fr &a, const Fr &b) { return fr_add(a, b); }
ZK_HD Fr sc_sub(const Fr &a, const Fr &b) { return fr_sub(a, b); }
#include "sumcheck/sumcheck_ops.inc"
}  // namespace gpu
}  // namespace zk
