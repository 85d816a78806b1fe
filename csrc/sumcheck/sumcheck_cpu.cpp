// CPU executor instantiation of the fused sumcheck kernels.

#include "common/backend.h"
#include "common/exec_cpu.h"
#include "sumcheck/sumcheck.h"

namespace zk {
namespace cpu {
namespace sc_detail {

// The kernels' additions. (Hand-written carry-chain variants with intrinsics measured no
// faster inside the fused kernels on this machine, so these are the field's own.)
inline Fr sc_add(const Fr &a, const Fr &b) { return fr_add(a, b); }
inline Fr sc_sub(const Fr &a, const Fr &b) { return fr_sub(a, b); }

#include "sumcheck/sumcheck_ops.inc"

}  // namespace sc_detail

void sc_round(const ScSpec &s, size_t m, Fr *out) { sc_detail::sc_round(s, m, out); }
void sc_eq_levels(Fr *o, const Fr *u, int e, bool top_only) {
    sc_detail::sc_eq_levels(o, u, e, top_only);
}
void batched_partial_eval(Fr *o, const Fr *A, size_t batch, size_t rows, size_t cols, const Fr *e,
                          int axis) {
    sc_detail::batched_partial_eval(o, A, batch, rows, cols, e, axis);
}

}  // namespace cpu
}  // namespace zk
