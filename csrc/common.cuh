// Shared macros for code that is compiled both by the host compiler and by nvcc.
#pragma once
#include <cstdint>
#include <cstddef>

#if defined(__CUDACC__)
#define ZK_HD __host__ __device__ __forceinline__
#else
#define ZK_HD inline __attribute__((always_inline))
#endif

namespace zk {
using u64 = uint64_t;
using u128 = unsigned __int128;

// a + b + carry -> low word, carry out in `carry`.
ZK_HD u64 adc(u64 a, u64 b, u64 &carry) {
    u128 t = (u128)a + b + carry;
    carry = (u64)(t >> 64);
    return (u64)t;
}

// a - b - borrow -> low word, borrow out (0 or 1) in `borrow`.
ZK_HD u64 sbb(u64 a, u64 b, u64 &borrow) {
    u128 t = (u128)a - b - borrow;
    borrow = (u64)(t >> 127);
    return (u64)t;
}

// a + b * c + carry -> low word, high word in `carry`.
ZK_HD u64 mac(u64 a, u64 b, u64 c, u64 &carry) {
    u128 t = (u128)b * c + a + carry;
    carry = (u64)(t >> 64);
    return (u64)t;
}
}  // namespace zk
