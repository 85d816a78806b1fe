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

#if defined(__x86_64__) && !defined(__CUDA_ARCH__)
#define ZK_FP_HAVE_ASM 1
// Runtime switch for the x86-64 BMI2/ADX multiplication: on when the CPU has both
// extensions (set once at load), and settable so tests can compare both code paths.
inline bool fp_detect_adx() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("adx");
}
inline bool fp_use_asm = fp_detect_adx();

alignas(64) inline constexpr u64 fp_asm_consts[7] = {
    0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL, 0x64774b84f38512bfULL,
    0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL, ZK_FP_INV};

// CIOS Montgomery product with MULX and two independent carry chains (ADCX on CF for the
// high halves, ADOX on OF for the low halves). Seven accumulator registers form a ring:
// after each of the six rounds the zeroed low word becomes the new top word, so no
// shifting moves are needed. Output < 2p; the caller reduces once.
inline void fp_mul_adx(u64 out[6], const u64 *a, const u64 *b) {
    u64 r0, r1, r2, r3, r4, r5, r6, lo, hi;
    __asm__(
        "xorl %k[r0], %k[r0]\n\t"
        "xorl %k[r1], %k[r1]\n\t"
        "xorl %k[r2], %k[r2]\n\t"
        "xorl %k[r3], %k[r3]\n\t"
        "xorl %k[r4], %k[r4]\n\t"
        "xorl %k[r5], %k[r5]\n\t"
        "xorl %k[r6], %k[r6]\n\t"
        "xorl %k[r6], %k[r6]\n\t"
        "movq 0(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "movq %[r0], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "xorl %k[r0], %k[r0]\n\t"
        "movq 8(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "movq %[r1], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "xorl %k[r1], %k[r1]\n\t"
        "movq 16(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "movq %[r2], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "xorl %k[r2], %k[r2]\n\t"
        "movq 24(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "movq %[r3], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "xorl %k[r3], %k[r3]\n\t"
        "movq 32(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "movq %[r4], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "adcxq %[hi], %[r5]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "xorl %k[r4], %k[r4]\n\t"
        "movq 40(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq 8(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq 16(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq 24(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq 32(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq 40(%[a]), %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        "movq %[r5], %%rdx\n\t"
        "imulq %[inv], %%rdx\n\t"
        "xorl %k[lo], %k[lo]\n\t"
        "mulxq %[p0], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r5]\n\t"
        "adcxq %[hi], %[r6]\n\t"
        "mulxq %[p1], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r6]\n\t"
        "adcxq %[hi], %[r0]\n\t"
        "mulxq %[p2], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r0]\n\t"
        "adcxq %[hi], %[r1]\n\t"
        "mulxq %[p3], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r1]\n\t"
        "adcxq %[hi], %[r2]\n\t"
        "mulxq %[p4], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r2]\n\t"
        "adcxq %[hi], %[r3]\n\t"
        "mulxq %[p5], %[lo], %[hi]\n\t"
        "adoxq %[lo], %[r3]\n\t"
        "adcxq %[hi], %[r4]\n\t"
        "movl $0, %k[lo]\n\t"
        "adoxq %[lo], %[r4]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
          [r5] "=&r"(r5), [r6] "=&r"(r6), [lo] "=&r"(lo), [hi] "=&r"(hi)
        : [a] "r"(a), [b] "r"(b), [p0] "m"(fp_asm_consts[0]), [p1] "m"(fp_asm_consts[1]),
          [p2] "m"(fp_asm_consts[2]), [p3] "m"(fp_asm_consts[3]), [p4] "m"(fp_asm_consts[4]),
          [p5] "m"(fp_asm_consts[5]), [inv] "m"(fp_asm_consts[6]), "m"(*(const u64(*)[6])a),
          "m"(*(const u64(*)[6])b)
        : "rdx", "cc");
    out[0] = r6; out[1] = r0; out[2] = r1; out[3] = r2; out[4] = r3; out[5] = r4;
}
#endif

// Montgomery product a * b / 2^384 mod p (CIOS). The top limb of p is below 2^62, so the
// running sum fits six words plus the two carries and never needs a seventh word.
ZK_HD Fp fp_mul(const Fp &a, const Fp &b) {
#if defined(ZK_FP_HAVE_ASM)
    if (fp_use_asm) {
        Fp r;
        fp_mul_adx(r.v, a.v, b.v);
        return fp_reduce_once(r);
    }
#endif
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
