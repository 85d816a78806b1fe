"""zkAttn: softmax attention with every step proven, the shift and normalisation included.

Shapes: Q, K, V of (H, T, d) integers at scale 2^f (f = cfg.in_frac), all heads in
every protocol run (the head index is the top variables). U (H, T, T) is the public 0/1
tensor of the slots that count: 1 on real (query, key) slots that are not masked (the
causal mask j > i, or'ed with an optional public key-padding mask (T,)), 0 on masked
slots and on padding. Its extension costs the verifier O(T) (`keep_mle`). Steps (each a
graph op):

 0. Q, K, V range-checked in [-2^(in_bits-1), 2^(in_bits-1)) (RangeCheck; bounds |Z|).
 1. Z = Q Kᵀ for all heads in one batched matmul (scale 2^(2f)).
 2. SoftmaxShift: the prover commits a shift s (H, T) per row and the digits D_k of
        D = U o (s·1ᵀ - Z),      D = sum_k 2^(offset_k) D_k,  D_k in [0, 2^(b_k)),
    (masked slots: every digit 0, nothing to commit there). The L low digits are
    range-checked only (their contribution, a factor exp(-less than 2^(offset_L)/S), is
    dropped). The digits are tied to Z at a fresh random point r by one sumcheck:
        sum_k 2^(offset_k) D_k(r) = sum_x eq(r, x) U(x) (s(x_row) - Z(x)),
    ending in claims on s and Z; the verifier evaluates U itself. Since every D_k lies in
    [0, 2^(b_k)), D = s - z >= 0 on every slot that counts: s is at least the maximum of
    the row's unmasked scores (every row keeps a key: `masked_slots` refuses a fully
    masked row). What a prover puts in the digits of a masked slot is multiplied by U = 0
    below, so it cannot change anything.
 3. Per-segment mapping lookups of the complements E_k = theta_k - f_k(D_k) (zero at
    D_k = 0, so masked slots and small digits stay small in the commitments): middle
    segments f_k(x) = round(2^theta_k · exp(-2^(offset_k) x / S)), S = 2^(2f) · sqrt(d_head);
    top segments (theta = 1) f(0) = 1, f(x > 0) = 0, i.e. E = [x != 0]: the top digits
    catch scores more than 2^(offset of the top) below the shift, whose term is zero.
 4. SoftmaxProduct: Y = U o prod_k (theta_k - E_k) over the middle and top segments (one
    sumcheck of degree #factors + 2, U evaluated by the verifier), at scale
    Theta = 2^(sum of theta_k): Y ≈ Theta · exp((z - s) / S) where U = 1, 0 elsewhere.
 5. RowSumBound (normalisation): G = rowsum(Y) - Theta + 2^(e-1) committed in 16-bit
    chunks, range-checked: every row sum lies in [Theta - 2^(e-1), Theta + 2^(e-1)),
    e = log2 Theta - cfg.rowsum_tol_bits + 1 (a relative tolerance of
    2^-rowsum_tol_bits). Together with s >= row max this pins s to log-sum-exp within
    the tolerance: Y is the softmax at scale Theta, no division needed. The claim:
        sum_j Y(j, r) = 2^m Y((1/2)^m, r) = (Theta - 2^(e-1)) ind_rows(r) + sum_i 2^(16 i) G_i(r).
 6. O' = Y V (batched matmul; with y_rescale_bits, Y is first rescaled), then
    O = Rescale(O', log2 Theta - y_rescale_bits) at scale 2^f.

The configuration (`ZkAttnConfig`, presets in PRESETS) is part of the statement (op
params and the tables). `attention(graph, q, k, v, cfg)` adds the ops;
`float_attention` is the float reference the accuracy tests and the benchmark compare to.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..field.scalar import R, inv
from ..field.tensor import FrTensor
from .. import proof_file
from ..errors import MalformedProof, StatementMismatch
from ..wire import Reader, Writer
from . import layout as L
from .fixed_point import dequantize
from .graph import Graph, Op, Statement, verify
from .linear import MatMul
from .nonlinear import RangeCheck, TableMap, range_use
from .rescale import OUT_BITS, Rescale, chunk_bits, split_chunks


@dataclass(frozen=True)
class ZkAttnConfig:
    """in_frac: scale 2^in_frac of Q, K, V; in_bits: their signed range (range-checked);
    segment_bits: the width b_k of each digit of D, lowest first (K = len); low (L) and
    top (M): how many low digits are dropped (range-checked only) and how many top
    digits map 0 -> 1, else 0; theta_bits: the output scale 2^theta_k of each middle
    segment (Theta = 2^sum); rowsum_tol_bits: the row sums lie within
    Theta 2^-rowsum_tol_bits of Theta; causal: the causal mask;
    y_rescale_bits: Y is rescaled by 2^y_rescale_bits before Y V (keeps Y V in int64
    when Theta is large, as zkLLM does)."""

    in_frac: int = 8
    in_bits: int = 14
    segment_bits: tuple = (8, 16, 16)
    low: int = 1
    top: int = 1
    theta_bits: tuple = (16,)
    rowsum_tol_bits: int = 6
    causal: bool = True
    y_rescale_bits: int = 0

    def __post_init__(self):
        object.__setattr__(self, "segment_bits", tuple(int(b) for b in self.segment_bits))
        object.__setattr__(self, "theta_bits", tuple(int(b) for b in self.theta_bits))
        if not 1 <= self.in_frac <= 24 or not 2 <= self.in_bits <= 24:
            raise ValueError("in_frac must be in [1, 24] and in_bits in [2, 24]")
        if any(not 1 <= b <= MAX_SEGMENT_BITS for b in self.segment_bits):
            raise ValueError(f"segment widths must be in [1, {MAX_SEGMENT_BITS}], got {self.segment_bits}")
        if self.low < 0 or self.top < 0 or self.middle < 1:
            raise ValueError("need low >= 0, top >= 0 and at least one middle segment")
        if len(self.theta_bits) != self.middle or any(not 1 <= t <= 40 for t in self.theta_bits):
            raise ValueError(f"theta_bits needs one scale in [1, 40] per middle segment ({self.middle})")
        if self.middle + self.top > 7:
            raise ValueError("at most 7 middle + top segments (one product sumcheck)")
        if self.total_bits > 60:
            raise ValueError("the segments may cover at most 60 bits")
        if self.theta_log2 > 44 or not 1 <= self.rowsum_tol_bits < self.theta_log2:
            raise ValueError("sum(theta_bits) must be at most 44 and rowsum_tol_bits in [1, sum)")
        if not 0 <= self.y_rescale_bits < self.theta_log2:
            raise ValueError("y_rescale_bits must be in [0, sum(theta_bits))")

    @property
    def segments(self) -> int:
        return len(self.segment_bits)

    @property
    def middle(self) -> int:
        return self.segments - self.low - self.top

    @property
    def total_bits(self) -> int:
        return sum(self.segment_bits)

    def offset(self, k: int) -> int:
        """Bit offset of digit k."""
        return sum(self.segment_bits[:k])

    @property
    def theta_log2(self) -> int:
        return sum(self.theta_bits)

    @property
    def tol_bits(self) -> int:
        """e: row sums in [Theta - 2^(e-1), Theta + 2^(e-1))."""
        return self.theta_log2 - self.rowsum_tol_bits + 1

    def theta(self, k: int) -> int:
        """The factor's scale 2^theta_k of mapped segment k (1 for a top segment)."""
        if not self.low <= k < self.segments:
            raise ValueError(f"segment {k} is not mapped (low segments are range-checked only)")
        return 1 if k >= self.segments - self.top else 1 << self.theta_bits[k - self.low]

    def check_head_dim(self, d_head: int) -> None:
        """|Z| <= 2^(2 in_bits - 2) d_head must stay below 2^(total_bits - 3): s - z (up
        to twice that plus the log-sum-exp margin) then has digits."""
        if 2 * (self.in_bits - 1) + (int(d_head) - 1).bit_length() > self.total_bits - 3:
            raise ValueError(f"zkAttn: |Q K^T| may reach 2^{2 * (self.in_bits - 1)} * {d_head}; the digits cover "
                             f"2^{self.total_bits} (need 3 bits of room): lower in_bits or widen the digits")

    def to_bytes(self) -> bytes:
        w = Writer().u64(self.in_frac).u64(self.in_bits).u64(self.segments)
        for b in self.segment_bits:
            w.u64(b)
        w.u64(self.low).u64(self.top).u64(len(self.theta_bits))
        for t in self.theta_bits:
            w.u64(t)
        return w.u64(self.rowsum_tol_bits).u8(int(self.causal)).u64(self.y_rescale_bits).bytes()

    @classmethod
    def read(cls, r: Reader) -> "ZkAttnConfig":
        """Inverse of to_bytes (MalformedProof on bad values)."""
        in_frac, in_bits, k = r.u64("in_frac"), r.u64("in_bits"), r.u64("segments")
        if k > 16:
            raise MalformedProof(f"zkattn config: {k} segments")
        seg = tuple(r.u64("segment bits") for _ in range(k))
        low, top, m = r.u64("low"), r.u64("top"), r.u64("middle")
        if m > 16:
            raise MalformedProof(f"zkattn config: {m} middle segments")
        theta = tuple(r.u64("theta bits") for _ in range(m))
        tol, causal, yr = r.u64("rowsum_tol_bits"), r.u8("causal"), r.u64("y_rescale_bits")
        if causal > 1:
            raise MalformedProof(f"zkattn config: causal flag {causal} is not 0 or 1")
        try:
            return cls(in_frac, in_bits, seg, low, top, theta, tol, bool(causal), yr)
        except ValueError as e:
            raise MalformedProof(f"zkattn config: {e}") from None


