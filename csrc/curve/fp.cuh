// The BLS12-381 base field Fp, p = 0x1a0111ea...b9feffffffffaaab (381 bits).
//
// Elements are six 64-bit little-endian limbs in Montgomery form (x * 2^384 mod p),
// always fully reduced (< p), so equality of Montgomery forms is equality of values.
// Written once for the host and for the device, like fr.cuh.
#pragma once
#include "common/common.cuh"

// Plain C++ host builds on x86-64 use carry intrinsics and BMI2/ADX assembly; nvcc (host and
// device passes) and other targets use the portable code below.
#if defined(__x86_64__) && !defined(__CUDACC__)
#define ZK_FP_X86 1
#endif

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

#if defined(ZK_FP_X86)
alignas(64) inline constexpr u64 fp_asm_p[6] = {0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL,
                                                0x6730d2a0f6b0f624ULL, 0x64774b84f38512bfULL,
                                                0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
#endif

ZK_HD Fp fp_zero() { return Fp{{0, 0, 0, 0, 0, 0}}; }
ZK_HD Fp fp_one() { return Fp{ZK_FP_ONE}; }

ZK_HD bool fp_is_zero(const Fp &a) {
    return (a.v[0] | a.v[1] | a.v[2] | a.v[3] | a.v[4] | a.v[5]) == 0;
}
ZK_HD bool fp_eq(const Fp &a, const Fp &b) {
    return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2]) | (a.v[3] ^ b.v[3]) |
            (a.v[4] ^ b.v[4]) | (a.v[5] ^ b.v[5])) == 0;
}

// a >= p ? a - p : a, for a < 2p. Branch-free: the comparison is data-dependent and
// unpredictable. (On x86-64 hosts in assembly: compilers turn the limb-wise select into
// SSE code whose wide loads of just-stored words stall store forwarding.)
ZK_HD Fp fp_reduce_once(const Fp &a) {
#if defined(ZK_FP_X86)
    u64 r0 = a.v[0], r1 = a.v[1], r2 = a.v[2], r3 = a.v[3], r4 = a.v[4], r5 = a.v[5];
    u64 t0, t1, t2, t3, t4, t5;
    __asm__(
        "movq %[r0], %[t0]\n\t" "subq %[p0], %[t0]\n\t"
        "movq %[r1], %[t1]\n\t" "sbbq %[p1], %[t1]\n\t"
        "movq %[r2], %[t2]\n\t" "sbbq %[p2], %[t2]\n\t"
        "movq %[r3], %[t3]\n\t" "sbbq %[p3], %[t3]\n\t"
        "movq %[r4], %[t4]\n\t" "sbbq %[p4], %[t4]\n\t"
        "movq %[r5], %[t5]\n\t" "sbbq %[p5], %[t5]\n\t"
        "cmovncq %[t0], %[r0]\n\t" "cmovncq %[t1], %[r1]\n\t" "cmovncq %[t2], %[r2]\n\t"
        "cmovncq %[t3], %[r3]\n\t" "cmovncq %[t4], %[r4]\n\t" "cmovncq %[t5], %[r5]\n\t"
        : [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [r3] "+r"(r3), [r4] "+r"(r4), [r5] "+r"(r5),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5)
        : [p0] "m"(fp_asm_p[0]), [p1] "m"(fp_asm_p[1]), [p2] "m"(fp_asm_p[2]),
          [p3] "m"(fp_asm_p[3]), [p4] "m"(fp_asm_p[4]), [p5] "m"(fp_asm_p[5])
        : "cc");
    return Fp{{r0, r1, r2, r3, r4, r5}};
#else
    const u64 p[6] = ZK_FP_P;
    Fp s;
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = sbb(a.v[i], p[i], borrow);
    const u64 keep = (u64)0 - borrow;  // all ones when a < p
    for (int i = 0; i < 6; ++i) s.v[i] = (a.v[i] & keep) | (s.v[i] & ~keep);
    return s;
#endif
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
#if defined(ZK_FP_X86)
    u64 s0, s1, s2, s3, s4, s5, t0, t1, t2, t3;
    const u64 *pa = a.v, *pb = b.v;
    __asm__(
        "movq 0(%[pa]), %[s0]\n\t" "movq 8(%[pa]), %[s1]\n\t" "movq 16(%[pa]), %[s2]\n\t"
        "movq 24(%[pa]), %[s3]\n\t" "movq 32(%[pa]), %[s4]\n\t" "movq 40(%[pa]), %[s5]\n\t"
        "addq 0(%[pb]), %[s0]\n\t" "adcq 8(%[pb]), %[s1]\n\t" "adcq 16(%[pb]), %[s2]\n\t"
        "adcq 24(%[pb]), %[s3]\n\t" "adcq 32(%[pb]), %[s4]\n\t" "adcq 40(%[pb]), %[s5]\n\t"
        "movq %[s0], %[t0]\n\t" "subq %[p0], %[t0]\n\t"
        "movq %[s1], %[t1]\n\t" "sbbq %[p1], %[t1]\n\t"
        "movq %[s2], %[t2]\n\t" "sbbq %[p2], %[t2]\n\t"
        "movq %[s3], %[t3]\n\t" "sbbq %[p3], %[t3]\n\t"
        "movq %[s4], %[pa]\n\t" "sbbq %[p4], %[pa]\n\t"
        "movq %[s5], %[pb]\n\t" "sbbq %[p5], %[pb]\n\t"
        "cmovncq %[t0], %[s0]\n\t" "cmovncq %[t1], %[s1]\n\t" "cmovncq %[t2], %[s2]\n\t"
        "cmovncq %[t3], %[s3]\n\t" "cmovncq %[pa], %[s4]\n\t" "cmovncq %[pb], %[s5]\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4), [s5] "=&r"(s5),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [pa] "+r"(pa), [pb] "+r"(pb)
        : [p0] "m"(fp_asm_p[0]), [p1] "m"(fp_asm_p[1]), [p2] "m"(fp_asm_p[2]),
          [p3] "m"(fp_asm_p[3]), [p4] "m"(fp_asm_p[4]), [p5] "m"(fp_asm_p[5]),
          "m"(*(const u64(*)[6])a.v), "m"(*(const u64(*)[6])b.v)
        : "cc");
    return Fp{{s0, s1, s2, s3, s4, s5}};
#else
    Fp s;
    u64 c = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = adc(a.v[i], b.v[i], c);
    return fp_reduce_once(s);
#endif
}

