// BLS12-381 G1: the curve E: y^2 = x^3 + 4 over Fp, restricted to its subgroup of prime
// order r. Written once for the host and for the device.
//
// Representations
//   G1Affine  (x, y) in Montgomery form; the identity is stored as x = y = 0 (never on the
//             curve, since 0 != 0 + 4), so an all-zero row means "point at infinity".
//   G1Xyzz    extended Jacobian "XYZZ" coordinates: x = X/ZZ, y = Y/ZZZ with ZZ^3 = ZZZ^2;
//             the identity has ZZ = ZZZ = 0. Mixed addition costs 8M+2S and needs no
//             inversion; formulas: Bernstein-Lange EFD, shortw/xyzz (madd-2008-s,
//             add-2008-s, dbl-2008-s-1, mdbl-2008-s-1), with the P+P, P-P and identity
//             cases dispatched explicitly.
#pragma once
#include "curve/fp.cuh"

namespace zk {

struct G1Affine {
    Fp x, y;
};

struct G1Xyzz {
    Fp X, Y, ZZ, ZZZ;
};

// Curve constant b = 4 in Montgomery form.
#define ZK_G1_B {0xaa270000000cfff3ULL, 0x53cc0032fc34000aULL, 0x478fe97a6b0a807fULL, \
                 0xb1d37ebee6ba24d7ULL, 0x8ec9733bbf78ab2fULL, 0x09d645513d83de7eULL}
// The standard generator (Montgomery form).
#define ZK_G1_GX {0x5cb38790fd530c16ULL, 0x7817fc679976fff5ULL, 0x154f95c7143ba1c1ULL, \
                  0xf0ae6acdf3d0e747ULL, 0xedce6ecc21dbf440ULL, 0x120177419e0bfb75ULL}
#define ZK_G1_GY {0xbaac93d50ce72271ULL, 0x8c22631a7918fd8eULL, 0xdd595f13570725ceULL, \
                  0x51ac582950405194ULL, 0x0e1c8c3fad0059c0ULL, 0x0bbc3efc5008a26aULL}
// beta: the cube root of unity (Montgomery form) with phi(x, y) = (beta x, y) acting on G1
// as multiplication by -u^2, u = -0xd201000000010000 the BLS parameter.
#define ZK_G1_BETA {0x30f1361b798a64e8ULL, 0xf3b8ddab7ece5a2aULL, 0x16a8ca3ac61577f7ULL, \
                    0xc26a2ff874fd029bULL, 0x3636b76660701c6eULL, 0x051ba4ab241b6160ULL}
// |u| and the effective cofactor h_eff = 1 - u used to clear the cofactor.
#define ZK_G1_ABS_U 0xd201000000010000ULL
#define ZK_G1_H_EFF 0xd201000000010001ULL

ZK_HD G1Affine g1_affine_identity() { return G1Affine{fp_zero(), fp_zero()}; }
ZK_HD bool g1_affine_is_identity(const G1Affine &a) { return fp_is_zero(a.x) && fp_is_zero(a.y); }
ZK_HD G1Affine g1_generator() { return G1Affine{Fp{ZK_G1_GX}, Fp{ZK_G1_GY}}; }

ZK_HD G1Xyzz g1_identity() { return G1Xyzz{fp_zero(), fp_one(), fp_zero(), fp_zero()}; }
ZK_HD bool g1_is_identity(const G1Xyzz &p) { return fp_is_zero(p.ZZ); }

ZK_HD G1Xyzz g1_from_affine(const G1Affine &a) {
    if (g1_affine_is_identity(a)) return g1_identity();
    return G1Xyzz{a.x, a.y, fp_one(), fp_one()};
}

ZK_HD G1Affine g1_affine_neg(const G1Affine &a) { return G1Affine{a.x, fp_neg(a.y)}; }
ZK_HD G1Xyzz g1_neg(const G1Xyzz &p) { return G1Xyzz{p.X, fp_neg(p.Y), p.ZZ, p.ZZZ}; }