MAX_SEGMENT_BITS = 20

PRESETS = {
    # digits of 8 + 16 + 16 bits: 1 dropped (relative error < 2^8 / S), 1 mapped by a
    # table of 2^16 entries to 2^16 (Theta = 2^16), 1 top. As accurate as two 8-bit
    # middle segments at 2^16 each (one rounding instead of two; the output's rounding to
    # 2^-9 dominates either way, at T = 2048 too) with one digit tensor and one segment
    # output fewer to commit and look up, and 16-bit remainders (one chunk) for Y V / Theta.
    "default": ZkAttnConfig(),
    # 4 digits of 10 bits: 1 dropped, 2 mapped to 2^16 each, 1 top
    "wide": ZkAttnConfig(segment_bits=(10, 10, 10, 10), low=1, top=1, theta_bits=(16, 16)),
    # non-causal (encoder) attention
    "bidirectional": ZkAttnConfig(causal=False),
    # zkLLM's setting (zkSoftmax({2^8, 2^20, 2^20}, L=1, M=0, 2^32, {2^18, 2^22}) in its
    # attention code): scores at 2^32 (Q, K at 2^16), digits of 8 + 20 + 20 bits, the
    # low one dropped, two middle tables of 2^20 entries with outputs at 2^18 and 2^22,
    # no top segment (so no causal mask: zkLLM's softmax has none). Unlike zkLLM, the
    # row sums are range-checked (within 2^-6) and Q, K, V range-checked (19 bits); Y is
    # rescaled by 2^20 before Y V as in zkLLM.
    "zkllm": ZkAttnConfig(in_frac=16, in_bits=19, segment_bits=(8, 20, 20), low=1, top=0,
                          theta_bits=(18, 22), causal=False, y_rescale_bits=20),
}


