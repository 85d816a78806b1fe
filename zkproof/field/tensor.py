"""FrTensor: a 1-D tensor of BLS12-381 scalar-field elements on the CPU or a GPU.

Storage is an (n, 4) uint64 array (NumPy on 'cpu', CuPy on 'cuda') holding each
element in Montgomery form; every value that leaves the tensor is canonical.

Multilinear convention: a tensor of length 2^k is the table of a multilinear
polynomial in k variables, index bit j being variable j (u[0] binds the least
significant bit). `fold` binds the *top* variable (pairing i with i + n/2), which keeps
memory access contiguous on the GPU.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .. import _native
from .device import check_device, cupy, device_of, xp
from .scalar import R

_HALF = (R - 1) // 2
_MOD_LIMBS = np.array([(R >> (64 * i)) & (2**64 - 1) for i in range(4)], dtype=np.uint64)


def _lt_modulus(limbs: np.ndarray) -> np.ndarray:
    """Row-wise limbs < R for an (n, 4) uint64 array of little-endian limbs."""
    lt = np.zeros(len(limbs), dtype=bool)
    eq = np.ones(len(limbs), dtype=bool)
    for i in range(3, -1, -1):
        lt |= eq & (limbs[:, i] < _MOD_LIMBS[i])
        eq &= limbs[:, i] == _MOD_LIMBS[i]
    return lt


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _check_point(u, name="u") -> list[int]:
    pts = list(u)
    for x in pts:
        if not _is_int(x):
            raise TypeError(f"{name}: coordinates must be ints, got {type(x).__name__}")
    return [int(x) % R for x in pts]


class FrTensor:
    """A vector of Fr elements. See the module docstring for layout and conventions."""

    __slots__ = ("_data",)
    __hash__ = None

    def __init__(self, data):
        """Wrap an (n, 4) uint64 Montgomery-form array. Use the from_* constructors."""
        self._data = data

    # ---------------------------------------------------------------- construction
    @classmethod
    def empty(cls, n: int, device: str = "cpu") -> "FrTensor":
        if not _is_int(n) or n < 0:
            raise ValueError(f"length must be a non-negative int, got {n!r}")
        return cls(xp(device).empty((int(n), 4), dtype=np.uint64))

    @classmethod
    def _from_canonical_limbs(cls, limbs, device: str) -> "FrTensor":
        """(n, 4) uint64 little-endian limbs of 256-bit values, reduced mod R."""
        mod = xp(device)
        src = mod.ascontiguousarray(mod.asarray(limbs, dtype=np.uint64))
        out = cls.empty(len(src), device)
        _native.fr_to_mont(out._data, src)
        return out

    @classmethod
    def from_ints(cls, values, device: str = "cpu") -> "FrTensor":
        """Tensor from Python ints (any size, reduced mod R), or from a NumPy, CuPy or
        PyTorch integer array (signed values map x < 0 to R - |x|; uint64 as is).
        Arrays are converted without a Python loop; a list of ints is packed once."""
        check_device(device)
        arr = _as_int_array(values)
        if arr is None:
            vals = list(values)
            for i, v in enumerate(vals):
                if not _is_int(v):
                    raise TypeError(f"values[{i}] is {type(v).__name__}, expected an int")
            raw = b"".join((int(v) % R).to_bytes(32, "little") for v in vals)
            limbs = np.frombuffer(raw, dtype="<u8").reshape(-1, 4)
            return cls._from_canonical_limbs(limbs, device)
        if arr.ndim != 1:
            arr = arr.reshape(-1)
        mod = xp(device)
        if arr.dtype == np.uint64:
            limbs = mod.zeros((len(arr), 4), dtype=np.uint64)
            limbs[:, 0] = mod.asarray(arr)
            return cls._from_canonical_limbs(limbs, device)
        x = mod.ascontiguousarray(mod.asarray(arr).astype(np.int64))
        out = cls.empty(len(x), device)
        _native.fr_from_i64(out._data, x)
        return out

    @classmethod
    def from_bytes(cls, data: bytes, device: str = "cpu") -> "FrTensor":
        """Inverse of to_bytes: concatenated canonical 32-byte little-endian elements.
        Raises ValueError on a length that is not a multiple of 32 or a value >= R."""
        if len(data) % 32:
            raise ValueError(f"byte length {len(data)} is not a multiple of 32")
        limbs = np.frombuffer(bytes(data), dtype="<u8").reshape(-1, 4)
        bad = np.flatnonzero(~_lt_modulus(limbs))
        if len(bad):
            raise ValueError(f"{len(bad)} non-canonical elements (>= r), first at index {bad[0]}")
        return cls._from_canonical_limbs(limbs, device)

    @classmethod
    def zeros(cls, n: int, device: str = "cpu") -> "FrTensor":
        return cls.full(n, 0, device)

    @classmethod
    def ones(cls, n: int, device: str = "cpu") -> "FrTensor":
        return cls.full(n, 1, device)

    @classmethod
    def full(cls, n: int, value: int, device: str = "cpu") -> "FrTensor":
        out = cls.empty(n, device)
        _native.fr_fill(out._data, int(value))
        return out

    @classmethod
    def arange(cls, start: int, stop: int | None = None, device: str = "cpu") -> "FrTensor":
        """[start, stop) (or [0, start)), as field elements; values must fit int64."""
        if stop is None:
            start, stop = 0, start
        out = cls.empty(max(0, int(stop) - int(start)), device)
        _native.fr_arange(out._data, int(start))
        return out

    @classmethod
    def random(cls, n: int, seed: int | None = None, device: str = "cpu") -> "FrTensor":
        """n uniformly random elements from a seeded NumPy generator (reproducible)."""
        rng = np.random.default_rng(seed)
        limbs = rng.integers(0, 2**64, size=(int(n), 4), dtype=np.uint64, endpoint=False)
        limbs[:, 3] &= np.uint64(2**63 - 1)
        # values below 2^255 < 2R: reject the few >= R by redrawing them
        bad = ~_lt_modulus(limbs)
        while bad.any():
            fresh = rng.integers(0, 2**64, size=(int(bad.sum()), 4), dtype=np.uint64)
            fresh[:, 3] &= np.uint64(2**63 - 1)
            limbs[bad] = fresh
            bad = ~_lt_modulus(limbs)
        return cls._from_canonical_limbs(limbs, "cpu").to(device)

    @classmethod
    def eq(cls, u: Sequence[int], device: str = "cpu", scale: int = 1) -> "FrTensor":
        """The table eq(u, x) for x in [0, 2^len(u)), u[0] binding the lowest bit (times
        `scale`, at no extra cost)."""
        pt = _check_point(u)
        out = cls.empty(1 << len(pt), device)
        if scale == 1:
            _native.fr_eq_table(out._data, pt)
        else:
            _native.fr_eq_table(out._data, pt, int(scale) % R)
        return out

    @classmethod
    def cat(cls, tensors: Iterable["FrTensor"]) -> "FrTensor":
        ts = list(tensors)
        if not ts:
            return cls.empty(0)
        dev = ts[0].device
        for i, t in enumerate(ts):
            if not isinstance(t, FrTensor):
                raise TypeError(f"tensors[{i}] is not an FrTensor")
            if t.device != dev:
                raise ValueError(f"tensors[{i}] is on {t.device}, tensors[0] on {dev}")
        return cls(xp(dev).concatenate([t._data for t in ts]))

    # ---------------------------------------------------------------- conversion
    @property
    def device(self) -> str:
        return device_of(self._data)

    @property
    def data(self):
        """The raw (n, 4) uint64 Montgomery-form array (for kernels)."""
        return self._data

    def __len__(self) -> int:
        return int(self._data.shape[0])

    def to(self, device: str) -> "FrTensor":
        check_device(device)
        if device == self.device:
            return self
        if device == "cuda":
            return FrTensor(cupy().asarray(self._data))
        return FrTensor(cupy().asnumpy(self._data))

    def _canonical_limbs(self) -> np.ndarray:
        out = FrTensor.empty(len(self), self.device)
        _native.fr_from_mont(out._data, self._data)
        d = out._data
        return d if isinstance(d, np.ndarray) else cupy().asnumpy(d)

    def to_bytes(self) -> bytes:
        """Canonical 32-byte little-endian encoding of each element, concatenated."""
        return self._canonical_limbs().astype("<u8").tobytes()

    def to_ints(self) -> list[int]:
        """Canonical Python ints in [0, R)."""
        raw = self.to_bytes()
        return [int.from_bytes(raw[i : i + 32], "little") for i in range(0, len(raw), 32)]

    def to_signed(self) -> np.ndarray:
        """Centred int64 values (x > (R-1)/2 means x - R); ValueError naming the first
        element that does not fit in int64."""
        pos = self._canonical_limbs()
        small_pos = (pos[:, 1:] == 0).all(axis=1) & (pos[:, 0] < np.uint64(2**63))
        out = pos[:, 0].astype(np.int64)
        if small_pos.all():
            return out
        # only the elements that are not small and non-negative need their negation
        rest = np.flatnonzero(~small_pos)
        sub = self._data[rest] if self.device == "cpu" else self._data[xp(self.device).asarray(rest)]
        neg = (-FrTensor(sub))._canonical_limbs()
        small_neg = (neg[:, 1:] == 0).all(axis=1) & (neg[:, 0] <= np.uint64(2**63))
        if not small_neg.all():
            i = int(rest[np.flatnonzero(~small_neg)[0]])
            raise ValueError(
                f"{int((~small_neg).sum())} elements do not fit in int64 when centred; first at index {i}"
            )
        out[rest] = (-(neg[:, 0].astype(np.int64))).astype(np.int64)
        # -2^63 wraps correctly: uint64 2^63 -> int64 -2^63, negated stays -2^63
        return out

    def __repr__(self) -> str:
        n = len(self)
        head = self[: min(n, 4)].to_ints() if n else []
        more = ", ..." if n > 4 else ""
        return f"FrTensor(n={n}, device={self.device!r}, [{', '.join(map(str, head))}{more}])"

    # ---------------------------------------------------------------- indexing
    def __getitem__(self, idx):
        if _is_int(idx):
            n = len(self)
            i = int(idx)
            if i < -n or i >= n:
                raise IndexError(f"index {i} out of range for length {n}")
            return FrTensor(self._data[i : i + 1 if i != -1 else None]).to_ints()[0]
        if isinstance(idx, slice):
            if idx.step not in (None, 1):
                raise ValueError("FrTensor slices must be contiguous (step 1)")
            return FrTensor(xp(self.device).ascontiguousarray(self._data[idx]))
        raise TypeError(f"FrTensor indices must be ints or slices, got {type(idx).__name__}")

    def copy(self) -> "FrTensor":
        return FrTensor(self._data.copy())

    def pad(self, length: int, value: int = 0) -> "FrTensor":
        """Extend to `length` elements with `value`; length must be >= len(self)."""
        n = len(self)
        if length < n:
            raise ValueError(f"cannot pad a tensor of length {n} to {length}")
        if length == n:
            return self
        return FrTensor.cat([self, FrTensor.full(length - n, value, self.device)])

    def pad_pow2(self, value: int = 0) -> "FrTensor":
        """Pad to the next power of two (length 0 becomes 1) with `value`."""
        return self.pad(next_pow2(len(self)), value)

    # ---------------------------------------------------------------- arithmetic
    def _binary(self, other, op: str, scalar_op: str | None, swap=False) -> "FrTensor":
        out = FrTensor.empty(len(self), self.device)
        if isinstance(other, FrTensor):
            if len(other) != len(self):
                raise ValueError(f"length mismatch: {len(self)} and {len(other)}")
            if other.device != self.device:
                raise ValueError(f"device mismatch: {self.device} and {other.device}")
            a, b = (other, self) if swap else (self, other)
            getattr(_native, op)(out._data, a._data, b._data)
            return out
        if _is_int(other):
            if scalar_op is None:
                raise TypeError(f"unsupported scalar operand for {op}")
            getattr(_native, scalar_op)(out._data, self._data, int(other))
            return out
        return NotImplemented

    def __add__(self, o):
        return self._binary(o, "fr_add", "fr_add_scalar")

    __radd__ = __add__

    def __mul__(self, o):
        return self._binary(o, "fr_mul", "fr_mul_scalar")

    __rmul__ = __mul__

    def __sub__(self, o):
        if _is_int(o):
            return self._binary(-int(o), "fr_add", "fr_add_scalar")
        return self._binary(o, "fr_sub", None)

    def __rsub__(self, o):
        if _is_int(o):
            out = FrTensor.empty(len(self), self.device)
            _native.fr_scalar_sub(out._data, int(o), self._data)
            return out
        return NotImplemented

    def __neg__(self):
        out = FrTensor.empty(len(self), self.device)
        _native.fr_neg(out._data, self._data)
        return out

    def square(self) -> "FrTensor":
        out = FrTensor.empty(len(self), self.device)
        _native.fr_sqr(out._data, self._data)
        return out

    def pow(self, e: int) -> "FrTensor":
        """Elementwise x^e for an exponent 0 <= e < 2^256 (negative e: (1/x)^|e|)."""
        if not _is_int(e):
            raise TypeError("exponent must be an int")
        base = self.inverse() if e < 0 else self
        e = abs(int(e))
        if e >= 2**256:
            e %= R - 1
        out = FrTensor.empty(len(self), self.device)
        _native.fr_pow(out._data, base._data, e)
        return out

    def inverse(self) -> "FrTensor":
        """Elementwise 1/x (batch inversion); ZeroDivisionError naming the first zero."""
        z = _native.fr_first_zero(self._data)
        if z >= 0:
            raise ZeroDivisionError(f"inverse of zero at index {z}")
        out = FrTensor.empty(len(self), self.device)
        _native.fr_inverse(out._data, self._data)
        return out

    def __eq__(self, other) -> bool:
        if not isinstance(other, FrTensor):
            return NotImplemented
        if len(self) != len(other):
            return False
        a, b = self.to("cpu")._data, other.to("cpu")._data
        return bool(np.array_equal(a, b))

    def sum(self) -> int:
        return int(_native.fr_sum(self._data))

    def inner(self, other: "FrTensor") -> int:
        if not isinstance(other, FrTensor):
            raise TypeError("inner: other must be an FrTensor")
        if len(other) != len(self):
            raise ValueError(f"inner: length mismatch {len(self)} and {len(other)}")
        if other.device != self.device:
            raise ValueError(f"inner: device mismatch {self.device} and {other.device}")
        return int(_native.fr_inner(self._data, other._data))

    # ---------------------------------------------------------------- multilinear
    def num_vars(self) -> int:
        """k with 2^(k-1) < len <= 2^k (0 for lengths 0 and 1)."""
        n = len(self)
        return 0 if n <= 1 else (n - 1).bit_length()

    def evaluate(self, u: Sequence[int]) -> int:
        """The multilinear extension at u, the tensor zero-padded to 2^len(u)."""
        pt = _check_point(u)
        n = len(self)
        if n > (1 << len(pt)):
            raise ValueError(f"a tensor of length {n} needs at least {self.num_vars()} variables, got {len(pt)}")
        if n == 0:
            return 0
        # eq over the low variables that cover the data; the padded rows only scale by
        # (1 - u_j) for each top variable above them.
        k = self.num_vars()
        scale = 1
        for uj in pt[k:]:
            scale = scale * (1 - uj) % R
        e = FrTensor.eq(pt[:k], self.device)
        return self.inner(e[:n]) * scale % R

    def fold(self, r: int) -> "FrTensor":
        """Bind the top variable to r: out[i] = t[i] + r (t[i + n/2] - t[i]), n even."""
        n = len(self)
        if n % 2:
            raise ValueError(f"fold needs an even length, got {n}; pad first")
        out = FrTensor.empty(n // 2, self.device)
        _native.fr_fold(out._data, self._data, int(r) % R)
        return out

    def partial_eval(self, u: Sequence[int], rows: int, cols: int, axis: int) -> "FrTensor":
        """For the rows x cols row-major matrix held by this tensor, evaluate one axis
        at u: axis 0 gives out[j] = sum_i eq(u, i) A[i, j] (length cols), axis 1 gives
        out[i] = sum_j eq(u, j) A[i, j] (length rows). The axis length must be at most
        2^len(u) (it is zero-padded)."""
        if rows * cols != len(self):
            raise ValueError(f"shape {rows}x{cols} does not match length {len(self)}")
        if axis not in (0, 1):
            raise ValueError(f"axis must be 0 or 1, got {axis}")
        n_axis = rows if axis == 0 else cols
        if n_axis > (1 << len(u)):
            raise ValueError(f"axis {axis} of size {n_axis} does not fit {len(u)} variables")
        e = FrTensor.eq(u, self.device)[:n_axis]
        out = FrTensor.empty(cols if axis == 0 else rows, self.device)
        _native.fr_partial_eval(out._data, self._data, rows, cols, e._data, axis)
        return out


def next_pow2(n: int) -> int:
    """The smallest power of two >= max(n, 1)."""
    n = int(n)
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def _as_int_array(values):
    """An integer array view of NumPy/CuPy/PyTorch input, or None for Python sequences."""
    if isinstance(values, np.ndarray):
        arr = values
    elif hasattr(values, "__cuda_array_interface__") and hasattr(values, "dtype") and not _is_torch(values):
        arr = values
    elif _is_torch(values):
        import torch

        if values.dtype in (torch.float16, torch.float32, torch.float64, torch.bfloat16, torch.bool):
            raise TypeError(f"expected an integer tensor, got {values.dtype}")
        if values.is_cuda:
            arr = cupy().from_dlpack(values.contiguous())
        else:
            arr = values.detach().contiguous().numpy()
    else:
        return None
    if arr.dtype.kind not in "iu":
        raise TypeError(f"expected an integer array, got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.dtype != np.uint64:
        arr = arr.astype(np.int64)
    return arr


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def evaluate_ints(values, point: Sequence[int]) -> int:
    """The multilinear extension of the integer vector `values` (length 2^len(point),
    int64) at point, folded natively from the integers (no field copy): the rows of the
    2^hi x 2^lo matrix (hi = the top half of the variables) weighted by eq(point_hi), then
    the inner product with eq(point_lo)."""
    flat = np.ascontiguousarray(values, dtype=np.int64).reshape(-1)
    n = len(point)
    if len(flat) != 1 << n:
        raise ValueError(f"evaluate_ints: {len(flat)} entries, a point of {n} coordinates")
    lo = n - n // 2
    out = FrTensor.zeros(1 << lo)
    _native.fr_fold_rows_i64(out.data, flat, 1 << (n - lo), 1 << lo, FrTensor.eq(list(point[lo:])).data)
    return out.inner(FrTensor.eq(list(point[:lo])))


def evaluate_rows_ints(matrix, point: Sequence[int]) -> list[int]:
    """Each row's multilinear extension at point, for an integer matrix of rows of
    2^len(point) entries (natively, from the integers)."""
    a = np.asarray(matrix, dtype=np.int64)
    if a.ndim != 2 or a.shape[1] != 1 << len(point):
        raise ValueError(f"evaluate_rows_ints: rows of {1 << len(point)} entries expected, got shape {a.shape}")
    out = FrTensor.zeros(a.shape[0])
    _native.fr_fold_rows_i64(out.data, np.ascontiguousarray(a.T).reshape(-1), a.shape[1], a.shape[0],
                             FrTensor.eq(list(point)).data)
    return out.to_ints()

