"""The padded layout every zkproof.nn tensor is proved in, and its public indicator.

A tensor of shape (a_0, .., a_{k-1}) (row-major, integers) is proved as the FrTensor of
shape (a_0', .., a_{k-1}') with a_i' = next_pow2(a_i), zero in every padded slot
(`padded_ints`, `to_padded`; `zkproof.sumcheck.batch.pad_axes`, the layout of the matmul and Hadamard protocols).
Its multilinear extension has sum_i log2(a_i') variables; the LAST axis owns the lowest
variables, the first axis the top ones. A point is therefore split per axis as
point = (coords of axis k-1, .., coords of axis 0).

`indicator_mle(shape, point)` is the extension of the 0/1 tensor marking the real slots,
prod_i prefix(a_i, point_i) (zkproof.lookup.tlookup.prefix_mle): O(#variables) for a
verifier. Padding slots are zero only if somebody proves it: for committed tensors the
claim reduction does (zkproof.claims_reduce); tensors computed from others inherit it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import _native
from ..field.tensor import FrTensor, next_pow2
from ..lookup.tlookup import prefix_mle
from ..sumcheck.batch import log2_pow2


def padded_shape(shape: Sequence[int]) -> tuple:
    return tuple(next_pow2(int(s)) for s in shape)


def axis_vars(shape: Sequence[int]) -> list[int]:
    """log2 of each padded axis, in axis order."""
    return [log2_pow2(int(s)) for s in shape]


def num_vars(shape: Sequence[int]) -> int:
    return sum(axis_vars(shape))


def split_point(shape: Sequence[int], point: Sequence[int]) -> list[list[int]]:
    """The coordinates of each axis (axis order), from a point in the evaluate convention."""
    lv = axis_vars(shape)
    if len(point) != sum(lv):
        raise ValueError(f"a point for shape {tuple(shape)} needs {sum(lv)} coordinates, got {len(point)}")
    out, pos = [], 0
    for n in reversed(lv):
        out.append(list(point[pos:pos + n]))
        pos += n
    return out[::-1]


def join_point(parts: Sequence[Sequence[int]]) -> list[int]:
    """Inverse of split_point: per-axis coordinates (axis order) to one point."""
    out = []
    for p in reversed(parts):
        out.extend(p)
    return out


def indicator_mle(shape: Sequence[int], point: Sequence[int]) -> int:
    """Extension of the real-slot indicator of `shape` at point."""
    acc = 1
    for a, pt in zip(shape, split_point(shape, point)):
        acc = acc * prefix_mle(int(a), pt)
    return acc % _R


def outside_eq_mle(shape: Sequence[int], r: Sequence[int], v: Sequence[int]) -> int:
    """Extension at v of eq(r, .) times the padding indicator (1 - real-slot indicator)
    of `shape`: eq(r, v) - prod over axes of prefix_eq_eq(a_i, r_i, v_i). O(#variables)."""
    from ..claims_reduce import prefix_eq_eq
    inside = 1
    for a, ra, va in zip(shape, split_point(shape, r), split_point(shape, v)):
        inside = inside * prefix_eq_eq(int(a), ra, va) % _R
    return (eq_eval(list(r), list(v)) - inside) % _R


def padded_ints(values) -> np.ndarray:
    """A NumPy integer array (any shape) in the padded layout, flat int64 (zeros in the
    padding; no copy when nothing needs padding)."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"expected an integer array, got dtype {arr.dtype}")
    shape = arr.shape if arr.ndim else (1,)
    arr = arr.reshape(shape)
    padded = padded_shape(shape)
    if padded != shape:
        buf = np.zeros(padded, dtype=np.int64)
        buf[tuple(slice(0, s) for s in shape)] = arr
        arr = buf
    return np.ascontiguousarray(arr, dtype=np.int64).reshape(-1)


def to_padded(values, device: str = "cpu") -> FrTensor:
    """A NumPy integer array (any shape) as an FrTensor in the padded layout."""
    return FrTensor.from_ints(padded_ints(values), device)


def evaluate_ints(values, point: Sequence[int]) -> int:
    """The padded-layout extension of the integer array `values` at point, folded
    natively from the int64 entries (no field copy): the rows of the 2^hi x 2^lo matrix
    (hi = the top half of the variables) weighted by eq(point_hi), then the inner
    product with eq(point_lo)."""
    flat = padded_ints(values)
    n = len(point)
    if len(flat) != 1 << n:
        raise ValueError(f"evaluate_ints: {len(flat)} padded entries, a point of {n} coordinates")
    lo = n - n // 2
    out = FrTensor.zeros(1 << lo)
    _native.fr_fold_rows_i64(out.data, flat, 1 << (n - lo), 1 << lo, FrTensor.eq(list(point[lo:])).data)
    return out.inner(FrTensor.eq(list(point[:lo])))


def indicator(shape: Sequence[int], device: str = "cpu") -> FrTensor:
    """The 0/1 real-slot indicator in the padded layout."""
    return to_padded(np.ones(tuple(shape), dtype=np.int64), device)


from ..field.scalar import R as _R, eq_eval  # noqa: E402
