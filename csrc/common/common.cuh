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

#if defined(__CUDACC__)
// nvcc (device and host passes): 128-bit arithmetic, which nvcc lowers to carry chains.

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
#else
// Host C++ compilers: the same functions written so that GCC keeps every value in 64-bit
// registers. (GCC materialises the zero high halves of `(u128)x + y` on the stack, which
// made the 128-bit form above spill heavily.)

// a + b + carry (carry 0 or 1) -> low word, carry out in `carry`.
ZK_HD u64 adc(u64 a, u64 b, u64 &carry) {
    u64 s;
    const bool c1 = __builtin_add_overflow(a, b, &s);
    const bool c2 = __builtin_add_overflow(s, carry, &s);
    carry = (u64)(c1 | c2);
    return s;
}

// a - b - borrow (borrow 0 or 1) -> low word, borrow out (0 or 1) in `borrow`.
ZK_HD u64 sbb(u64 a, u64 b, u64 &borrow) {
    u64 d;
    const bool b1 = __builtin_sub_overflow(a, b, &d);
    const bool b2 = __builtin_sub_overflow(d, borrow, &d);
    borrow = (u64)(b1 | b2);
    return d;
}

// a + b * c + carry -> low word, high word in `carry`. The sum is at most 2^128 - 1,
// so the high word never overflows.
ZK_HD u64 mac(u64 a, u64 b, u64 c, u64 &carry) {
    const u128 pr = (u128)b * c;
    u64 lo = (u64)pr, hi = (u64)(pr >> 64);
    lo += a;
    hi += lo < a;
    lo += carry;
    hi += lo < carry;
    carry = hi;
    return lo;
}
#endif
}  // namespace zk
