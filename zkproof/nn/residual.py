"""Residual add Y = A + B and the element-wise product Y = A_0 ∘ .. ∘ A_{j-1}.

Add, backward: a claim Y(u) = y; the prover sends A(u) = a; claims A(u) = a and
B(u) = y - a. Product (j <= 8 factors of one shape), backward: one sumcheck
y = sum_x eq(u, x) prod_i A_i(x) (degree j + 1) ending in claims A_i(v). Padding
stays zero (0 + 0, 0 * ..). Neither commits anything.
"""
from __future__ import annotations

import numpy as np

from .graph import Op

_I62 = 1 << 62


class Add(Op):
    name = "add"

    def output_specs(self, shapes):
        a, b = shapes
        if tuple(a) != tuple(b):
            raise ValueError(f"Add: shapes differ: {a} and {b}")
        return [("", a, "derived")]

    def forward(self, a, b):
        return [a + b]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        (a,) = ctx.message("add/a", 1, lambda: [ctx.evaluate(self.inputs[0], u)])
        ctx.claim(self.inputs[0], u, a)
        ctx.claim(self.inputs[1], u, y - a)


class Product(Op):
    name = "product"

    def output_specs(self, shapes):
        if not 1 <= len(shapes) <= 8:
            raise ValueError(f"Product takes 1 to 8 factors, got {len(shapes)}")
        if any(tuple(s) != tuple(shapes[0]) for s in shapes):
            raise ValueError(f"Product: shapes differ: {shapes}")
        return [("", shapes[0], "derived")]

    def forward(self, *xs):
        out = xs[0].copy()
        bound = 1
        for x in xs:
            bound *= max(1, int(np.abs(x).max(initial=0)))
        if bound >= _I62:
            raise ValueError(f"Product: values may reach {bound}, beyond int64 exact arithmetic")
        for x in xs[1:]:
            out = out * x
        return [out]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        j = len(self.inputs)
        terms = [(1, tuple(range(j)))]
        point, finals = ctx.sumcheck(len(u), j, terms, y, u, lambda: [ctx.fr(x) for x in self.inputs])
        for x, v in zip(self.inputs, finals):
            ctx.claim(x, point, v)


def add(graph, a: str, b: str, name: str | None = None) -> str:
    return graph.add(Add(), a, b, name=name)[0]


def product(graph, *xs: str, name: str | None = None) -> str:
    return graph.add(Product(), *xs, name=name)[0]