def score_scale(cfg: ZkAttnConfig, d_head: int) -> float:
    """S: a score z at scale 2^(2f) is the real number z / 2^(2f); softmax uses z / S."""
    return float(1 << (2 * cfg.in_frac)) * math.sqrt(d_head)


def segment_table(cfg: ZkAttnConfig, k: int, d_head: int) -> np.ndarray:
    """Outputs E = theta_k - f_k(x) of segment k's table over x in [0, 2^b) (step 3 of
    the module doc: zero at x = 0)."""
    x = np.arange(1 << cfg.segment_bits[k], dtype=np.float64)
    theta = cfg.theta(k)  # ValueError for a low segment
    if k >= cfg.segments - cfg.top:
        return (x != 0).astype(np.int64)
    vals = np.exp(-x * float(1 << cfg.offset(k)) / score_scale(cfg, d_head))
    return theta - np.floor(vals * float(theta) + 0.5).astype(np.int64)


def causal_masked(T: int) -> np.ndarray:
    """The (T, T) 0/1 array of masked slots (j > i)."""
    return np.triu(np.ones((T, T), dtype=np.int64), 1)


def masked_slots(cfg: ZkAttnConfig, T: int, key_mask=None) -> np.ndarray:
    """The (T, T) 0/1 array of masked (query, key) slots: the causal mask (if cfg.causal)
    or'ed with the public key mask (1 = a padding key). ValueError when a row would have
    no key left (its shift would be unconstrained)."""
    m = causal_masked(T) if cfg.causal else np.zeros((T, T), dtype=np.int64)
    if key_mask is not None:
        km = np.asarray(key_mask).reshape(-1)
        if km.shape != (T,) or np.any((km != 0) & (km != 1)):
            raise ValueError(f"key_mask must be a 0/1 array of shape ({T},)")
        m = np.maximum(m, km[None, :].astype(np.int64))
    empty = np.flatnonzero(m.min(axis=1) == 1)
    if empty.size:
        raise ValueError(f"zkAttn: {empty.size} query rows have every key masked (first: row {int(empty[0])}); "
                         f"unmask at least one key per row (e.g. its own position)")
    return m


