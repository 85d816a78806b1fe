// Argument checking for the binding layer: tensors arrive as NumPy arrays (CPU) or as
// objects with __cuda_array_interface__ (CuPy, GPU). Each check names the argument.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "common/backend.h"

namespace py = pybind11;

namespace zk {

struct Buf {
    void *ptr = nullptr;
    size_t n = 0;      // rows (elements)
    size_t width = 0;  // columns per element (4 for Fr)
    bool cuda = false;
    template <class T>
    T *as() const { return static_cast<T *>(ptr); }
};

// An array of `width` little-endian words per element of the given NumPy typestr
// ("<u8" or "<i8"); width 0 means a 1-D array.
Buf get_buf(py::handle obj, const char *name, const char *typestr, size_t width, bool writable);

inline Buf fr_buf(py::handle obj, const char *name, bool writable = false) {
    return get_buf(obj, name, "<u8", 4, writable);
}

// Both on the same device; the error names the two arguments.
void same_device(const Buf &a, const char *an, const Buf &b, const char *bn);
void need_len(const Buf &a, const char *an, size_t n);

// A Python int (any size) -> Montgomery Fr, and back to a canonical Python int.
Fr fr_from_py(py::handle x);
py::int_ fr_to_py(const Fr &mont);
// Canonical limbs (not Montgomery) of a Python int reduced mod r.
Fr canonical_from_py(py::handle x);
// Raw limbs of a Python int in [0, 2^256) (exponents), not reduced.
Fr u256_from_py(py::handle x);

[[noreturn]] void no_cuda();

}  // namespace zk

#ifdef ZKPROOF_WITH_CUDA
#define ZK_ON_GPU(call) zk::gpu::call
#else
#define ZK_ON_GPU(call) zk::no_cuda()
#endif

// Run a kernel on the executor that owns the buffers, without the GIL.
#define ZK_DISPATCH(is_cuda, call)          \
    do {                                    \
        py::gil_scoped_release nogil__;     \
        if (is_cuda) {                      \
            ZK_ON_GPU(call);                \
        } else {                            \
            zk::cpu::call;                  \
        }                                   \
    } while (0)

// As ZK_DISPATCH, storing the kernel's result in `var`.
#ifdef ZKPROOF_WITH_CUDA
#define ZK_ON_GPU_RET(var, call) var = zk::gpu::call
#else
#define ZK_ON_GPU_RET(var, call) zk::no_cuda()
#endif
#define ZK_DISPATCH_RET(is_cuda, var, call) \
    do {                                    \
        py::gil_scoped_release nogil__;     \
        if (is_cuda) {                      \
            ZK_ON_GPU_RET(var, call);       \
        } else {                            \
            var = zk::cpu::call;            \
        }                                   \
    } while (0)
