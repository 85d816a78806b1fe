"""Rescale: Y = round(X / 2^k) with the one rounding rule of zkproof.nn.fixed_point.

Forward: Y = floor((X + 2^(k-1)) / 2^k), remainder Rm = X + 2^(k-1) - 2^k Y in [0, 2^k).
The remainder is advice, committed as chunks of at most CHUNK bits
(Rm = sum_i 2^(CHUNK i) Rm_i), each chunk range-checked by a lookup in [0, 2^c_i).

Backward. Y is never committed: it is determined by X and Rm. A claim Y(u) = y becomes,
after the prover sends Rm_i(u),

    X(u) = 2^k y + sum_i 2^(CHUNK i) Rm_i(u) - 2^(k-1) ind(u)

(ind: the real-slot indicator of the padded layout), and claims Rm_i(u). With every
chunk in range the relation forces Y = round(X / 2^k) exactly (Rm in [0, 2^k) is unique).
"""
from __future__ import annotations

import numpy as np

from ..wire import Writer
from . import layout as L
from .fixed_point import rescale as fp_rescale
from .graph import Op
from .nonlinear import range_use

CHUNK = 16


def chunk_bits(k: int, chunk: int = CHUNK) -> list[int]:
    """Bit widths of the chunks of a k-bit value: [chunk, .., rest]."""
    out = []
    while k > 0:
        out.append(min(chunk, k))
        k -= out[-1]
    return out


def split_chunks(x: np.ndarray, bits: list[int]) -> list[np.ndarray]:
    """Little-endian chunks of non-negative x (sum_i 2^(offset_i) chunk_i = x)."""
    out, off = [], 0
    for b in bits:
        out.append((x >> off) & ((1 << b) - 1))
        off += b
    if np.any(x >> off):
        raise ValueError(f"values do not fit in {off} bits")
    return out


class Rescale(Op):
    name = "rescale"

    def __init__(self, k: int):
        super().__init__()
        if not 1 <= k <= 62:
            raise ValueError(f"k must be in [1, 62], got {k}")
        self.k = int(k)
        self.bits = chunk_bits(self.k)

    def params(self) -> bytes:
        return Writer().u64(self.k).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        return [("", shape, "derived")] + [(f"rem{i}", shape, "committed") for i in range(len(self.bits))]

    def forward(self, x):
        y, rem = fp_rescale(x, self.k)
        return [y] + split_chunks(rem, self.bits)

    def lookups(self):
        return [range_use(0, b, r) for b, r in zip(self.bits, self.outputs[1:])]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        rems = self.outputs[1:]
        vals = ctx.message("rescale/rem", len(rems), lambda: [ctx.evaluate(r, u) for r in rems])
        x = (y << self.k) - (1 << (self.k - 1)) * L.indicator_mle(ctx.shape(self.inputs[0]), u)
        off = 0
        for b, r, v in zip(self.bits, rems, vals):
            ctx.claim(r, u, v)
            x += v << off
            off += b
        ctx.claim(self.inputs[0], u, x)


def rescale(graph, x: str, k: int, name: str | None = None) -> str:
    return graph.add(Rescale(k), x, name=name)[0]