// y^2 == x^3 + 4 (the identity encoding (0, 0) is handled by the caller).
ZK_HD bool g1_affine_on_curve(const G1Affine &a) {
    Fp rhs = fp_add(fp_mul(fp_sqr(a.x), a.x), Fp{ZK_G1_B});
    return fp_eq(fp_sqr(a.y), rhs);
}

// 2P (dbl-2008-s-1 with a = 0). Correct for the identity (ZZ = 0 stays 0); no point of
// G1 or of E(Fp) has y = 0 (the group order is odd), so no other special case exists.
ZK_HD G1Xyzz g1_dbl(const G1Xyzz &p) {
    Fp U = fp_dbl(p.Y);
    Fp V = fp_sqr(U);
    Fp W = fp_mul(U, V);
    Fp S = fp_mul(p.X, V);
    Fp x2 = fp_sqr(p.X);
    Fp M = fp_add(fp_dbl(x2), x2);
    Fp X3 = fp_sub(fp_sqr(M), fp_dbl(S));
    Fp Y3 = fp_sub(fp_mul(M, fp_sub(S, X3)), fp_mul(W, p.Y));
    return G1Xyzz{X3, Y3, fp_mul(V, p.ZZ), fp_mul(W, p.ZZZ)};
}

// 2Q for an affine, non-identity Q (mdbl-2008-s-1).
ZK_HD G1Xyzz g1_dbl_affine(const G1Affine &q) {
    Fp U = fp_dbl(q.y);
    Fp V = fp_sqr(U);
    Fp W = fp_mul(U, V);
    Fp S = fp_mul(q.x, V);
    Fp x2 = fp_sqr(q.x);
    Fp M = fp_add(fp_dbl(x2), x2);
    Fp X3 = fp_sub(fp_sqr(M), fp_dbl(S));
    Fp Y3 = fp_sub(fp_mul(M, fp_sub(S, X3)), fp_mul(W, q.y));
    return G1Xyzz{X3, Y3, V, W};
}

// P + Q for an affine Q (madd-2008-s), every case handled.
ZK_HD G1Xyzz g1_add_affine(const G1Xyzz &p, const G1Affine &q) {
    if (g1_affine_is_identity(q)) return p;
    if (g1_is_identity(p)) return G1Xyzz{q.x, q.y, fp_one(), fp_one()};
    Fp U2 = fp_mul(q.x, p.ZZ);
    Fp S2 = fp_mul(q.y, p.ZZZ);
    Fp P = fp_sub(U2, p.X);
    Fp R = fp_sub(S2, p.Y);
    if (fp_is_zero(P)) {
        if (fp_is_zero(R)) return g1_dbl_affine(q);  // P == Q
        return g1_identity();                       // P == -Q
    }
    Fp PP = fp_sqr(P);
    Fp PPP = fp_mul(P, PP);
    Fp Q = fp_mul(p.X, PP);
    Fp X3 = fp_sub(fp_sub(fp_sqr(R), PPP), fp_dbl(Q));
    Fp Y3 = fp_sub(fp_mul(R, fp_sub(Q, X3)), fp_mul(p.Y, PPP));
    return G1Xyzz{X3, Y3, fp_mul(p.ZZ, PP), fp_mul(p.ZZZ, PPP)};
}

// P - Q for an affine Q.
ZK_HD G1Xyzz g1_sub_affine(const G1Xyzz &p, const G1Affine &q) {
    if (g1_affine_is_identity(q)) return p;
    return g1_add_affine(p, g1_affine_neg(q));
}

