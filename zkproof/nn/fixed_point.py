"""Fixed-point numbers: floats to integers at a power-of-two scale, and exact rescaling.

A real x is represented by the integer q = round(x · 2^f) (f = `frac_bits`), with ONE
rounding rule used everywhere in zkproof, for quantisation and for rescales alike:

    round(y) = floor(y + 1/2)          (round half up, towards +infinity)

so that a rescale is provable with a small non-negative remainder:

    Y = floor((X + 2^(k-1)) / 2^k),   R = X + 2^(k-1) - Y · 2^k,   0 <= R < 2^k.

A product of two numbers at scales 2^a and 2^b is at scale 2^(a+b); `rescale(X, b)`
brings it back to 2^a. All integer arithmetic is exact int64 (NumPy); a value that does
not fit the bit width asked for raises `ValueError` naming how many and the first index,
never a silently wrapped or clamped result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _as_numpy_float(x) -> np.ndarray:
    if hasattr(x, "detach"):  # a PyTorch tensor
        x = x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=np.float64)


def check_bits(q: np.ndarray, bits: int, name: str = "tensor") -> np.ndarray:
    """Raise ValueError unless every entry of q lies in the signed range [-2^(bits-1), 2^(bits-1))."""
    if not 1 <= bits <= 63:
        raise ValueError(f"bits must be in [1, 63], got {bits}")
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1))
    bad = np.flatnonzero((q < lo) | (q >= hi))
    if bad.size:
        first = int(bad[0])
        raise ValueError(f"{name}: {bad.size} values outside the signed {bits}-bit range [{lo}, {hi}); "
                         f"first at flat index {first} (value {int(q.reshape(-1)[first])})")
    return q


def quantize(x, frac_bits: int, bits: int | None = None, name: str = "tensor") -> np.ndarray:
    """q = floor(x · 2^frac_bits + 1/2) as int64 (NumPy or PyTorch float input).

    With `bits`, every q must fit in signed `bits` bits (else ValueError). Non-finite
    inputs are refused."""
    if frac_bits < 0 or frac_bits > 52:
        raise ValueError(f"frac_bits must be in [0, 52], got {frac_bits}")
    xf = _as_numpy_float(x)
    if not np.all(np.isfinite(xf)):
        bad = np.flatnonzero(~np.isfinite(xf.reshape(-1)))
        raise ValueError(f"{name}: {bad.size} non-finite values, first at flat index {int(bad[0])}")
    y = np.floor(xf * float(1 << frac_bits) + 0.5)
    limit = float(1 << 62)
    if np.any(np.abs(y) >= limit):
        raise ValueError(f"{name}: values too large for 62-bit fixed point at 2^{frac_bits}")
    q = y.astype(np.int64)
    return check_bits(q, bits, name) if bits is not None else q


def dequantize(q, frac_bits: int) -> np.ndarray:
    """The real number q / 2^frac_bits (float64)."""
    return np.asarray(q, dtype=np.float64) / float(1 << frac_bits)


def rescale(X, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(Y, R) with Y = floor((X + 2^(k-1)) / 2^k) and R = X + 2^(k-1) - Y·2^k in [0, 2^k).

    k = 0 returns (X, 0). X is an int64 array (values below 2^62 in magnitude)."""
    X = np.asarray(X)
    if X.dtype.kind not in "iu":
        raise TypeError(f"rescale needs integers, got dtype {X.dtype}")
    X = X.astype(np.int64)
    if k < 0 or k > 62:
        raise ValueError(f"k must be in [0, 62], got {k}")
    if k == 0:
        return X.copy(), np.zeros_like(X)
    shifted = X + (1 << (k - 1))
    Y = shifted >> k  # arithmetic shift: floor division by 2^k
    R = shifted - (Y << k)
    return Y, R


@dataclass(frozen=True)
class FixedPoint:
    """A fixed-point format: `frac_bits` fractional bits, `bits` total signed bits."""

    frac_bits: int
    bits: int

    def __post_init__(self):
        if not 0 <= self.frac_bits < self.bits <= 63:
            raise ValueError(f"need 0 <= frac_bits < bits <= 63, got frac_bits={self.frac_bits}, bits={self.bits}")

    def quantize(self, x, name: str = "tensor") -> np.ndarray:
        return quantize(x, self.frac_bits, self.bits, name)

    def dequantize(self, q) -> np.ndarray:
        return dequantize(q, self.frac_bits)
