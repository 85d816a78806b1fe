// CPU executor instantiation of the fused sumcheck kernels.
#include "backend.h"
#include "exec_cpu.h"
#include "sumcheck.h"

namespace zk {
namespace cpu {
#include "sumcheck_ops.inc"
}  // namespace cpu
}  // namespace zk
