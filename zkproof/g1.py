"""DEV STUB of the g1 API (py_arkworks backed); replaced by branch g1's zkproof/g1.py."""
from __future__ import annotations
import py_arkworks_bls12381 as _a
from .field import R
from .tensor import FrTensor

def _sc(x):
    return _a.Scalar.from_le_bytes((int(x) % R).to_bytes(32, "little"))

class G1Point:
    __slots__ = ("_p",)
    def __init__(self, p):
        self._p = p
    @classmethod
    def identity(cls): return cls(_a.G1Point.identity())
    @classmethod
    def generator(cls): return cls(_a.G1Point())
    def to_bytes(self): return bytes(self._p.to_compressed_bytes())
    @classmethod
    def from_bytes(cls, b):
        if len(b) != 48: raise ValueError("len")
        try:
            return cls(_a.G1Point.from_compressed_bytes(list(bytes(b))))
        except BaseException as e:
            raise ValueError(f"invalid G1 point: {e}") from None
    def __add__(self, o): return G1Point(self._p + o._p)
    def __sub__(self, o): return G1Point(self._p - o._p)
    def __neg__(self): return G1Point(-self._p)
    def __eq__(self, o): return isinstance(o, G1Point) and self._p == o._p
    __hash__ = None
    def __mul__(self, k): return G1Point(self._p * _sc(k))
    __rmul__ = __mul__
    def __repr__(self): return f"G1Point({self.to_bytes().hex()[:16]}..)"

import numpy as np
class G1Tensor:
    def __init__(self, pts):
        if isinstance(pts, np.ndarray): pts = list(pts[:, 0])
        self._pts = list(pts)
    @property
    def data(self):
        a = np.empty((len(self._pts), 1), dtype=object)
        for i, p in enumerate(self._pts): a[i, 0] = p
        return a
    @classmethod
    def from_points(cls, pts): return cls([p._p for p in pts])
    @classmethod
    def from_bytes(cls, b):
        if len(b) % 48: raise ValueError("len")
        return cls([G1Point.from_bytes(b[i:i+48])._p for i in range(0, len(b), 48)])
    def to_bytes(self): return b"".join(bytes(p.to_compressed_bytes()) for p in self._pts)
    def __len__(self): return len(self._pts)
    def __getitem__(self, i):
        if isinstance(i, slice): return G1Tensor(self._pts[i])
        return G1Point(self._pts[i])
    @classmethod
    def cat(cls, ts):
        out = []
        for t in ts: out += t._pts
        return cls(out)

def msm(scalars, points):
    if isinstance(scalars, FrTensor): scalars = scalars.to_ints()
    scalars = list(scalars)
    if len(scalars) != len(points): raise ValueError("msm: length mismatch")
    if not scalars: return G1Point.identity()
    return G1Point(_a.G1Point.multiexp_unchecked(points._pts, [_sc(s) for s in scalars]))

_cache = {}
def generators(n, label):
    key = (n, label)
    if key not in _cache:
        dst = b"zkproof-stub-" + label.encode()
        _cache[key] = G1Tensor([_a.G1Point.hash_to_curve(dst, i.to_bytes(8, "little")) for i in range(n)])
    return _cache[key]
