"""Rescale: Y = round(X / 2^k) with the one rounding rule of zkproof.nn.fixed_point.

Forward: Y = floor((X + 2^(k-1)) / 2^k), remainder Rm = X + 2^(k-1) - 2^k Y in [0, 2^k).
The remainder is advice, committed as chunks of at most CHUNK bits
(Rm = sum_i 2^(CHUNK i) Rm_i), each chunk range-checked by a lookup in [0, 2^c_i).
The output is range-checked too: Y + 2^(out_bits-1) = sum_i 2^(CHUNK i) Yc_i, the chunks
committed and range-checked, so Y is an integer in [-2^(out_bits-1), 2^(out_bits-1)).
Without it Y would only be the FIELD element (X + 2^(k-1) - Rm) / 2^k: a prover choosing
another in-range Rm makes Y a fraction Y + delta / 2^k, which a following linear op (a
matmul, an add) turns into a different integer output (tests/nn/test_audit.py,
test_attack_fractional_rescale_output). out_bits = 0 skips the output chunks; it is only
allowed when something else binds the output to bounded integers (`integer_bound`): it is
public, or the input of a lookup, or its only consumer is a layout change or another
Rescale whose own output is so bound (that Rescale's input is 2^k Y' + Rm' - 2^(k-1), Y'
a bounded integer and Rm' range-checked: a bounded integer too).

Backward. Y is never committed: it is determined by X and Rm. A claim Y(u) = y becomes,
after the prover sends Rm_i(u),

    X(u) = 2^k y + sum_i 2^(CHUNK i) Rm_i(u) - 2^(k-1) ind(u)

(ind: the real-slot indicator of the padded layout), and claims Rm_i(u); with output
chunks the prover also sends Yc_i(u) and the verifier checks
y = sum_i 2^(CHUNK i) Yc_i(u) - 2^(out_bits-1) ind(u). With every chunk in range the
relations force Y = round(X / 2^k) exactly for an integer X of at most 2^(k + out_bits)
(Rm in [0, 2^k) is unique, Y an integer).
"""
from __future__ import annotations

import numpy as np

from ..errors import StatementMismatch
from ..field.scalar import R
from ..wire import Writer
from . import layout as L
from .fixed_point import rescale as fp_rescale
from .graph import Op
from .nonlinear import range_use

CHUNK = 16
OUT_BITS = 32  # default signed range of a Rescale output


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

    def __init__(self, k: int, out_bits: int = OUT_BITS):
        super().__init__()
        if not 1 <= k <= 62:
            raise ValueError(f"k must be in [1, 62], got {k}")
        if not 0 <= out_bits <= 62:
            raise ValueError(f"out_bits must be in [0, 62], got {out_bits}")
        self.k = int(k)
        self.out_bits = int(out_bits)
        self.bits = chunk_bits(self.k)
        self.out_chunks = chunk_bits(self.out_bits)

    def params(self) -> bytes:
        return Writer().u64(self.k).u64(self.out_bits).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        return ([("", shape, "derived")] + [(f"rem{i}", shape, "committed") for i in range(len(self.bits))]
                + [(f"y{i}", shape, "committed") for i in range(len(self.out_chunks))])

    def forward(self, x):
        y, rem = fp_rescale(x, self.k)
        outs = [y] + split_chunks(rem, self.bits)
        if self.out_bits:
            half = 1 << (self.out_bits - 1)
            if y.size and (y.min() < -half or y.max() >= half):
                raise ValueError(f"rescale: outputs outside [-2^{self.out_bits - 1}, 2^{self.out_bits - 1}) "
                                 f"(min {int(y.min())}, max {int(y.max())}); raise out_bits")
            outs += split_chunks(y + half, self.out_chunks)
        return outs

    def _rems(self):
        return self.outputs[1:1 + len(self.bits)]

    def _ychunks(self):
        return self.outputs[1 + len(self.bits):]

    def lookups(self):
        return ([range_use(0, b, r) for b, r in zip(self.bits, self._rems())]
                + [range_use(0, b, c) for b, c in zip(self.out_chunks, self._ychunks())])

    def _check_unchecked_output(self, ctx) -> None:
        """out_bits = 0: the output must be bound to integers by something else."""
        y = self.outputs[0]
        if integer_bound(ctx.graph, y):
            return
        msg = (f"rescale {y!r}: out_bits = 0 needs a public output, a lookup input, or a single consumer "
               f"that binds it (a layout change or a Rescale whose output is bound)")
        if ctx.is_prover:
            raise ValueError(msg)
        raise StatementMismatch(msg)

    def backward(self, ctx) -> None:
        if not self.out_bits:
            self._check_unchecked_output(ctx)
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        ind = L.indicator_mle(ctx.shape(self.inputs[0]), u)
        rems = self._rems()
        vals = ctx.message("rescale/rem", len(rems), lambda: [ctx.evaluate(r, u) for r in rems])
        if self.out_bits:
            ycs = self._ychunks()
            yvals = ctx.message("rescale/out", len(ycs), lambda: [ctx.evaluate(c, u) for c in ycs])
            acc, off = -(1 << (self.out_bits - 1)) * ind, 0
            for b, c, v in zip(self.out_chunks, ycs, yvals):
                ctx.claim(c, u, v)
                acc += v << off
                off += b
            ctx.check(acc % R == y % R, "rescale: the output's chunks do not add up")
        x = (y << self.k) - (1 << (self.k - 1)) * ind
        off = 0
        for b, r, v in zip(self.bits, rems, vals):
            ctx.claim(r, u, v)
            x += v << off
            off += b
        ctx.claim(self.inputs[0], u, x)


def integer_bound(graph, name: str) -> bool:
    """Whether the graph binds tensor `name` to bounded integers without range-checking it
    itself (see the module doc): public, a lookup input, the output of a Rescale with
    output chunks, or the only input of its only consumer, a layout change or a Rescale,
    whose output is bound."""
    cache = graph.memo.setdefault("integer_bound", {})
    if name not in cache:
        cache[name] = _integer_bound(graph, name)
    return cache[name]


def _integer_bound(graph, name: str) -> bool:
    spec = graph.tensors[name]
    if spec.kind == "public":
        return True
    if spec.producer is not None:
        op = graph.ops[spec.producer]
        if isinstance(op, Rescale) and op.out_bits and op.outputs[0] == name:
            return True
    if any(use.x == name for op in graph.ops for use in op.lookups()):
        return True
    consumers = [op for op in graph.ops if name in op.inputs]
    if len(consumers) != 1:
        return False
    (op,) = consumers
    if op.inputs != [name] or not (op.layout_only or isinstance(op, Rescale)):
        return False
    return integer_bound(graph, op.outputs[0])


def rescale(graph, x: str, k: int, name: str | None = None, out_bits: int = OUT_BITS) -> str:
    """Y = round(X / 2^k), Y range-checked in [-2^(out_bits-1), 2^(out_bits-1)) (out_bits = 0:
    no check, allowed only where the graph binds Y otherwise: `integer_bound`)."""
    return graph.add(Rescale(k, out_bits), x, name=name)[0]
