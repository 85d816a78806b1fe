"""Token embedding: X[t] = E[tok_t] for public tokens, rows of a committed table E (V, d).

Backward: a claim X(u) = y, u = (u_col, u_row), is the linear form
    y = sum_t eq(u_row, t) E_(tok_t)(u_col)        (t < T; X's padding rows are zero)
in the rows of E that the tokens select, so it becomes a rows claim on E
(ctx.claim_rows, zkproof.commit.multiopen.RowsClaim) with the token rows and the weights
eq(u_row, t), which the verifier computes from the public tokens: no sumcheck, and the
prover reads only those rows of E (never the whole table). A swapped row (X[t] = E[other])
changes X and is rejected; the tokens are public (part of the statement).
"""
from __future__ import annotations

import numpy as np

from ..errors import StatementMismatch
from ..field.tensor import FrTensor
from . import layout as L
from .graph import Op


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
        u_col, u_row = u[:m], u[m:]
        tokens = ctx._public[tok_name] if not ctx.is_prover else ctx.value(tok_name)
        tokens = np.asarray(tokens).reshape(-1)
        if tokens.size and (tokens.min() < 0 or tokens.max() >= V):
            # the honest forward refuses them; the verifier must too
            if not ctx.is_prover:
                raise StatementMismatch(f"embedding: tokens outside [0, {V})")
        eq_rows = FrTensor.eq(u_row).to_ints()
        sel = [(int(v), eq_rows[t]) for t, v in enumerate(tokens) if 0 <= v < V]  # (a cheating prover's
        ctx.claim_rows(table, [v for v, _ in sel], [w for _, w in sel], u_col, y)  # proof stays well-formed)


def embedding(graph, tokens: str, table: str, name: str | None = None) -> str:
    return graph.add(Embedding(), tokens, table, name=name)[0]
