// x86-64 host assembly for the hot Fr operations. Included by fr.cuh only when compiling
// host code for x86-64 (never for the device pass, where __CUDA_ARCH__ is defined).
//
//  - fr_add_x86 / fr_sub_x86: base x86-64 (add/adc, sub/sbb, cmov), branch-free.
//  - fr_mul_adx / fr_sqr_adx: Montgomery product with MULX/ADCX/ADOX, only when the
//    compiler targets BMI2 and ADX (-march=native on a CPU that has them, or -mbmi2 -madx)
//    and optimises. The square is the same code with one operand; a dedicated squaring
//    (10 instead of 16 MULX, separate reduction of the 512-bit square) measured no faster
//    on the development machine (AMD EPYC, Zen 4): it needs 12 registers, so its input
//    must come from memory, and its longer reduction chain raised the latency of chains
//    of squarings (pow) from 16 ns to 21 ns.
//
// The multiply is word-serial CIOS ("coarsely integrated operand scanning") with one
// multiplication row and one reduction row per word of b. Each row is a MULX sequence
// feeding two independent carry chains: ADCX (carry flag) adds the low halves, ADOX
// (overflow flag) adds the high halves, so the two chains run in parallel. Because the top
// limb of r is below 2^62 the running value t stays below 2r < 2^256 between rows
// ("no-carry" CIOS): the row value fits in five words and no carry leaves the fifth, which
// is why every row ends with both flags clear. One conditional subtraction (cmov, no
// branch) brings the result into [0, r).
//
// Inputs a and b must be < r (Montgomery-form field elements). Register budget of the
// multiply: seven outputs plus RDX. Its first operand may stay in registers ("rm"); the
// second is read from memory ("m"): with both "rm", GCC ran out of registers inside some
// kernels ("impossible constraints"). A second operand held in registers is stored to the
// stack first (one store and a forwarded load).
#pragma once

