// Python bindings of the field-tensor kernels: zkproof._native.fr_*.
// Outputs are preallocated by the caller; every argument is checked here once.
#include <vector>

#include "bindings/buffer.h"

namespace zk {

namespace {

using BinaryOp = void (*)(Fr *, const Fr *, const Fr *, size_t);

// out = op(a, b) for two tensors of one length on one device.
#define ZK_BIND_BINARY(NAME)                                                        \
    m.def("fr_" #NAME, [](py::handle out, py::handle a, py::handle b) {             \
        Buf O = fr_buf(out, "out", true), A = fr_buf(a, "a"), B = fr_buf(b, "b");   \
        same_device(O, "out", A, "a");                                              \
        same_device(A, "a", B, "b");                                                \
        need_len(B, "b", A.n);                                                      \
        need_len(O, "out", A.n);                                                    \
        ZK_DISPATCH(A.cuda, NAME(O.as<Fr>(), A.as<Fr>(), B.as<Fr>(), A.n));         \
    }, py::arg("out"), py::arg("a"), py::arg("b"))

// out = op(a) elementwise.
#define ZK_BIND_UNARY(NAME)                                                         \
    m.def("fr_" #NAME, [](py::handle out, py::handle a) {                           \
        Buf O = fr_buf(out, "out", true), A = fr_buf(a, "a");                       \
        same_device(O, "out", A, "a");                                              \
        need_len(O, "out", A.n);                                                    \
        ZK_DISPATCH(A.cuda, NAME(O.as<Fr>(), A.as<Fr>(), A.n));                     \
    }, py::arg("out"), py::arg("a"))

// out = op(a, s) with a Python-int scalar s.
#define ZK_BIND_SCALAR(NAME, CONVERT)                                               \
    m.def("fr_" #NAME, [](py::handle out, py::handle a, py::handle s) {             \
        Buf O = fr_buf(out, "out", true), A = fr_buf(a, "a");                       \
        same_device(O, "out", A, "a");                                              \
        need_len(O, "out", A.n);                                                    \
        Fr S = CONVERT(s);                                                          \
        ZK_DISPATCH(A.cuda, NAME(O.as<Fr>(), A.as<Fr>(), S, A.n));                  \
    }, py::arg("out"), py::arg("a"), py::arg("s"))

std::vector<Fr> point_from_py(py::sequence u) {
    std::vector<Fr> v;
    v.reserve(py::len(u));
    for (py::handle x : u) v.push_back(fr_from_py(x));
    return v;
}

}  // namespace

