"""Clamp: C = min(max(X, lo), hi), proven, so lookups can take inputs of any range.

Advice (committed): C, and P = max(X - C, 0), N = max(C - X, 0) in chunks of at most 16
bits (P = sum_i 2^(16 i) P_i, likewise N), every chunk range-checked, together at most
`diff_bits` bits (a bound on |X - C| the caller states; the forward pass refuses larger
ones). C is range-checked in [lo, hi] (hi = lo + 2^bits - 1: the table's range).

Constraints, each at a fresh random point (r, then r2 and gamma):
    X(r) = C(r) + P(r) - N(r)                                  (claims on C, P_i, N_i, X)
    0 = sum_x eq(r2, x) [P(x) (hi ind(x) - C(x)) + gamma N(x) (C(x) - lo ind(x))]
        (one degree-3 sumcheck: P and N vanish unless C sits at the matching bound)
With P, N >= 0: X > hi forces P > 0, hence C = hi; X < lo forces C = lo; in between
P = N = 0 and C = X. A "clamp" that replaces an in-range X, or moves an out-of-range X to
anything but its bound, breaks one of them.
"""
from __future__ import annotations

import numpy as np

from ..field.scalar import R
from ..wire import Writer
from . import layout as L
from .graph import Op
from .nonlinear import range_use
from .rescale import chunk_bits, split_chunks


class Clamp(Op):
    name = "clamp"

    def __init__(self, low: int, bits: int, diff_bits: int):
        super().__init__()
        self.low, self.bits, self.diff_bits = int(low), int(bits), int(diff_bits)
        if not 1 <= self.bits <= 24 or not 1 <= self.diff_bits <= 62:
            raise ValueError("Clamp: bits must be in [1, 24] and diff_bits in [1, 62]")
        self.high = self.low + (1 << self.bits) - 1
        self.chunks = chunk_bits(self.diff_bits)

    def params(self) -> bytes:
        return Writer().i64(self.low).u64(self.bits).u64(self.diff_bits).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        k = len(self.chunks)
        return ([("", shape, "committed")] + [(f"p{i}", shape, "committed") for i in range(k)]
                + [(f"n{i}", shape, "committed") for i in range(k)])

    def forward(self, x):
        c = np.clip(x, self.low, self.high)
        p, n = np.maximum(x - c, 0), np.maximum(c - x, 0)
        return [c] + split_chunks(p, self.chunks) + split_chunks(n, self.chunks)

    def lookups(self):
        k = len(self.chunks)
        uses = [range_use(self.low, self.bits, self.outputs[0])]
        for i, b in enumerate(self.chunks):
            uses += [range_use(0, b, self.outputs[1 + i]), range_use(0, b, self.outputs[1 + k + i])]
        return uses

    def _combine(self, vals) -> int:
        acc, off = 0, 0
        for b, v in zip(self.chunks, vals):
            acc += v << off
            off += b
        return acc % R

    def backward(self, ctx) -> None:
        x = self.inputs[0]
        k = len(self.chunks)
        c, ps, ns = self.outputs[0], self.outputs[1:1 + k], self.outputs[1 + k:]
        shape = ctx.shape(x)
        n = L.num_vars(shape)
        # X = C + P - N at a fresh point
        r = ctx.challenges("clamp/r", n)
        vals = ctx.message("clamp/values", 1 + 2 * k, lambda: [ctx.evaluate(t, r) for t in [c] + ps + ns])
        for t, v in zip([c] + ps + ns, vals):
            ctx.claim(t, r, v)
        ctx.claim(x, r, vals[0] + self._combine(vals[1:1 + k]) - self._combine(vals[1 + k:]))
        # P (hi ind - C) + gamma N (C - lo ind) = 0 everywhere
        r2 = ctx.challenges("clamp/r2", n)
        (gamma,) = ctx.challenges("clamp/gamma", 1)
        hi, lo = self.high % R, self.low % R
        terms = [(hi, (0, 3)), (R - 1, (0, 1)), (gamma, (2, 1)), ((-gamma * lo) % R, (2, 3))]

        def tables():
            def combined(names):
                out = None
                off = 0
                for b, t in zip(self.chunks, names):
                    term = ctx.fr(t) * (1 << off)
                    out = term if out is None else out + term
                    off += b
                return out
            return [combined(ps), ctx.fr(c), combined(ns), L.indicator(shape)]

        point, (pv, cv, nv, iv) = ctx.sumcheck(n, 4, terms, 0, r2, tables)
        ctx.check(iv == L.indicator_mle(shape, point), "clamp: the indicator's evaluation is wrong")
        split = ctx.message("clamp/split", 2 * k, lambda: [ctx.evaluate(t, point) for t in ps + ns])
        ctx.check(self._combine(split[:k]) == pv and self._combine(split[k:]) == nv,
                  "clamp: the chunks do not add up")
        ctx.claim(c, point, cv)
        for t, v in zip(ps + ns, split):
            ctx.claim(t, point, v)


def clamp(graph, x: str, low: int, bits: int, diff_bits: int, name: str | None = None) -> str:
    """C = clamp(x, low, low + 2^bits - 1), |x - C| < 2^diff_bits; returns C's name."""
    return graph.add(Clamp(low, bits, diff_bits), x, name=name)[0]