namespace zk {
namespace fr_x86 {
// Internal-linkage copies of the constants so the asm can address them RIP-relative.
alignas(32) static constexpr u64 kP[4] = ZK_FR_P;
static constexpr u64 kInv = ZK_FR_INV;
}  // namespace fr_x86

// (x0..x3) - r into (s0..s3); where that borrows, keep x. Both sets are asm operand names.
#define ZK_X86_SUB_R_SELECT(x0, x1, x2, x3, s0, s1, s2, s3) \
    "movq %[" #x0 "], %[" #s0 "]\n\t"                      \
    "subq %[p0], %[" #s0 "]\n\t"                           \
    "movq %[" #x1 "], %[" #s1 "]\n\t"                      \
    "sbbq %[p1], %[" #s1 "]\n\t"                           \
    "movq %[" #x2 "], %[" #s2 "]\n\t"                      \
    "sbbq %[p2], %[" #s2 "]\n\t"                           \
    "movq %[" #x3 "], %[" #s3 "]\n\t"                      \
    "sbbq %[p3], %[" #s3 "]\n\t"                           \
    "cmovcq %[" #x0 "], %[" #s0 "]\n\t"                    \
    "cmovcq %[" #x1 "], %[" #s1 "]\n\t"                    \
    "cmovcq %[" #x2 "], %[" #s2 "]\n\t"                    \
    "cmovcq %[" #x3 "], %[" #s3 "]\n\t"

#define ZK_X86_P_OPERANDS                                                              \
    [p0] "m"(fr_x86::kP[0]), [p1] "m"(fr_x86::kP[1]), [p2] "m"(fr_x86::kP[2]),         \
        [p3] "m"(fr_x86::kP[3])

// a + b mod r for a, b < r. r < 2^255, so a + b < 2^256 never carries out of the top limb.
// s starts as a ("+r"), so a needs no registers of its own: fewer live registers keeps
// the asm allocatable inside register-hungry kernels.
inline __attribute__((always_inline)) Fr fr_add_x86(const Fr &a, const Fr &b) {
    u64 s0 = a.v[0], s1 = a.v[1], s2 = a.v[2], s3 = a.v[3], t0, t1, t2, t3;
    asm("addq %[b0], %[s0]\n\t"
        "adcq %[b1], %[s1]\n\t"
        "adcq %[b2], %[s2]\n\t"
        "adcq %[b3], %[s3]\n\t"
        ZK_X86_SUB_R_SELECT(s0, s1, s2, s3, t0, t1, t2, t3)
        : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
        : [b0] "rm"(b.v[0]), [b1] "rm"(b.v[1]), [b2] "rm"(b.v[2]), [b3] "rm"(b.v[3]),
          ZK_X86_P_OPERANDS
        : "cc");
    return Fr{{t0, t1, t2, t3}};
}

// a - b mod r for a, b < r: subtract, then add r where it borrowed (cmov, no branch).
inline __attribute__((always_inline)) Fr fr_sub_x86(const Fr &a, const Fr &b) {
    u64 s0 = a.v[0], s1 = a.v[1], s2 = a.v[2], s3 = a.v[3], t0, t1, t2, t3;
    asm("subq %[b0], %[s0]\n\t"
        "sbbq %[b1], %[s1]\n\t"
        "sbbq %[b2], %[s2]\n\t"
        "sbbq %[b3], %[s3]\n\t"
        "movl $0, %k[t0]\n\t"  // mov leaves the borrow flag alone
        "movl $0, %k[t1]\n\t"
        "movl $0, %k[t2]\n\t"
        "movl $0, %k[t3]\n\t"
        "cmovcq %[p0], %[t0]\n\t"
        "cmovcq %[p1], %[t1]\n\t"
        "cmovcq %[p2], %[t2]\n\t"
        "cmovcq %[p3], %[t3]\n\t"
        "addq %[t0], %[s0]\n\t"
        "adcq %[t1], %[s1]\n\t"
        "adcq %[t2], %[s2]\n\t"
        "adcq %[t3], %[s3]\n\t"
        : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
        : [b0] "rm"(b.v[0]), [b1] "rm"(b.v[1]), [b2] "rm"(b.v[2]), [b3] "rm"(b.v[3]),
          ZK_X86_P_OPERANDS
        : "cc");
    return Fr{{s0, s1, s2, s3}};
}

// Unoptimised builds (-O0) give every "m" operand its own address register, which the
// multiply cannot afford; they use the portable code.
#if defined(__BMI2__) && defined(__ADX__) && defined(__OPTIMIZE__)
#define ZK_FR_HAVE_ADX 1

// Multiplication row for word B of b: (x0..x3) += a * B, the carry word lands in x4
// (which the row zeroes first; the XOR also clears CF and OF for the two chains).
#define ZK_ADX_ROW(B, x0, x1, x2, x3, x4) \
    "movq %[" #B "], %%rdx\n\t"         \
    "xorl %k[" #x4 "], %k[" #x4 "]\n\t" \
    "mulxq %[a0], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x0 "]\n\t"       \
    "adoxq %[hi], %[" #x1 "]\n\t"       \
    "mulxq %[a1], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x1 "]\n\t"       \
    "adoxq %[hi], %[" #x2 "]\n\t"       \
    "mulxq %[a2], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x2 "]\n\t"       \
    "adoxq %[hi], %[" #x3 "]\n\t"       \
    "mulxq %[a3], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x3 "]\n\t"       \
    "adoxq %[hi], %[" #x4 "]\n\t"       \
    "adcq $0, %[" #x4 "]\n\t"

// Reduction row: m = x0 * (-r^-1) mod 2^64, (x0..x4) += m * r. Afterwards x0 == 0 and the
// value is (x1..x4); the caller "shifts" by renaming registers in the next row.
#define ZK_ADX_REDUCE(x0, x1, x2, x3, x4) \
    "movq %[" #x0 "], %%rdx\n\t"        \
    "imulq %[inv], %%rdx\n\t"           \
    "xorl %k[lo], %k[lo]\n\t"           \
    "mulxq %[p0], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x0 "]\n\t"       \
    "adoxq %[hi], %[" #x1 "]\n\t"       \
    "mulxq %[p1], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x1 "]\n\t"       \
    "adoxq %[hi], %[" #x2 "]\n\t"       \
    "mulxq %[p2], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x2 "]\n\t"       \
    "adoxq %[hi], %[" #x3 "]\n\t"       \
    "mulxq %[p3], %[lo], %[hi]\n\t"     \
    "adcxq %[lo], %[" #x3 "]\n\t"       \
    "adoxq %[hi], %[" #x4 "]\n\t"       \
    "adcq $0, %[" #x4 "]\n\t"