// P + Q (add-2008-s), every case handled.
ZK_HD G1Xyzz g1_add(const G1Xyzz &p, const G1Xyzz &q) {
    if (g1_is_identity(q)) return p;
    if (g1_is_identity(p)) return q;
    Fp U1 = fp_mul(p.X, q.ZZ);
    Fp U2 = fp_mul(q.X, p.ZZ);
    Fp S1 = fp_mul(p.Y, q.ZZZ);
    Fp S2 = fp_mul(q.Y, p.ZZZ);
    Fp P = fp_sub(U2, U1);
    Fp R = fp_sub(S2, S1);
    if (fp_is_zero(P)) {
        if (fp_is_zero(R)) return g1_dbl(p);
        return g1_identity();
    }
    Fp PP = fp_sqr(P);
    Fp PPP = fp_mul(P, PP);
    Fp Q = fp_mul(U1, PP);
    Fp X3 = fp_sub(fp_sub(fp_sqr(R), PPP), fp_dbl(Q));
    Fp Y3 = fp_sub(fp_mul(R, fp_sub(Q, X3)), fp_mul(S1, PPP));
    Fp ZZ3 = fp_mul(fp_mul(p.ZZ, q.ZZ), PP);
    Fp ZZZ3 = fp_mul(fp_mul(p.ZZZ, q.ZZZ), PPP);
    return G1Xyzz{X3, Y3, ZZ3, ZZZ3};
}

// Affine form with one inversion: 1/(ZZ*ZZZ) gives both 1/ZZ and 1/ZZZ.
ZK_HD G1Affine g1_to_affine(const G1Xyzz &p) {
    if (g1_is_identity(p)) return g1_affine_identity();
    Fp t = fp_inverse(fp_mul(p.ZZ, p.ZZZ));
    Fp izz = fp_mul(t, p.ZZZ), izzz = fp_mul(t, p.ZZ);
    return G1Affine{fp_mul(p.X, izz), fp_mul(p.Y, izzz)};
}

// [k] P for a little-endian multi-limb scalar k (left-to-right double and add).
ZK_HD G1Xyzz g1_mul_limbs(const G1Affine &p, const u64 *k, int nlimbs) {
    G1Xyzz acc = g1_identity();
    for (int limb = nlimbs - 1; limb >= 0; --limb) {
        for (int bit = 63; bit >= 0; --bit) {
            acc = g1_dbl(acc);
            if ((k[limb] >> bit) & 1) acc = g1_add_affine(acc, p);
        }
    }
    return acc;
}

ZK_HD G1Xyzz g1_mul_u64(const G1Affine &p, u64 k) { return g1_mul_limbs(p, &k, 1); }

// Same point? (XYZZ against affine, no inversion.)
ZK_HD bool g1_eq_affine(const G1Xyzz &p, const G1Affine &q) {
    if (g1_affine_is_identity(q)) return g1_is_identity(p);
    if (g1_is_identity(p)) return false;
    return fp_eq(p.X, fp_mul(q.x, p.ZZ)) && fp_eq(p.Y, fp_mul(q.y, p.ZZZ));
}

// Membership of an on-curve affine point in the order-r subgroup: phi(P) == [-u^2] P with
// phi(x, y) = (beta x, y), the endomorphism test (Scott 2021, "A note on group membership
// tests for G1, G2 and GT on BLS pairing-friendly curves"); about 128 doublings instead of
// the 255 of [r] P == O.
ZK_HD bool g1_in_subgroup(const G1Affine &a) {
    if (g1_affine_is_identity(a)) return true;
    G1Xyzz t = g1_mul_u64(a, ZK_G1_ABS_U);
    // [u^2] P = [|u|]([|u|] P); multiply the XYZZ point by |u| with double and add.
    G1Xyzz acc = g1_identity();
    for (int bit = 63; bit >= 0; --bit) {
        acc = g1_dbl(acc);
        if ((ZK_G1_ABS_U >> bit) & 1) acc = g1_add(acc, t);
    }
    G1Affine phi{fp_mul(a.x, Fp{ZK_G1_BETA}), fp_neg(a.y)};  // -phi(P) compared with [u^2] P
    return g1_eq_affine(acc, phi);
}

}  // namespace zk
