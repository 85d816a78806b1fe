"""zkAttn: softmax attention with every step proven, the shift and normalisation included.

Shapes: Q, K, V of (H, T, d) integers at scale 2^f (f = cfg.in_frac), all heads in
every protocol run (the head index is the top variables). Steps (each a graph op):

 0. Q, K, V range-checked in [-2^(in_bits-1), 2^(in_bits-1)) (RangeCheck; bounds |Z|).
 1. Z = Q Kᵀ for all heads in one batched matmul (scale 2^(2f)).
 2. SoftmaxShift: the prover commits a shift s (H, T) per row and the K digits D_k of
        D = s·1ᵀ - Z + BIG·masked,      D = sum_k 2^(b k) D_k,  D_k in [0, 2^b),
    BIG = 2^(b K - 1), masked = the causal mask (j > i). The L low digits are
    range-checked only (their contribution, a factor exp(-less than 2^(bL)/S), is
    dropped); tied to Z at a fresh random point r:
        sum_k 2^(bk) D_k(r) = s(r_row) ind_col(r_col) - Z(r) + BIG·masked(r).
    Since every D_k lies in [0, 2^b), D is the integer s - z >= 0 on every unmasked slot:
    s is at least the row maximum; masked slots have D >= 2^(bK-2) (|Z| < 2^(bK-3) from the
    range check of step 0 and cfg.check_head_dim), so a top digit is non-zero there and the entry is zero.
 3. Per-segment mapping lookups E_k = f_k(D_k): middle segments
        f_k(x) = round(2^theta_bits · exp(-2^(b k) x / S)),   S = 2^(2f) · sqrt(d_head),
    top segments f(0) = 1, f(x > 0) = 0.
 4. Y = prod of the middle and top E_k (one multi-factor Hadamard sumcheck), at scale
    Theta = 2^(theta_bits · #middle): Y ≈ Theta · exp((z - s) / S).
 5. RowSumBound (normalisation): G = rowsum(Y) - Theta + 2^(e-1) committed in 16-bit
    chunks, range-checked: every row sum lies in [Theta - 2^(e-1), Theta + 2^(e-1)),
    e = theta_bits·#middle - cfg.rowsum_tol_bits + 1 (a relative tolerance of
    2^-rowsum_tol_bits). Together with s >= row max this pins s to log-sum-exp within
    the tolerance: Y is the softmax at scale Theta, no division needed. The claim:
        sum_j Y(j, r) = 2^m Y((1/2)^m, r) = (Theta - 2^(e-1)) ind_rows(r) + sum_i 2^(16 i) G_i(r).
 6. O' = Y V (batched matmul), then O = Rescale(O', log2 Theta) at scale 2^f.

The configuration (`ZkAttnConfig`, presets in PRESETS) is part of the statement (op
params and the tables). `attention(graph, q, k, v, cfg)` adds the ops;
`float_attention` is the float reference the accuracy tests and the benchmark compare to.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..field.scalar import R, inv
from ..field.tensor import FrTensor
from ..wire import Writer
from . import layout as L
from .fixed_point import dequantize
from .graph import Op
from .linear import MatMul
from .nonlinear import RangeCheck, TableMap, range_use
from .rescale import Rescale, chunk_bits, split_chunks
from .residual import Product


@dataclass(frozen=True)
class ZkAttnConfig:
    """in_frac: scale 2^in_frac of Q, K, V; in_bits: their signed range; seg_bits (b),
    segments (K), low (L), top (M): the digit layout of D (middle = K - L - M segments);
    theta_bits: each middle segment's output scale; rowsum_tol_bits: the row sums lie
    within Theta·2^-rowsum_tol_bits of Theta; causal: the causal mask."""

    in_frac: int = 8
    in_bits: int = 14
    seg_bits: int = 8
    segments: int = 5
    low: int = 1
    top: int = 2
    theta_bits: int = 16
    rowsum_tol_bits: int = 6
    causal: bool = True

    def __post_init__(self):
        if not 1 <= self.seg_bits <= 16:
            raise ValueError(f"seg_bits must be in [1, 16], got {self.seg_bits}")
        if self.low < 0 or self.top < 1 or self.middle < 1:
            raise ValueError("need low >= 0, top >= 1 and at least one middle segment")
        if self.middle + self.top > 7:
            raise ValueError("at most 7 middle + top segments (one product sumcheck)")
        if self.seg_bits * self.segments > 60:
            raise ValueError("seg_bits * segments must be at most 60")
        if self.theta_bits * self.middle > 40 or not 1 <= self.rowsum_tol_bits < self.theta_bits * self.middle:
            raise ValueError("theta_bits * middle must be at most 40 and rowsum_tol_bits smaller")

    @property
    def middle(self) -> int:
        return self.segments - self.low - self.top

    @property
    def theta_log2(self) -> int:
        return self.theta_bits * self.middle

    @property
    def tol_bits(self) -> int:
        """e: row sums in [Theta - 2^(e-1), Theta + 2^(e-1))."""
        return self.theta_log2 - self.rowsum_tol_bits + 1

    @property
    def big(self) -> int:
        return 1 << (self.seg_bits * self.segments - 1)

    def check_head_dim(self, d_head: int) -> None:
        """|Z| <= 2^(2 in_bits - 2) d_head must stay below 2^(b K - 3) (room for the mask)."""
        if 2 * (self.in_bits - 1) + (int(d_head) - 1).bit_length() > self.seg_bits * self.segments - 3:
            raise ValueError(f"zkAttn: |Q K^T| may reach 2^{2 * (self.in_bits - 1)} * {d_head}; the digits cover "
                             f"2^{self.seg_bits * self.segments} (need 3 bits of room): lower in_bits or widen the digits")

    def to_bytes(self) -> bytes:
        w = Writer()
        for v in asdict(self).values():
            w.u64(int(v))
        return w.bytes()


PRESETS = {
    # 5 segments of 8 bits: 1 dropped (relative error < 2^8 / S), 2 mapped to 2^16, 2 top
    "default": ZkAttnConfig(),
    # 4 segments of 10 bits (middle 2 x 10 bits), coarser dropped segment, smaller tables' count
    "wide": ZkAttnConfig(seg_bits=10, segments=4, low=1, top=1),
    # non-causal (encoder) attention
    "bidirectional": ZkAttnConfig(causal=False),
}


def score_scale(cfg: ZkAttnConfig, d_head: int) -> float:
    """S: a score z at scale 2^(2f) is the real number z / 2^(2f); softmax uses z / S."""
    return float(1 << (2 * cfg.in_frac)) * math.sqrt(d_head)


def segment_table(cfg: ZkAttnConfig, k: int, d_head: int) -> np.ndarray:
    """Outputs of segment k's table over [0, 2^b)."""
    x = np.arange(1 << cfg.seg_bits, dtype=np.float64)
    if k >= cfg.segments - cfg.top:
        return (x == 0).astype(np.int64)
    if k < cfg.low:
        raise ValueError("low segments are range-checked, not mapped")
    vals = np.exp(-x * float(1 << (cfg.seg_bits * k)) / score_scale(cfg, d_head))
    return np.floor(vals * float(1 << cfg.theta_bits) + 0.5).astype(np.int64)