def _key_mask_vector(T: int, key_mask) -> np.ndarray | None:
    if key_mask is None:
        return None
    km = np.asarray(key_mask).reshape(-1)
    if km.shape != (T,) or np.any((km != 0) & (km != 1)):
        raise ValueError(f"key_mask must be a 0/1 array of shape ({T},)")
    return km.astype(np.int64)


def check_rows_keep_a_key(cfg: ZkAttnConfig, T: int, key_mask=None) -> None:
    """masked_slots' check without the (T, T) array (O(T), for the verifier): with the
    causal mask row i keeps a key iff some key j <= i is not padding (so row 0 needs key
    0); without it every row needs one non-padding key."""
    km = _key_mask_vector(T, key_mask)
    if km is None:
        return
    empty = bool(km[0]) if cfg.causal else bool(km.min(initial=1))
    if empty:
        raise ValueError("zkAttn: query rows have every key masked (first: row 0); "
                         "unmask at least one key per row (e.g. its own position)")


def keep_slots(cfg: ZkAttnConfig, H: int, T: int, key_mask=None) -> np.ndarray:
    """U: the (H, T, T) 0/1 array of the slots that count (1 - masked_slots, per head)."""
    return np.broadcast_to(1 - masked_slots(cfg, T, key_mask), (H, T, T))


def keep_mle(cfg: ZkAttnConfig, H: int, T: int, key_mask, point) -> int:
    """The extension of U (zero-padded to (H', T', T')) at point (key, query, head
    coordinates, lowest first), in O(T): ind_(H, T, T) - ind_H mask_mle."""
    lt = L.axis_vars((T,))[0]
    r_col, r_row, r_head = point[:lt], point[lt:2 * lt], point[2 * lt:]
    masked = mask_mle(cfg, T, key_mask, r_col, r_row) * L.indicator_mle((H,), r_head)
    return (L.indicator_mle((H, T, T), point) - masked) % R


