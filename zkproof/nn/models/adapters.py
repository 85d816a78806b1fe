"""Thin adapters the model graphs need that zkproof.nn does not provide (yet).

Everything here is a composition of zkproof.nn's proven operations (MatMul, Add, Product,
Rescale, TableMap) except `SplitHeads`/`MergeHeads`, which are pure relabelings of the
multilinear variables (no proof messages at all). So the soundness of a model graph rests
on zkproof.nn's operations only.

    split_heads(g, x, heads)        (T, H) -> (heads, T, d)   d = H / heads, a power of two
    merge_heads(g, x)               (heads, T, d) -> (T, H)
    gather_rows(g, onehot, table)   rows of a committed table picked by a public one-hot matrix
    broadcast_rows(g, v, T)         a (1, n) tensor repeated over T rows (public ones column)
    layernorm / rmsnorm             mean and variance as sums (public ones vectors), 1/sigma by a
                                    mapping lookup of the rescaled variance, then gain and shift
    rope(g, x, ...)                 RoPE with public cos/sin tables and the rotate-half matrix

Norm details (x at scale 2^f, H features, shift k and table size 2^b from the quantisation):
    S = sum_j x_j,  C = H x - S            (integers, C = H 2^f (x - mu))
    V = sum_j C_j^2 = H^3 2^(2f) sigma^2   (RMSNorm: C = x, V = H 2^(2f) rms^2)
    v = round(V / 2^k) looked up in [0, 2^b): r = round(2^Tn / (scale(v 2^k) + eps'))
    y = round(C r / 2^(Tn - f))  (normalised, at 2^f), then round((y gamma + beta 2^fw) / 2^fw).
An input whose rescaled variance falls outside the table is refused by the forward pass
(OutOfTableError): the shift k per norm is calibrated when the model is quantised.
"""
from __future__ import annotations

import math

import numpy as np

from .. import layout as L
from ..fixed_point import quantize
from ..graph import Op
from ..linear import MatMul
from ..nonlinear import TableMap
from ..rescale import Rescale
from ..residual import Add, Product


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


# ---------------------------------------------------------------------------- helpers
def _public(g, name: str, values: np.ndarray, publics: dict) -> str:
    """A public constant tensor (its values go to `publics`, which the caller passes to forward
    and to the statement). Reused by name."""
    if name not in g.tensors:
        g.input(name, values.shape, "public")
        publics[name] = np.asarray(values, dtype=np.int64)
    return name


def ones(g, shape, publics: dict) -> str:
    return _public(g, "const.ones" + "x".join(map(str, shape)), np.ones(shape, dtype=np.int64), publics)


def broadcast_rows(g, v: str, rows: int, publics: dict, name: str) -> str:
    """(1, n) -> (rows, n): ones(rows, 1) · v."""
    return g.add(MatMul(), ones(g, (rows, 1), publics), v, name=name)[0]


def row_sums(g, x: str, publics: dict, name: str) -> str:
    """(T, n) -> (T, 1): x · ones(n, 1)."""
    n = g.tensors[x].shape[1]
    return g.add(MatMul(), x, ones(g, (n, 1), publics), name=name)[0]


def gather_rows(g, onehot: str, table: str, name: str, bias: str | None = None) -> str:
    """onehot (T, V) public 0/1 with one 1 per row, table (V, H) committed: the picked rows."""
    ins = (onehot, table) + ((bias,) if bias else ())
    return g.add(MatMul(bias=bias is not None), *ins, name=name)[0]


# ---------------------------------------------------------------------------- norms
def rsqrt_table(kind: str, H: int, frac: int, k: int, bits: int, out_frac: int, eps: float) -> np.ndarray:
    """Outputs of the 1/sigma table over v in [0, 2^bits) (v = round(V / 2^k)).

    layernorm: V = H^3 2^(2f) sigma^2, output round(2^out_frac / (H 2^f sqrt(sigma^2 + eps)))
    rmsnorm:   V = H 2^(2f) rms^2,     output round(2^out_frac / (2^f sqrt(rms^2 + eps)))"""
    v = np.arange(1 << bits, dtype=np.float64) * float(1 << k)
    if kind == "layernorm":
        var = v / (float(H) ** 3 * 4.0 ** frac)
        den = H * 2.0 ** frac * np.sqrt(var + eps)
    else:
        var = v / (float(H) * 4.0 ** frac)
        den = 2.0 ** frac * np.sqrt(var + eps)
    with np.errstate(divide="ignore"):
        out = np.where(den > 0, 2.0 ** out_frac / np.where(den > 0, den, 1.0), 0.0)
    return quantize(np.minimum(out, 2.0 ** 40), 0, 62, name="rsqrt table")


def norm_out_frac(kind: str, H: int, frac: int, extra: int) -> int:
    """Fractional bits Tn of the 1/sigma factor: enough that C r keeps `extra` bits beyond 2^f."""
    hb = math.ceil(math.log2(H)) if kind == "layernorm" else 0
    return hb + 2 * frac + extra - frac  # C = H 2^f (x - mu): r ~ 2^Tn / (H 2^f sigma)


