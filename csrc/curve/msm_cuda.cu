// CUDA MSM: the bucket method, batched over rows that share their points (msm.h).
//
// For one block of rows and a chunk of columns:
//   1. digits   every (row, window, column) gets a signed window digit d in
//               (-2^(c-1), 2^(c-1)] (the same recoding as the CPU MSM); a non-zero digit
//               becomes a (bucket key, column | sign) pair, key = (row * windows + w) *
//               2^(c-1) + |d| - 1; zero digits get the key kEmpty and are ignored.
//   2. sort     a radix sort by key (CUB) puts each bucket's points next to each other.
//   3. bounds   one pass marks each bucket's [start, end) in the sorted order.
//   4. buckets  one thread per bucket adds its points (XYZZ mixed additions, subtractions
//               for negative digits).
//   5. windows  the weighted bucket sum sum_b (b + 1) B_b of each (row, window) is split
//               into S segments [lo, hi), one thread each: a running sum gives
//               sum (b - lo + 1) B_b, plus lo * (segment sum) by double and add.
//   6. combine  one thread per row: Horner over windows (c doublings) adding the
//               segments' partials.
// The results of column chunks are added on the host. The small-scalar path: the window
// count is chosen from the largest scalar bit length (one max-reduction pass first), so
// b-bit scalars cost about b / 255 of full ones, as on the CPU.
//
// Memory: device scratch (points, keys, values, sort temp, bucket bounds, buckets,
// partials) is grown on demand and reused across calls (no allocation in steady state);
// a call holds one mutex, so concurrent callers serialise. Every kernel runs on the
// default stream; the call returns after the results are copied back.
//
// Load balance: one thread per bucket means a bucket holding very many points (scalars
// that are mostly one value) is summed sequentially: correct, but slow in that case.
#include <cuda_runtime.h>

#include <algorithm>
#include <cub/device/device_radix_sort.cuh>
#include <mutex>
#include <vector>

#include "common/exec_cuda.cuh"
#include "curve/msm.h"

