// The BLS12-381 scalar field Fr, r = 0x73eda753...ffffffff00000001 (255 bits).
//
// Elements are four 64-bit little-endian limbs in Montgomery form (x * 2^256 mod r).
// Every function here is written once and compiled for the host (CPU executor) and
// for the device (CUDA executor). Values outside native memory are canonical.
#pragma once
#include "common/common.cuh"

namespace zk {

struct Fr {
    u64 v[4];
};

namespace fr_const {
// modulus, little-endian limbs
#define ZK_FR_P {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL, 0x73eda753299d7d48ULL}
// 2^256 mod r: the Montgomery form of 1
#define ZK_FR_ONE {0x1fffffffeULL, 0x5884b7fa00034802ULL, 0x998c4fefecbc4ff5ULL, 0x1824b159acc5056fULL}
// 2^512 mod r: multiplying by it converts canonical -> Montgomery
#define ZK_FR_R2 {0xc999e990f3f29c6dULL, 0x2b6cedcb87925c23ULL, 0x05d314967254398fULL, 0x0748d9d99f59ff11ULL}
// -r^{-1} mod 2^64
#define ZK_FR_INV 0xfffffffeffffffffULL
// 2^320 mod r: x times it, divided by 2^64 in one Montgomery step, is x * 2^256 mod r
#define ZK_FR_R_2_64 {0xc98da28e0121c884ULL, 0xe6f4f4a0c7363c67ULL, 0xb2d6ebc4e92e7df1ULL, 0x19ae57949d26242aULL}
}  // namespace fr_const

ZK_HD Fr fr_zero() { return Fr{{0, 0, 0, 0}}; }
ZK_HD Fr fr_one() { return Fr{ZK_FR_ONE}; }
ZK_HD Fr fr_modulus() { return Fr{ZK_FR_P}; }

ZK_HD bool fr_is_zero(const Fr &a) { return (a.v[0] | a.v[1] | a.v[2] | a.v[3]) == 0; }
ZK_HD bool fr_eq(const Fr &a, const Fr &b) {
    return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3])) == 0;
}

// Host fast paths (x86-64 only, never the device pass, disabled by -DZK_FR_NO_ASM):
// fr_add / fr_sub in base x86-64 assembly, fr_mul with MULX/ADCX/ADOX when the compiler
// targets BMI2 and ADX (ZK_FR_HAVE_ADX). nvcc's host pass keeps the portable code, which
// computes the same values.
#if defined(__x86_64__) && !defined(__CUDACC__) && !defined(ZK_FR_NO_ASM)
#define ZK_FR_X86_ASM 1
}  // namespace zk
#include "field/fr_x86.cuh"
namespace zk {
#endif

// a >= p ? a - p : a, for a < 2p. Branch-free (the select is a mask).
ZK_HD Fr fr_reduce_once(const Fr &a) {
    const u64 p[4] = ZK_FR_P;
    Fr s;
    u64 borrow = 0;
    s.v[0] = sbb(a.v[0], p[0], borrow);
    s.v[1] = sbb(a.v[1], p[1], borrow);
    s.v[2] = sbb(a.v[2], p[2], borrow);
    s.v[3] = sbb(a.v[3], p[3], borrow);
    const u64 keep = (u64)0 - borrow;  // all ones when a < p
    for (int i = 0; i < 4; ++i) s.v[i] = (a.v[i] & keep) | (s.v[i] & ~keep);
    return s;
}

// Portable a + b mod r (device and non-x86 hosts). r < 2^255, so a + b < 2^256 never
// carries out of the top limb.
ZK_HD Fr fr_add_portable(const Fr &a, const Fr &b) {
    Fr s;
    u64 c = 0;
    s.v[0] = adc(a.v[0], b.v[0], c);
    s.v[1] = adc(a.v[1], b.v[1], c);
    s.v[2] = adc(a.v[2], b.v[2], c);
    s.v[3] = adc(a.v[3], b.v[3], c);
    return fr_reduce_once(s);
}

// Portable a - b mod r: subtract, then add r masked by the borrow (branch-free).
ZK_HD Fr fr_sub_portable(const Fr &a, const Fr &b) {
    const u64 p[4] = ZK_FR_P;
    Fr s;
    u64 borrow = 0;
    s.v[0] = sbb(a.v[0], b.v[0], borrow);
    s.v[1] = sbb(a.v[1], b.v[1], borrow);
    s.v[2] = sbb(a.v[2], b.v[2], borrow);
    s.v[3] = sbb(a.v[3], b.v[3], borrow);
    const u64 mask = (u64)0 - borrow;
    u64 c = 0;
    s.v[0] = adc(s.v[0], p[0] & mask, c);
    s.v[1] = adc(s.v[1], p[1] & mask, c);
    s.v[2] = adc(s.v[2], p[2] & mask, c);
    s.v[3] = adc(s.v[3], p[3] & mask, c);
    return s;
}

// Portable Montgomery product a * b / 2^256 mod r (CIOS). The top limb of r is below
// 2^62, so the running sum never needs an extra carry word ("no-carry" CIOS).
ZK_HD Fr fr_mul_portable(const Fr &a, const Fr &b) {
    const u64 p[4] = ZK_FR_P;
    u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int i = 0; i < 4; ++i) {
        const u64 bi = b.v[i];
        u64 A = 0, C = 0;
        t0 = mac(t0, a.v[0], bi, A);
        const u64 m = t0 * ZK_FR_INV;
        mac(t0, m, p[0], C);  // low word is 0 by the choice of m; keep the carry
        t1 = mac(t1, a.v[1], bi, A);
        t0 = mac(t1, m, p[1], C);
        t2 = mac(t2, a.v[2], bi, A);
        t1 = mac(t2, m, p[2], C);
        t3 = mac(t3, a.v[3], bi, A);
        t2 = mac(t3, m, p[3], C);
        t3 = C + A;
    }
    return fr_reduce_once(Fr{{t0, t1, t2, t3}});
}

