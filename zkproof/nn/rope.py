"""Rotary position embedding (RoPE), proven with public cos/sin tables.

X of shape ([H,] T, d), d even, at scale 2^f; positions 0..T-1 (plus `offset`). For
pair partner p(j) and sign s_j:
    Y[.., t, j] = X[.., t, j] C[t, j] + s_j X[.., t, p(j)] S[t, j]
with C = round(cos(t theta_j) 2^table_frac), S = round(sin(t theta_j) 2^table_frac),
theta_j = base^(-2 i / d) for the pair index i of column j. Two layouts:
  "interleaved" (the RoPE paper, Meta's LLaMA code): pairs (2i, 2i+1), p flips bit 0,
      s = -1 on even columns;
  "half" (Hugging Face rotate_half): pairs (i, i + d/2), p flips the top column bit
      (d a power of two), s = -1 on the first half.
Y is at scale 2^(f + table_frac): follow with a Rescale(table_frac).

Backward: a claim Y(u) = y is one sumcheck
    y = sum_x eq(u, x) [X(x) C(x) + Xp(x) S'(x)]           (degree 3)
with C, S' = s·S broadcast over heads (public: the verifier evaluates them at the final
point v, O(T d)), and Xp the partner-permuted X, whose value at v is X at v with the
partner bit's coordinate replaced by 1 - v_b. Two claims on X, nothing committed.
RoPE with wrong angles is a different public table, hence a different statement.
"""
from __future__ import annotations

import numpy as np

from ..field.tensor import FrTensor
from ..wire import Writer
from . import layout as L
from .fixed_point import quantize
from .graph import Op

STYLES = ("interleaved", "half")


def rope_tables(T: int, d: int, base: float, table_frac: int, style: str, offset: int = 0):
    """(C, S') of shape (T, d): the cos table and the signed sin table."""
    if d % 2:
        raise ValueError(f"RoPE needs an even head dimension, got {d}")
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    if style == "half" and d & (d - 1):
        raise ValueError(f"RoPE style 'half' needs a power-of-two head dimension, got {d}")
    j = np.arange(d)
    pair = j // 2 if style == "interleaved" else j % (d // 2)
    sign = np.where(j % 2 == 0, -1.0, 1.0) if style == "interleaved" else np.where(j < d // 2, -1.0, 1.0)
    theta = base ** (-2.0 * pair / d)
    ang = (offset + np.arange(T))[:, None] * theta[None, :]
    C = quantize(np.cos(ang), table_frac, 62, "cos table")
    S = quantize(np.sin(ang), table_frac, 62, "sin table") * sign.astype(np.int64)[None, :]
    return C, S


def _partner(d: int, style: str) -> np.ndarray:
    j = np.arange(d)
    return j ^ 1 if style == "interleaved" else (j + d // 2) % d


class RoPE(Op):
    name = "rope"

    def __init__(self, base: float = 10000.0, table_frac: int = 14, style: str = "interleaved", offset: int = 0):
        super().__init__()
        self.base, self.table_frac, self.style, self.offset = float(base), int(table_frac), style, int(offset)
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")

    def params(self) -> bytes:
        return (Writer().blob(repr(self.base).encode()).u64(self.table_frac).blob(self.style.encode())
                .u64(self.offset).bytes())

    def output_specs(self, shapes):
        (shape,) = shapes
        if len(shape) not in (2, 3):
            raise ValueError(f"RoPE needs ([H,] T, d), got {shape}")
        rope_tables(1, shape[-1], self.base, self.table_frac, self.style)  # validates d
        return [("", shape, "derived")]

    def _tables(self, shape):
        T, d = shape[-2:]
        return rope_tables(T, d, self.base, self.table_frac, self.style, self.offset)

    def forward(self, x):
        C, S = self._tables(x.shape)
        if int(np.abs(x).max(initial=0)) << (self.table_frac + 2) >= 1 << 62:
            raise ValueError("RoPE: values too large for exact int64 arithmetic")
        return [x * C + x[..., _partner(x.shape[-1], self.style)] * S]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        x = self.inputs[0]
        shape = ctx.shape(x)
        C, S = self._tables(shape)
        lead = shape[:-2]
        td_vars = L.num_vars(shape[-2:])
        bit = 0 if self.style == "interleaved" else L.axis_vars((shape[-1],))[0] - 1

        def tables():
            xs = ctx.value(x)[..., _partner(shape[-1], self.style)]
            reps = int(np.prod(L.padded_shape(lead))) if lead else 1
            Cb = FrTensor.cat([L.to_padded(C)] * reps)
            Sb = FrTensor.cat([L.to_padded(S)] * reps)
            return [ctx.fr(x), Cb, L.to_padded(xs), Sb]

        point, (xv, cv, xpv, sv) = ctx.sumcheck(len(u), 4, [(1, (0, 1)), (1, (2, 3))], y, u, tables)
        ctx.check(cv == L.to_padded(C).evaluate(point[:td_vars]), "rope: cos table evaluation is wrong")
        ctx.check(sv == L.to_padded(S).evaluate(point[:td_vars]), "rope: sin table evaluation is wrong")
        ctx.claim(x, point, xv)
        flipped = list(point)
        flipped[bit] = (1 - flipped[bit]) % L._R
        ctx.claim(x, flipped, xpv)


def rope(graph, x: str, *, base: float = 10000.0, table_frac: int = 14, style: str = "interleaved",
         offset: int = 0, name: str | None = None) -> str:
    return graph.add(RoPE(base, table_frac, style, offset), x, name=name)[0]