def mask_mle(cfg: ZkAttnConfig, T: int, key_mask, r_col, r_row) -> int:
    """The extension of masked_slots (zero-padded to (T', T')) at (r_col, r_row), in O(T)
    time and memory (the verifier's; the (T, T) table would cost T^2):
        M = C + K - C K,  C(i, j) = [i < j < T],  K(i, j) = [i < T] key_mask[j]."""
    km = _key_mask_vector(T, key_mask)
    if not cfg.causal and km is None:
        return 0
    e_row = FrTensor.eq(list(r_row)).to_ints()[:T] if r_row else [1]
    e_col = FrTensor.eq(list(r_col)).to_ints()[:T] if r_col else [1]
    causal = both = 0
    prefix = 0  # sum over i < j of e_row[i]
    for j in range(T):
        if cfg.causal:
            causal += e_col[j] * prefix
            if km is not None and km[j]:
                both += e_col[j] * prefix
        prefix = (prefix + e_row[j]) % R
    keys = 0
    if km is not None:
        keys = prefix * sum(e_col[j] for j in range(T) if km[j]) % R
    return (causal + keys - both) % R


def _digits(cfg: ZkAttnConfig, D: np.ndarray) -> list[np.ndarray]:
    if D.size and (D.min() < 0 or D.max() >= (1 << cfg.total_bits)):
        raise ValueError(f"zkAttn: shifted scores outside [0, 2^{cfg.total_bits}); inputs too large for the config")
    return split_chunks(D, list(cfg.segment_bits))


def _numerators(cfg: ZkAttnConfig, keep: np.ndarray, es) -> np.ndarray:
    """Y = U o prod_k (theta_k - E_k) over the mapped segments (es: their E_k)."""
    Y = np.array(keep, dtype=np.int64)
    for k, e in zip(range(cfg.low, cfg.segments), es):
        Y = Y * (cfg.theta(k) - e)
    return Y


def _softmax_numerators(cfg: ZkAttnConfig, D: np.ndarray, d_head: int, keep: np.ndarray) -> np.ndarray:
    """Y from the shifted scores D (the integers the graph proves)."""
    digits = _digits(cfg, D)
    return _numerators(cfg, keep, [segment_table(cfg, k, d_head)[digits[k]] for k in range(cfg.low, cfg.segments)])


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
        keep = 1 - masked
        rows = _softmax_numerators(cfg, (s[..., None] - Z) * keep, d_head, keep).sum(axis=-1)
        err = np.abs(rows - theta) / theta
        if err.max(initial=0.0) < 2.0 ** -(cfg.rowsum_tol_bits + 2):
            break
        s = s + np.round(S * np.log(np.maximum(rows, 1) / theta)).astype(np.int64)
    return np.maximum(s, zint_max)


def _public_key_mask(ctx, op: Op):
    """The key mask of a zkAttn op (its second input), or None; the mask must be public."""
    if not op.key_mask:
        return None
    kname = op.inputs[-1]
    if ctx.graph.tensors[kname].kind != "public":
        raise ValueError(f"{op.name}: the key mask must be a public tensor")
    return ctx.value(kname) if ctx.is_prover else ctx._public[kname]


def _keep_table(ctx, op: Op, H: int, T: int, key_mask) -> FrTensor:
    """U in the padded layout, as field elements (prover), built once for the zkAttn ops
    that share a config and key mask."""
    key = ("zkattn/U", op.cfg.to_bytes(), H, T, op.inputs[-1] if op.key_mask else None)
    return ctx.fr_table(key, lambda: L.to_padded(np.ascontiguousarray(keep_slots(op.cfg, H, T, key_mask))))


