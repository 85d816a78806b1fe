"""The batched Hadamard proof within a memory budget: the same proof, bytes for bytes, as
zkproof.sumcheck.hadamard.prove, from integer inputs.

zkLLM's Hadamard benchmark (1600 x 2^22) needs hundreds of GB as field tensors. Here a
and b are integer arrays (int32: 4 bytes per element) in the padded layout
(next_pow2(NUM) rows of next_pow2(DIM), zeros outside the real entries). The sumcheck
binds the top variable first (the instance dimension), so round j needs a and b folded
by r_0 .. r_{j-1}: entry y of the folded table is sum_t eq(r, t) X[t m + y]
(m = 2^(n-j)). While the folded tables do not fit, each round is one pass over the
integers: a block of y (and its partner y + m/2) is gathered, expanded to field
elements, folded, and the round's sums are computed by the same native kernel
(sc_round) with the block's slice of the eq table; blocks add up. Once the folded tables
fit they are materialised and the remaining rounds run exactly as in the core prover.
The claim y = c(u) is computed block by block of rows when not given.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .. import _native
from ..field.device import xp
from ..field.scalar import R, inv
from ..field.tensor import FrTensor
from ..stream import FR_BYTES, RESERVE, fmt_bytes, require, return_freed_memory
from ..transcript import Transcript
from . import core as sc
from . import hadamard

log = logging.getLogger(__name__)

# Working bytes per element of a streamed block (int64 copies, field elements, folds) and
# per entry of the materialised tables (a, b, their fold buffers, the eq levels).
_BLOCK_BYTES = 2 * (8 + 3 * FR_BYTES)
_TABLE_BYTES = 2 * FR_BYTES + FR_BYTES + 2 * FR_BYTES


def _log2_ceil(n: int) -> int:
    return (int(n) - 1).bit_length()


@dataclass(frozen=True)
class Plan:
    """n: variables; rows, cols: the padded layout; chunk: elements per table per block;
    table_cap: materialise once the folded tables have at most this many entries."""

    num: int
    dim: int
    n: int
    rows: int
    cols: int
    chunk: int
    table_cap: int
    need: int

    @property
    def streamed(self) -> bool:
        return (1 << self.n) > self.table_cap


def unstreamed_bytes(num: int, dim: int) -> int:
    """Estimated peak of the unstreamed benchmark (hadamard_bm): a, b, c as int64 and as
    field elements, the padded tables and the prover's scratch."""
    return RESERVE + num * dim * (3 * 8 + 3 * FR_BYTES) + 4 * FR_BYTES * (1 << hadamard.num_vars(num, dim))


def plan(num: int, dim: int, limit: int, device: str = "cpu", itemsize: int = 4, chunk: int | None = None,
         table_cap: int | None = None) -> Plan:
    """The streaming plan within `limit` bytes; MemoryBudgetError at once otherwise."""
    if num < 1 or dim < 1:
        raise ValueError(f"num and dim must be >= 1, got {num}, {dim}")
    rows, cols = 1 << _log2_ceil(num), 1 << _log2_ceil(dim)
    n = hadamard.num_vars(num, dim)
    ints = 2 * itemsize * rows * cols
    fixed = RESERVE + ints
    sizes = f"NUM={num}, DIM={dim} (2^{n} padded entries per input)"
    if chunk is None:
        chunk = 1 << 22 if device == "cpu" else 1 << 26
        while chunk > 1024 and fixed + 4 * _BLOCK_BYTES * chunk > limit:
            chunk //= 2
    work = limit - fixed - _BLOCK_BYTES * chunk
    need = fixed + _BLOCK_BYTES * 1024 + _TABLE_BYTES * 1024
    if work < _TABLE_BYTES * 1024:
        require("hadamard (streamed)", sizes, max(need, limit + 1), limit,
                f"a and b alone take {fmt_bytes(ints)} as {8 * itemsize}-bit integers")
    if table_cap is None:
        table_cap = 1
        while 2 * table_cap * _TABLE_BYTES <= work:
            table_cap *= 2
    return Plan(num, dim, n, rows, cols, chunk, table_cap, fixed + _BLOCK_BYTES * chunk + _TABLE_BYTES * table_cap)


def padded_ints(x, num: int, dim: int, dtype=np.int32, device: str = "cpu"):
    """x (NUM * DIM integers, instance-major) in the padded layout, zeros elsewhere."""
    mod = xp(device)
    rows, cols = 1 << _log2_ceil(num), 1 << _log2_ceil(dim)
    x = mod.asarray(x).reshape(num, dim)
    if (rows, cols) == (num, dim):
        return mod.ascontiguousarray(x.astype(dtype, copy=False)).reshape(-1)
    out = mod.zeros((rows, cols), dtype=dtype)
    out[:num, :dim] = x
    return out.reshape(-1)