// The whole multiply; B0..B3 name the operands holding the words of b.
#define ZK_ADX_MUL_BODY(B0, B1, B2, B3)                     \
    /* row 0 needs no accumulation: a plain add/adc chain */ \
    "movq %[" #B0 "], %%rdx\n\t"                            \
    "mulxq %[a0], %[t0], %[t1]\n\t"                         \
    "mulxq %[a1], %[lo], %[t2]\n\t"                         \
    "addq %[lo], %[t1]\n\t"                                 \
    "mulxq %[a2], %[lo], %[t3]\n\t"                         \
    "adcq %[lo], %[t2]\n\t"                                 \
    "mulxq %[a3], %[lo], %[t4]\n\t"                         \
    "adcq %[lo], %[t3]\n\t"                                 \
    "adcq $0, %[t4]\n\t"                                    \
    ZK_ADX_REDUCE(t0, t1, t2, t3, t4)                        \
    ZK_ADX_ROW(B1, t1, t2, t3, t4, t0)                       \
    ZK_ADX_REDUCE(t1, t2, t3, t4, t0)                        \
    ZK_ADX_ROW(B2, t2, t3, t4, t0, t1)                       \
    ZK_ADX_REDUCE(t2, t3, t4, t0, t1)                        \
    ZK_ADX_ROW(B3, t3, t4, t0, t1, t2)                       \
    ZK_ADX_REDUCE(t3, t4, t0, t1, t2)                        \
    /* value (t4, t0, t1, t2) < 2r; rdx is free again */     \
    ZK_X86_SUB_R_SELECT(t4, t0, t1, t2, lo, hi, t3, s)

// Montgomery product a * b / 2^256 mod r. Register budget: seven outputs plus RDX; a may
// sit in registers ("rm"), b is read from memory ("m") so that the asm stays allocatable
// inside register-hungry kernels (with both "rm", GCC ran out of registers in fold).
// Callers that chain products (acc = acc * x) should pass the chained value as a.
inline __attribute__((always_inline)) Fr fr_mul_adx(const Fr &a, const Fr &b) {
    u64 t0, t1, t2, t3, t4, lo, hi, s;
    asm(ZK_ADX_MUL_BODY(b0, b1, b2, b3)
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), [s] "=&d"(s)
        : [a0] "m"(a.v[0]), [a1] "m"(a.v[1]), [a2] "m"(a.v[2]), [a3] "m"(a.v[3]),
          [b0] "m"(b.v[0]), [b1] "m"(b.v[1]), [b2] "m"(b.v[2]), [b3] "m"(b.v[3]),
          ZK_X86_P_OPERANDS, [inv] "m"(fr_x86::kInv)
        : "cc");
    return Fr{{lo, hi, t3, s}};
}

// a^2 / 2^256 mod r: the same multiply with one operand, which may stay in registers.
inline __attribute__((always_inline)) Fr fr_sqr_adx(const Fr &a) {
    u64 t0, t1, t2, t3, t4, lo, hi, s;
    asm(ZK_ADX_MUL_BODY(a0, a1, a2, a3)
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), [s] "=&d"(s)
        : [a0] "rm"(a.v[0]), [a1] "rm"(a.v[1]), [a2] "rm"(a.v[2]), [a3] "rm"(a.v[3]),
          ZK_X86_P_OPERANDS, [inv] "m"(fr_x86::kInv)
        : "cc");
    return Fr{{lo, hi, t3, s}};
}

#undef ZK_ADX_MUL_BODY
#undef ZK_ADX_ROW
#undef ZK_ADX_REDUCE
#endif  // __BMI2__ && __ADX__ && __OPTIMIZE__

#undef ZK_X86_SUB_R_SELECT
#undef ZK_X86_P_OPERANDS

}  // namespace zk