class SoftmaxShift(Op):
    """Z (H, T, T) [, key mask (T,)] -> shift s (H, T) and digits D_0..D_{K-1} (H, T, T),
    all committed (step 2 of the module doc)."""

    name = "softmax_shift"

    def __init__(self, cfg: ZkAttnConfig, d_head: int, key_mask: bool = False):
        super().__init__()
        cfg.check_head_dim(d_head)
        self.cfg, self.d_head, self.key_mask = cfg, int(d_head), bool(key_mask)

    def params(self) -> bytes:
        return Writer().raw(self.cfg.to_bytes()).u64(self.d_head).u8(self.key_mask).bytes()

    def output_specs(self, shapes):
        shape = shapes[0]
        if len(shape) != 3 or shape[1] != shape[2]:
            raise ValueError(f"SoftmaxShift: scores must be (H, T, T), got {shape}")
        if len(shapes) != 1 + self.key_mask or (self.key_mask and tuple(shapes[1]) != (shape[1],)):
            raise ValueError(f"SoftmaxShift: expected scores{' and a key mask (T,)' if self.key_mask else ''}, "
                             f"got shapes {shapes}")
        return [("shift", shape[:2], "committed")] + [(f"digit{k}", shape, "committed")
                                                       for k in range(self.cfg.segments)]

    def forward(self, Z, key_mask=None):
        H, T, _ = Z.shape
        keep = keep_slots(self.cfg, H, T, key_mask)
        s = choose_shift(self.cfg, Z, 1 - keep, self.d_head)
        return [s] + _digits(self.cfg, (s[..., None] - Z) * keep)

    def lookups(self):
        return [range_use(0, self.cfg.segment_bits[k], d) for k, d in enumerate(self.outputs[1:1 + self.cfg.low])]

    def backward(self, ctx) -> None:
        cfg = self.cfg
        zname = self.inputs[0]
        H, T, _ = ctx.shape(zname)
        shift, digits = self.outputs[0], self.outputs[1:]
        km = _public_key_mask(ctx, self)
        try:
            check_rows_keep_a_key(cfg, T, km)
        except ValueError as e:
            if ctx.is_prover:
                raise
            raise StatementMismatch(str(e)) from None
        n = L.num_vars((H, T, T))
        r = ctx.challenges("zkattn/shift-point", n)
        vals = ctx.message("zkattn/digits", len(digits), lambda: [ctx.evaluate(d, r) for d in digits])
        total = 0
        for k, (d, v) in enumerate(zip(digits, vals)):
            ctx.claim(d, r, v)
            total += v << cfg.offset(k)

        def tables():
            s_pad = ctx.fr_once(shift)
            rows_of = FrTensor(np.repeat(s_pad.data, 1 << L.axis_vars((T,))[0], axis=0))
            return [_keep_table(ctx, self, H, T, km), rows_of, ctx.fr(zname)]

        # sum_x eq(r, x) U(x) (s(x_row) - Z(x)) = sum_k 2^(offset_k) D_k(r)
        point, (u, sv, zv) = ctx.sumcheck(n, 3, [(1, (0, 1)), (R - 1, (0, 2))], total % R, r, tables)
        ctx.check(u == keep_mle(cfg, H, T, km, point), "zkattn: the slots-that-count table is not U")
        ctx.claim(shift, point[L.axis_vars((T,))[0]:], sv)
        ctx.claim(zname, point, zv)


