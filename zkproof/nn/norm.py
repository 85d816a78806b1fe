"""RMSNorm and LayerNorm over the last axis of X (T, d), composed of proven steps.

RMSNorm(x) = x / sqrt(mean(x^2) + eps) * g:
  ss   = sum_j x_j^2                       SumSquares   (one sumcheck, eq over the rows)
  q    = round(ss / 2^k)                   Rescale      (remainder range-checked)
  r    = RSQRT(q)                          TableMap     (public table, see below)
  y'   = x ∘ r·1ᵀ ∘ 1·gᵀ                   ScaleRows    (one sumcheck, degree 4)
  y    = round(y' / 2^(r_frac + g_frac))   Rescale
LayerNorm(x) = (x - mean) / sqrt(var + eps) * g + b, without any division by d:
  xc   = d x - (sum_j x_j) 1ᵀ              Center       (= d (x - mean), exact)
  ss   = sum_j xc_j^2 (= d^3 var)          SumSquares, then q, r as above and
  y'   = xc ∘ r·1ᵀ ∘ 1·gᵀ + 1·bᵀ           ScaleRows with bias, then Rescale.

The reciprocal square root table. Its input q stands for the real variance-like value
v(q) = q 2^k / (c 2^(2f)) (c = d for RMSNorm; d^3 for LayerNorm, whose xc carries a
factor d, so the output folds 1/d back: r = 2^r_frac d^-1... see `_rsqrt_table`), and
its output is round(2^r_frac / sqrt(v(q) + eps)) for q in [0, 2^bits). The table is
public and part of the statement, so a tampered r is a pair outside it and is rejected;
the error of the table itself is the rounding of q (relative 2^k / ss, at most
2^(k - bits) times the range) and of the output (half a unit of 2^-r_frac): the tests
bound the whole op against torch. Inputs beyond the table are refused by the forward
pass (OutOfTableError): choose k so that ss < 2^(k + bits).
"""
from __future__ import annotations

import math

import numpy as np

from ..field.scalar import R, inv
from ..lookup.tlookup import prefix_mle
from ..wire import Writer
from . import layout as L
from .fixed_point import quantize
from .graph import Op
from .nonlinear import TableMap
from .rescale import Rescale

_I62 = 1 << 62


def _check(bound: int, what: str) -> None:
    if bound >= _I62:
        raise ValueError(f"{what}: values may reach {bound}, beyond int64 exact arithmetic")


class SumSquares(Op):
    """ss_i = sum_j x_ij^2 for X of shape (rows, d). Backward: a claim ss(u) becomes one
    sumcheck y = sum_x eq(u, x_row) X(x)^2 (eq over the top, row variables) and a claim
    on X. (Padded columns are zero, so they add nothing.)"""

    name = "sumsquares"

    def output_specs(self, shapes):
        (shape,) = shapes
        if len(shape) != 2:
            raise ValueError(f"SumSquares needs (rows, d), got {shape}")
        return [("", shape[:1], "derived")]

    def forward(self, x):
        _check(int(np.abs(x).max(initial=0)) ** 2 * x.shape[1], "SumSquares")
        return [(x * x).sum(axis=1)]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        x = self.inputs[0]
        n = L.num_vars(ctx.shape(x))
        point, (xv,) = ctx.sumcheck(n, 1, [(1, (0, 0))], y, u, lambda: [ctx.fr(x)])
        ctx.claim(x, point, xv)


class Center(Op):
    """xc = d x - (sum_j x_j) 1ᵀ for X (rows, d). Backward: the prover sends a = X(u) and
    b = X((1/2)^m, u_row); xc(u) = d a - 2^m b ind_d(u_col) is checked, both claims kept."""

    name = "center"

    def output_specs(self, shapes):
        (shape,) = shapes
        if len(shape) != 2:
            raise ValueError(f"Center needs (rows, d), got {shape}")
        return [("", shape, "derived")]

    def forward(self, x):
        d = x.shape[1]
        _check(int(np.abs(x).max(initial=0)) * 2 * d, "Center")
        return [d * x - x.sum(axis=1, keepdims=True)]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        x = self.inputs[0]
        rows, d = ctx.shape(x)
        m = L.axis_vars((d,))[0]
        half = inv(2)
        u_col, u_row = u[:m], u[m:]
        sum_point = [half] * m + list(u_row)
        a, b = ctx.message("center/x", 2, lambda: [ctx.evaluate(x, u), ctx.evaluate(x, sum_point)])
        ctx.check((d * a - (1 << m) * b * prefix_mle(d, u_col)) % R == y % R, "center: the claim does not follow")
        ctx.claim(x, u, a)
        ctx.claim(x, sum_point, b)