namespace zk {
namespace gpu {

namespace {

constexpr uint32_t kEmpty = 0xffffffffu;
constexpr uint32_t kNegBit = 0x80000000u;
// (row, window, column) entries per pass: keys and values, double-buffered for the sort,
// 16 bytes per entry: 1 GiB at 2^26.
constexpr size_t kMaxEntries = (size_t)1 << 26;

struct DevBuf {
    void *p = nullptr;
    size_t cap = 0;
    template <class T>
    T *get(size_t count) {
        const size_t bytes = count * sizeof(T);
        if (bytes > cap) {
            if (p) ZK_CUDA_OK(cudaFree(p));
            p = nullptr;
            cap = 0;
            ZK_CUDA_OK(cudaMalloc(&p, bytes ? bytes : 1));
            cap = bytes;
        }
        return static_cast<T *>(p);
    }
};

struct Scratch {
    DevBuf points, keys_in, keys_out, vals_in, vals_out, sort_tmp, start, end, buckets, partial, results, bits;
};

Scratch &scratch() {
    static Scratch s;
    return s;
}

std::mutex &msm_mutex() {
    static std::mutex m;
    return m;
}

__device__ __forceinline__ unsigned fr_bits(const Fr &k) {
    for (int limb = 3; limb >= 0; --limb)
        if (k.v[limb]) return 64u * limb + 64u - (unsigned)__clzll((long long)k.v[limb]);
    return 0;
}

// Bits [lo, lo + c) of a canonical 256-bit scalar (c <= 16).
__device__ __forceinline__ uint32_t window_of(const Fr &k, int lo, int c) {
    const int limb = lo >> 6, sh = lo & 63;
    if (limb >= 4) return 0;
    u64 w = k.v[limb] >> sh;
    if (sh + c > 64 && limb + 1 < 4) w |= k.v[limb + 1] << (64 - sh);
    return (uint32_t)(w & ((1ULL << c) - 1));
}

__global__ void max_bits_kernel(const Fr *s, size_t n, unsigned *out) {
    unsigned local = 0;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        local = max(local, fr_bits(fr_from_mont(s[i])));
    for (int d = 16; d > 0; d >>= 1) local = max(local, __shfl_down_sync(0xffffffffu, local, d));
    if ((threadIdx.x & 31) == 0 && local) atomicMax(out, local);
}

// Entries of rows [0, nr) (row r's scalars at s + r * stride + col0) and columns
// [0, nc) of the chunk: slot (w * nr + r) * nc + j.
__global__ void digits_kernel(const Fr *s, size_t stride, size_t col0, size_t nc, size_t nr, int c, int windows,
                              uint32_t *keys, uint32_t *vals) {
    const size_t total = nr * nc;
    const int half = 1 << (c - 1);
    for (size_t e = (size_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (size_t)gridDim.x * blockDim.x) {
        const size_t r = e / nc, j = e % nc;
        const Fr k = fr_from_mont(s[r * stride + col0 + j]);
        int carry = 0;
        for (int w = 0; w < windows; ++w) {
            int d = (int)window_of(k, w * c, c) + carry;
            carry = d > half;
            if (carry) d -= 1 << c;
            const size_t slot = ((size_t)w * nr + r) * nc + j;
            if (d == 0) {
                keys[slot] = kEmpty;
                vals[slot] = 0;
            } else {
                keys[slot] = (uint32_t)((r * (size_t)windows + (size_t)w) * (size_t)half + (size_t)(d > 0 ? d : -d) - 1);
                vals[slot] = (uint32_t)j | (d < 0 ? kNegBit : 0u);
            }
        }
    }
}

__global__ void bounds_kernel(const uint32_t *keys, size_t n, uint32_t *start, uint32_t *end) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        const uint32_t k = keys[i];
        if (k == kEmpty) continue;
        if (i == 0 || keys[i - 1] != k) start[k] = (uint32_t)i;
        if (i + 1 == n || keys[i + 1] != k) end[k] = (uint32_t)(i + 1);
    }
}

__global__ void bucket_kernel(const uint32_t *vals, const uint32_t *start, const uint32_t *end, size_t nb,
                              const G1Affine *pts, G1Xyzz *B) {
    for (size_t b = (size_t)blockIdx.x * blockDim.x + threadIdx.x; b < nb; b += (size_t)gridDim.x * blockDim.x) {
        G1Xyzz acc = g1_identity();
        const uint32_t hi = end[b];
        for (uint32_t i = start[b]; i < hi; ++i) {
            const uint32_t v = vals[i];
            const G1Affine p = pts[v & ~kNegBit];
            acc = (v & kNegBit) ? g1_sub_affine(acc, p) : g1_add_affine(acc, p);
        }
        B[b] = acc;
    }
}

__device__ G1Xyzz mul_small(const G1Xyzz &p, uint32_t k) {
    G1Xyzz acc = g1_identity();
    for (int bit = 31 - __clz((int)k); bit >= 0; --bit) {
        acc = g1_dbl(acc);
        if ((k >> bit) & 1u) acc = g1_add(acc, p);
    }
    return acc;
}

// part[g * S + s] = sum_{b in segment s} (b + 1) B[g * half + b] for groups g < groups.
__global__ void window_partial_kernel(const G1Xyzz *B, size_t groups, int half, int S, G1Xyzz *part) {
    const int L = (half + S - 1) / S;
    for (size_t t = (size_t)blockIdx.x * blockDim.x + threadIdx.x; t < groups * (size_t)S;
         t += (size_t)gridDim.x * blockDim.x) {
        const size_t g = t / S;
        const int s = (int)(t % S);
        const int lo = s * L, hi = min(half, lo + L);
        G1Xyzz running = g1_identity(), total = g1_identity();
        for (int b = hi - 1; b >= lo; --b) {
            running = g1_add(running, B[g * (size_t)half + b]);
            total = g1_add(total, running);
        }
        if (lo > 0 && !g1_is_identity(running)) total = g1_add(total, mul_small(running, (uint32_t)lo));
        part[t] = total;
    }
}

__global__ void combine_kernel(const G1Xyzz *part, size_t nr, int windows, int S, int c, G1Xyzz *res) {
    for (size_t r = (size_t)blockIdx.x * blockDim.x + threadIdx.x; r < nr; r += (size_t)gridDim.x * blockDim.x) {
        G1Xyzz acc = g1_identity();
        for (int w = windows - 1; w >= 0; --w) {
            for (int j = 0; j < c; ++j) acc = g1_dbl(acc);
            const G1Xyzz *pw = part + (r * (size_t)windows + (size_t)w) * (size_t)S;
            for (int s = 0; s < S; ++s) acc = g1_add(acc, pw[s]);
        }
        res[r] = acc;
    }
}

// Window size for chunks of nc points: minimises windows * (10 nc + 24 * 2^(c-1)) field
// multiplications (the CPU MSM's XYZZ cost model), c <= 16.
int choose_window(size_t nc, int bits) {
    int best_c = 1;
    double best = 1e300;
    for (int c = 1; c <= 16; ++c) {
        const int windows = (bits + 1 + c - 1) / c;
        const double cost = (double)windows * (10.0 * (double)nc + 24.0 * (double)(1u << (c - 1)));
        if (cost < best) {
            best = cost;
            best_c = c;
        }
    }
    return best_c;
}

int bit_width(size_t x) {
    int b = 0;
    while (b < 64 && (x >> b)) ++b;
    return b;
}

}  // namespace

void g1_msm_rows(G1Xyzz *out, const Fr *scalars, const G1Affine *points, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; ++r) out[r] = g1_identity();
    if (rows == 0 || cols == 0) return;
    if (cols >= (size_t)kNegBit) throw std::invalid_argument("msm: at most 2^31 - 1 points per MSM on the GPU");
    std::lock_guard<std::mutex> lock(msm_mutex());
    Scratch &sc = scratch();

    const size_t total = rows * cols;
    unsigned *dbits = sc.bits.get<unsigned>(1);
    ZK_CUDA_OK(cudaMemset(dbits, 0, sizeof(unsigned)));
    max_bits_kernel<<<grid_for(total), kThreads>>>(scalars, total, dbits);
    ZK_CUDA_OK(cudaGetLastError());
    unsigned bits = 0;
    ZK_CUDA_OK(cudaMemcpy(&bits, dbits, sizeof(unsigned), cudaMemcpyDeviceToHost));
    if (bits == 0) return;

