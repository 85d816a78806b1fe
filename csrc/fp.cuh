// The BLS12-381 base field Fp, p = 0x1a0111ea...b9feffffffffaaab (381 bits).
//
// Elements are six 64-bit little-endian limbs in Montgomery form (x * 2^384 mod p),
// always fully reduced (< p), so equality of Montgomery forms is equality of values.
// Written once for the host and for the device, like fr.cuh.
#pragma once
#include "common.cuh"

namespace zk {

struct Fp {
    u64 v[6];
};

// modulus, little-endian limbs
#define ZK_FP_P {0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL, \
                 0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL}
// 2^384 mod p: the Montgomery form of 1
#define ZK_FP_ONE {0x760900000002fffdULL, 0xebf4000bc40c0002ULL, 0x5f48985753c758baULL, \
                   0x77ce585370525745ULL, 0x5c071a97a256ec6dULL, 0x15f65ec3fa80e493ULL}
// 2^768 mod p: multiplying by it converts canonical -> Montgomery
#define ZK_FP_R2 {0xf4df1f341c341746ULL, 0x0a76e6a609d104f1ULL, 0x8de5476c4c95b6d5ULL, \
                  0x67eb88a9939d83c0ULL, 0x9a793e85b519952dULL, 0x11988fe592cae3aaULL}
// -p^{-1} mod 2^64
#define ZK_FP_INV 0x89f3fffcfffcfffdULL

ZK_HD Fp fp_zero() { return Fp{{0, 0, 0, 0, 0, 0}}; }
ZK_HD Fp fp_one() { return Fp{ZK_FP_ONE}; }

ZK_HD bool fp_is_zero(const Fp &a) {
    return (a.v[0] | a.v[1] | a.v[2] | a.v[3] | a.v[4] | a.v[5]) == 0;
}
ZK_HD bool fp_eq(const Fp &a, const Fp &b) {
    return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3]) |
            (a.v[4] ^ b.v[4]) | (a.v[5] ^ b.v[5])) == 0;
}

// a >= p ? a - p : a, for a < 2p.
ZK_HD Fp fp_reduce_once(const Fp &a) {
    const u64 p[6] = ZK_FP_P;
    Fp s;
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = sbb(a.v[i], p[i], borrow);
    return borrow ? a : s;
}

// True when the (canonical, non-Montgomery) limbs are < p.
ZK_HD bool fp_is_canonical(const Fp &a) {
    const u64 p[6] = ZK_FP_P;
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) (void)sbb(a.v[i], p[i], borrow);
    return borrow != 0;
}

ZK_HD Fp fp_add(const Fp &a, const Fp &b) {
    // p < 2^381, so a + b < 2^382 never carries out of the top limb.
    Fp s;
    u64 c = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = adc(a.v[i], b.v[i], c);
    return fp_reduce_once(s);
}

ZK_HD Fp fp_sub(const Fp &a, const Fp &b) {
    const u64 p[6] = ZK_FP_P;
    Fp s;
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = sbb(a.v[i], b.v[i], borrow);
    if (borrow) {
        u64 c = 0;
        for (int i = 0; i < 6; ++i) s.v[i] = adc(s.v[i], p[i], c);
    }
    return s;
}

ZK_HD Fp fp_neg(const Fp &a) { return fp_is_zero(a) ? a : fp_sub(Fp{ZK_FP_P}, a); }
ZK_HD Fp fp_dbl(const Fp &a) { return fp_add(a, a); }

// Montgomery product a * b / 2^384 mod p (CIOS). The top limb of p is below 2^62, so the
// running sum fits six words plus the two carries and never needs a seventh word.
ZK_HD Fp fp_mul(const Fp &a, const Fp &b) {
    const u64 p[6] = ZK_FP_P;
    u64 t[6] = {0, 0, 0, 0, 0, 0};
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int i = 0; i < 6; ++i) {
        const u64 bi = b.v[i];
        u64 A = 0, C = 0;
        t[0] = mac(t[0], a.v[0], bi, A);
        const u64 m = t[0] * ZK_FP_INV;
        u128 w = (u128)m * p[0] + t[0];
        C = (u64)(w >> 64);
#if defined(__CUDACC__)
#pragma unroll
#endif
        for (int j = 1; j < 6; ++j) {
            t[j] = mac(t[j], a.v[j], bi, A);
            t[j - 1] = mac(t[j], m, p[j], C);
        }
        t[5] = C + A;
    }
    return fp_reduce_once(Fp{{t[0], t[1], t[2], t[3], t[4], t[5]}});
}

ZK_HD Fp fp_sqr(const Fp &a) { return fp_mul(a, a); }

ZK_HD Fp fp_to_mont(const Fp &canonical) { return fp_mul(canonical, Fp{ZK_FP_R2}); }
ZK_HD Fp fp_from_mont(const Fp &a) { return fp_mul(a, Fp{{1, 0, 0, 0, 0, 0}}); }

// a^e for a 384-bit exponent given as canonical limbs (left-to-right square and multiply).
ZK_HD Fp fp_pow(const Fp &a, const u64 e[6]) {
    Fp acc = fp_one();
    bool started = false;
    for (int limb = 5; limb >= 0; --limb) {
        for (int bit = 63; bit >= 0; --bit) {
            if (started) acc = fp_sqr(acc);
            if ((e[limb] >> bit) & 1) {
                acc = started ? fp_mul(acc, a) : a;
                started = true;
            }
        }
    }
    return acc;
}

// 1/a by Fermat (a^(p-2)); 0 maps to 0, the caller checks for zeros.
ZK_HD Fp fp_inverse(const Fp &a) {
    const u64 e[6] = {0xb9feffffffffaaa9ULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
                      0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
    return fp_pow(a, e);
}

// Square root for p = 3 mod 4: r = a^((p+1)/4); true (and *out = r) when r^2 = a.
ZK_HD bool fp_sqrt(const Fp &a, Fp *out) {
    const u64 e[6] = {0xee7fbfffffffeaabULL, 0x07aaffffac54ffffULL, 0xd9cc34a83dac3d89ULL,
                      0xd91dd2e13ce144afULL, 0x92c6e9ed90d2eb35ULL, 0x0680447a8e5ff9a6ULL};
    Fp r = fp_pow(a, e);
    *out = r;
    return fp_eq(fp_sqr(r), a);
}

// For a Montgomery-form a: is its canonical value > (p-1)/2 (the "lexicographically
// largest" of {a, -a} in the ZCash encoding)?
ZK_HD bool fp_is_lex_largest(const Fp &a) {
    const u64 half[6] = {0xdcff7fffffffd555ULL, 0x0f55ffff58a9ffffULL, 0xb39869507b587b12ULL,
                         0xb23ba5c279c2895fULL, 0x258dd3db21a5d66bULL, 0x0d0088f51cbff34dULL};
    Fp c = fp_from_mont(a);
    // half - c borrows iff c > half
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) (void)sbb(half[i], c.v[i], borrow);
    return borrow != 0;
}

}  // namespace zk
