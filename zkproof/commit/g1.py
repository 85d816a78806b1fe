"""BLS12-381 G1: points, point tensors, multi-scalar multiplication, transparent generators.

G1 is the order-r subgroup of E: y^2 = x^3 + 4 over Fp (p 381 bits), r the scalar field
modulus of FrTensor (zkproof.field.R).

Native layout (documented because other modules may hand arrays around):
  a point is 12 little-endian uint64 words, affine x (6 words) then y (6 words), each in
  Montgomery form (value * 2^384 mod p); the identity is the all-zero row (0, 0), which
  is not on the curve, so the encoding is unambiguous. A G1Tensor holds an (n, 12) uint64
  C-contiguous NumPy array; a G1Point holds the 96 raw bytes of one row.

Wire encoding: 48-byte compressed points as in ZCash / blst / arkworks: x big-endian with
flag bits in the top three bits of the first byte (0x80 compressed, always set; 0x40 the
point at infinity, then every other bit zero; 0x20 y is the larger of y and p - y).
Decoding checks the flags, x < p, that x is on the curve and that the point lies in the
prime-order subgroup (the endomorphism test phi(P) = [-u^2] P); bad input raises
ValueError naming the problem and, for tensors, the first bad index.

MSM (`msm`): CPU Pippenger with signed window digits (window size chosen from n and the
largest scalar bit length, so b-bit scalars cost about b/255 of full ones), windows spread
over OpenMP threads, and batch-affine bucket accumulation: each bucket's points are summed
pairwise in levels, all additions of a level sharing one field inversion (about 6
multiplications per addition instead of 10 for projective mixed additions). Small MSMs
(below ~3e5 field multiplications of work) run on one thread.

On the GPU (`msm(..., device="cuda")`, or scalars already on the GPU) the CUDA bucket
method of csrc/curve/msm_cuda.cu runs: signed window digits, a radix sort by bucket,
one thread per bucket, segmented running sums, the same small-scalar window choice.
`msm_rows` computes many MSMs over the same points at once (Hyrax rows), on either
device. Both devices return identical points (affine coordinates are canonical).

Transparent generators (`generators(n, label)`): point i is derived by try-and-increment
from tag = SHA256(b"zkproof/g1-generators/v1" || le64(len(label)) || label):
  for counter = 0, 1, ...: h = SHA256(tag || le64(i) || le32(counter) || 0x00)
                                || SHA256(tag || le64(i) || le32(counter) || 0x01)
    x = int.from_bytes(h, "big") mod p; if x^3 + 4 is a square mod p, take its root
    y <= (p - 1) / 2 and return [h_eff](x, y) (h_eff = 0xd201000000010001, clearing the
    cofactor) unless that is the identity.
Nobody knows a discrete-log relation between these points or with the standard
generator. Point i does not depend on n, so generators(n, L) is a prefix of
generators(m, L) for m > n; results are cached per label.
"""
from __future__ import annotations

import hashlib
import threading
from typing import Iterable

import numpy as np

from .. import _native
from ..field.scalar import R

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
_RAW = 96  # bytes of one native affine point
_ENC = 48  # bytes of one compressed encoding


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


