// Python bindings of the lookup kernels: zkproof._native.lookup_* / frac_*.
#include <vector>

#include "bindings/buffer.h"
#include "lookup/lookup.h"

namespace zk {

namespace {

Buf u64_buf(py::handle obj, const char *name, bool writable) {
    return get_buf(obj, name, "<u8", 0, writable);
}

// The optional (ys, tf) pair of a mapping table, checked against the input and table.
void mapping_bufs(py::handle ys, py::handle tf, const Buf &S, size_t tlen, const Fr *&Y,
                  const Fr *&TF) {
    Y = TF = nullptr;
    if (ys.is_none() != tf.is_none())
        throw py::value_error("arguments 'ys' and 'tf' must both be given or both be None");
    if (ys.is_none()) return;
    Buf YB = fr_buf(ys, "ys"), TB = fr_buf(tf, "tf");
    same_device(S, "s", YB, "ys");
    same_device(S, "s", TB, "tf");
    need_len(YB, "ys", S.n);
    need_len(TB, "tf", tlen);
    Y = YB.as<Fr>();
    TF = TB.as<Fr>();
}

void check_counts(const Buf &S, const Buf &C, const Buf &B, size_t tlen) {
    same_device(S, "s", C, "counts");
    same_device(S, "s", B, "bad");
    need_len(C, "counts", tlen);
    need_len(B, "bad", 2);
}

}  // namespace

void register_lookup(py::module_ &m) {
    m.def("lookup_range_hist", [](py::handle s, py::handle low, uint64_t len, py::handle ys,
                                  py::handle tf, py::handle counts, py::handle bad) {
        Buf S = fr_buf(s, "s"), C = u64_buf(counts, "counts", true), B = u64_buf(bad, "bad", true);
        check_counts(S, C, B, len);
        const Fr *Y, *TF;
        mapping_bufs(ys, tf, S, len, Y, TF);
        Fr L = fr_from_py(low);
        ZK_DISPATCH(S.cuda, lookup_range_hist(S.as<Fr>(), S.n, L, len, Y, TF, C.as<uint64_t>(),
                                              B.as<uint64_t>()));
    }, py::arg("s"), py::arg("low"), py::arg("len"), py::arg("ys"), py::arg("tf"),
       py::arg("counts"), py::arg("bad"),
       "counts[v - low] += 1 for each s in [low, low + len); bad = (count, first index) of the rest");

    m.def("lookup_sorted_hist", [](py::handle s, py::handle keys, py::handle pos, py::handle ys,
                                   py::handle tf, py::handle counts, py::handle bad) {
        Buf S = fr_buf(s, "s"), K = fr_buf(keys, "keys"), P = u64_buf(pos, "pos", false);
        Buf C = u64_buf(counts, "counts", true), B = u64_buf(bad, "bad", true);
        same_device(S, "s", K, "keys");
        same_device(S, "s", P, "pos");
        need_len(P, "pos", K.n);
        check_counts(S, C, B, K.n);
        const Fr *Y, *TF;
        mapping_bufs(ys, tf, S, K.n, Y, TF);
        ZK_DISPATCH(S.cuda, lookup_sorted_hist(S.as<Fr>(), S.n, K.as<Fr>(), P.as<uint64_t>(), K.n,
                                               Y, TF, C.as<uint64_t>(), B.as<uint64_t>()));
    }, py::arg("s"), py::arg("keys"), py::arg("pos"), py::arg("ys"), py::arg("tf"),
       py::arg("counts"), py::arg("bad"),
       "histogram of s over a table given by its sorted canonical keys and their indices pos");

    m.def("counts_to_fr", [](py::handle out, py::handle counts) {
        Buf O = fr_buf(out, "out", true), C = u64_buf(counts, "counts", false);
        same_device(O, "out", C, "counts");
        need_len(O, "out", C.n);
        ZK_DISPATCH(C.cuda, counts_to_fr(O.as<Fr>(), C.as<uint64_t>(), C.n));
    }, py::arg("out"), py::arg("counts"));

    m.def("frac_layer", [](py::handle po, py::handle qo, py::handle p, py::handle q) {
        Buf Q = fr_buf(q, "q"), PO = fr_buf(po, "po", true), QO = fr_buf(qo, "qo", true);
        if (Q.n % 2) throw py::value_error("argument 'q': needs an even length");
        const size_t half = Q.n / 2;
        same_device(Q, "q", PO, "po");
        same_device(Q, "q", QO, "qo");
        need_len(PO, "po", half);
        need_len(QO, "qo", half);
        const Fr *P = nullptr;
        if (!p.is_none()) {
            Buf PB = fr_buf(p, "p");
            same_device(Q, "q", PB, "p");
            need_len(PB, "p", Q.n);
            P = PB.as<Fr>();
        }
        ZK_DISPATCH(Q.cuda, frac_layer(PO.as<Fr>(), QO.as<Fr>(), P, Q.as<Fr>(), half));
    }, py::arg("po"), py::arg("qo"), py::arg("p"), py::arg("q"),
       "p' = p_i q_{i+h} + p_{i+h} q_i, q' = q_i q_{i+h} (p None: all ones)");

    m.def("frac_round", [](py::sequence dst, py::sequence src, size_t n, py::handle r, bool fold,
                           py::handle e, bool e_halve, py::handle lam, bool p_one, bool want1) {
        if (py::len(dst) != 4 || py::len(src) != 4)
            throw py::value_error("arguments 'dst' and 'src': four tables each (A, B, C, D)");
        static const char *dn[4] = {"dst[0]", "dst[1]", "dst[2]", "dst[3]"};
        static const char *sn[4] = {"src[0]", "src[1]", "src[2]", "src[3]"};
        Buf E = fr_buf(e, "e", e_halve);
        const size_t mlen = fold ? n / 2 : n;
        if (n == 0 || (n & (n - 1))) throw py::value_error("argument 'n': must be a power of two");
        if (e_halve && mlen < 2) throw py::value_error("argument 'e_halve': nothing to evaluate");
        need_len(E, "e", (mlen / 2 ? mlen / 2 : 1) * (e_halve ? 2 : 1));
        Fr *D[4] = {nullptr, nullptr, nullptr, nullptr};
        const Fr *S[4] = {nullptr, nullptr, nullptr, nullptr};
        for (int t = p_one ? 2 : 0; t < 4; ++t) {
            Buf sb = fr_buf(src[t], sn[t]);
            same_device(E, "e", sb, sn[t]);
            if (sb.n < n) throw py::value_error(std::string("argument '") + sn[t] + "': shorter than n");
            S[t] = sb.as<Fr>();
            if (fold) {
                Buf db = fr_buf(dst[t], dn[t], true);
                same_device(E, "e", db, dn[t]);
                if (db.n < mlen) throw py::value_error(std::string("argument '") + dn[t] + "': shorter than n/2");
                D[t] = db.as<Fr>();
            }
        }
        Fr R = fr_from_py(r), L = fr_from_py(lam);
        Fr out[3];
        ZK_DISPATCH(E.cuda, frac_round(D, S, n, R, fold, E.as<Fr>(), e_halve, L, p_one, want1, out));
        py::list res;
        for (int j = 0; j < (want1 ? 3 : 2); ++j) res.append(fr_to_py(out[j]));
        return res;
    }, py::arg("dst"), py::arg("src"), py::arg("n"), py::arg("r"), py::arg("fold"), py::arg("e"),
       py::arg("e_halve"), py::arg("lam"), py::arg("p_one"), py::arg("want1"),
       "one fused fold + evaluation round of the fraction-layer sumcheck; see lookup_ops.inc");
}

}  // namespace zk
