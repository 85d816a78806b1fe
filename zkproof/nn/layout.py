"""The padded layout every zkproof.nn tensor is proved in, and its public indicator.

A tensor of shape (a_0, .., a_{k-1}) (row-major, integers) is proved as the FrTensor of
shape (a_0', .., a_{k-1}') with a_i' = next_pow2(a_i), zero in every padded slot
(`padded_ints`, `to_padded`; `zkproof.sumcheck.batch.pad_axes`, the layout of the matmul
and Hadamard protocols).
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

from ..field.tensor import FrTensor, evaluate_ints as _evaluate_ints, next_pow2
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


# ------------------------------------------------------------------ boxes
# A box is an aligned sub-cube of a tensor's padded layout: per axis (start, bits), the
# index range [start, start + 2^bits) with start a multiple of 2^bits, i.e. the axis's
# top (n_axis - bits) variables fixed to the bits of start >> bits. Its entries, in
# row-major order, are the tensor's extension with those variables fixed, so a claim on
# a box at rho is a claim on the tensor at `box_point(shape, box, rho)`.
MAX_BOXES = 8
# An axis is cut only when that removes at least this many padding slots (each box costs
# a claim and, in a shared tree, a split value: 32 bytes of proof; small tensors stay whole).
MIN_CUT_SAVING = 1 << 14


def real_boxes(shape: Sequence[int], max_boxes: int | None = None) -> list[tuple]:
    """Boxes covering every real slot of `shape` and (on the axes they split) no padding:
    each axis of extent a is cut into one range per set bit of a (highest first), the
    axes taken from the first while the number of boxes stays within max_boxes (default
    MAX_BOXES; 1: the whole padded layout) and a cut removes at least MIN_CUT_SAVING
    padding slots; the other axes stay whole (their padding inside the boxes)."""
    max_boxes = MAX_BOXES if max_boxes is None else max_boxes
    per_axis = []
    count = 1
    extents = [1 << n for n in axis_vars(shape)]  # the boxes' extents so far (cut axes: real)
    for i, (a, n) in enumerate(zip(shape, axis_vars(shape))):
        a = int(a)
        cuts = [k for k in reversed(range(a.bit_length())) if a >> k & 1]
        others = 1
        for j, e in enumerate(extents):
            others *= e if j != i else 1
        if a != 1 << n and count * len(cuts) <= max_boxes and ((1 << n) - a) * others >= MIN_CUT_SAVING:
            extents[i] = a
            ranges, start = [], 0
            for k in cuts:
                ranges.append((start, k))
                start += 1 << k
        else:
            ranges = [(0, n)]
        count *= len(ranges)
        per_axis.append(ranges)
    boxes = [()]
    for ranges in per_axis:
        boxes = [b + (r,) for b in boxes for r in ranges]
    return boxes


def box_vars(box) -> int:
    return sum(b for _, b in box)


def box_point(shape: Sequence[int], box, rho: Sequence[int]) -> list[int]:
    """The tensor's point of a claim on the box at rho (the box's own variables: the last
    axis's lowest)."""
    parts, pos = [], 0
    for (start, b), n in zip(reversed(box), reversed(axis_vars(shape))):
        top = start >> b
        parts.append(list(rho[pos:pos + b]) + [(top >> i) & 1 for i in range(n - b)])
        pos += b
    if pos != len(rho):
        raise ValueError(f"box_point: {len(rho)} coordinates for a box of {pos} variables")
    return join_point(parts[::-1])


def box_indicator(shape: Sequence[int], box, rho: Sequence[int]) -> int:
    """Extension at rho of the box's real-slot indicator (O(#variables))."""
    acc, pos = 1, 0
    for (start, b), a in zip(reversed(box), reversed(shape)):
        acc = acc * prefix_mle(min(max(int(a) - start, 0), 1 << b), list(rho[pos:pos + b])) % _R
        pos += b
    return acc


def box_ints(values: np.ndarray, box, pad: int) -> np.ndarray:
    """The box's entries (flat int64, row-major): the tensor's real values, `pad` in its
    padding slots."""
    arr = np.asarray(values)
    arr = arr.reshape(arr.shape if arr.ndim else (1,))
    out = np.full(tuple(1 << b for _, b in box), pad, dtype=np.int64)
    counts = [min(max(int(a) - start, 0), 1 << b) for (start, b), a in zip(box, arr.shape)]
    out[tuple(slice(0, c) for c in counts)] = arr[tuple(slice(st, st + c) for (st, _), c in zip(box, counts))]
    return out.reshape(-1)


def to_padded(values, device: str = "cpu") -> FrTensor:
    """A NumPy integer array (any shape) as an FrTensor in the padded layout."""
    return FrTensor.from_ints(padded_ints(values), device)


def evaluate_ints(values, point: Sequence[int]) -> int:
    """The padded-layout extension of the integer array `values` at point, folded
    natively from the int64 entries (field.tensor.evaluate_ints; no field copy)."""
    return _evaluate_ints(padded_ints(values), point)


def indicator(shape: Sequence[int], device: str = "cpu") -> FrTensor:
    """The 0/1 real-slot indicator in the padded layout."""
    return to_padded(np.ones(tuple(shape), dtype=np.int64), device)


from ..field.scalar import R as _R, eq_eval  # noqa: E402