class SoftmaxProduct(Op):
    """E_k of the mapped segments (H, T, T) [, key mask (T,)] -> Y = U o prod_k
    (theta_k - E_k) (derived; step 4 of the module doc)."""

    name = "softmax_product"

    def __init__(self, cfg: ZkAttnConfig, key_mask: bool = False):
        super().__init__()
        self.cfg, self.key_mask = cfg, bool(key_mask)

    def params(self) -> bytes:
        return Writer().raw(self.cfg.to_bytes()).u8(self.key_mask).bytes()

    def output_specs(self, shapes):
        m = self.cfg.segments - self.cfg.low
        shape = tuple(shapes[0])
        if len(shapes) != m + self.key_mask or any(tuple(x) != shape for x in shapes[:m]) or len(shape) != 3 \
                or shape[1] != shape[2] or (self.key_mask and tuple(shapes[-1]) != (shape[1],)):
            raise ValueError(f"SoftmaxProduct: expected {m} segment outputs (H, T, T)"
                             f"{' and a key mask (T,)' if self.key_mask else ''}, got shapes {shapes}")
        return [("", shape, "derived")]

    def forward(self, *xs):
        es = xs[:self.cfg.segments - self.cfg.low]
        H, T, _ = es[0].shape
        return [_numerators(self.cfg, keep_slots(self.cfg, H, T, xs[-1] if self.key_mask else None), es)]

    def backward(self, ctx) -> None:
        oc = ctx.output_claim(self.outputs[0])
        if oc is None:
            return
        u, y = oc
        cfg = self.cfg
        es = self.inputs[:cfg.segments - cfg.low]
        thetas = [cfg.theta(k) for k in range(cfg.low, cfg.segments)]
        H, T, _ = ctx.shape(es[0])
        km = _public_key_mask(ctx, self)

        def tables():  # U, then theta_k - E_k on the real slots (zero in the padding, where U is)
            return [_keep_table(ctx, self, H, T, km)] + [L.to_padded(th - ctx.value(e)) for th, e in zip(thetas, es)]

        m = len(es)
        point, finals = ctx.sumcheck(len(u), m + 1, [(1, tuple(range(m + 1)))], y, u, tables)
        ctx.check(finals[0] == keep_mle(cfg, H, T, km, point), "zkattn: the slots-that-count table is not U")
        ind = L.indicator_mle((H, T, T), point)
        for th, e, v in zip(thetas, es, finals[1:]):
            ctx.claim(e, point, th * ind - v)


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
                           lambda: [ctx.evaluate(g, r) for g in self.outputs])
        total = self._offset() * L.indicator_mle((H, T), r)
        off = 0
        for b, g, v in zip(self.bits, self.outputs, vals):
            ctx.claim(g, r, v)
            total += v << off
            off += b
        m = L.axis_vars((T,))[0]
        half = inv(2)
        ctx.claim(yname, [half] * m + list(r), total * pow(half, m, R))


def attention(graph, q: str, k: str, v: str, cfg: ZkAttnConfig | str = "default", name: str = "attn",
              key_mask: str | None = None, out_bits: int = OUT_BITS) -> str:
    """Add zkAttn over committed Q, K, V (H, T, d) to the graph; returns O's name
    ((H, T, d) at scale 2^in_frac, derived: make it public or feed it on; out_bits: O's
    range check by its final Rescale, 0 when the graph binds O otherwise, e.g. a public
    O: rescale.integer_bound). key_mask: a
    public (T,) 0/1 input, 1 for padding keys (or'ed with the causal mask)."""
    cfg = PRESETS[cfg] if isinstance(cfg, str) else cfg
    H, T, d = graph.tensors[q].shape
    for x in (q, k, v):
        graph.add(RangeCheck(-(1 << (cfg.in_bits - 1)), cfg.in_bits), x, name=f"{name}.range_{x}")
    (z,) = graph.add(MatMul(transpose_b=True), q, k, name=f"{name}.z")
    km = (key_mask,) if key_mask else ()
    outs = graph.add(SoftmaxShift(cfg, d, key_mask is not None), z, *km, name=f"{name}.softmax")
    digits = outs[1:]
    es = []
    for kk in range(cfg.low, cfg.segments):
        tab = segment_table(cfg, kk, d)
        key = f"zkattn-seg{kk}:{cfg.to_bytes().hex()}:{d}" if kk < cfg.segments - cfg.top else \
            f"zkattn-top:{cfg.segment_bits[kk]}"
        es.append(graph.add(TableMap(key, 0, tab), digits[kk], name=f"{name}.exp{kk}")[0])
    (y,) = graph.add(SoftmaxProduct(cfg, key_mask is not None), *es, *km, name=f"{name}.y")
    graph.add(RowSumBound(cfg), y, name=f"{name}.rowsum")
    if cfg.y_rescale_bits:
        y = graph.add(Rescale(cfg.y_rescale_bits), y, name=f"{name}.ys")[0]
    (o2,) = graph.add(MatMul(), y, v, name=f"{name}.yv")
    return graph.add(Rescale(cfg.theta_log2 - cfg.y_rescale_bits, out_bits), o2, name=name)[0]


