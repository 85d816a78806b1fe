"""Thin adapters the model graphs need that zkproof.nn does not provide.

`SplitHeads` / `MergeHeads` move between the (T, H) layout of Linear layers and the
(heads, T, d) layout of zkAttn and RoPE. With d a power of two they are pure relabelings
of the multilinear variables of the padded layout (no proof messages, nothing committed):
a claim on the output is a claim on the input at the permuted point. Everything else in a
model graph is a zkproof.nn operation.
"""
from __future__ import annotations

import numpy as np

from .. import layout as L
from ..graph import Op


def _pow2(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


class SplitHeads(Op):
    """(T, H) -> (heads, T, d). With d a power of two the padded layouts hold the same
    entries: input variables (d bits, head bits, T bits), output (d bits, T bits, head
    bits), so a claim on the output is a claim on the input at the permuted point."""

    name = "split_heads"

    def __init__(self, heads: int):
        super().__init__()
        self.heads = int(heads)

    def params(self) -> bytes:
        return self.heads.to_bytes(8, "little")

    def output_specs(self, shapes):
        (shape,) = shapes
        T, H = shape
        if H % self.heads or not _pow2(H // self.heads):
            raise ValueError(f"split_heads: hidden size {H} over {self.heads} heads needs a power-of-two head size")
        return [("", (self.heads, T, H // self.heads), "derived")]

    def forward(self, x):
        T, H = x.shape
        return [np.ascontiguousarray(x.reshape(T, self.heads, H // self.heads).transpose(1, 0, 2))]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        d_pt, t_pt, h_pt = L.split_point(ctx.shape(self.outputs[0]), u)[::-1]
        ctx.claim(self.inputs[0], list(d_pt) + list(h_pt) + list(t_pt), y)


class MergeHeads(Op):
    """(heads, T, d) -> (T, heads * d), the inverse relabeling of SplitHeads."""

    name = "merge_heads"

    def output_specs(self, shapes):
        (shape,) = shapes
        Hh, T, d = shape
        if not _pow2(d):
            raise ValueError(f"merge_heads: head size {d} must be a power of two")
        return [("", (T, Hh * d), "derived")]

    def forward(self, x):
        Hh, T, d = x.shape
        return [np.ascontiguousarray(x.transpose(1, 0, 2).reshape(T, Hh * d))]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        Hh, T, d = ctx.shape(self.inputs[0])
        ld = L.axis_vars((d,))[0]
        lh = L.axis_vars((Hh,))[0]
        d_pt, h_pt, t_pt = u[:ld], u[ld:ld + lh], u[ld + lh:]
        ctx.claim(self.inputs[0], list(d_pt) + list(t_pt) + list(h_pt), y)