def causal_masked(T: int) -> np.ndarray:
    """The (T, T) 0/1 array of masked slots (j > i)."""
    return np.triu(np.ones((T, T), dtype=np.int64), 1)


def _masked(cfg: ZkAttnConfig, H: int, T: int) -> np.ndarray:
    m = causal_masked(T) if cfg.causal else np.zeros((T, T), dtype=np.int64)
    return np.broadcast_to(m, (H, T, T))


def _digits(cfg: ZkAttnConfig, D: np.ndarray) -> list[np.ndarray]:
    if D.size and (D.min() < 0 or D.max() >= (1 << (cfg.seg_bits * cfg.segments))):
        raise ValueError("zkAttn: shifted scores outside [0, 2^(seg_bits*segments)); inputs too large for the config")
    return split_chunks(D, [cfg.seg_bits] * cfg.segments)


def _softmax_numerators(cfg: ZkAttnConfig, D: np.ndarray, d_head: int) -> np.ndarray:
    """Y = prod of the middle and top segment outputs (the integers the graph proves)."""
    digits = _digits(cfg, D)
    Y = np.ones(D.shape, dtype=np.int64)
    for k in range(cfg.low, cfg.segments):
        Y = Y * segment_table(cfg, k, d_head)[digits[k]]
    return Y


