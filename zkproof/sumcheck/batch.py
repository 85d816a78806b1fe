"""Batch layout shared by the batched protocols.

NUM instances of DIM elements are one tensor, instance-major: element j of instance s
at index s * DIM + j. For the sumcheck each instance is zero-padded to a power of two
and the instance count too, so the padded tensor has the layout
    index = s * next_pow2(DIM) + j,    length next_pow2(NUM) * next_pow2(DIM):
the low log2(next_pow2(DIM)) variables index the element, the top ones the instance.
Matrices (rows x cols, row-major) pad the same way per axis: (s, i, j) at
(s * rows_p + i) * cols_p + j.
"""
from __future__ import annotations

from ..field.device import xp
from ..field.tensor import FrTensor, next_pow2


def log2_pow2(n: int) -> int:
    """log2(next_pow2(n))."""
    return next_pow2(n).bit_length() - 1


def pad_axes(t: FrTensor, shape: tuple, name: str = "tensor") -> FrTensor:
    """Zero-pad a tensor holding a row-major array of `shape` so that every axis is a
    power of two (one vectorised copy; no copy when nothing needs padding)."""
    shape = tuple(int(s) for s in shape)
    total = 1
    for s in shape:
        if s < 1:
            raise ValueError(f"{name}: every dimension must be >= 1, got shape {shape}")
        total *= s
    if len(t) != total:
        raise ValueError(f"{name}: expected {total} elements for shape {shape}, got {len(t)}")
    padded = tuple(next_pow2(s) for s in shape)
    if padded == shape:
        return t
    mod = xp(t.device)
    out = mod.zeros(padded + (4,), dtype=mod.uint64)
    out[tuple(slice(0, s) for s in shape)] = t.data.reshape(shape + (4,))
    return FrTensor(out.reshape(-1, 4))
