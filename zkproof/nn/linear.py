"""Matrix products: batched MatMul (Q Kᵀ, softmax·V) and Linear layers (X W + b).

MatMul: C_s = A_s B_s for s < NUM (NUM = 1 for 2-D inputs), A of shape ([NUM,] m, k),
B of shape ([NUM,] k, n) or, with transpose_b, ([NUM,] n, k) (C = A Bᵀ, e.g. Q Kᵀ).
Optional bias b of shape (n,), added to every row: C = A B + 1 bᵀ (at the product's
scale). Exact integer forward (int64; ValueError if a value could overflow).

Backward. A claim C(u) = y, u = (u_n, u_m, u_b), becomes (after the prover sends
b(u_n) when there is a bias, y' = y - b(u_n) ind_m(u_m) ind_b(u_b): b's padding is zero already) one batched matmul
sumcheck (zkproof.sumcheck.matmul, all instances in one run, the instance index in the
top variables) ending in claims A(v_k, u_m, v_b) and B(u_n, v_k, v_b) (for a
transposed B: B(v_k, u_n, v_b) on its own layout) and b(u_n). Nothing is committed.
Linear weights are inputs of kind "committed" whose commitment is made once
(graph.commit_tensor) and passed to prove/verify.

Weight layout: W is stored (d_in, d_out), i.e. the transpose of torch.nn.Linear.weight.
"""
from __future__ import annotations

import numpy as np

from ..sumcheck import matmul as mm
from ..wire import Writer
from . import layout as L
from .graph import Op

_I62 = 1 << 62
_F53 = 1 << 53


def _dims(a_shape, b_shape, transpose_b: bool):
    if len(a_shape) != len(b_shape) or len(a_shape) not in (2, 3):
        raise ValueError(f"MatMul needs two 2-D or two 3-D inputs, got shapes {a_shape} and {b_shape}")
    num = a_shape[0] if len(a_shape) == 3 else 1
    if len(a_shape) == 3 and b_shape[0] != num:
        raise ValueError(f"MatMul: batch sizes differ: {a_shape[0]} and {b_shape[0]}")
    m, k = a_shape[-2:]
    n, kb = (b_shape[-2], b_shape[-1]) if transpose_b else (b_shape[-1], b_shape[-2])
    if kb != k:
        raise ValueError(f"MatMul: inner dimensions differ: A {a_shape}, B {b_shape} (transpose_b={transpose_b})")
    return num, m, k, n


class MatMul(Op):
    name = "matmul"

    def __init__(self, transpose_b: bool = False, bias: bool = False):
        super().__init__()
        self.transpose_b = bool(transpose_b)
        self.bias = bool(bias)

    def params(self) -> bytes:
        return Writer().u8(self.transpose_b).u8(self.bias).bytes()

    def output_specs(self, shapes):
        if len(shapes) != 2 + self.bias:
            raise ValueError(f"MatMul takes A, B{' and b' if self.bias else ''}")
        num, m, k, n = _dims(shapes[0], shapes[1], self.transpose_b)
        if self.bias and tuple(shapes[2]) != (n,):
            raise ValueError(f"MatMul: bias of shape {shapes[2]}, expected ({n},)")
        return [("", tuple(shapes[0][:-1]) + (n,), "derived")]

    def _b_kn(self, b: np.ndarray) -> np.ndarray:
        return np.swapaxes(b, -1, -2) if self.transpose_b else b

    def forward(self, a, b, bias=None):
        bk = self._b_kn(b)
        k = a.shape[-1]
        bound = int(np.abs(a).max(initial=0)) * int(np.abs(bk).max(initial=0)) * k
        if bias is not None:
            bound += int(np.abs(bias).max(initial=0))
        if bound >= _I62:
            raise ValueError(f"MatMul: products may reach {bound}, beyond int64 exact arithmetic")
        if bound < _F53:
            # exact in float64 (every partial sum is an integer below 2^53), and BLAS-fast
            c = np.matmul(a.astype(np.float64), bk.astype(np.float64)).astype(np.int64)
        else:
            c = np.matmul(a, bk)
        return [c + bias if bias is not None else c]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        A, B = self.inputs[0], self.inputs[1]
        num, m, k, n = _dims(ctx.shape(A), ctx.shape(B), self.transpose_b)
        ln = L.axis_vars((n,))[0]
        if self.bias:
            bname = self.inputs[2]
            u_n = u[:ln]
            (bv,) = ctx.message("matmul/bias", 1, lambda: [ctx.evaluate(bname, u_n)])
            ctx.claim(bname, u_n, bv)
            rows = ctx.shape(self.outputs[0])[:-1]
            y = (y - bv * L.indicator_mle(rows, u[ln:])) % L._R
        st = mm.Statement(num, m, k, n, tuple(u), y)
        t = ctx.ch.transcript
        if ctx.is_prover:
            # from the integers (no field copy of the weights; a transposed B as it is stored)
            _, proof, claims = mm.prove(t, ctx.value(A), ctx.value(B), num, m, k, n, u, y, b_nk=self.transpose_b)
            ctx.ch.send_blob(proof.to_bytes())
        else:
            proof = mm.Proof.from_bytes(ctx.ch.receive_blob("matmul proof"), st)
            claims = mm.verify(t, st, proof)
        ca, cb = claims
        lk = L.axis_vars((k,))[0]
        lm = L.axis_vars((m,))[0]
        v_k = list(ca.point[:lk])
        u_m = list(ca.point[lk:lk + lm])
        v_b = list(ca.point[lk + lm:])
        ctx.claim(A, list(ca.point) if len(ctx.shape(A)) == 3 else v_k + u_m, ca.value)
        u_n = list(cb.point[:ln])
        b_point = (v_k + u_n if self.transpose_b else u_n + v_k) + (v_b if len(ctx.shape(B)) == 3 else [])
        ctx.claim(B, b_point, cb.value)


def linear(graph, x: str, weight: str, bias: str | None = None, name: str | None = None) -> str:
    """Y = X W (+ b): x of shape (tokens, d_in), weight (d_in, d_out) committed, bias (d_out,)."""
    ins = (x, weight) + ((bias,) if bias else ())
    return graph.add(MatMul(bias=bias is not None), *ins, name=name)[0]