def choose_shift(cfg: ZkAttnConfig, Z: np.ndarray, masked: np.ndarray, d_head: int) -> np.ndarray:
    """The honest shift: s >= max of each row's unmasked scores with the row sum of Y
    within the tolerance (log-sum-exp, then corrected from the integer row sums)."""
    S = score_scale(cfg, d_head)
    zf = np.where(masked == 1, -np.inf, Z.astype(np.float64) / S)
    zmax = zf.max(axis=-1, keepdims=True)
    lse = (zmax + np.log(np.exp(zf - zmax).sum(axis=-1, keepdims=True)))[..., 0]
    s = np.ceil(lse * S).astype(np.int64)
    zint_max = np.where(masked == 1, np.iinfo(np.int64).min, Z).max(axis=-1)
    theta = float(1 << cfg.theta_log2)
    for _ in range(6):
        s = np.maximum(s, zint_max)
        rows = _softmax_numerators(cfg, s[..., None] - Z + cfg.big * masked, d_head).sum(axis=-1)
        err = np.abs(rows - theta) / theta
        if err.max(initial=0.0) < 2.0 ** -(cfg.rowsum_tol_bits + 2):
            break
        s = s + np.round(S * np.log(np.maximum(rows, 1) / theta)).astype(np.int64)
    return np.maximum(s, zint_max)


class SoftmaxShift(Op):
    """Z (H, T, T) -> shift s (H, T) and digits D_0..D_{K-1} (H, T, T), all committed."""

    name = "softmax_shift"

    def __init__(self, cfg: ZkAttnConfig, d_head: int):
        super().__init__()
        cfg.check_head_dim(d_head)
        self.cfg, self.d_head = cfg, int(d_head)

    def params(self) -> bytes:
        return Writer().raw(self.cfg.to_bytes()).u64(self.d_head).bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        if len(shape) != 3 or shape[1] != shape[2]:
            raise ValueError(f"SoftmaxShift: scores must be (H, T, T), got {shape}")
        return [("shift", shape[:2], "committed")] + [(f"digit{k}", shape, "committed")
                                                       for k in range(self.cfg.segments)]

    def forward(self, Z):
        H, T, _ = Z.shape
        masked = _masked(self.cfg, H, T)
        s = choose_shift(self.cfg, Z, masked, self.d_head)
        return [s] + _digits(self.cfg, s[..., None] - Z + self.cfg.big * masked)

    def lookups(self):
        return [range_use(0, self.cfg.seg_bits, d) for d in self.outputs[1:1 + self.cfg.low]]

    def backward(self, ctx) -> None:
        cfg = self.cfg
        zname = self.inputs[0]
        H, T, _ = ctx.shape(zname)
        shift, digits = self.outputs[0], self.outputs[1:]
        n = L.num_vars((H, T, T))
        r = ctx.challenges("zkattn/shift-point", n)
        r_col, r_row = r[:L.axis_vars((T,))[0]], r[L.axis_vars((T,))[0]:]
        vals = ctx.message("zkattn/digits", len(digits), lambda: [ctx.fr(d).evaluate(r) for d in digits])
        (sv,) = ctx.message("zkattn/shift", 1, lambda: [ctx.fr(shift).evaluate(r_row)])
        ctx.claim(shift, r_row, sv)
        total = 0
        for k, (d, v) in enumerate(zip(digits, vals)):
            ctx.claim(d, r, v)
            total += v << (cfg.seg_bits * k)
        mask_val = 0
        if cfg.causal:
            m2 = L.to_padded(causal_masked(T))
            mask_val = m2.evaluate(r[:2 * L.axis_vars((T,))[0]]) * L.indicator_mle((H,), r[2 * L.axis_vars((T,))[0]:])
        from ..lookup.tlookup import prefix_mle
        z = sv * prefix_mle(T, r_col) + cfg.big * mask_val - total
        ctx.claim(zname, r, z)