    G1Affine *dpts = sc.points.get<G1Affine>(cols);
    ZK_CUDA_OK(cudaMemcpy(dpts, points, cols * sizeof(G1Affine), cudaMemcpyHostToDevice));

    // Column chunk and window: a chunk's entries (windows of it) stay within kMaxEntries.
    int c = choose_window(cols, (int)bits);
    int windows = ((int)bits + 1 + c - 1) / c;
    size_t nc_max = std::min(cols, std::max<size_t>(1, kMaxEntries / (size_t)windows));
    if (nc_max < cols) {
        c = choose_window(nc_max, (int)bits);
        windows = ((int)bits + 1 + c - 1) / c;
        nc_max = std::min(cols, std::max<size_t>(1, kMaxEntries / (size_t)windows));
    }
    const size_t half = (size_t)1 << (c - 1);
    // Rows per pass: entries within kMaxEntries and bucket keys below kEmpty.
    size_t nr_max = std::max<size_t>(1, kMaxEntries / ((size_t)windows * nc_max));
    nr_max = std::min(nr_max, ((size_t)kEmpty - 1) / ((size_t)windows * half));
    nr_max = std::min(nr_max, rows);
    const size_t groups_max = nr_max * (size_t)windows;
    // Segments per window: enough threads in step 5 to fill the GPU (about 2^15).
    int S = 1;
    while ((size_t)S * 2 <= half && groups_max * (size_t)S * 2 <= ((size_t)1 << 15)) S *= 2;

    const size_t entries_max = groups_max * nc_max, nb_max = groups_max * half;
    uint32_t *keys_in = sc.keys_in.get<uint32_t>(entries_max), *keys_out = sc.keys_out.get<uint32_t>(entries_max);
    uint32_t *vals_in = sc.vals_in.get<uint32_t>(entries_max), *vals_out = sc.vals_out.get<uint32_t>(entries_max);
    uint32_t *start = sc.start.get<uint32_t>(nb_max), *end = sc.end.get<uint32_t>(nb_max);
    G1Xyzz *B = sc.buckets.get<G1Xyzz>(nb_max);
    G1Xyzz *part = sc.partial.get<G1Xyzz>(groups_max * (size_t)S);
    G1Xyzz *dres = sc.results.get<G1Xyzz>(nr_max);
    std::vector<G1Xyzz> hres(nr_max);

    for (size_t col0 = 0; col0 < cols; col0 += nc_max) {
        const size_t nc = std::min(nc_max, cols - col0);
        for (size_t row0 = 0; row0 < rows; row0 += nr_max) {
            const size_t nr = std::min(nr_max, rows - row0);
            const size_t groups = nr * (size_t)windows, n = groups * nc, nb = groups * half;
            digits_kernel<<<grid_for(nr * nc), kThreads>>>(scalars + row0 * cols, cols, col0, nc, nr, c, windows,
                                                           keys_in, vals_in);
            ZK_CUDA_OK(cudaGetLastError());
            const int end_bit = std::max(1, bit_width(nb));  // kEmpty's low bits exceed every key
            size_t tmp_bytes = 0;
            ZK_CUDA_OK(cub::DeviceRadixSort::SortPairs(nullptr, tmp_bytes, keys_in, keys_out, vals_in, vals_out,
                                                       n, 0, end_bit));
            void *tmp = sc.sort_tmp.get<unsigned char>(tmp_bytes);
            ZK_CUDA_OK(cub::DeviceRadixSort::SortPairs(tmp, tmp_bytes, keys_in, keys_out, vals_in, vals_out, n, 0,
                                                       end_bit));
            ZK_CUDA_OK(cudaMemsetAsync(start, 0, nb * sizeof(uint32_t)));
            ZK_CUDA_OK(cudaMemsetAsync(end, 0, nb * sizeof(uint32_t)));
            bounds_kernel<<<grid_for(n), kThreads>>>(keys_out, n, start, end);
            ZK_CUDA_OK(cudaGetLastError());
            bucket_kernel<<<grid_for(nb), kThreads>>>(vals_out, start, end, nb, dpts + col0, B);
            ZK_CUDA_OK(cudaGetLastError());
            window_partial_kernel<<<grid_for(groups * (size_t)S), kThreads>>>(B, groups, (int)half, S, part);
            ZK_CUDA_OK(cudaGetLastError());
            combine_kernel<<<grid_for(nr), kThreads>>>(part, nr, windows, S, c, dres);
            ZK_CUDA_OK(cudaGetLastError());
            ZK_CUDA_OK(cudaMemcpy(hres.data(), dres, nr * sizeof(G1Xyzz), cudaMemcpyDeviceToHost));
            for (size_t i = 0; i < nr; ++i) out[row0 + i] = g1_add(out[row0 + i], hres[i]);
        }
    }
}

}  // namespace gpu
}  // namespace zk
