// Host-side G1 kernels (CPU, OpenMP): encoding, batch normalisation, MSM, generators.
// MSM runs on the CPU only for now; the per-point arithmetic in g1.cuh is shared with the
// device so a GPU MSM can reuse it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "field/fr.cuh"
#include "curve/g1.cuh"

namespace zk {
namespace cpu {

// Result of decoding one 48-byte compressed point.
enum class G1Decode : int {
    ok = 0,
    bad_flags = 1,        // compression bit clear, or infinity with other bits set
    x_not_canonical = 2,  // x >= p
    not_on_curve = 3,     // x^3 + 4 is not a square
    not_in_subgroup = 4,  // on the curve, outside the order-r subgroup
};
const char *g1_decode_message(G1Decode s);

// 48-byte compressed encoding (ZCash / blst / arkworks): big-endian x, flag bits in the
// top three bits of byte 0 (0x80 compressed, 0x40 infinity, 0x20 y is the larger root).
void g1_compress_one(const G1Affine &a, uint8_t out[48]);
G1Decode g1_decompress_one(const uint8_t in[48], G1Affine *out);

void g1_compress(uint8_t *out, const G1Affine *pts, size_t n);
// Decodes n points; returns the index of the first invalid encoding (and its status in
// *status), or -1 when all are valid.
int64_t g1_decompress(G1Affine *out, const uint8_t *in, size_t n, G1Decode *status);

// Affine forms of n XYZZ points with one field inversion per thread chunk.
void g1_batch_to_affine(G1Affine *out, const G1Xyzz *in, size_t n);

// sum_i k_i P_i for Montgomery-form scalars (Pippenger, signed digits, OpenMP).
// method: 0 automatic, 1 XYZZ buckets, 2 batch-affine buckets (all give the same result).
G1Xyzz g1_msm(const Fr *scalars_mont, const G1Affine *points, size_t n, int method = 0);
// The same for non-negative 64-bit integer scalars (no field conversion; windows of the
// integers directly).
G1Xyzz g1_msm_u64(const uint64_t *scalars, const G1Affine *points, size_t n, int method = 0);

// Generators start .. start+count-1 for a 32-byte label tag (see g1_cpu.cpp).
void g1_generators(G1Affine *out, const uint8_t tag[32], uint64_t start, size_t count);

}  // namespace cpu
}  // namespace zk
