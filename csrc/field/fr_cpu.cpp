// CPU executor instantiation of the field-tensor kernels.
#include <algorithm>

#include "common/backend.h"
#include "common/exec_cpu.h"

namespace zk {
namespace cpu {
#include "field/fr_ops.inc"

int64_t first_zero(const Fr *a, size_t n) {
    int64_t first = INT64_MAX;
#pragma omp parallel for schedule(static) reduction(min : first) if (n >= kParallelMin)
    for (int64_t i = 0; i < (int64_t)n; ++i)
        if (fr_is_zero(a[i])) first = std::min(first, i);
    return first == INT64_MAX ? -1 : first;
}
}  // namespace cpu
}  // namespace zk
