"""Token embedding: X[t] = E[tok_t] for public tokens, rows of a committed table E (V, d).

Backward: with OneHot (T, V) the public 0/1 matrix of the tokens, X = OneHot E, so a
claim X(u) = y, u = (u_col, u_row), is one sumcheck over the vocabulary variables
    y = sum_v W(v) E(v, u_col),      W(v) = sum_t eq(u_row, t) [v = tok_t]
ending in a claim E(v*, u_col) on the committed table, with W(v*) computed by the
verifier in O(T log V) (sum_t eq(u_row, t) eq(tok_t, v*)). The prover's cost is one
partial evaluation of E (V d) per claim. A swapped row (X[t] = E[other]) changes X and
is rejected; the tokens are public (part of the statement).
"""
from __future__ import annotations

import numpy as np

from ..errors import StatementMismatch
from ..field.scalar import R, eq_eval
from ..field.tensor import FrTensor
from . import layout as L
from .graph import Op


def _bits(x: int, n: int) -> list[int]:
    return [(x >> i) & 1 for i in range(n)]


class Embedding(Op):
    """inputs: tokens (T,) public, table E (V, d) committed; output X (T, d) derived."""

    name = "embedding"

    def output_specs(self, shapes):
        tok, table = shapes
        if len(tok) != 1 or len(table) != 2:
            raise ValueError(f"Embedding needs tokens (T,) and a table (V, d); got {shapes}")
        return [("", (tok[0], table[1]), "derived")]

    def forward(self, tokens, table):
        V = table.shape[0]
        bad = np.flatnonzero((tokens < 0) | (tokens >= V))
        if bad.size:
            raise ValueError(f"embedding: {bad.size} tokens outside [0, {V}), first at index {int(bad[0])}")
        return [table[tokens]]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        tok_name, table = self.inputs
        if ctx.graph.tensors[tok_name].kind != "public":
            raise ValueError("Embedding: the tokens must be a public tensor")
        V, d = ctx.shape(table)
        m = L.axis_vars((d,))[0]
        lv = L.axis_vars((V,))[0]
        u_col, u_row = u[:m], u[m:]
        tokens = ctx._public[tok_name] if not ctx.is_prover else ctx.value(tok_name)
        tokens = np.asarray(tokens).reshape(-1)
        if tokens.size and (tokens.min() < 0 or tokens.max() >= V):
            # a token outside [0, V) would be read modulo 2^lv (or as a zero padding row)
            # (the honest forward refuses them; the verifier must too)
            if not ctx.is_prover:
                raise StatementMismatch(f"embedding: tokens outside [0, {V})")
        eq_rows = FrTensor.eq(u_row).to_ints()

        def tables():
            w = [0] * (1 << lv)
            for t, v in enumerate(tokens):
                w[int(v)] = (w[int(v)] + eq_rows[t]) % R
            ecol = ctx.fr(table).partial_eval(u_col, *L.padded_shape((V, d)), axis=1)
            return [FrTensor.from_ints(w), ecol]

        point, (wv, ev) = ctx.sumcheck(lv, 2, [(1, (0, 1))], y, (), tables)
        expect = sum(eq_rows[t] * eq_eval(_bits(int(v), lv), point) for t, v in enumerate(tokens)) % R
        ctx.check(wv == expect, "embedding: the token weights are wrong")
        ctx.claim(table, list(u_col) + list(point), ev)


def embedding(graph, tokens: str, table: str, name: str | None = None) -> str:
    return graph.add(Embedding(), tokens, table, name=name)[0]
