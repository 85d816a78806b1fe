"""Scalar-field arithmetic on Python ints, for verifiers and small host-side work.

Fr is the BLS12-381 scalar field, R = 0x73ed...0001. Verifiers use these functions
(their work is logarithmic in the statement), so they never need the native kernels.
"""
from __future__ import annotations

from typing import Sequence

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FR_BYTES = 32


def inv(x: int) -> int:
    """1/x mod R; raises ZeroDivisionError for 0."""
    x %= R
    if x == 0:
        raise ZeroDivisionError("inverse of zero in Fr")
    return pow(x, R - 2, R)


def centred(x: int) -> int:
    """x mod R as the integer in (-R/2, R/2] (a small negative number for -k)."""
    x %= R
    return x - R if x > (R - 1) // 2 else x


def to_bytes(x: int) -> bytes:
    """Canonical 32-byte little-endian encoding of x mod R."""
    return (x % R).to_bytes(FR_BYTES, "little")


def from_bytes(b: bytes) -> int:
    """Decode a canonical element; raises ValueError on a non-canonical encoding."""
    if len(b) != FR_BYTES:
        raise ValueError(f"an Fr element is {FR_BYTES} bytes, got {len(b)}")
    x = int.from_bytes(b, "little")
    if x >= R:
        raise ValueError("non-canonical Fr encoding (value >= r)")
    return x


def eq_eval(u: Sequence[int], v: Sequence[int]) -> int:
    """eq(u, v) = prod_i (u_i v_i + (1 - u_i)(1 - v_i))."""
    if len(u) != len(v):
        raise ValueError(f"eq of points of different lengths {len(u)} and {len(v)}")
    acc = 1
    for a, b in zip(u, v):
        acc = acc * ((a * b + (1 - a) * (1 - b)) % R) % R
    return acc


def eq_table(u: Sequence[int]) -> list[int]:
    """[eq(u, x) for x in range(2^len(u))], u[0] binding the least significant bit."""
    t = [1]
    for uj in u:
        t = [x * (1 - uj) % R for x in t] + [x * uj % R for x in t]
    return t


def mle_eval(values: Sequence[int], u: Sequence[int]) -> int:
    """Multilinear extension of values (zero-padded to 2^len(u)) at u."""
    if len(values) > 1 << len(u):
        raise ValueError(f"{len(values)} values do not fit {len(u)} variables")
    vals = [v % R for v in values] + [0] * ((1 << len(u)) - len(values))
    # bind the top variable first, as FrTensor.fold does
    for uj in reversed(u):
        h = len(vals) // 2
        vals = [(vals[i] + uj * (vals[i + h] - vals[i])) % R for i in range(h)]
    return vals[0] if vals else 0


def interpolate_eval(evals: Sequence[int], x: int) -> int:
    """Evaluate at x the polynomial of degree < len(evals) taking evals[i] at i = 0, 1, ..."""
    n = len(evals)
    x %= R
    if x < n:
        return evals[x] % R
    # Lagrange over the nodes 0..n-1: prefix/suffix products of (x - j)
    pre = [1] * (n + 1)
    suf = [1] * (n + 1)
    for j in range(n):
        pre[j + 1] = pre[j] * (x - j) % R
    for j in range(n - 1, -1, -1):
        suf[j] = suf[j + 1] * (x - j) % R
    fact = [1] * (n + 1)
    for j in range(1, n + 1):
        fact[j] = fact[j - 1] * j % R
    total = 0
    for i in range(n):
        num = pre[i] * suf[i + 1] % R
        den = fact[i] * fact[n - 1 - i] % R
        term = evals[i] * num % R * inv(den) % R
        total = (total - term) if (n - 1 - i) % 2 else (total + term)
    return total % R


def range_mle(low: int, u: Sequence[int]) -> int:
    """MLE at u of the table T[j] = low + j over 2^len(u) entries: low + sum_k 2^k u_k."""
    return (low + sum((1 << k) * uk for k, uk in enumerate(u))) % R