ZK_HD Fp fp_sub(const Fp &a, const Fp &b) {
#if defined(ZK_FP_X86)
    u64 s0, s1, s2, s3, s4, s5, t0, t1, t2, t3;
    const u64 *pa = a.v, *pb = b.v;
    __asm__(
        "movq 0(%[pa]), %[s0]\n\t" "movq 8(%[pa]), %[s1]\n\t" "movq 16(%[pa]), %[s2]\n\t"
        "movq 24(%[pa]), %[s3]\n\t" "movq 32(%[pa]), %[s4]\n\t" "movq 40(%[pa]), %[s5]\n\t"
        "subq 0(%[pb]), %[s0]\n\t" "sbbq 8(%[pb]), %[s1]\n\t" "sbbq 16(%[pb]), %[s2]\n\t"
        "sbbq 24(%[pb]), %[s3]\n\t" "sbbq 32(%[pb]), %[s4]\n\t" "sbbq 40(%[pb]), %[s5]\n\t"
        // p where a < b (borrow), else 0; then add it back
        "movl $0, %k[t0]\n\t" "movl $0, %k[t1]\n\t" "movl $0, %k[t2]\n\t"
        "movl $0, %k[t3]\n\t" "movl $0, %k[pa]\n\t" "movl $0, %k[pb]\n\t"
        "cmovcq %[p0], %[t0]\n\t" "cmovcq %[p1], %[t1]\n\t" "cmovcq %[p2], %[t2]\n\t"
        "cmovcq %[p3], %[t3]\n\t" "cmovcq %[p4], %[pa]\n\t" "cmovcq %[p5], %[pb]\n\t"
        "addq %[t0], %[s0]\n\t" "adcq %[t1], %[s1]\n\t" "adcq %[t2], %[s2]\n\t"
        "adcq %[t3], %[s3]\n\t" "adcq %[pa], %[s4]\n\t" "adcq %[pb], %[s5]\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4), [s5] "=&r"(s5),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [pa] "+r"(pa), [pb] "+r"(pb)
        : [p0] "m"(fp_asm_p[0]), [p1] "m"(fp_asm_p[1]), [p2] "m"(fp_asm_p[2]),
          [p3] "m"(fp_asm_p[3]), [p4] "m"(fp_asm_p[4]), [p5] "m"(fp_asm_p[5]),
          "m"(*(const u64(*)[6])a.v), "m"(*(const u64(*)[6])b.v)
        : "cc");
    return Fp{{s0, s1, s2, s3, s4, s5}};
#else
    const u64 p[6] = ZK_FP_P;
    Fp s;
    u64 borrow = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = sbb(a.v[i], b.v[i], borrow);
    const u64 mask = (u64)0 - borrow;  // add p back when a < b, without a branch
    u64 c = 0;
    for (int i = 0; i < 6; ++i) s.v[i] = adc(s.v[i], p[i] & mask, c);
    return s;
#endif
}

