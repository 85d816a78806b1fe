// Host-side G1 kernels: encoding, batch normalisation, Pippenger MSM, generators.
#include "curve/g1_cpu.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "common/sha256.h"

namespace zk {
namespace cpu {

const char *g1_decode_message(G1Decode s) {
    switch (s) {
        case G1Decode::ok: return "ok";
        case G1Decode::bad_flags: return "bad flag bits (compression bit clear, or infinity with other bits set)";
        case G1Decode::x_not_canonical: return "x coordinate >= p";
        case G1Decode::not_on_curve: return "not on the curve (x^3 + 4 is not a square)";
        case G1Decode::not_in_subgroup: return "not in the prime-order subgroup";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------- encoding

void g1_compress_one(const G1Affine &a, uint8_t out[48]) {
    if (g1_affine_is_identity(a)) {
        std::fill(out, out + 48, 0);
        out[0] = 0xc0;
        return;
    }
    Fp x = fp_from_mont(a.x);
    for (int j = 0; j < 48; ++j) out[j] = (uint8_t)(x.v[5 - j / 8] >> (56 - 8 * (j % 8)));
    out[0] |= 0x80;
    if (fp_is_lex_largest(a.y)) out[0] |= 0x20;
}

G1Decode g1_decompress_one(const uint8_t in[48], G1Affine *out) {
    const uint8_t flags = in[0] & 0xe0;
    if (!(flags & 0x80)) return G1Decode::bad_flags;
    if (flags & 0x40) {
        if (flags & 0x20) return G1Decode::bad_flags;
        if (in[0] & 0x1f) return G1Decode::bad_flags;
        for (int j = 1; j < 48; ++j)
            if (in[j]) return G1Decode::bad_flags;
        *out = g1_affine_identity();
        return G1Decode::ok;
    }
    Fp x = fp_zero();
    for (int j = 0; j < 48; ++j) {
        const uint8_t byte = j == 0 ? (in[0] & 0x1f) : in[j];
        x.v[5 - j / 8] |= (u64)byte << (56 - 8 * (j % 8));
    }
    if (!fp_is_canonical(x)) return G1Decode::x_not_canonical;
    G1Affine a;
    a.x = fp_to_mont(x);
    Fp rhs = fp_add(fp_mul(fp_sqr(a.x), a.x), Fp{ZK_G1_B});
    if (!fp_sqrt(rhs, &a.y)) return G1Decode::not_on_curve;
    if (fp_is_lex_largest(a.y) != bool(flags & 0x20)) a.y = fp_neg(a.y);
    if (!g1_in_subgroup(a)) return G1Decode::not_in_subgroup;
    *out = a;
    return G1Decode::ok;
}

void g1_compress(uint8_t *out, const G1Affine *pts, size_t n) {
#pragma omp parallel for schedule(static) if (n >= 256)
    for (int64_t i = 0; i < (int64_t)n; ++i) g1_compress_one(pts[i], out + 48 * i);
}

int64_t g1_decompress(G1Affine *out, const uint8_t *in, size_t n, G1Decode *status) {
    int64_t first = -1;
    G1Decode first_status = G1Decode::ok;
#pragma omp parallel for schedule(dynamic, 64) if (n >= 16)
    for (int64_t i = 0; i < (int64_t)n; ++i) {
        G1Decode s = g1_decompress_one(in + 48 * i, out + i);
        if (s != G1Decode::ok) {
#pragma omp critical(g1_decompress_err)
            if (first < 0 || i < first) {
                first = i;
                first_status = s;
            }
        }
    }
    *status = first_status;
    return first;
}

// -------------------------------------------------------------- batch normalisation

// Montgomery's trick over one contiguous range: prefix products of d_i = ZZ_i * ZZZ_i
// (1 for the identity), one inversion, and a backward sweep.
static void batch_to_affine_range(G1Affine *out, const G1Xyzz *in, size_t n) {
    if (n == 0) return;
    std::vector<Fp> prefix(n);
    Fp acc = fp_one();
    for (size_t i = 0; i < n; ++i) {
        prefix[i] = acc;
        if (!g1_is_identity(in[i])) acc = fp_mul(acc, fp_mul(in[i].ZZ, in[i].ZZZ));
    }
    Fp inv = fp_inverse(acc);  // inverse of the product of all d_i
    for (size_t i = n; i-- > 0;) {
        if (g1_is_identity(in[i])) {
            out[i] = g1_affine_identity();
            continue;
        }
        const Fp d = fp_mul(in[i].ZZ, in[i].ZZZ);
        const Fp t = fp_mul(inv, prefix[i]);  // 1 / d_i
        inv = fp_mul(inv, d);
        out[i] = G1Affine{fp_mul(in[i].X, fp_mul(t, in[i].ZZZ)), fp_mul(in[i].Y, fp_mul(t, in[i].ZZ))};
    }
}

void g1_batch_to_affine(G1Affine *out, const G1Xyzz *in, size_t n) {
    const size_t chunks = n >= 1024 ? (size_t)omp_get_max_threads() : 1;
    const size_t per = (n + chunks - 1) / chunks;
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (int64_t c = 0; c < (int64_t)chunks; ++c) {
        const size_t lo = (size_t)c * per, hi = std::min(n, lo + per);
        if (lo < hi) batch_to_affine_range(out + lo, in + lo, hi - lo);
    }
}

// -------------------------------------------------------------------------------- MSM

static int fr_bit_length(const Fr &k) {
    for (int limb = 3; limb >= 0; --limb)
        if (k.v[limb]) return 64 * limb + 64 - __builtin_clzll(k.v[limb]);
    return 0;
}

// Bits [lo, lo + c) of a 256-bit scalar (c <= 32).
static inline uint32_t fr_window(const Fr &k, int lo, int c) {
    const int limb = lo >> 6, sh = lo & 63;
    if (limb >= 4) return 0;
    u64 w = k.v[limb] >> sh;
    if (sh + c > 64 && limb + 1 < 4) w |= k.v[limb + 1] << (64 - sh);
    return (uint32_t)(w & ((1ULL << c) - 1));
}

// Bucket accumulation strategies (see g1_msm):
//   xyzz    each point is added into its bucket with a mixed XYZZ addition (8M + 2S);
//   affine  the points of each bucket are summed pairwise in levels, every level's
//           additions sharing one inversion (Montgomery's trick): about 6M + 1S each.
enum class MsmMethod : int { automatic = 0, xyzz = 1, affine = 2 };

// Estimated cost in field multiplications of one window over n points with 2^(c-1)
// buckets: bucket accumulation plus the running-sum reduction (about 24M per bucket).
static double window_cost(size_t n, int c, bool affine) {
    const double per_add = affine ? 7.0 : 10.0;
    const double levels = affine ? 450.0 * 8 : 0.0;  // one inversion per level
    return per_add * (double)n + levels + 24.0 * (double)(1u << (c - 1));
}

// Window size minimising windows * window_cost.
static int msm_window(size_t n, int bits, bool affine) {
    int best_c = 1;
    double best = 1e300;
    for (int c = 1; c <= 15; ++c) {
        const int windows = (bits + 1 + c - 1) / c;
        const double cost = (double)windows * window_cost(n, c, affine);
        if (cost < best) {
            best = cost;
            best_c = c;
        }
    }
    return best_c;
}

// Sum of the buckets weighted by their index: sum_b (b + 1) B[b], by running sums.
static G1Xyzz reduce_buckets(const G1Xyzz *B, size_t nb) {
    G1Xyzz running = g1_identity(), total = g1_identity();
    for (size_t b = nb; b-- > 0;) {
        running = g1_add(running, B[b]);
        total = g1_add(total, running);
    }
    return total;
}

static G1Xyzz reduce_buckets(const G1Affine *B, size_t nb) {
    G1Xyzz running = g1_identity(), total = g1_identity();
    for (size_t b = nb; b-- > 0;) {
        running = g1_add_affine(running, B[b]);
        total = g1_add(total, running);
    }
    return total;
}

// Per-thread scratch of the batch-affine accumulation, reused across tasks.
struct AffineScratch {
    std::vector<G1Affine> S, D, out;  // level buffers (ping-pong), bucket sums
    std::vector<Fp> den, prefix;
    std::vector<uint8_t> kind;
    std::vector<uint32_t> off, len, active, next;
};

// Points per accumulation pass: bounds the scratch memory of one thread.
constexpr size_t kAffineChunk = (size_t)1 << 17;

enum : uint8_t { kAdd = 0, kDouble = 1, kZero = 2, kTakeA = 3, kTakeB = 4 };

// Bucket sums out[b] = sum of the points whose digit is +-(b + 1) in points [lo, hi), in
// affine form (identity = (0, 0)). Points are counting-sorted by bucket into contiguous
// segments; each level adds neighbours (0,1), (2,3), ... of every segment with one shared
// inversion, halving the segments until each holds one point. Long inputs are processed
// in chunks; a chunk's bucket sums enter the next chunk as the first element of each
// segment.
static void accumulate_affine(const int16_t *dw, const G1Affine *pts, size_t lo, size_t hi,
                              size_t nb, AffineScratch &s) {
    s.out.assign(nb, g1_affine_identity());
    s.off.resize(nb);
    s.len.resize(nb);
    for (size_t clo = lo; clo < hi; clo += kAffineChunk) {
        const size_t chi = std::min(hi, clo + kAffineChunk);
        for (size_t b = 0; b < nb; ++b) s.len[b] = g1_affine_is_identity(s.out[b]) ? 0 : 1;
        for (size_t i = clo; i < chi; ++i) {
            const int d = dw[i];
            if (d != 0 && !g1_affine_is_identity(pts[i])) ++s.len[(d > 0 ? d : -d) - 1];
        }
        uint32_t total = 0;
        for (size_t b = 0; b < nb; ++b) {
            s.off[b] = total;
            total += s.len[b];
            s.len[b] = 0;
        }
        if (s.S.size() < total) {
            s.S.resize(total);
            s.D.resize(total);
            s.den.resize(total / 2 + 1);
            s.prefix.resize(total / 2 + 1);
            s.kind.resize(total / 2 + 1);
        }
        G1Affine *S = s.S.data(), *D = s.D.data();
        for (size_t b = 0; b < nb; ++b)
            if (!g1_affine_is_identity(s.out[b])) S[s.off[b] + s.len[b]++] = s.out[b];
        for (size_t i = clo; i < chi; ++i) {
            const int d = dw[i];
            if (d == 0 || g1_affine_is_identity(pts[i])) continue;
            const size_t b = (size_t)((d > 0 ? d : -d) - 1);
            S[s.off[b] + s.len[b]++] = d > 0 ? pts[i] : g1_affine_neg(pts[i]);
        }
        s.active.clear();
        for (size_t b = 0; b < nb; ++b) {
            if (s.len[b] >= 2)
                s.active.push_back((uint32_t)b);
            else
                s.out[b] = s.len[b] ? S[s.off[b]] : g1_affine_identity();
        }
        while (!s.active.empty()) {
            // Pass A: denominators and their prefix products.
            size_t k = 0;
            Fp acc = fp_one();
            for (uint32_t b : s.active) {
                const G1Affine *seg = S + s.off[b];
                const uint32_t pairs = s.len[b] / 2;
                for (uint32_t j = 0; j < pairs; ++j, ++k) {
                    const G1Affine &A = seg[2 * j], &B = seg[2 * j + 1];
                    uint8_t kd;
                    Fp dn;
                    if (g1_affine_is_identity(A)) {
                        kd = kTakeB;
                    } else if (g1_affine_is_identity(B)) {
                        kd = kTakeA;
                    } else {
                        dn = fp_sub(B.x, A.x);
                        if (!fp_is_zero(dn)) {
                            kd = kAdd;
                        } else if (fp_eq(A.y, B.y)) {
                            kd = kDouble;
                            dn = fp_dbl(A.y);
                        } else {
                            kd = kZero;
                        }
                    }
                    s.kind[k] = kd;
                    if (kd == kAdd || kd == kDouble) {
                        s.prefix[k] = acc;
                        s.den[k] = dn;
                        acc = fp_mul(acc, dn);
                    }
                }
            }
            Fp inv = fp_inverse(acc);
            // Pass B, in reverse order: each inverse, then the affine sum into D.
            for (size_t ai = s.active.size(); ai-- > 0;) {
                const uint32_t b = s.active[ai];
                const G1Affine *seg = S + s.off[b];
                G1Affine *dst = D + s.off[b];
                const uint32_t L = s.len[b], pairs = L / 2;
                if (L & 1) dst[pairs] = seg[L - 1];
                for (uint32_t j = pairs; j-- > 0;) {
                    --k;
                    const G1Affine &A = seg[2 * j], &B = seg[2 * j + 1];
                    switch (s.kind[k]) {
                        case kTakeA: dst[j] = A; break;
                        case kTakeB: dst[j] = B; break;
                        case kZero: dst[j] = g1_affine_identity(); break;
                        default: {
                            const Fp t = fp_mul(inv, s.prefix[k]);  // 1 / den[k]
                            inv = fp_mul(inv, s.den[k]);
                            Fp num;
                            if (s.kind[k] == kAdd) {
                                num = fp_sub(B.y, A.y);
                            } else {
                                const Fp x2 = fp_sqr(A.x);
                                num = fp_add(fp_dbl(x2), x2);
                            }
                            const Fp lam = fp_mul(num, t);
                            const Fp x3 = fp_sub(fp_sub(fp_sqr(lam), A.x), B.x);
                            dst[j] = G1Affine{x3, fp_sub(fp_mul(lam, fp_sub(A.x, x3)), A.y)};
                        }
                    }
                }
            }
            s.next.clear();
            for (uint32_t b : s.active) {
                s.len[b] = (s.len[b] + 1) / 2;
                if (s.len[b] == 1)
                    s.out[b] = D[s.off[b]];
                else
                    s.next.push_back(b);
            }
            s.active.swap(s.next);
            std::swap(S, D);
        }
    }
}

// Pippenger over n points whose scalars have at most `bits` bits; window(i, lo, c) gives
// bits [lo, lo + c) of scalar i (both front ends below: Montgomery field elements and
// non-negative 64-bit integers).
template <class Window>
static G1Xyzz msm_core(size_t n, int bits, const G1Affine *points, int method, Window window) {
    if (bits == 0) return g1_identity();

    // Inside a parallel region (g1_msm_rows runs rows in parallel) this MSM runs on one thread:
    // splitting it into chunks would only repeat the per-task bucket work.
    const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    // Tasks: (window, chunk of points); chunks only when there are too few windows to
    // occupy every thread.
    auto plan = [&](bool affine, int &c, int &windows, size_t &chunks) {
        c = msm_window(n, bits, affine);
        windows = (bits + 1 + c - 1) / c;
        chunks = 1;
        if (n >= 2048 && (size_t)windows < 2 * (size_t)threads)
            chunks = (2 * (size_t)threads + windows - 1) / windows;
    };
    bool affine = method == (int)MsmMethod::affine;
    if (method == (int)MsmMethod::automatic) affine = n >= 1024;
    int c, windows;
    size_t chunks;
    plan(affine, c, windows, chunks);
    const size_t per = (n + chunks - 1) / chunks;
    if (affine && method == (int)MsmMethod::automatic && per < 512) {
        affine = false;
        plan(affine, c, windows, chunks);
    }

    // Signed digits in (-2^(c-1), 2^(c-1)]: a raw window value above 2^(c-1) becomes
    // value - 2^c with a carry into the next window. With bits + 1 <= windows * c the top
    // window cannot carry out.
    const int half = 1 << (c - 1);
    std::vector<int16_t> digits((size_t)windows * n);
#pragma omp parallel for schedule(static) if (n >= 16384)
    for (int64_t i = 0; i < (int64_t)n; ++i) {
        int carry = 0;
        for (int w = 0; w < windows; ++w) {
            int d = (int)window((size_t)i, w * c, c) + carry;
            carry = d > half;
            if (carry) d -= 1 << c;
            digits[(size_t)w * n + i] = (int16_t)d;
        }
    }

    const size_t per_task = (n + chunks - 1) / chunks;
    const int64_t tasks = (int64_t)windows * (int64_t)chunks;
    std::vector<G1Xyzz> partial((size_t)tasks, g1_identity());

    // Waking worker threads costs far more than small MSMs when the machine is busy, so
    // below about 3 * 10^5 field multiplications of work the MSM stays on one thread.
    const double work = (double)windows * window_cost(n, c, affine);
#pragma omp parallel if (work >= 3e5)
    {
        std::vector<G1Xyzz> B;
        AffineScratch scratch;
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < tasks; ++t) {
            const int w = (int)(t / (int64_t)chunks);
            const size_t lo = (size_t)(t % (int64_t)chunks) * per_task, hi = std::min(n, lo + per_task);
            const int16_t *dw = digits.data() + (size_t)w * n;
            if (lo >= hi) continue;
            if (affine) {
                accumulate_affine(dw, points, lo, hi, (size_t)half, scratch);
                partial[(size_t)t] = reduce_buckets(scratch.out.data(), (size_t)half);
            } else {
                B.assign((size_t)half, g1_identity());
                for (size_t i = lo; i < hi; ++i) {
                    const int d = dw[i];
                    if (d > 0)
                        B[d - 1] = g1_add_affine(B[d - 1], points[i]);
                    else if (d < 0)
                        B[-d - 1] = g1_sub_affine(B[-d - 1], points[i]);
                }
                partial[(size_t)t] = reduce_buckets(B.data(), (size_t)half);
            }
        }
    }

    // Horner over windows, top first: acc = 2^c acc + W_w.
    G1Xyzz acc = g1_identity();
    for (int w = windows - 1; w >= 0; --w) {
        for (int j = 0; j < c; ++j) acc = g1_dbl(acc);
        for (size_t ch = 0; ch < chunks; ++ch) acc = g1_add(acc, partial[(size_t)w * chunks + ch]);
    }
    return acc;
}

G1Xyzz g1_msm(const Fr *scalars_mont, const G1Affine *points, size_t n, int method) {
    if (n == 0) return g1_identity();
    // Canonical scalars and their largest bit length: small scalars need fewer windows.
    std::vector<Fr> k(n);
    int bits = 0;
#pragma omp parallel for schedule(static) reduction(max : bits) if (n >= 16384)
    for (int64_t i = 0; i < (int64_t)n; ++i) {
        k[i] = fr_from_mont(scalars_mont[i]);
        bits = std::max(bits, fr_bit_length(k[i]));
    }
    return msm_core(n, bits, points, method, [&](size_t i, int lo, int c) { return fr_window(k[i], lo, c); });
}

G1Xyzz g1_msm_u64(const uint64_t *scalars, const G1Affine *points, size_t n, int method) {
    if (n == 0) return g1_identity();
    uint64_t any = 0;
    for (size_t i = 0; i < n; ++i) any |= scalars[i];
    const int bits = any ? 64 - __builtin_clzll(any) : 0;
    return msm_core(n, bits, points, method, [&](size_t i, int lo, int c) -> uint32_t {
        return lo >= 64 ? 0u : (uint32_t)((scalars[i] >> lo) & ((1ULL << c) - 1));
    });
}

// ------------------------------------------------------------------------- generators

// Transparent generator number i for a 32-byte tag (try and increment):
//   for counter = 0, 1, 2, ...:
//     h = SHA256(tag || le64(i) || le32(counter) || 0x00) || SHA256(... || 0x01)   (64 bytes)
//     x = int.from_bytes(h, "big") mod p
//     if x^3 + 4 is a square: y = its square root with canonical y <= (p-1)/2,
//        P = [h_eff](x, y), h_eff = 0xd201000000010001; return P unless P is the identity.
static G1Xyzz generator_one(const uint8_t tag[32], uint64_t index) {
    const Fp two64 = fp_to_mont(Fp{{0, 1, 0, 0, 0, 0}});
    for (uint32_t counter = 0;; ++counter) {
        uint8_t msg[45], h[64];
        std::memcpy(msg, tag, 32);
        for (int j = 0; j < 8; ++j) msg[32 + j] = (uint8_t)(index >> (8 * j));
        for (int j = 0; j < 4; ++j) msg[40 + j] = (uint8_t)(counter >> (8 * j));
        for (int half = 0; half < 2; ++half) {
            msg[44] = (uint8_t)half;
            Sha256 s;
            s.update(msg, sizeof msg);
            s.finish(h + 32 * half);
        }
        // x = big-endian 512-bit h mod p, by Horner over 64-bit words (most significant first).
        Fp x = fp_zero();
        for (int wi = 0; wi < 8; ++wi) {
            u64 word = 0;
            for (int j = 0; j < 8; ++j) word = (word << 8) | h[8 * wi + j];
            x = fp_add(fp_mul(x, two64), fp_to_mont(Fp{{word, 0, 0, 0, 0, 0}}));
        }
        G1Affine a;
        a.x = x;
        Fp rhs = fp_add(fp_mul(fp_sqr(x), x), Fp{ZK_G1_B});
        if (!fp_sqrt(rhs, &a.y)) continue;
        if (fp_is_lex_largest(a.y)) a.y = fp_neg(a.y);
        G1Xyzz p = g1_mul_u64(a, ZK_G1_H_EFF);
        if (!g1_is_identity(p)) return p;
    }
}

void g1_generators(G1Affine *out, const uint8_t tag[32], uint64_t start, size_t count) {
    std::vector<G1Xyzz> tmp(count);
#pragma omp parallel for schedule(dynamic, 16) if (count >= 32)
    for (int64_t i = 0; i < (int64_t)count; ++i) tmp[i] = generator_one(tag, start + (uint64_t)i);
    g1_batch_to_affine(out, tmp.data(), count);
}

}  // namespace cpu
}  // namespace zk
