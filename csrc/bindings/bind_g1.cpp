// Python bindings of G1: zkproof._native.g1_*.
//
// Storage: a point is 12 little-endian uint64 words, affine (x[6], y[6]) in Montgomery form;
// the identity is all zeros. Tensors of points are (n, 12) uint64 NumPy arrays; a single
// point crosses the boundary as those 96 bytes. Only zkproof.g1 produces such raw points
// (from validated encodings or from native results), so the raw form is trusted; every
// external byte string goes through g1_decompress.
#include <cstring>
#include <string>
#include <vector>

#include "bindings/buffer.h"
#include "curve/g1_cpu.h"
#include "curve/msm.h"
#include "common/sha256.h"

namespace zk {

namespace {

constexpr size_t kRaw = sizeof(G1Affine);  // 96 bytes
static_assert(sizeof(G1Affine) == 96, "G1Affine must be 12 packed words");

G1Affine raw_point(py::bytes b, const char *name) {
    std::string s = b;
    if (s.size() != kRaw)
        throw py::value_error(std::string("argument '") + name + "': expected " + std::to_string(kRaw) +
                              " raw bytes, got " + std::to_string(s.size()));
    G1Affine a;
    std::memcpy(&a, s.data(), kRaw);
    return a;
}

py::bytes to_raw(const G1Affine &a) { return py::bytes(reinterpret_cast<const char *>(&a), kRaw); }
py::bytes to_raw(const G1Xyzz &p) { return to_raw(g1_to_affine(p)); }

Buf g1_buf(py::handle obj, const char *name, bool writable = false) {
    Buf b = get_buf(obj, name, "<u8", 12, writable);
    if (b.cuda) throw py::value_error(std::string("argument '") + name + "': G1 tensors live on the CPU");
    return b;
}

}  // namespace

void register_g1(py::module_ &m) {
    m.def("g1_generator", []() { return to_raw(g1_generator()); });

    m.def("g1_add", [](py::bytes a, py::bytes b) {
        return to_raw(g1_add_affine(g1_from_affine(raw_point(a, "a")), raw_point(b, "b")));
    }, py::arg("a"), py::arg("b"));

    m.def("g1_sub", [](py::bytes a, py::bytes b) {
        return to_raw(g1_sub_affine(g1_from_affine(raw_point(a, "a")), raw_point(b, "b")));
    }, py::arg("a"), py::arg("b"));

    m.def("g1_neg", [](py::bytes a) {
        G1Affine p = raw_point(a, "a");
        return to_raw(g1_affine_is_identity(p) ? p : g1_affine_neg(p));
    }, py::arg("a"));

    m.def("g1_mul", [](py::bytes a, py::handle k) {
        G1Affine p = raw_point(a, "a");
        Fr s = canonical_from_py(k);  // reduced mod r
        G1Xyzz q;
        {
            py::gil_scoped_release nogil;
            q = g1_mul_limbs(p, s.v, 4);
        }
        return to_raw(q);
    }, py::arg("a"), py::arg("k"), "[k mod r] a");

    m.def("g1_compress", [](py::handle pts) {
        Buf P = g1_buf(pts, "points");
        std::string out(48 * P.n, '\0');
        {
            py::gil_scoped_release nogil;
            cpu::g1_compress(reinterpret_cast<uint8_t *>(&out[0]), P.as<G1Affine>(), P.n);
        }
        return py::bytes(out);
    }, py::arg("points"), "48-byte compressed encodings, concatenated");

    m.def("g1_decompress", [](py::handle out, py::bytes data) {
        Buf O = g1_buf(out, "out", true);
        std::string s = data;
        if (s.size() % 48)
            throw py::value_error("argument 'data': length " + std::to_string(s.size()) +
                                  " is not a multiple of 48");
        need_len(O, "out", s.size() / 48);
        int64_t bad;
        cpu::G1Decode st;
        {
            py::gil_scoped_release nogil;
            bad = cpu::g1_decompress(O.as<G1Affine>(), reinterpret_cast<const uint8_t *>(s.data()),
                                     O.n, &st);
        }
        if (bad >= 0)
            throw py::value_error("invalid G1 encoding at index " + std::to_string(bad) + ": " +
                                  cpu::g1_decode_message(st));
    }, py::arg("out"), py::arg("data"),
       "decode concatenated 48-byte encodings into out (n, 12); ValueError names the first bad one");

    m.def("g1_msm", [](py::handle scalars, py::handle points, int method) {
        Buf S = fr_buf(scalars, "scalars"), P = g1_buf(points, "points");
        if (S.n != P.n)
            throw py::value_error("msm: " + std::to_string(S.n) + " scalars but " + std::to_string(P.n) +
                                  " points");
        if (method < 0 || method > 2) throw py::value_error("argument 'method': 0 (auto), 1 (xyzz) or 2 (affine)");
        G1Xyzz r;
        if (S.cuda) {  // the CUDA bucket MSM (msm_cuda.cu); `method` is a CPU choice
            ZK_DISPATCH(true, g1_msm_rows(&r, S.as<Fr>(), P.as<G1Affine>(), 1, P.n));
        } else {
            py::gil_scoped_release nogil;
            r = cpu::g1_msm(S.as<Fr>(), P.as<G1Affine>(), P.n, method);
        }
        return to_raw(r);
    }, py::arg("scalars"), py::arg("points"), py::arg("method") = 0,
       "sum_i scalars[i] points[i] (scalars: (n, 4) Montgomery Fr on the CPU or, with the CUDA build, "
       "the GPU; points: (n, 12) on the CPU)");

    m.def("g1_msm_rows", [](py::handle out, py::handle scalars, py::handle points) {
        Buf O = g1_buf(out, "out", true), S = fr_buf(scalars, "scalars"), P = g1_buf(points, "points");
        const size_t rows = O.n, cols = P.n;
        if (S.n != rows * cols)
            throw py::value_error("msm_rows: " + std::to_string(S.n) + " scalars for " + std::to_string(rows) +
                                  " rows of " + std::to_string(cols) + " points");
        std::vector<G1Xyzz> res(rows);
        ZK_DISPATCH(S.cuda, g1_msm_rows(res.data(), S.as<Fr>(), P.as<G1Affine>(), rows, cols));
        {
            py::gil_scoped_release nogil;
            cpu::g1_batch_to_affine(O.as<G1Affine>(), res.data(), rows);
        }
    }, py::arg("out"), py::arg("scalars"), py::arg("points"),
       "out[r] = sum_j scalars[r * cols + j] points[j] for the rows of out (cols = len(points)); "
       "scalars on the CPU or the GPU");

    m.def("g1_msm_rows_u64", [](py::handle out, py::handle scalars, py::handle points) {
        Buf O = g1_buf(out, "out", true), S = get_buf(scalars, "scalars", "<u8", 0, false),
            P = g1_buf(points, "points");
        if (S.cuda || P.cuda) throw py::value_error("msm_rows_u64: integer scalars and points must be on the CPU");
        const size_t rows = O.n, cols = P.n;
        if (S.n != rows * cols)
            throw py::value_error("msm_rows_u64: " + std::to_string(S.n) + " scalars for " + std::to_string(rows) +
                                  " rows of " + std::to_string(cols) + " points");
        std::vector<G1Xyzz> res(rows);
        {
            py::gil_scoped_release nogil;
            cpu::g1_msm_rows_u64(res.data(), S.as<uint64_t>(), P.as<G1Affine>(), rows, cols);
            cpu::g1_batch_to_affine(O.as<G1Affine>(), res.data(), rows);
        }
    }, py::arg("out"), py::arg("scalars"), py::arg("points"),
       "out[r] = sum_j scalars[r * cols + j] points[j] for non-negative 64-bit integer scalars "
       "(a uint64 array of rows * cols, on the CPU)");

    m.def("g1_generators", [](py::handle out, py::bytes tag, uint64_t start) {
        Buf O = g1_buf(out, "out", true);
        std::string t = tag;
        if (t.size() != 32) throw py::value_error("argument 'tag': expected 32 bytes");
        {
            py::gil_scoped_release nogil;
            cpu::g1_generators(O.as<G1Affine>(), reinterpret_cast<const uint8_t *>(t.data()), start, O.n);
        }
    }, py::arg("out"), py::arg("tag"), py::arg("start"), "generators start .. start + len(out) - 1");

    m.def("fp_asm", [](py::object enable) {
#if defined(ZK_FP_HAVE_ASM)
        static const bool supported = fp_detect_adx();
        if (!enable.is_none()) fp_use_asm = supported && enable.cast<bool>();
        return fp_use_asm;
#else
        (void)enable;
        return false;
#endif
    }, py::arg("enable") = py::none(),
       "whether Fp multiplication uses the x86-64 BMI2/ADX code; pass a bool to switch (tests)");

    m.def("g1_sha256", [](py::bytes data) {
        std::string s = data;
        uint8_t h[32];
        Sha256 sh;
        sh.update(s.data(), s.size());
        sh.finish(h);
        return py::bytes(reinterpret_cast<const char *>(h), 32);
    }, py::arg("data"), "SHA-256 (exposed to test the native hash used by g1_generators)");
}

}  // namespace zk