# ---------------------------------------------------------------------- proof files
PROTOCOL_ID = "zkattn/v3"
# Caps on what a file's statement can make its verifier do: T <= 2^13 (the mask's
# extension costs O(T): mask_mle); the public output (H T d entries) is carried in the file.
MAX_FILE_SEQ = 1 << 13
MAX_FILE_ELEMENTS = 1 << 32


def attention_graph(H: int, T: int, d: int, cfg: ZkAttnConfig) -> Graph:
    """The standalone statement's graph: committed Q, K, V (H, T, d), public output O."""
    g = Graph("zkattn")
    q, k, v = (g.input(n, (H, T, d)) for n in "qkv")
    o = attention(g, q, k, v, cfg, name="o", out_bits=0)  # public: bound without output chunks
    g.set_kind(o, "public")
    return g


def encode(H: int, T: int, d: int, cfg: ZkAttnConfig, statement, proof: bytes) -> bytes:
    """A proof file (zkproof.wire.Envelope) that `zkproof verify` checks: it states
    O = zkAttn(Q, K, V) for the committed Q, K, V in it (sound on its own)."""
    g = attention_graph(H, T, d, cfg)
    head = Writer().u64(H).u64(T).u64(d).raw(cfg.to_bytes()).bytes()
    return proof_file.encode(PROTOCOL_ID, head + statement.to_bytes(g), proof)


def verify_bytes(statement: bytes, proof: bytes) -> str:
    """The registered verifier of "zkattn/v3" files."""
    r = Reader(statement)
    H, T, d = r.u64("H"), r.u64("T"), r.u64("d")
    if not (1 <= H and 1 <= T <= MAX_FILE_SEQ and 1 <= d and H * T * max(T, d) <= MAX_FILE_ELEMENTS):
        raise MalformedProof(f"zkattn statement: sizes H={H}, T={T}, d={d} out of range "
                             f"(T <= {MAX_FILE_SEQ}, H T max(T, d) <= 2^32)")
    if r.remaining() < 8 * H * T * d:
        raise MalformedProof("zkattn statement: truncated before the public output")
    cfg = ZkAttnConfig.read(r)
    try:
        g = attention_graph(H, T, d, cfg)
    except ValueError as e:
        raise MalformedProof(f"zkattn statement: {e}") from None
    st = Statement.read(r, g, file_bytes=len(statement) + len(proof))
    r.finish()
    verify(g, st, proof)
    preset = next((k for k, c in PRESETS.items() if c == cfg), None)
    # the config is part of what is proved: a file may state zkAttn under any config
    # (e.g. a loose row-sum tolerance), so the report names it
    conf = f"preset {preset!r}" if preset else f"config {cfg}"
    return (f"zkattn H={H} T={T} d={d}, {conf} (row sums within 2^-{cfg.rowsum_tol_bits}): "
            f"O = attention(Q, K, V) for the committed Q, K, V")


def float_attention(q, k, v, cfg: ZkAttnConfig, key_mask=None) -> np.ndarray:
    """Float softmax attention of the dequantised inputs (the accuracy reference)."""
    qf, kf, vf = (dequantize(x, cfg.in_frac) for x in (q, k, v))
    d = qf.shape[-1]
    s = qf @ np.swapaxes(kf, -1, -2) / math.sqrt(d)
    s = np.where(masked_slots(cfg, s.shape[-1], key_mask) == 1, -np.inf, s)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ vf
