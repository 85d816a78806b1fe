// Lookup (LogUp) kernels: multiplicities by histogram with a table-membership check,
// and the GKR fraction-tree layer and sumcheck-round kernels. Declared once per executor.
#pragma once
#include <cstdint>
#include <cstddef>

#include "field/fr.cuh"

// bad[0]: number of inputs not in the table; bad[1]: smallest such index (UINT64_MAX if none).
// counts (table-size u64) and bad must be initialised by the caller (zeros, {0, UINT64_MAX}).
#define ZK_LOOKUP_KERNELS                                                                    \
    void lookup_range_hist(const Fr *s, size_t n, Fr low, uint64_t len, const Fr *ys,        \
                           const Fr *tf, uint64_t *counts, uint64_t *bad);                  \
    void lookup_sorted_hist(const Fr *s, size_t n, const Fr *keys, const uint64_t *pos,      \
                            size_t tlen, const Fr *ys, const Fr *tf, uint64_t *counts,        \
                            uint64_t *bad);                                                  \
    void counts_to_fr(Fr *o, const uint64_t *counts, size_t n);                              \
    void frac_layer(Fr *po, Fr *qo, const Fr *p, const Fr *q, size_t half);                  \
    void frac_round(Fr *const *dst, const Fr *const *src, size_t n, Fr r, int fold,          \
                    Fr *e, int e_halve, Fr lam, int p_one, int want1, Fr *out);

namespace zk {
namespace cpu {
ZK_LOOKUP_KERNELS
}
namespace gpu {
ZK_LOOKUP_KERNELS
}
}  // namespace zk