class G1Point:
    """An element of G1 (immutable). Arithmetic runs natively; scalars are ints mod r."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes):
        """Internal: wrap 96 trusted raw bytes. Use identity(), generator(), from_bytes()."""
        if not isinstance(raw, bytes) or len(raw) != _RAW:
            raise TypeError("G1Point(raw) takes 96 native bytes; use G1Point.from_bytes for encodings")
        self._raw = raw

    @classmethod
    def identity(cls) -> "G1Point":
        return cls(bytes(_RAW))

    @classmethod
    def generator(cls) -> "G1Point":
        """The standard BLS12-381 G1 generator."""
        return cls(_native.g1_generator())

    def to_bytes(self) -> bytes:
        """48-byte compressed encoding."""
        return _native.g1_compress(np.frombuffer(self._raw, dtype="<u8").reshape(1, 12))

    @classmethod
    def from_bytes(cls, b) -> "G1Point":
        """Decode a 48-byte compressed point; ValueError on a bad length, bad flag bits,
        x >= p, a point off the curve or outside the prime-order subgroup."""
        if not isinstance(b, (bytes, bytearray, memoryview)):
            raise TypeError(f"G1Point.from_bytes: expected bytes, got {type(b).__name__}")
        b = bytes(b)
        if len(b) != _ENC:
            raise ValueError(f"G1Point.from_bytes: expected {_ENC} bytes, got {len(b)}")
        out = np.empty((1, 12), dtype=np.uint64)
        try:
            _native.g1_decompress(out, b)
        except ValueError as e:
            raise ValueError("G1Point.from_bytes: " + str(e).replace(" at index 0", "")) from None
        return cls(out.tobytes())

    def is_identity(self) -> bool:
        return self._raw == bytes(_RAW)

    def __add__(self, other):
        if not isinstance(other, G1Point):
            return NotImplemented
        return G1Point(_native.g1_add(self._raw, other._raw))

    def __sub__(self, other):
        if not isinstance(other, G1Point):
            return NotImplemented
        return G1Point(_native.g1_sub(self._raw, other._raw))

    def __neg__(self):
        return G1Point(_native.g1_neg(self._raw))

    def __mul__(self, k):
        if not _is_int(k):
            return NotImplemented
        return G1Point(_native.g1_mul(self._raw, int(k) % R))

    __rmul__ = __mul__

    def __eq__(self, other):
        if not isinstance(other, G1Point):
            return NotImplemented
        return self._raw == other._raw  # affine Montgomery coordinates are canonical

    def __hash__(self):
        return hash(self._raw)

    def __repr__(self):
        return "G1Point(identity)" if self.is_identity() else f"G1Point({self.to_bytes().hex()})"


class G1Tensor:
    """A vector of n G1 points in native memory: an (n, 12) uint64 array (see module doc)."""

    __slots__ = ("_data",)
    __hash__ = None

    def __init__(self, data: np.ndarray):
        """Internal: wrap an (n, 12) uint64 array of trusted native points."""
        if not (isinstance(data, np.ndarray) and data.dtype == np.uint64 and data.ndim == 2
                and data.shape[1] == 12):
            raise TypeError("G1Tensor(data) takes an (n, 12) uint64 array; use from_bytes or from_points")
        self._data = np.ascontiguousarray(data)

    @property
    def data(self) -> np.ndarray:
        return self._data

    @classmethod
    def empty(cls, n: int) -> "G1Tensor":
        return cls(np.zeros((int(n), 12), dtype=np.uint64))

    @classmethod
    def from_bytes(cls, data) -> "G1Tensor":
        """Concatenated 48-byte compressed points; ValueError names the first invalid one."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"G1Tensor.from_bytes: expected bytes, got {type(data).__name__}")
        data = bytes(data)
        if len(data) % _ENC:
            raise ValueError(f"G1Tensor.from_bytes: byte length {len(data)} is not a multiple of {_ENC}")
        out = np.empty((len(data) // _ENC, 12), dtype=np.uint64)
        try:
            _native.g1_decompress(out, data)
        except ValueError as e:
            raise ValueError(f"G1Tensor.from_bytes: {e}") from None
        return cls(out)

    def to_bytes(self) -> bytes:
        return _native.g1_compress(self._data)

    @classmethod
    def from_points(cls, points: Iterable[G1Point]) -> "G1Tensor":
        pts = list(points)
        for i, p in enumerate(pts):
            if not isinstance(p, G1Point):
                raise TypeError(f"points[{i}] is {type(p).__name__}, expected G1Point")
        raw = b"".join(p._raw for p in pts)
        return cls(np.frombuffer(raw, dtype="<u8").reshape(-1, 12).copy())

    @classmethod
    def cat(cls, tensors: Iterable["G1Tensor"]) -> "G1Tensor":
        ts = list(tensors)
        for i, t in enumerate(ts):
            if not isinstance(t, G1Tensor):
                raise TypeError(f"tensors[{i}] is {type(t).__name__}, expected G1Tensor")
        if not ts:
            return cls.empty(0)
        return cls(np.concatenate([t._data for t in ts]))

    def __len__(self) -> int:
        return int(self._data.shape[0])

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return G1Tensor(np.ascontiguousarray(self._data[idx]))
        if not _is_int(idx):
            raise TypeError(f"G1Tensor indices must be ints or slices, not {type(idx).__name__}")
        n = len(self)
        i = int(idx)
        if i < -n or i >= n:
            raise IndexError(f"index {i} out of range for G1Tensor of length {n}")
        return G1Point(self._data[i % n].tobytes())

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other):
        if not isinstance(other, G1Tensor):
            return NotImplemented
        return self._data.shape == other._data.shape and bool(np.array_equal(self._data, other._data))

    def __repr__(self):
        return f"G1Tensor(n={len(self)})"


def msm(scalars, points: G1Tensor, device: str | None = None) -> G1Point:
    """sum_i scalars[i] * points[i].

    scalars: an FrTensor or a sequence of ints (reduced mod r); points: a G1Tensor of the
    same length (ValueError otherwise). device: where the MSM runs ("cpu" or "cuda");
    default: where the scalars are (the CPU for ints). Small scalars are detected and
    cost proportionally fewer windows on both devices."""
    from ..field.device import check_device
    from ..field.tensor import FrTensor

    if not isinstance(points, G1Tensor):
        raise TypeError(f"msm: points must be a G1Tensor, got {type(points).__name__}")
    if device is not None:
        check_device(device)
    if isinstance(scalars, FrTensor):
        s = scalars.to(device or scalars.device)
    else:
        vals = list(scalars)
        for i, v in enumerate(vals):
            if not _is_int(v):
                raise TypeError(f"msm: scalars[{i}] is {type(v).__name__}, expected an int")
        s = FrTensor.from_ints(vals) if vals else FrTensor.empty(0)
        if device == "cuda":
            s = s.to("cuda")
    if len(s) != len(points):
        raise ValueError(f"msm: {len(s)} scalars but {len(points)} points")
    return G1Point(_native.g1_msm(s.data, points._data))


def msm_rows(scalars, points: G1Tensor, device: str | None = None) -> G1Tensor:
    """Row r of the result is sum_j scalars[r * n + j] * points[j] (n = len(points)): many
    MSMs over the same points in one native call (Hyrax commitments row by row).
    scalars: an FrTensor whose length is a multiple of n; device as for msm."""
    from ..field.device import check_device
    from ..field.tensor import FrTensor

    if not isinstance(points, G1Tensor):
        raise TypeError(f"msm_rows: points must be a G1Tensor, got {type(points).__name__}")
    if not isinstance(scalars, FrTensor):
        raise TypeError(f"msm_rows: scalars must be an FrTensor, got {type(scalars).__name__}")
    if device is not None:
        check_device(device)
    n = len(points)
    if n == 0 or len(scalars) % n:
        raise ValueError(f"msm_rows: {len(scalars)} scalars do not split into rows of {n} points")
    s = scalars.to(device or scalars.device)
    out = np.zeros((len(s) // n, 12), dtype=np.uint64)
    _native.g1_msm_rows(out, s.data, points._data)
    return G1Tensor(out)


def msm_rows_u64(scalars: np.ndarray, points: G1Tensor) -> G1Tensor:
    """msm_rows for non-negative integer scalars (an int64 or uint64 array whose length is
    a multiple of len(points), on the CPU): the windows are read off the integers, with
    no field conversion (small-integer Hyrax commitments). ValueError on a negative."""
    if not isinstance(points, G1Tensor):
        raise TypeError(f"msm_rows_u64: points must be a G1Tensor, got {type(points).__name__}")
    a = np.asarray(scalars).reshape(-1)
    if a.dtype.kind not in "iu":
        raise TypeError(f"msm_rows_u64: scalars must be integers, got dtype {a.dtype}")
    if a.dtype.kind == "i" and a.size and int(a.min()) < 0:
        raise ValueError("msm_rows_u64: negative scalar")
    n = len(points)
    if n == 0 or len(a) % n:
        raise ValueError(f"msm_rows_u64: {len(a)} scalars do not split into rows of {n} points")
    out = np.zeros((len(a) // n, 12), dtype=np.uint64)
    _native.g1_msm_rows_u64(out, np.ascontiguousarray(a).view(np.uint64) if a.dtype.itemsize == 8
                            else a.astype(np.uint64), points._data)
    return G1Tensor(out)


_GEN_DOMAIN = b"zkproof/g1-generators/v1"
_gen_cache: dict[bytes, np.ndarray] = {}
_gen_lock = threading.Lock()


def _label_bytes(label) -> bytes:
    if isinstance(label, str):
        return label.encode("utf-8")
    if isinstance(label, (bytes, bytearray, memoryview)):
        return bytes(label)
    raise TypeError(f"generators: label must be str or bytes, got {type(label).__name__}")


def generator_tag(label) -> bytes:
    """The 32-byte tag the generators of `label` are derived from (see module doc)."""
    lb = _label_bytes(label)
    return hashlib.sha256(_GEN_DOMAIN + len(lb).to_bytes(8, "little") + lb).digest()


def generators(n: int, label) -> G1Tensor:
    """The first n transparent generators for `label` (str or bytes): deterministic,
    independent of n (prefix-stable), computed natively in parallel and cached."""
    if not _is_int(n) or n < 0:
        raise ValueError(f"generators: n must be a non-negative int, got {n!r}")
    n = int(n)
    tag = generator_tag(label)
    with _gen_lock:
        have = _gen_cache.get(tag)
        have_n = 0 if have is None else len(have)
        if have_n < n:
            more = np.empty((n - have_n, 12), dtype=np.uint64)
            _native.g1_generators(more, tag, have_n)
            have = more if have is None else np.concatenate([have, more])
            have.setflags(write=False)
            _gen_cache[tag] = have
    return G1Tensor(np.array(have[:n]))