void register_fr(py::module_ &m) {
    ZK_BIND_BINARY(add);
    ZK_BIND_BINARY(sub);
    ZK_BIND_BINARY(mul);
    ZK_BIND_UNARY(neg);
    ZK_BIND_UNARY(sqr);
    ZK_BIND_UNARY(to_mont);
    ZK_BIND_UNARY(from_mont);
    ZK_BIND_UNARY(inverse);
    ZK_BIND_SCALAR(add_scalar, fr_from_py);
    ZK_BIND_SCALAR(mul_scalar, fr_from_py);
    ZK_BIND_SCALAR(pow, u256_from_py);

    m.def("fr_scalar_sub", [](py::handle out, py::handle s, py::handle a) {
        Buf O = fr_buf(out, "out", true), A = fr_buf(a, "a");
        same_device(O, "out", A, "a");
        need_len(O, "out", A.n);
        Fr S = fr_from_py(s);
        ZK_DISPATCH(A.cuda, scalar_sub(O.as<Fr>(), S, A.as<Fr>(), A.n));
    }, py::arg("out"), py::arg("s"), py::arg("a"), "out = s - a");

    m.def("fr_from_i64", [](py::handle out, py::handle x) {
        Buf O = fr_buf(out, "out", true), X = get_buf(x, "x", "<i8", 0, false);
        same_device(O, "out", X, "x");
        need_len(O, "out", X.n);
        ZK_DISPATCH(X.cuda, from_i64(O.as<Fr>(), X.as<int64_t>(), X.n));
    }, py::arg("out"), py::arg("x"));

    m.def("fr_fill", [](py::handle out, py::handle v) {
        Buf O = fr_buf(out, "out", true);
        Fr V = fr_from_py(v);
        ZK_DISPATCH(O.cuda, fill(O.as<Fr>(), V, O.n));
    }, py::arg("out"), py::arg("value"));

    m.def("fr_arange", [](py::handle out, int64_t start) {
        Buf O = fr_buf(out, "out", true);
        ZK_DISPATCH(O.cuda, arange(O.as<Fr>(), start, O.n));
    }, py::arg("out"), py::arg("start"));

    m.def("fr_first_zero", [](py::handle a) {
        Buf A = fr_buf(a, "a");
        int64_t r;
        ZK_DISPATCH_RET(A.cuda, r, first_zero(A.as<Fr>(), A.n));
        return r;
    }, py::arg("a"), "index of the first zero element, or -1");

    m.def("fr_sum", [](py::handle a) {
        Buf A = fr_buf(a, "a");
        Fr r;
        ZK_DISPATCH_RET(A.cuda, r, sum(A.as<Fr>(), A.n));
        return fr_to_py(r);
    }, py::arg("a"));

    m.def("fr_inner", [](py::handle a, py::handle b) {
        Buf A = fr_buf(a, "a"), B = fr_buf(b, "b");
        same_device(A, "a", B, "b");
        need_len(B, "b", A.n);
        Fr r;
        ZK_DISPATCH_RET(A.cuda, r, inner(A.as<Fr>(), B.as<Fr>(), A.n));
        return fr_to_py(r);
    }, py::arg("a"), py::arg("b"));

    m.def("fr_eq_table", [](py::handle out, py::sequence u, py::handle scale) {
        Buf O = fr_buf(out, "out", true);
        std::vector<Fr> U = point_from_py(u);
        if (U.size() >= 63) throw py::value_error("argument 'u': too many variables");
        need_len(O, "out", (size_t)1 << U.size());
        const Fr S = fr_from_py(scale);
        ZK_DISPATCH(O.cuda, eq_table(O.as<Fr>(), U.data(), (int)U.size(), S));
    }, py::arg("out"), py::arg("u"), py::arg("scale") = 1);

    m.def("fr_fold", [](py::handle out, py::handle a, py::handle r) {
        Buf O = fr_buf(out, "out", true), A = fr_buf(a, "a");
        same_device(O, "out", A, "a");
        if (A.n % 2) throw py::value_error("argument 'a': fold needs an even length");
        if (O.n < A.n / 2) throw py::value_error("argument 'out': shorter than half of 'a'");
        Fr R = fr_from_py(r);
        ZK_DISPATCH(A.cuda, fold(O.as<Fr>(), A.as<Fr>(), A.n / 2, R));
    }, py::arg("out"), py::arg("a"), py::arg("r"), "out[i] = a[i] + r (a[i + n/2] - a[i])");

    m.def("fr_partial_eval", [](py::handle out, py::handle A_, size_t rows, size_t cols,
                                py::handle e, int axis) {
        Buf O = fr_buf(out, "out", true), A = fr_buf(A_, "A"), E = fr_buf(e, "e");
        same_device(O, "out", A, "A");
        same_device(A, "A", E, "e");
        if (rows != 0 && cols > A.n / rows) throw py::value_error("argument 'A': smaller than rows x cols");
        need_len(A, "A", rows * cols);
        if (axis != 0 && axis != 1) throw py::value_error("argument 'axis': must be 0 or 1");
        need_len(E, "e", axis == 0 ? rows : cols);
        need_len(O, "out", axis == 0 ? cols : rows);
        ZK_DISPATCH(A.cuda, partial_eval(O.as<Fr>(), A.as<Fr>(), rows, cols, E.as<Fr>(), axis));
    }, py::arg("out"), py::arg("A"), py::arg("rows"), py::arg("cols"), py::arg("e"), py::arg("axis"));

    m.def("fr_fold_rows_i64", [](py::handle out, py::handle A_, size_t rows, size_t cols, py::handle e) {
        Buf O = fr_buf(out, "out", true), E = fr_buf(e, "e");
        Buf A = get_buf(A_, "A", "<i8", 0, false);
        same_device(O, "out", A, "A");
        same_device(A, "A", E, "e");
        if (rows != 0 && cols > A.n / rows) throw py::value_error("argument 'A': smaller than rows x cols");
        need_len(A, "A", rows * cols);
        need_len(E, "e", rows);
        need_len(O, "out", cols);
        ZK_DISPATCH(A.cuda, fold_rows_i64(O.as<Fr>(), A.as<int64_t>(), rows, cols, E.as<Fr>()));
    }, py::arg("out"), py::arg("A"), py::arg("rows"), py::arg("cols"), py::arg("e"),
       "out[j] += sum_i e[i] A[i][j], A an int64 rows x cols matrix (row-major), e field weights");
}

}  // namespace zk
