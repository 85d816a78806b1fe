"""Layout changes without arithmetic: axis permutations and head splits.

Permute(axes): Y = np.transpose(X, axes). In the padded layout a permutation of axes is a
permutation of the variable groups, so a claim Y(u) = y is the claim X(u') = y with u'
the same coordinates regrouped (no proof, nothing sent).

TakeRow(i): (T, ..) -> (1, ..), the row i: a claim Y(u) = y is the claim X(u', bits of
i) = y, the first axis's coordinates being the bits of i (the extension at a Boolean row
is that row's extension; nothing sent).

SplitLast(h): (.., h·e) -> (.., h, e) and MergeLast: (.., h, e) -> (.., h·e), for e a
power of two: next_pow2(h e) = next_pow2(h) e and the padded index of (i, j) is i e + j in
both layouts, so claims pass through unchanged. (With e not a power of two the layouts
differ; not supported.)
"""
from __future__ import annotations

import numpy as np

from ..wire import Writer
from . import layout as L
from .graph import Op


def _output_claim_parts(op: Op, ctx):
    """The claim on op's output as (its point's coordinates per axis, value), or None."""
    oc = ctx.output_claim(op.outputs[0])
    if oc is None:
        return None
    u, y = oc
    return L.split_point(ctx.shape(op.outputs[0]), u), y


class Permute(Op):
    name = "permute"
    layout_only = True

    def __init__(self, axes):
        super().__init__()
        self.axes = tuple(int(a) for a in axes)

    def params(self) -> bytes:
        w = Writer().u64(len(self.axes))
        for a in self.axes:
            w.u64(a)
        return w.bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        if sorted(self.axes) != list(range(len(shape))):
            raise ValueError(f"Permute: axes {self.axes} are not a permutation of {len(shape)} axes")
        return [("", tuple(shape[a] for a in self.axes), "derived")]

    def forward(self, x):
        return [np.ascontiguousarray(np.transpose(x, self.axes))]

    def backward(self, ctx) -> None:
        oc = _output_claim_parts(self, ctx)
        if oc is None:
            return
        parts, y = oc
        src = [None] * len(self.axes)
        for out_axis, in_axis in enumerate(self.axes):
            src[in_axis] = parts[out_axis]
        ctx.claim(self.inputs[0], L.join_point(src), y)


class TakeRow(Op):
    name = "take_row"

    def __init__(self, index: int):
        super().__init__()
        self.index = int(index)

    def params(self) -> bytes:
        return Writer().u64(self.index).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        if not 0 <= self.index < shape[0]:
            raise ValueError(f"TakeRow: row {self.index} outside the first axis of {tuple(shape)}")
        return [("", (1,) + tuple(shape[1:]), "derived")]

    def forward(self, x):
        return [np.ascontiguousarray(x[self.index:self.index + 1])]

    def backward(self, ctx) -> None:
        oc = _output_claim_parts(self, ctx)
        if oc is None:
            return
        parts, y = oc
        rows = L.axis_vars(ctx.shape(self.inputs[0]))[0]
        parts[0] = [(self.index >> b) & 1 for b in range(rows)]
        ctx.claim(self.inputs[0], L.join_point(parts), y)


class _SameLayout(Op):
    """Base of the reshapes whose padded layouts coincide: claims pass unchanged."""

    layout_only = True

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is not None:
            ctx.claim(self.inputs[0], *oc)


class SplitLast(_SameLayout):
    name = "split_last"

    def __init__(self, heads: int):
        super().__init__()
        self.heads = int(heads)

    def params(self) -> bytes:
        return Writer().u64(self.heads).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        e, rem = divmod(shape[-1], self.heads)
        if rem or e & (e - 1):
            raise ValueError(f"SplitLast: {shape[-1]} is not {self.heads} times a power of two")
        return [("", tuple(shape[:-1]) + (self.heads, e), "derived")]

    def forward(self, x):
        return [x.reshape(x.shape[:-1] + (self.heads, -1))]


class MergeLast(_SameLayout):
    name = "merge_last"

    def output_specs(self, shapes):
        (shape,) = shapes
        e = shape[-1]
        if len(shape) < 2 or e & (e - 1):
            raise ValueError(f"MergeLast: the last axis ({e}) must be a power of two")
        return [("", tuple(shape[:-2]) + (shape[-2] * e,), "derived")]

    def forward(self, x):
        return [x.reshape(x.shape[:-2] + (-1,))]


def take_row(graph, x: str, index: int, name: str | None = None) -> str:
    """(T, ..) -> (1, ..): row `index` of x."""
    return graph.add(TakeRow(index), x, name=name)[0]


def split_heads(graph, x: str, heads: int, name: str | None = None) -> str:
    """(T, H·e) -> (H, T, e)."""
    (s,) = graph.add(SplitLast(heads), x, name=f"{name}.split" if name else None)
    return graph.add(Permute((1, 0, 2)), s, name=name)[0]


def merge_heads(graph, x: str, name: str | None = None) -> str:
    """(H, T, e) -> (T, H·e)."""
    (p,) = graph.add(Permute((1, 0, 2)), x, name=f"{name}.perm" if name else None)
    return graph.add(MergeLast(), p, name=name)[0]
