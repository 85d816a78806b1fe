// Python bindings of the fused sumcheck kernels: zkproof._native.sc_*.
// Every argument is validated here once, with its name in the message.
#include <string>
#include <vector>

#include "bindings/buffer.h"
#include "sumcheck/sumcheck.h"

namespace zk {

namespace {

std::vector<Buf> buf_list(py::sequence seq, const char *name, bool writable) {
    std::vector<Buf> out;
    size_t i = 0;
    for (py::handle x : seq) {
        std::string nm = std::string(name) + "[" + std::to_string(i++) + "]";
        out.push_back(fr_buf(x, nm.c_str(), writable));
    }
    return out;
}

[[noreturn]] void bad(const std::string &arg, const std::string &msg) {
    throw py::value_error("argument '" + arg + "': " + msg);
}

}  // namespace

void register_sumcheck(py::module_ &m) {
    m.def(
        "sc_round",
        [](py::sequence dst, py::sequence src, size_t len, bool fold, py::handle r,
           py::sequence terms, py::sequence coefs, py::object weight, int wshift, int npts,
           bool skip1, py::object wnext) {
            ScSpec s{};
            // dst is only written when folding (it must then be writable)
            std::vector<Buf> D = buf_list(dst, "dst", fold), S = buf_list(src, "src", false);
            const size_t K = S.size();
            if (K < 1 || K > (size_t)kScMaxTables)
                bad("src", "needs 1 to " + std::to_string(kScMaxTables) + " tables, got " +
                               std::to_string(K));
            if (D.size() != K) bad("dst", "needs as many tables as 'src'");
            if (npts < 0 || npts > kScMaxPoints)
                bad("npts", "must be in 0.." + std::to_string(kScMaxPoints));
            if (npts > 0 && (len < 2 || len % 2)) bad("len", "must be even and >= 2 to evaluate a round");
            if (npts == 0 && !fold) bad("fold", "a call without evaluations must fold");
            if (len > ((size_t)1 << 62)) bad("len", "too large");
            const size_t need_src = fold ? 2 * len : len;
            const bool cuda = S[0].cuda;
            for (size_t k = 0; k < K; ++k) {
                std::string sn = "src[" + std::to_string(k) + "]", dn = "dst[" + std::to_string(k) + "]";
                if (S[k].cuda != cuda) bad(sn, "tables are on different devices");
                if (D[k].cuda != cuda) bad(dn, "tables are on different devices");
                if (S[k].n < need_src)
                    bad(sn, "expected at least " + std::to_string(need_src) + " elements, got " +
                                std::to_string(S[k].n));
                if (D[k].n < len)
                    bad(dn, "expected at least " + std::to_string(len) + " elements, got " +
                                std::to_string(D[k].n));
                if (!fold && D[k].ptr != S[k].ptr) bad(dn, "must be src[k] when not folding");
                if (fold && D[k].ptr != S[k].ptr) {
                    // a separate destination must not overlap the source
                    const char *sp = S[k].as<char>(), *dp = D[k].as<char>();
                    if (dp < sp + S[k].n * sizeof(Fr) && sp < dp + len * sizeof(Fr))
                        bad(dn, "overlaps src[" + std::to_string(k) + "] without being it");
                }
                s.dst[k] = D[k].as<Fr>();
                s.src[k] = S[k].as<Fr>();
            }
            s.K = (int)K;
            const size_t T = py::len(terms);
            if (npts > 0 && (T < 1 || T > (size_t)kScMaxTerms))
                bad("terms", "needs 1 to " + std::to_string(kScMaxTerms) + " terms, got " + std::to_string(T));
            if (T > (size_t)kScMaxTerms) bad("terms", "too many terms");
            if (py::len(coefs) != T) bad("coefs", "needs one coefficient per term");
            s.T = (int)T;
            for (size_t j = 0; j < T; ++j) {
                py::sequence term = terms[j].cast<py::sequence>();
                const size_t L = py::len(term);
                std::string tn = "terms[" + std::to_string(j) + "]";
                if (L < 1 || L > (size_t)kScMaxFactors)
                    bad(tn, "needs 1 to " + std::to_string(kScMaxFactors) + " factors");
                s.tlen[j] = (int)L;
                for (size_t f = 0; f < L; ++f) {
                    long idx = term[f].cast<long>();
                    if (idx < 0 || (size_t)idx >= K) bad(tn, "table index " + std::to_string(idx) + " out of range");
                    s.tidx[j][f] = (int)idx;
                }
                py::handle c = coefs[j];
                s.coef[j] = fr_from_py(c);
                s.coef_one[j] = fr_eq(s.coef[j], fr_one()) ? 1 : 0;
            }
            if (npts > 0) {
                int maxlen = 0;
                for (size_t j = 0; j < T; ++j) maxlen = s.tlen[j] > maxlen ? s.tlen[j] : maxlen;
                if (npts < maxlen + 1)
                    bad("npts", "must exceed the longest term (" + std::to_string(maxlen) + " factors)");
            }
            s.w = nullptr;
            s.wshift = 0;
            if (!weight.is_none()) {
                Buf W = fr_buf(weight, "weight");
                if (W.cuda != cuda) bad("weight", "is on another device than the tables");
                if (wshift < 0 || wshift > 62) bad("wshift", "must be in 0..62");
                const size_t h = len / 2;
                if (npts > 0 && h > 0 && W.n < ((h - 1) >> wshift) + 1)
                    bad("weight", "too short for the round");
                s.w = W.as<Fr>();
                s.wshift = wshift;
            }
            s.wnext = nullptr;
            s.whalf = 0;
            if (!wnext.is_none()) {
                Buf N = fr_buf(wnext, "wnext", true);
                if (s.w == nullptr || npts == 0) bad("wnext", "needs a weight and a round to evaluate");
                if (N.cuda != cuda) bad("wnext", "is on another device than the tables");
                const size_t xs = (len / 2) >> wshift;  // weight entries the pairs cover
                if (N.n == 0 || 2 * N.n != xs) bad("wnext", "must hold half of the weights the round reads");
                const char *wp = static_cast<const char *>(static_cast<const void *>(s.w));
                const char *np = N.as<char>();
                if (np < wp + xs * sizeof(Fr) && wp < np + N.n * sizeof(Fr))
                    bad("wnext", "overlaps 'weight'");
                s.wnext = N.as<Fr>();
                s.whalf = N.n;
            }
            s.npts = npts;
            s.skip1 = skip1 ? 1 : 0;
            s.fold = fold ? 1 : 0;
            s.r = fold ? fr_from_py(r) : fr_zero();
            Fr out[kScMaxPoints];
            for (int t = 0; t < kScMaxPoints; ++t) out[t] = fr_zero();
            ZK_DISPATCH(cuda, sc_round(s, len, npts ? out : nullptr));
            py::list res;
            for (int t = 0; t < npts; ++t) res.append(fr_to_py(out[t]));
            return res;
        },
        py::arg("dst"), py::arg("src"), py::arg("len"), py::arg("fold"), py::arg("r"),
        py::arg("terms"), py::arg("coefs"), py::arg("weight"), py::arg("wshift"),
        py::arg("npts"), py::arg("skip1"), py::arg("wnext") = py::none(),
        "One fused sumcheck round over tables of length `len` (after the optional fold of "
        "src, length 2*len, by r into dst); returns the round sums at t = 0..npts-2 and, "
        "last, the coefficient of t^(npts-1) (the evaluation at infinity).");

    m.def(
        "sc_eq_levels",
        [](py::handle out, py::sequence u, bool top_only) {
            Buf O = fr_buf(out, "out", true);
            std::vector<Fr> U;
            for (py::handle x : u) U.push_back(fr_from_py(x));
            if (U.empty()) bad("u", "needs at least one coordinate");
            if (U.size() >= 62) bad("u", "too many variables");
            need_len(O, "out", (size_t)1 << U.size());
            ZK_DISPATCH(O.cuda, sc_eq_levels(O.as<Fr>(), U.data(), (int)U.size(), top_only));
        },
        py::arg("out"), py::arg("u"), py::arg("top_only") = false,
        "Level k (eq(u[0..k), .)) at out[2^k .. 2^(k+1)) for k < len(u) (top_only: only "
        "k = len(u) - 1; the rest of out is scratch).");

    m.def(
        "batched_partial_eval",
        [](py::handle out, py::handle A_, size_t batch, size_t rows, size_t cols, py::handle e,
           int axis) {
            Buf O = fr_buf(out, "out", true), A = fr_buf(A_, "A"), E = fr_buf(e, "e");
            same_device(O, "out", A, "A");
            same_device(A, "A", E, "e");
            if (axis != 0 && axis != 1) bad("axis", "must be 0 or 1");
            if (rows != 0 && cols > ((size_t)1 << 62) / rows) bad("rows", "rows x cols overflows");
            const size_t mat = rows * cols;
            if (batch != 0 && mat > ((size_t)1 << 62) / batch) bad("batch", "batch x rows x cols overflows");
            need_len(A, "A", batch * mat);
            need_len(E, "e", axis == 0 ? rows : cols);
            need_len(O, "out", batch * (axis == 0 ? cols : rows));
            ZK_DISPATCH(A.cuda, batched_partial_eval(O.as<Fr>(), A.as<Fr>(), batch, rows, cols,
                                                     E.as<Fr>(), axis));
        },
        py::arg("out"), py::arg("A"), py::arg("batch"), py::arg("rows"), py::arg("cols"),
        py::arg("e"), py::arg("axis"));
}

}  // namespace zk