ZK_HD Fr fr_add(const Fr &a, const Fr &b) {
#if defined(ZK_FR_X86_ASM)
    return fr_add_x86(a, b);
#else
    return fr_add_portable(a, b);
#endif
}

ZK_HD Fr fr_sub(const Fr &a, const Fr &b) {
#if defined(ZK_FR_X86_ASM)
    return fr_sub_x86(a, b);
#else
    return fr_sub_portable(a, b);
#endif
}

// -a mod r; 0 - 0 does not borrow, so zero maps to zero without a branch.
ZK_HD Fr fr_neg(const Fr &a) { return fr_sub(fr_zero(), a); }

ZK_HD Fr fr_double(const Fr &a) { return fr_add(a, a); }

// Montgomery product a * b / 2^256 mod r, for a, b < r.
ZK_HD Fr fr_mul(const Fr &a, const Fr &b) {
#if defined(ZK_FR_HAVE_ADX)
    return fr_mul_adx(a, b);
#else
    return fr_mul_portable(a, b);
#endif
}

ZK_HD Fr fr_sqr(const Fr &a) {
#if defined(ZK_FR_HAVE_ADX)
    return fr_sqr_adx(a);
#else
    return fr_mul_portable(a, a);
#endif
}

ZK_HD Fr fr_to_mont(const Fr &canonical) { return fr_mul(canonical, Fr{ZK_FR_R2}); }
ZK_HD Fr fr_from_mont(const Fr &a) { return fr_mul(a, Fr{{1, 0, 0, 0}}); }

// Canonical form of any 256-bit value (at most 2^256 / r < 6 subtractions).
ZK_HD Fr fr_reduce_full(Fr a) {
    for (int i = 0; i < 6; ++i) a = fr_reduce_once(a);
    return a;
}

// a^e for a 256-bit exponent e given as canonical limbs (left-to-right square and multiply).
ZK_HD Fr fr_pow(const Fr &a, const u64 e[4]) {
    Fr acc = fr_one();
    for (int limb = 3; limb >= 0; --limb) {
        for (int bit = 63; bit >= 0; --bit) {
            acc = fr_sqr(acc);
            if ((e[limb] >> bit) & 1) acc = fr_mul(acc, a);
        }
    }
    return acc;
}

// 1/a by Fermat (a^(r-2)); returns 0 for 0, the caller checks for zeros.
ZK_HD Fr fr_inverse(const Fr &a) {
    const u64 e[4] = {0xfffffffeffffffffULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
                      0x73eda753299d7d48ULL};
    return fr_pow(a, e);
}

// Montgomery form x * 2^256 mod r of a 64-bit integer: t = x * (2^320 mod r) < 2^64 r,
// then one Montgomery reduction step (t + m r) / 2^64 < 2r, then one subtraction: 9
// word products instead of a full Montgomery product's 36.
ZK_HD Fr fr_from_u64(u64 x) {
    const u64 a[4] = ZK_FR_R_2_64;
    const u64 p[4] = ZK_FR_P;
    u64 c = 0;
    const u64 t0 = mac(0, a[0], x, c);
    const u64 t1 = mac(0, a[1], x, c);
    const u64 t2 = mac(0, a[2], x, c);
    const u64 t3 = mac(0, a[3], x, c);
    const u64 t4 = c;
    const u64 m = t0 * ZK_FR_INV;
    u64 C = 0;
    mac(t0, m, p[0], C);  // the low word is 0 by the choice of m; keep the carry
    const u64 r0 = mac(t1, m, p[1], C);
    const u64 r1 = mac(t2, m, p[2], C);
    const u64 r2 = mac(t3, m, p[3], C);
    return fr_reduce_once(Fr{{r0, r1, r2, t4 + C}});
}

// Montgomery form of a small signed integer.
ZK_HD Fr fr_from_i64(int64_t x) {
    u64 mag = x < 0 ? (u64)0 - (u64)x : (u64)x;
    Fr m = fr_from_u64(mag);
    return x < 0 ? fr_neg(m) : m;
}

}  // namespace zk