class RowSumBound(Op):
    """Y (H, T, T) -> chunks of G = rowsum(Y) - Theta + 2^(e-1) in [0, 2^e), committed."""

    name = "rowsum_bound"

    def __init__(self, cfg: ZkAttnConfig):
        super().__init__()
        self.cfg = cfg
        self.bits = chunk_bits(cfg.tol_bits)

    def params(self) -> bytes:
        return self.cfg.to_bytes()

    def output_specs(self, shapes):
        (shape,) = shapes
        return [(f"g{i}", shape[:2], "committed") for i in range(len(self.bits))]

    def _offset(self) -> int:
        return (1 << self.cfg.theta_log2) - (1 << (self.cfg.tol_bits - 1))

    def forward(self, Y):
        G = Y.sum(axis=-1) - self._offset()
        if G.size and (G.min() < 0 or G.max() >= (1 << self.cfg.tol_bits)):
            i = int(np.flatnonzero((G.reshape(-1) < 0) | (G.reshape(-1) >= (1 << self.cfg.tol_bits)))[0])
            raise ValueError(f"zkAttn: a row sum is outside [Theta - 2^(e-1), Theta + 2^(e-1)) "
                             f"(flat row {i}: {int(Y.sum(axis=-1).reshape(-1)[i])}, Theta = 2^{self.cfg.theta_log2})")
        return split_chunks(G, self.bits)

    def lookups(self):
        return [range_use(0, b, g) for b, g in zip(self.bits, self.outputs)]

    def backward(self, ctx) -> None:
        yname = self.inputs[0]
        H, T, _ = ctx.shape(yname)
        r = ctx.challenges("zkattn/rowsum-point", L.num_vars((H, T)))
        vals = ctx.message("zkattn/rowsum-digits", len(self.outputs),
                           lambda: [ctx.fr(g).evaluate(r) for g in self.outputs])
        total = self._offset() * L.indicator_mle((H, T), r)
        off = 0
        for b, g, v in zip(self.bits, self.outputs, vals):
            ctx.claim(g, r, v)
            total += v << off
            off += b
        m = L.axis_vars((T,))[0]
        half = inv(2)
        ctx.claim(yname, [half] * m + list(r), total * pow(half, m, R))


def attention(graph, q: str, k: str, v: str, cfg: ZkAttnConfig | str = "default", name: str = "attn") -> str:
    """Add zkAttn over committed Q, K, V (H, T, d) to the graph; returns O's name
    ((H, T, d) at scale 2^in_frac, derived: make it public or feed it on)."""
    cfg = PRESETS[cfg] if isinstance(cfg, str) else cfg
    H, T, d = graph.tensors[q].shape
    for x in (q, k, v):
        graph.add(RangeCheck(-(1 << (cfg.in_bits - 1)), cfg.in_bits), x, name=f"{name}.range_{x}")
    (z,) = graph.add(MatMul(transpose_b=True), q, k, name=f"{name}.z")
    outs = graph.add(SoftmaxShift(cfg, d), z, name=f"{name}.softmax")
    digits = outs[1:]
    es = []
    for kk in range(cfg.low, cfg.segments):
        tab = segment_table(cfg, kk, d)
        key = f"zkattn-seg{kk}:{cfg.to_bytes().hex()}:{d}" if kk < cfg.segments - cfg.top else \
            f"zkattn-top:{cfg.seg_bits}"
        es.append(graph.add(TableMap(key, 0, tab), digits[kk], name=f"{name}.exp{kk}")[0])
    (y,) = graph.add(Product(), *es, name=f"{name}.y")
    graph.add(RowSumBound(cfg), y, name=f"{name}.rowsum")
    (o2,) = graph.add(MatMul(), y, v, name=f"{name}.yv")
    return graph.add(Rescale(cfg.theta_log2), o2, name=name)[0]


def float_attention(q, k, v, cfg: ZkAttnConfig) -> np.ndarray:
    """Float softmax attention of the dequantised inputs (the accuracy reference)."""
    qf, kf, vf = (dequantize(x, cfg.in_frac) for x in (q, k, v))
    d = qf.shape[-1]
    s = qf @ np.swapaxes(kf, -1, -2) / math.sqrt(d)
    if cfg.causal:
        s = np.where(causal_masked(s.shape[-1]) == 1, -np.inf, s)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ vf
