// CPU executor instantiation of the lookup kernels.
#include "common/exec_cpu.h"
#include "lookup/lookup.h"

namespace zk {
namespace cpu {

inline void atomic_add_u64(uint64_t *p, uint64_t v) { __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline void atomic_min_u64(uint64_t *p, uint64_t v) {
    uint64_t cur = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (v < cur && !__atomic_compare_exchange_n(p, &cur, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

#include "lookup/lookup_ops.inc"

}  // namespace cpu
}  // namespace zk