ZK_HD Fp fp_neg(const Fp &a) { return fp_is_zero(a) ? a : fp_sub(Fp{ZK_FP_P}, a); }
ZK_HD Fp fp_dbl(const Fp &a) { return fp_add(a, a); }

#if defined(ZK_FP_X86)
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
// shifting moves are needed. The output is fully reduced (< p).
__attribute__((always_inline)) inline void fp_mul_adx(u64 out[6], const u64 *a_in, const u64 *b_in) {
    const u64 *a = a_in, *b = b_in;
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
        // final conditional subtraction: (r6, r0..r4) - p into (lo, hi, rdx, a, b, r5),
        // kept when it does not borrow
        "movq %[r6], %[lo]\n\t"
        "subq %[p0], %[lo]\n\t"
        "movq %[r0], %[hi]\n\t"
        "sbbq %[p1], %[hi]\n\t"
        "movq %[r1], %%rdx\n\t"
        "sbbq %[p2], %%rdx\n\t"
        "movq %[r2], %[a]\n\t"
        "sbbq %[p3], %[a]\n\t"
        "movq %[r3], %[b]\n\t"
        "sbbq %[p4], %[b]\n\t"
        "movq %[r4], %[r5]\n\t"
        "sbbq %[p5], %[r5]\n\t"
        "cmovncq %[lo], %[r6]\n\t"
        "cmovncq %[hi], %[r0]\n\t"
        "cmovncq %%rdx, %[r1]\n\t"
        "cmovncq %[a], %[r2]\n\t"
        "cmovncq %[b], %[r3]\n\t"
        "cmovncq %[r5], %[r4]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
          [r5] "=&r"(r5), [r6] "=&r"(r6), [lo] "=&r"(lo), [hi] "=&r"(hi), [a] "+r"(a), [b] "+r"(b)
        : [p0] "m"(fp_asm_consts[0]), [p1] "m"(fp_asm_consts[1]),
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
        return r;
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

// a^e for a 384-bit exponent given as canonical limbs: fixed 4-bit windows, most
// significant first (about 380 squarings and 95 multiplications for a full exponent).
ZK_HD Fp fp_pow(const Fp &a, const u64 e[6]) {
    Fp table[16];
    table[0] = fp_one();
    table[1] = a;
    for (int i = 2; i < 16; ++i) table[i] = fp_mul(table[i - 1], a);
    Fp acc = fp_one();
    bool started = false;
    for (int nib = 95; nib >= 0; --nib) {
        const unsigned w = (unsigned)(e[nib / 16] >> (4 * (nib % 16))) & 15u;
        if (started) {
            for (int j = 0; j < 4; ++j) acc = fp_sqr(acc);
            if (w) acc = fp_mul(acc, table[w]);
        } else if (w) {
            acc = table[w];
            started = true;
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