class ScaleRows(Op):
    """Y = X ∘ r·1ᵀ ∘ 1·gᵀ (+ 1·bᵀ) for X (rows, d), r (rows,), g (d,) [, b (d,)].
    Backward: (bias: the prover sends b(u_col), y -= b(u_col) ind_rows(u_row)) one
    sumcheck y = sum_x eq(u, x) X(x) R(x) G(x) with R(x) = r(x_row), G(x) = g(x_col)
    broadcast over the whole padded layout (X's zero padding zeroes the product), ending
    in claims X(v), r(v_row), g(v_col)."""

    name = "scalerows"

    def __init__(self, bias: bool = False):
        super().__init__()
        self.bias = bool(bias)

    def params(self) -> bytes:
        return Writer().u8(self.bias).bytes()

    def output_specs(self, shapes):
        x, r, g = shapes[:3]
        if len(x) != 2 or tuple(r) != (x[0],) or tuple(g) != (x[1],) or \
                (self.bias and (len(shapes) != 4 or tuple(shapes[3]) != (x[1],))):
            raise ValueError(f"ScaleRows needs X (rows, d), r (rows,), g (d,){', b (d,)' if self.bias else ''}; "
                             f"got {shapes}")
        return [("", x, "derived")]

    def forward(self, x, r, g, b=None):
        bound = int(np.abs(x).max(initial=0)) * int(np.abs(r).max(initial=0)) * int(np.abs(g).max(initial=0))
        _check(bound + (int(np.abs(b).max(initial=0)) if b is not None else 0), "ScaleRows")
        y = x * r[:, None] * g[None, :]
        return [y + b[None, :] if b is not None else y]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        x, r, g = self.inputs[:3]
        rows, d = ctx.shape(x)
        m = L.axis_vars((d,))[0]
        if self.bias:
            bname = self.inputs[3]
            (bv,) = ctx.message("scalerows/bias", 1, lambda: [ctx.evaluate(bname, u[:m])])
            ctx.claim(bname, u[:m], bv)
            y = (y - bv * prefix_mle(rows, u[m:])) % R

        def tables():
            from ..field.tensor import FrTensor
            rp, dp = L.padded_shape((rows, d))
            rv = np.zeros(rp, dtype=np.int64)
            rv[:rows] = ctx.value(r)
            gv = np.zeros(dp, dtype=np.int64)
            gv[:d] = ctx.value(g)
            return [ctx.fr(x), FrTensor.from_ints(np.repeat(rv, dp)), FrTensor.from_ints(np.tile(gv, rp))]

        point, (xv, rv, gv) = ctx.sumcheck(len(u), 3, [(1, (0, 1, 2))], y, u, tables)
        ctx.claim(x, point, xv)
        ctx.claim(r, point[m:], rv)
        ctx.claim(g, point[:m], gv)


def _rsqrt_table(bits: int, k: int, in_frac: int, out_frac: int, c: float, eps: float, fold: float) -> np.ndarray:
    q = np.arange(1 << bits, dtype=np.float64)
    v = q * float(1 << k) / (c * float(1 << (2 * in_frac)))
    return quantize(fold / np.sqrt(v + eps), out_frac, 62, name="rsqrt table")


def _norm(graph, x: str, g: str, b: str | None, *, kind: str, in_frac: int, k: int, bits: int,
          r_frac: int, g_frac: int, eps: float, name: str) -> str:
    rows, d = graph.tensors[x].shape
    if kind == "layernorm":
        (src,) = graph.add(Center(), x, name=f"{name}.xc")
        # xc = d (x - mean) at 2^in_frac; ss = d^3 var; r = 2^r_frac / (d sqrt(var + eps))
        c, fold = float(d) ** 3, 1.0 / d
    else:
        src, c, fold = x, float(d), 1.0
    (ss,) = graph.add(SumSquares(), src, name=f"{name}.ss")
    (q,) = graph.add(Rescale(k, out_bits=0), ss, name=f"{name}.q")[:1]  # q: the rsqrt lookup bounds it
    key = f"rsqrt-{kind}[2^{bits}]:k={k},f={in_frac},r={r_frac},c={c!r},eps={eps!r}"
    tab = _rsqrt_table(bits, k, in_frac, r_frac, c, eps, fold)
    (r,) = graph.add(TableMap(key, 0, tab), q, name=f"{name}.rsqrt")
    ins = (src, r, g) + ((b,) if b else ())
    (y,) = graph.add(ScaleRows(bias=b is not None), *ins, name=f"{name}.scaled")
    return graph.add(Rescale(r_frac + g_frac), y, name=name)[0]


def rmsnorm(graph, x: str, g: str, *, in_frac: int, k: int, bits: int = 16, r_frac: int = 12,
            g_frac: int = 8, eps: float = 1e-6, name: str = "rmsnorm") -> str:
    """RMSNorm of x (rows, d) at 2^in_frac with weight g (d,) at 2^g_frac; output at
    2^in_frac. k: ss is divided by 2^k before the rsqrt table of 2^bits entries."""
    return _norm(graph, x, g, None, kind="rmsnorm", in_frac=in_frac, k=k, bits=bits, r_frac=r_frac,
                 g_frac=g_frac, eps=eps, name=name)


def layernorm(graph, x: str, g: str, b: str, *, in_frac: int, k: int, bits: int = 16, r_frac: int = 20,
              g_frac: int = 8, eps: float = 1e-5, name: str = "layernorm") -> str:
    """LayerNorm of x (rows, d) at 2^in_frac, weight g (d,) at 2^g_frac, bias b (d,) at
    2^(in_frac + r_frac + g_frac) (quantise it at that scale); output at 2^in_frac."""
    return _norm(graph, x, g, b, kind="layernorm", in_frac=in_frac, k=k, bits=bits, r_frac=r_frac,
                 g_frac=g_frac, eps=eps, name=name)


def suggest_k(max_sum_squares: int, bits: int) -> int:
    """The smallest k with max_sum_squares / 2^k inside a table of 2^bits entries."""
    return max(1, math.ceil(math.log2(max(max_sum_squares, 1) + 1)) - bits + 1)