def norm(g, x: str, gamma: str, beta: str | None, kind: str, frac: int, wfrac: int, k: int, bits: int,
         extra: int, eps: float, publics: dict, name: str) -> str:
    """LayerNorm / RMSNorm of x (T, H) at 2^frac; gamma (1, H) at 2^wfrac, beta (1, H) at 2^(frac+wfrac)."""
    T, H = g.tensors[x].shape
    if kind == "layernorm":
        s = row_sums(g, x, publics, f"{name}.sum")
        hx = g.add(Product(), x, _public(g, f"const.full{T}x{H}v{H}", np.full((T, H), H), publics),
                   name=f"{name}.hx")[0]
        neg_s = g.add(MatMul(), s, _public(g, f"const.neg1x{H}", -np.ones((1, H), dtype=np.int64), publics),
                      name=f"{name}.negsum")[0]
        c = g.add(Add(), hx, neg_s, name=f"{name}.centred")[0]
    else:
        c = x
    sq = g.add(Product(), c, c, name=f"{name}.sq")[0]
    var = row_sums(g, sq, publics, f"{name}.var")
    if k > 0:
        var = g.add(Rescale(k), var, name=f"{name}.var_rs")[0]
    tn = norm_out_frac(kind, H, frac, extra)
    table = rsqrt_table(kind, H, frac, k, bits, tn, eps)
    key = f"rsqrt:{kind}:H{H}:f{frac}:k{k}:b{bits}:t{tn}:eps{eps!r}"
    r = g.add(TableMap(key, 0, table), var, name=f"{name}.rsqrt")[0]
    rb = g.add(MatMul(), r, _public(g, f"const.ones1x{H}", np.ones((1, H), dtype=np.int64), publics),
               name=f"{name}.rsqrt_b")[0]
    y = g.add(Product(), c, rb, name=f"{name}.scaled")[0]
    y = g.add(Rescale(tn - frac), y, name=f"{name}.normed")[0] if tn > frac else y
    gb = broadcast_rows(g, gamma, T, publics, f"{name}.gamma_b")
    y = g.add(Product(), y, gb, name=f"{name}.gain")[0]
    if beta is not None:
        y = g.add(Add(), y, broadcast_rows(g, beta, T, publics, f"{name}.beta_b"), name=f"{name}.shift")[0]
    return g.add(Rescale(wfrac), y, name=name)[0]


def norm_variance_int(kind: str, x: np.ndarray) -> np.ndarray:
    """The integer V of `norm` for an integer x (T, H) (to calibrate the shift k)."""
    x = x.astype(object)
    H = x.shape[1]
    c = H * x - x.sum(axis=1, keepdims=True) if kind == "layernorm" else x
    return (c * c).sum(axis=1)


# ---------------------------------------------------------------------------- rope
def rope_public(T: int, heads: int, d: int, theta: float, frac: int):
    """Public RoPE tensors for (T, heads * d) activations: COS, SIN at 2^frac and the
    block-diagonal rotate-half matrix ROT (H, H) (x ROT = rotate_half(x) per head)."""
    inv = 1.0 / theta ** (np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.outer(np.arange(T, dtype=np.float64), inv)
    ang = np.concatenate([ang, ang], axis=-1)
    cos = quantize(np.tile(np.cos(ang), (1, heads)), frac, 62, name="rope cos")
    sin = quantize(np.tile(np.sin(ang), (1, heads)), frac, 62, name="rope sin")
    h = d // 2
    rot_d = np.zeros((d, d), dtype=np.int64)
    for j in range(h):
        rot_d[j + h, j] = -1   # out[j] = -x[j + h]
        rot_d[j, j + h] = 1    # out[j + h] = x[j]
    rot = np.kron(np.eye(heads, dtype=np.int64), rot_d)
    return cos, sin, rot


def rope(g, x: str, heads: int, theta: float, frac: int, publics: dict, name: str) -> str:
    """x (T, H) at 2^f -> RoPE(x) at 2^f: round((x∘COS + (x ROT)∘SIN) / 2^frac)."""
    T, H = g.tensors[x].shape
    cos, sin, rot = rope_public(T, heads, H // heads, theta, frac)
    c = _public(g, f"const.rope_cos{T}x{H}h{heads}", cos, publics)
    s = _public(g, f"const.rope_sin{T}x{H}h{heads}", sin, publics)
    rm = _public(g, f"const.rope_rot{H}h{heads}", rot, publics)
    xr = g.add(MatMul(), x, rm, name=f"{name}.rot")[0]
    a = g.add(Product(), x, c, name=f"{name}.cos")[0]
    b = g.add(Product(), xr, s, name=f"{name}.sin")[0]
    return g.add(Rescale(frac), g.add(Add(), a, b, name=f"{name}.sum")[0], name=name)[0]