def _expand(ints, shape, index, device) -> FrTensor:
    mod = xp(device)
    blk = mod.ascontiguousarray(ints.reshape(shape)[index]).reshape(-1).astype(np.int64)
    out = FrTensor.empty(len(blk), device)
    _native.fr_from_i64(out.data, blk)
    return out


def _eq_at(u, idx: int) -> int:
    out = 1
    for j, x in enumerate(u):
        out = out * (x if (idx >> j) & 1 else (1 - x)) % R
    return out


def _folded(ints, n: int, j: int, rs, y0: int, w: int, paired: bool, device: str) -> FrTensor:
    """The table folded by rs[:j] at y0 .. y0 + w (and the partners y + m/2 when paired)."""
    m, T = 1 << (n - j), 1 << j
    if paired:
        shape, index = (T, 2, m // 2), (slice(None), slice(None), slice(y0, y0 + w))
    else:
        shape, index = (T, m), (slice(None), slice(y0, y0 + w))
    t = _expand(ints, shape, index, device)
    for r in rs[:j]:
        t = t.fold(r)
    return t


def claim(a_pad, b_pad, num: int, dim: int, u, chunk: int = 1 << 22, device: str = "cpu") -> int:
    """y = c(u) for c = a o b in the padded layout, block by block."""
    n = hadamard.num_vars(num, dim)
    u = [int(x) % R for x in u]
    total = 0
    size = 1 << n
    w = min(size, 1 << max(0, chunk.bit_length() - 1))
    for y0 in range(0, size, w):
        ta = _expand(a_pad, (size,), slice(y0, y0 + w), device)
        tb = _expand(b_pad, (size,), slice(y0, y0 + w), device)
        e = _eq_block(u, y0, w, device)
        total += (ta * tb).inner(e)
    return total % R


def mle_padded(ints, point, chunk: int = 1 << 22, device: str = "cpu") -> int:
    """The multilinear extension of an integer array of 2^len(point) entries at point."""
    u = [int(x) % R for x in point]
    size = len(ints)
    if size != 1 << len(u):
        raise ValueError(f"{size} entries for a point of {len(u)} coordinates")
    w = min(size, 1 << max(0, chunk.bit_length() - 1))
    total = 0
    for y0 in range(0, size, w):
        total += _expand(ints, (size,), slice(y0, y0 + w), device).inner(_eq_block(u, y0, w, device))
    return total % R


class PaddedInts:
    """An integer array in a padded layout, evaluated block by block (check_claims calls
    evaluate(point) on it as on an FrTensor)."""

    def __init__(self, ints, chunk: int = 1 << 22, device: str = "cpu"):
        self.ints, self.chunk, self.device = ints, chunk, device

    def __len__(self) -> int:
        return len(self.ints)

    def evaluate(self, point) -> int:
        return mle_padded(self.ints, point, self.chunk, self.device)


def _eq_block(u, y0: int, w: int, device: str) -> FrTensor:
    s = w.bit_length() - 1
    e = FrTensor.eq(u[:s], device)
    f = _eq_at(u[s:], y0 >> s)
    return e * f if f != 1 else e


def prove(transcript: Transcript, a_pad, b_pad, num: int, dim: int, u, y: int | None = None,
          limit: int | None = None, device: str = "cpu", plan_: Plan | None = None):
    """hadamard.prove for integer a, b in the padded layout (padded_ints), within `limit`
    bytes. Returns (Statement, Proof, claims), identical to hadamard.prove's."""
    n = hadamard.num_vars(num, dim)
    return_freed_memory()
    pl = plan_ or plan(num, dim, limit, device, np.dtype(a_pad.dtype).itemsize)
    for name, t in (("a_pad", a_pad), ("b_pad", b_pad)):
        if t.dtype.kind not in "iu" or t.ndim != 1 or len(t) != 1 << n:
            raise ValueError(f"{name}: expected {1 << n} integers in the padded layout (padded_ints), "
                             f"got shape {t.shape} of {t.dtype}")
    u = tuple(int(x) % R for x in u)
    if len(u) != n:
        raise ValueError(f"u: expected {n} coordinates for num={num}, dim={dim}, got {len(u)}")
    if y is None:
        y = claim(a_pad, b_pad, num, dim, u, pl.chunk, device)
    st = hadamard.Statement(int(num), int(dim), u, int(y) % R)
    hadamard._absorb_statement(transcript, st)
    log.info("streamed hadamard: n=%d chunk=%d table_cap=%d", n, pl.chunk, pl.table_cap)
    proof, point, finals = _sumcheck(transcript, [a_pad, b_pad], st.y, list(u), n, pl, device)
    transcript.absorb_frs("hadamard/evals", finals)
    return st, hadamard.Proof(proof, finals[0], finals[1]), hadamard._claims(st, point, finals[0], finals[1])


def _sumcheck(transcript, ints, claimed, u, n, pl: Plan, device):
    """core.prove for tables a, b, the term a b and the eq point u over all n variables."""
    terms = sc.normalize_terms(hadamard.TERMS, 2)
    e = n
    deg = sc.degree_of(terms, e)
    claim_ = int(claimed) % R
    sc._absorb_header(transcript, n, deg, claim_)
    if n == 0:
        vals = [int(_expand(t, (1,), slice(None), device)[0]) for t in ints]
        return sc.SumcheckProof(()), [], vals
    dP = deg - 1
    npts = dP + 1
    coefs = [c for c, _ in terms]
    factors = [list(f) for _, f in terms]
    mults_per_point = sum(len(f) - 1 + (c != 1) for c, f in terms)
    mults_at_inf = sum(len(f) - 1 + (c != 1) for c, f in terms if len(f) == dP)
    K = 2
    C = 1
    rounds, rs = [], []
    src = dst = levels = None
    mat = None  # the round at which the tables were materialised
    r_prev = 0
    for j in range(n):
        m_live = 1 << (n - j)  # live length of this round (after its fold)
        half = m_live // 2
        kw = e - 1 - j
        uv = u[kw]
        skip1 = dP >= 2 and C != 0 and uv != 0
        if mat is None and m_live > pl.table_cap:
            # one pass over the integers, block by block of y (and partners y + half)
            w = 1 << max(0, min(kw, max(1, pl.chunk >> (j + 1)).bit_length() - 1))
            acc = [0] * (dP + 1)
            for y0 in range(0, half, w):
                blk = [_folded(t, n, j, rs, y0, w, True, device).data for t in ints]
                weight = _eq_block(u[:kw], y0, w, device).data if kw > 0 else None
                out = _native.sc_round(blk, blk, 2 * w, False, 0, factors, coefs, weight, 0, npts, skip1, None)
                for i in range(dP + 1):
                    acc[i] += int(out[i])
            out = [x % R for x in acc]
            fold = False
        else:
            if mat is None:
                mat = j
                src = []
                w = min(m_live, 1 << max(0, max(1, pl.chunk >> j).bit_length() - 1))
                for t in ints:
                    full = FrTensor.empty(m_live, device)
                    for y0 in range(0, m_live, w):
                        full.data[y0: y0 + w] = _folded(t, n, j, rs, y0, w, False, device).data
                    src.append(full.data)
                dst = [FrTensor.empty(max(half, 1), device).data for _ in range(K)]
                levels = FrTensor.empty(1 << (n - j), device).data
                _native.sc_eq_levels(levels, u[: n - j], True)
            fold = j > mat
            weight, wnext = None, None
            if kw > 0:
                weight = levels[1 << kw: 1 << (kw + 1)]
                if kw >= 2:
                    wnext = levels[1 << (kw - 1): 1 << kw]
            out = _native.sc_round(dst if fold else src, src, m_live, fold, r_prev, factors, coefs,
                                   weight, 0, npts, skip1, wnext)
        wmul = 1 if kw > 0 else 0
        sc.MulCounter.add(half * ((2 * K if j > 0 else 0) + (dP - (1 if skip1 else 0)) * (mults_per_point + wmul)
                                  + mults_at_inf + wmul))
        l = [int(x) for x in out[:dP]]
        lead = int(out[dP])
        if skip1:
            target = claim_ * inv(C) % R
            l[1] = (target - (1 - uv) * l[0]) * inv(uv) % R
        l.append((lead * sc._FACT[dP] + sc.interpolate(l, dP)) % R)
        if dP + 1 < deg + 1:
            l = l + [sc.interpolate(l, t) for t in range(dP + 1, deg + 1)]
        s = [C * sc._eq1(uv, t) % R * l[t] % R for t in range(deg + 1)]
        rounds.append(tuple(s))
        transcript.absorb_frs("sumcheck/round", s)
        r = transcript.challenge("sumcheck/r")
        rs.append(r)
        claim_ = sc.interpolate(s, r)
        C = C * sc._eq1(uv, r) % R
        if mat is not None and fold:
            src = dst
        r_prev = r
    if mat is None:  # every round streamed: the fully folded tables
        finals = [int(_folded(t, n, n, rs, 0, 1, False, device)[0]) for t in ints]
    else:
        _native.sc_round(dst, src, 1, True, r_prev, [], [], None, 0, 0, False)
        finals = [FrTensor(d[:1]).to_ints()[0] for d in dst]
    sc.MulCounter.add(K)
    return sc.SumcheckProof(tuple(rounds)), rs[::-1], finals
