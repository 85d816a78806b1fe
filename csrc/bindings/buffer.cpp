#include "bindings/buffer.h"

#include <cstring>

namespace zk {

static std::string prefix(const char *name) { return std::string("argument '") + name + "': "; }

Buf get_buf(py::handle obj, const char *name, const char *typestr, size_t width, bool writable) {
    Buf b;
    const size_t want_ndim = width ? 2 : 1;
    if (py::hasattr(obj, "__cuda_array_interface__")) {
        py::dict cai = obj.attr("__cuda_array_interface__");
        std::string ts = py::str(cai["typestr"]);
        if (ts != typestr)
            throw py::type_error(prefix(name) + "expected dtype " + typestr + ", got " + ts);
        py::tuple shape = cai["shape"];
        if (shape.size() != want_ndim || (width && shape[1].cast<size_t>() != width))
            throw py::value_error(prefix(name) + "expected shape (n" +
                                  (width ? ", " + std::to_string(width) : std::string()) + ")");
        if (cai.contains("strides") && !cai["strides"].is_none())
            throw py::value_error(prefix(name) + "must be C-contiguous");
        py::tuple data = cai["data"];
        if (writable && data[1].cast<bool>())
            throw py::value_error(prefix(name) + "is read-only");
        b.ptr = reinterpret_cast<void *>(data[0].cast<uintptr_t>());
        b.n = shape[0].cast<size_t>();
        b.width = width;
        b.cuda = true;
        return b;
    }
    if (!py::isinstance<py::array>(obj))
        throw py::type_error(prefix(name) + "expected a NumPy or CuPy array");
    py::array arr = py::reinterpret_borrow<py::array>(obj);
    std::string ts = py::str(arr.dtype().attr("str"));
    if (ts != typestr)
        throw py::type_error(prefix(name) + "expected dtype " + typestr + ", got " + ts);
    if ((size_t)arr.ndim() != want_ndim || (width && (size_t)arr.shape(1) != width))
        throw py::value_error(prefix(name) + "expected shape (n" +
                              (width ? ", " + std::to_string(width) : std::string()) + ")");
    if (!(arr.flags() & py::array::c_style))
        throw py::value_error(prefix(name) + "must be C-contiguous");
    if (writable && !arr.writeable()) throw py::value_error(prefix(name) + "is read-only");
    b.ptr = const_cast<void *>(arr.data());
    b.n = (size_t)arr.shape(0);
    b.width = width;
    b.cuda = false;
    return b;
}

void same_device(const Buf &a, const char *an, const Buf &b, const char *bn) {
    if (a.cuda != b.cuda)
        throw py::value_error(std::string("arguments '") + an + "' and '" + bn +
                              "' are on different devices");
}

void need_len(const Buf &a, const char *an, size_t n) {
    if (a.n != n)
        throw py::value_error(prefix(an) + "expected " + std::to_string(n) + " elements, got " +
                              std::to_string(a.n));
}

static const char *kModulus = "0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

Fr canonical_from_py(py::handle x) {
    if (!py::isinstance<py::int_>(x)) throw py::type_error("expected an int field element");
    py::object r = py::int_(py::reinterpret_steal<py::object>(PyLong_FromString(kModulus, nullptr, 16)));
    py::object red = x.attr("__mod__")(r);
    py::bytes raw = red.attr("to_bytes")(32, "little");
    std::string s = raw;
    Fr f;
    std::memcpy(f.v, s.data(), 32);
    return f;
}

Fr u256_from_py(py::handle x) {
    if (!py::isinstance<py::int_>(x)) throw py::type_error("expected an int");
    if (x.attr("__lt__")(0).cast<bool>() || x.attr("bit_length")().cast<int>() > 256)
        throw py::value_error("expected an integer in [0, 2^256)");
    std::string s = py::bytes(x.attr("to_bytes")(32, "little"));
    Fr f;
    std::memcpy(f.v, s.data(), 32);
    return f;
}

Fr fr_from_py(py::handle x) { return fr_to_mont(canonical_from_py(x)); }

py::int_ fr_to_py(const Fr &mont) {
    Fr c = fr_from_mont(mont);
    py::bytes raw(reinterpret_cast<const char *>(c.v), 32);
    return py::module_::import("builtins").attr("int").attr("from_bytes")(raw, "little");
}

void no_cuda() {
    throw std::runtime_error("zkproof was built without the CUDA backend (ZKPROOF_CUDA=off or no nvcc)");
}

}  // namespace zk
