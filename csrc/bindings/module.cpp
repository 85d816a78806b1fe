// zkproof._native: one module, one register_* function per component.
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace zk {
void register_fr(py::module_ &m);
void register_g1(py::module_ &m);
void register_lookup(py::module_ &m);
void register_sumcheck(py::module_ &m);
}

PYBIND11_MODULE(_native, m) {
    m.doc() = "zkproof native kernels (CPU executor always, CUDA executor when built)";
#ifdef ZKPROOF_WITH_CUDA
    m.attr("with_cuda") = true;
#else
    m.attr("with_cuda") = false;
#endif
    zk::register_fr(m);
    zk::register_g1(m);
    zk::register_lookup(m);
    zk::register_sumcheck(m);
}
