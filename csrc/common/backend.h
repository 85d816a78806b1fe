// The kernel interface, declared once for each executor (zk::cpu always, zk::gpu when
// built with CUDA). Pointers live in the executor's memory; sizes are element counts.
#pragma once
#include <cstdint>
#include <cstddef>

#include "field/fr.cuh"

#define ZK_FR_KERNELS                                                           \
    void add(Fr *o, const Fr *a, const Fr *b, size_t n);                        \
    void sub(Fr *o, const Fr *a, const Fr *b, size_t n);                        \
    void mul(Fr *o, const Fr *a, const Fr *b, size_t n);                        \
    void add_scalar(Fr *o, const Fr *a, Fr s, size_t n);                        \
    void mul_scalar(Fr *o, const Fr *a, Fr s, size_t n);                        \
    void scalar_sub(Fr *o, Fr s, const Fr *a, size_t n);                        \
    void neg(Fr *o, const Fr *a, size_t n);                                     \
    void sqr(Fr *o, const Fr *a, size_t n);                                     \
    void pow(Fr *o, const Fr *a, Fr e, size_t n);                               \
    void to_mont(Fr *o, const Fr *a, size_t n);                                 \
    void from_mont(Fr *o, const Fr *a, size_t n);                               \
    void from_i64(Fr *o, const int64_t *x, size_t n);                           \
    void fill(Fr *o, Fr v, size_t n);                                           \
    void arange(Fr *o, int64_t start, size_t n);                                \
    void inverse(Fr *o, const Fr *a, size_t n);                                 \
    int64_t first_zero(const Fr *a, size_t n);                                  \
    Fr sum(const Fr *a, size_t n);                                              \
    Fr inner(const Fr *a, const Fr *b, size_t n);                               \
    void eq_table(Fr *o, const Fr *u, int k, Fr scale);                         \
    void fold(Fr *o, const Fr *a, size_t half, Fr r);                           \
    void partial_eval(Fr *o, const Fr *A, size_t rows, size_t cols, const Fr *e, int axis); \
    void fold_rows_i64(Fr *o, const int64_t *A, size_t rows, size_t cols, const Fr *e);

namespace zk {
namespace cpu {
ZK_FR_KERNELS
}
namespace gpu {
ZK_FR_KERNELS
}
}  // namespace zk
