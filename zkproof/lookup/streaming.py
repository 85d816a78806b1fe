"""tlookup within a memory budget: the same proof, bytes for bytes, as tlookup.prove.

zkLLM's lookup sizes (1600 x 2^22 inputs) do not fit as field tensors (32 bytes per
element, and the fraction tree and the sumcheck tables several times that). This prover
holds the inputs as small integers (int16/int32: 2-4 bytes per element) and never
materialises the input side's large tree layers:

* Leaves. The padded input layout (tlookup.layout, pad value T[0] = low) is one integer
  array of 2^a entries; a chunk of it is expanded to field elements (q = beta + x) only
  when a pass needs it.
* Stored layers. Layer K of the input fraction tree (the largest that fits the budget)
  is computed column block by column block: entry i of layer k is the fraction sum of
  the leaves j = s 2^k + i (s < 2^(a-k)); the node values p = sum_j prod_{l != j} q_l and
  q = prod_j q_j are symmetric in the leaves, so any reduction order gives the same
  field elements as the unstreamed tree. Layers K-1 .. 0 follow by frac_layer; each
  layer is dropped once the sumcheck that reads it is done.
* Streamed layers (k >= K). The sumcheck of layer k reads layer k+1 split into
  A, B (p halves) and C, D (q halves), binding the top variables first. Round j needs
  those tables folded by the challenges r_0 .. r_{j-1}: entry y of the folded table is
  sum_t eq(r, t) X[t m + y] (m = 2^(k-j)). The round's sums are additive over y, so a
  pass takes a block of y (and its partner y + m/2), gathers every leaf that reaches
  it (leaf index s 2^(k+1) + half 2^k + t m + y), reduces over s (fraction layers),
  folds over t (FrTensor.fold with r_0, r_1, ...) and evaluates the round with the
  same native kernel (frac_round) on the block, with the block's slice of the eq
  table. Each such round is one pass over the inputs. As soon as the folded tables fit
  the budget they are materialised and the remaining rounds run as in the unstreamed
  prover (in-place folds).
* The instance dimension is the top variables, so the first rounds of each streamed
  layer fold the instance dimension, block by block, exactly as above.

Transcript, challenges and proof are those of tlookup.prove (tests compare the bytes).
Supported: range tables without mapping, inputs not committed by the proof (as in
zkLLM's benchmark); anything else raises ValueError naming what is not streamed.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from .. import _native
from ..commit import hyrax
from ..errors import OutOfTableError
from ..field.device import synchronize, xp
from ..field.scalar import R
from ..field.tensor import FrTensor
from ..stream import FR_BYTES, RESERVE, fmt_bytes, int_dtype, require, return_freed_memory
from ..transcript import Transcript
from . import tlookup
from .fraction_gkr import (FractionProof, LayerProof, LeafClaim, _absorb_roots, _powers, batch_inv, build_tree,
                           layer_finals, layers_above, round_message, round_sums)
from .tables import Table, counts_tensor

log = logging.getLogger(__name__)

# Working bytes per leaf of a streamed chunk (int64 copy, field elements, q + beta, the
# reduction's halves) and per entry of materialised round tables (A, B, C, D and eq).
_CHUNK_BYTES_PER_LEAF = 8 + 4 * FR_BYTES
_TABLE_BYTES_PER_ENTRY = 4 * FR_BYTES + FR_BYTES // 2 + FR_BYTES


def _rss() -> int:
    """Resident memory of this process (Linux; 0 elsewhere), for debug logs."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096
    except (OSError, ValueError, IndexError):
        return 0


def _log2_ceil(n: int) -> int:
    return (int(n) - 1).bit_length()


@dataclass(frozen=True)
class Plan:
    """How a lookup of NUM x DIM inputs is proved within `limit` bytes.

    a, b: input and table variables; itemsize: bytes per input integer; K: the largest
    input-tree layer held as field elements (K = a: the whole tree, nothing streamed);
    chunk: leaves expanded per pass; table_cap: materialise a streamed layer's folded
    tables once they have at most this many entries; need: the bytes the plan needs."""

    num: int
    dim: int
    a: int
    b: int
    itemsize: int
    K: int
    chunk: int
    table_cap: int
    limit: int
    need: int

    @property
    def streamed(self) -> bool:
        return self.K < self.a


def unstreamed_bytes(num: int, dim: int, table_len: int) -> int:
    """Estimated peak of tlookup.prove on field tensors: the inputs, the padded inputs,
    q = beta + S, the input tree (p and q layers), the first sumcheck's tables, the table side."""
    a, b = _log2_ceil(num) + _log2_ceil(dim), _log2_ceil(table_len)
    return FR_BYTES * (num * dim + 6 * (1 << a) + 8 * (1 << b)) + RESERVE


def plan(num: int, dim: int, low: int, table_len: int, limit: int, device: str = "cpu",
         chunk: int | None = None, K: int | None = None) -> Plan:
    """The streaming plan for a range lookup within `limit` bytes; MemoryBudgetError at
    once (naming the sizes, the bytes needed and the limit) when even streaming cannot fit.
    chunk / K override the choices (tests)."""
    if num < 1 or dim < 1 or table_len < 1:
        raise ValueError(f"num, dim and table length must be >= 1, got {num}, {dim}, {table_len}")
    d, n = _log2_ceil(dim), _log2_ceil(num)
    a, b = d + n, _log2_ceil(table_len)
    itemsize = np.dtype(int_dtype(low, low + table_len - 1)).itemsize
    padded = 1 << a
    ints = itemsize * (num * dim + (padded if padded != num * dim else 0))
    table_side = FR_BYTES * 8 * (1 << b)  # m, table entries, the table tree (p, q), its sumcheck
    fixed = RESERVE + ints + table_side
    sizes = f"NUM={num}, DIM={dim} (2^{a} padded inputs), a table of {table_len}"
    if chunk is None:
        chunk = 1 << 22 if device == "cpu" else 1 << 26
        while chunk > 1024 and fixed + 4 * _CHUNK_BYTES_PER_LEAF * chunk > limit:
            chunk //= 2
    work = limit - fixed - _CHUNK_BYTES_PER_LEAF * chunk
    min_k = min(a, max(b, 1 if K is not None else 10))  # the table tree is never streamed
    if K is not None and K < min_k:
        raise ValueError(f"K={K}: at least min(a, b) = {min_k} input-tree layers must be stored (the table tree "
                         f"has {b} variables and is never streamed)")
    if K is None:
        K = a
        while K > 0 and (2 * FR_BYTES) << (K + 1) > work:  # layers 0..K of p and q
            K -= 1
    table_cap = 1
    while 2 * table_cap * _TABLE_BYTES_PER_ENTRY <= work:
        table_cap *= 2
    need = fixed + _CHUNK_BYTES_PER_LEAF * 1024 + ((2 * FR_BYTES) << (min_k + 1))
    if K < min_k or work <= 0:
        require("tlookup (streamed)", sizes, max(need, limit + 1), limit,
                f"the inputs alone take {fmt_bytes(ints)} as {8 * itemsize}-bit integers")
    K = min(K, a)
    return Plan(num, dim, a, b, itemsize, K, chunk, table_cap, limit, fixed + ((2 * FR_BYTES) << (K + 1))
                + _CHUNK_BYTES_PER_LEAF * chunk)


# ----------------------------------------------------------------------------- leaves
class _Leaves:
    """The padded input layout as integers, expanded chunk by chunk to q = beta + x."""

    def __init__(self, x_int, num: int, dim: int, pad: int, device: str, dtype):
        mod = xp(device)
        d, n = _log2_ceil(dim), _log2_ceil(num)
        self.a = d + n
        self.device = device
        x = mod.asarray(x_int).reshape(-1)
        if (1 << self.a) == num * dim:
            self.ints = mod.ascontiguousarray(x.astype(dtype, copy=False))
        else:
            lay = mod.full((1 << n, 1 << d), pad, dtype=dtype)
            lay[:num, :dim] = x.reshape(num, dim)
            self.ints = lay.reshape(-1)
        self.beta = 0

    def gather(self, shape, index) -> FrTensor:
        """q = beta + leaves for the block ints.reshape(shape)[index], C order."""
        mod = xp(self.device)
        blk = mod.ascontiguousarray(self.ints.reshape(shape)[index]).reshape(-1).astype(np.int64)
        out = FrTensor.empty(len(blk), self.device)
        _native.fr_from_i64(out.data, blk)
        del blk
        if self.beta:
            _native.fr_add_scalar(out.data, out.data, self.beta)
        return out


def _reduce_rows(q: FrTensor, rows: int) -> tuple[FrTensor | None, FrTensor]:
    """Fraction-sum the `rows` row blocks of q (leaves, p = 1) pairwise: (p, q) of one row."""
    p = None
    while rows > 1:
        half = len(q) // 2
        po, qo = FrTensor.empty(half, q.device), FrTensor.empty(half, q.device)
        _native.frac_layer(po.data, qo.data, None if p is None else p.data, q.data)
        p, q = po, qo
        rows //= 2
    return p, q


def _eq_at(u, idx: int) -> int:
    """eq(u, bits of idx)."""
    out = 1
    for j, x in enumerate(u):
        out = out * (x if (idx >> j) & 1 else (1 - x)) % R
    return out


# ----------------------------------------------------------------------------- prover
def prove(transcript: Transcript, table: Table, x_int, num: int, limit: int, device: str = "cpu",
          statement=None, timings: dict | None = None, chunk: int | None = None, K: int | None = None,
          plan_: Plan | None = None):
    """tlookup.prove for integer inputs (NUM instances of DIM, instance-major; a NumPy or
    CuPy integer array) within `limit` bytes. Returns (statement, proof), identical to
    tlookup.prove(transcript, table, FrTensor.from_ints(x_int), num=num, statement=...)."""
    if not isinstance(table, Table):
        raise TypeError(f"table must be a Table, got {type(table).__name__}")
    if table.kind != "range" or table.is_mapping:
        raise ValueError("streamed tlookup supports range tables without a mapping; prove this one with tlookup.prove")
    mod = xp(device)
    x = mod.asarray(x_int).reshape(-1)
    if x.dtype.kind not in "iu":
        raise TypeError(f"x_int must be an integer array, got dtype {x.dtype}")
    return_freed_memory()
    if not isinstance(num, int) or num < 1 or len(x) % num or len(x) == 0:
        raise ValueError(f"inputs: {len(x)} values do not split into num = {num} non-empty instances")
    dim = len(x) // num
    low, length = table.low, table.length
    pl = plan_ or plan(num, dim, low, length, limit, device, chunk, K)
    st = statement or tlookup.make_statement(table, num, dim)
    if (st.num, st.dim, st.kind, st.table_len, st.mapping) != (num, dim, table.kind, length, False):
        raise ValueError("statement does not describe these inputs and this table")
    if st.input_commitments:
        raise ValueError("streamed tlookup does not open input commitments; commit and open them separately")
    log.info("streamed tlookup: a=%d b=%d K=%d chunk=%d table_cap=%d (limit %s)", pl.a, pl.b, pl.K, pl.chunk,
             pl.table_cap, fmt_bytes(limit))

    # multiplicities, chunk by chunk (OutOfTableError as tables.multiplicities words it)
    counts = mod.zeros(length, dtype=np.int64)
    bad, first = 0, None
    for lo in range(0, len(x), pl.chunk):
        c = x[lo: lo + pl.chunk].astype(np.int64) - low
        out = (c < 0) | (c >= length)
        nb = int(out.sum())
        if nb:
            if first is None:
                first = lo + int(mod.flatnonzero(out)[0])
            bad += nb
            c = c[~out]
        counts += mod.bincount(c, minlength=length)[:length]
    if bad:
        raise OutOfTableError(f"{bad} input values are not in the range [{low}, {low + length}); "
                              f"the first is inputs[{first}] = {int(x[first])}")
    a, b = pl.a, pl.b
    counts = counts.astype(np.uint64)
    counts[0] += (1 << a) - num * dim
    m = counts_tensor(counts, device)

    st.absorb(transcript)
    t0 = _now(device)
    com_m = hyrax.commit(m, st.gen_dim)
    t1 = _now(device)
    transcript.absorb_g1("tlookup/m_commitment", com_m.to_bytes())
    beta = transcript.challenge("tlookup/beta")

    leaves = _Leaves(x, num, dim, low, device, int_dtype(low, low + length - 1))  # pad T[0] = low
    leaves.beta = beta
    table_tree = build_tree(table.padded_x(device) + beta, m.pad(1 << b))
    in_tree = _stored_layers(leaves, min(pl.K, a), pl.chunk)
    frac, (cs, ct) = _gkr_prove(transcript, in_tree, table_tree, leaves, pl)

    t2 = _now(device)
    _, m_open = hyrax.open_batch(transcript, [m], [com_m], list(ct.point), [ct.p])
    if timings is not None:
        timings["commit_s"] = t1 - t0
        timings["open_s"] = _now(device) - t2
    return st, tlookup.LookupProof(com_m, frac, None, None, m_open, None)


def _now(device: str) -> float:
    synchronize(device)
    return time.perf_counter()


class _InTree:
    """The input tree's layers 0..K (p[k] None at the leaves, where all p are one); a
    layer is dropped (None in `alive`) once read."""

    def __init__(self, p: list, q: list, depth: int):
        self.p, self.q, self.depth = p, q, depth

    @property
    def K(self) -> int:
        return len(self.q) - 1


def _stored_layers(leaves: _Leaves, K: int, chunk: int) -> _InTree:
    """Layers 0..K of the input tree from the integer leaves, layer K column block by
    column block."""
    a, dev = leaves.a, leaves.device
    rows = 1 << (a - K)
    cols = 1 << K
    if K == a:
        pK, qK = None, leaves.gather((cols,), slice(None))
    else:
        pK, qK = FrTensor.empty(cols, dev), FrTensor.empty(cols, dev)
        w = max(1, min(cols, chunk // rows))
        for c0 in range(0, cols, w):
            q = leaves.gather((rows, cols), (slice(None), slice(c0, c0 + w)))
            p, q = _reduce_rows(q, rows)
            pK.data[c0: c0 + w] = p.data
            qK.data[c0: c0 + w] = q.data
    return _InTree(*layers_above(qK, pK), a)


def _stream_tables(leaves: _Leaves, k: int, j: int, rs: list, y0: int, w: int, paired: bool):
    """Layer k+1's A, B, C, D folded by rs[:j] at the block y0 .. y0 + w (and its partner
    y0 + m/2 .. when paired), each as one FrTensor ([block, partner] when paired).
    A, B are None at the leaves (p = 1)."""
    a = leaves.a
    m = 1 << (k - j)
    S, T = 1 << (a - k - 1), 1 << j
    if paired:
        hm = m // 2
        shape = (S, 2, T, 2, hm)
        index = (slice(None), slice(None), slice(None), slice(None), slice(y0, y0 + w))
        per = 2 * w
    else:
        shape = (S, 2, T, m)
        index = (slice(None), slice(None), slice(None), slice(y0, y0 + w))
        per = w
    q = leaves.gather(shape, index)
    p, q = _reduce_rows(q, S)
    span = T * per  # entries of one half (A or B) before the folds
    out = []
    for src in (p, q):
        if src is None:
            out += [None, None]
            continue
        for h in (0, 1):
            t = FrTensor(src.data[h * span: (h + 1) * span])
            for r in rs[:j]:
                t = t.fold(r)
            out.append(t)
    return out  # A, B, C, D


def _eq_block(rho_v: list, y0: int, w: int, device: str) -> FrTensor:
    """eq(rho_v, y) for y in [y0, y0 + w) (w a power of two dividing y0)."""
    s = w.bit_length() - 1
    e = FrTensor.eq(rho_v[:s], device)
    f = _eq_at(rho_v[s:], y0 >> s)
    return e * f if f != 1 else e


def _gkr_prove(transcript: Transcript, tin: _InTree, ttab, leaves: _Leaves, pl: Plan):
    """fraction_gkr.prove for [input tree, table tree], the input tree's layers above K
    streamed from the leaves. Same transcript and proof as the unstreamed prover."""
    trees = [tin, ttab]
    roots = [[int(tr.p[0][0]) if tr.p[0] is not None else 1, int(tr.q[0][0])] for tr in trees]
    _absorb_roots(transcript, roots)
    depths = [tin.depth, ttab.depth]
    claims: list = [None] * 2
    for i, d in enumerate(depths):
        if d == 0:
            claims[i] = LeafClaim((), roots[i][0], roots[i][1])
    rho: list[int] = []
    cur = [list(rt) for rt in roots]
    layers = []
    dev = leaves.device
    for k in range(max(depths, default=0)):
        active = [i for i, d in enumerate(depths) if d > k]
        lam = transcript.challenge("frac/lambda")
        coef = _powers(lam, 2 * len(active))
        claim = sum(coef[2 * a] * cur[i][0] + coef[2 * a + 1] * cur[i][1] for a, i in enumerate(active)) % R
        streamed = 0 in active and k + 1 > tin.K
        if log.isEnabledFor(logging.DEBUG):
            log.debug("layer %d (%s): resident %s", k, "streamed" if streamed else "stored", fmt_bytes(_rss()))
        if streamed and active != [0]:
            raise ValueError(f"the table tree (depth {depths[1]}) must fit the budget (stored input layers <= {tin.K})")
        h = 1 << k
        src, dst, p_one = [], [], []
        if not streamed:
            for i in active:
                tr = trees[i]
                P, Q = tr.p[k + 1], tr.q[k + 1]
                one = P is None
                p_one.append(one)
                s = [None, None] if one else [P.data[:h], P.data[h:]]
                src.append(s + [Q.data[:h], Q.data[h:]])
                wl = max(h // 2, 1)
                dst.append([None if one else FrTensor.empty(wl, dev).data for _ in range(2)]
                           + [FrTensor.empty(wl, dev).data for _ in range(2)])
        else:
            p_one = [k + 1 == tin.depth]
        rs: list[int] = []
        rounds = []
        pref, hclaim = 1, claim
        rho_inv = batch_inv(rho)
        E = None
        mat_j = None  # the round at which a streamed layer's tables were materialised
        if not streamed:
            E = FrTensor.eq(rho[: max(k - 1, 0)], dev) if k else None
        for j in range(k):
            v = k - 1 - j
            rv = rho[v]
            want1 = rv == 0
            acc = [0, 0, 0]
            if streamed and mat_j is None and (1 << (k - j)) > pl.table_cap:
                # one pass over the leaves, block by block
                hm = 1 << v
                per_y = 4 << (leaves.a - k - 1 + j)
                w = 1 << max(0, min(v, (max(1, pl.chunk // per_y)).bit_length() - 1))
                for y0 in range(0, hm, w):
                    A, B, C, D = _stream_tables(leaves, k, j, rs, y0, w, True)
                    e = _eq_block(rho[:v], y0, w, dev)
                    s4 = [None if A is None else A.data, None if B is None else B.data, C.data, D.data]
                    out = _native.frac_round(s4, s4, 2 * w, 0, False, e.data, False, lam, p_one[0], want1)
                    for t in range(len(out)):
                        acc[t] += out[t]
            else:
                if streamed and mat_j is None:
                    mat_j = j
                    src, dst = [_materialise(leaves, k, j, rs, pl)], None
                    E = FrTensor.eq(rho[:v], dev)
                if streamed:  # then active == [0]: only the input tree
                    first = j == mat_j
                    sa = src[0]
                    e = E.data[: (1 << v) if first else (2 << v)]
                    out = _native.frac_round(sa, sa, (1 << (k - j)) * (1 if first else 2),
                                             0 if first else rs[-1], not first, e, not first, lam,
                                             p_one[0], want1)
                    for t in range(len(out)):
                        acc[t] += out[t] * coef[0]
                else:
                    acc = round_sums(src, dst, E, h, j, v, rs[-1] if j else 0, lam, p_one, coef, want1)
            g, r, hclaim, pref = round_message(transcript, acc, want1, hclaim, rv,
                                              rho_inv[v] if not want1 else 0, pref)
            rounds.append(g)
            rs.append(r)
        finals = []
        if streamed:
            if mat_j is None:  # every round streamed: the finals are the fully folded tables
                sa = _materialise(leaves, k, k, rs, pl)
                vals = [(FrTensor(x_[:1])[0] if x_ is not None else 1) for x_ in sa]
            else:
                sa = src[0]
                _native.frac_round(sa, sa, 2, rs[-1], True, FrTensor.ones(1, dev).data, False, lam, p_one[0], False)
                vals = [(FrTensor(x_[:1])[0] if x_ is not None else 1) for x_ in sa]
            finals.append(vals)
        else:
            finals = layer_finals(src, dst, k, rs[-1] if k else 0, lam, p_one, dev)
        # drop every reference to layer k+1 (the views in src/sa/s and the locals P, Q)
        src = dst = E = sa = None
        P = Q = s = tr = None  # noqa: F841
        if 0 in active and k + 1 <= tin.K:  # layer k+1 of the input tree has been read
            tin.q[k + 1] = tin.p[k + 1] = None
        for f in finals:
            transcript.absorb_frs("frac/values", f)
        layers.append(LayerProof(rounds, finals))
        mu = transcript.challenge("frac/mu")
        rho = list(reversed(rs)) + [mu]
        for (A, B, C, D), i in zip(finals, active):
            cur[i] = [(A + mu * (B - A)) % R, (C + mu * (D - C)) % R]
            if depths[i] == k + 1:
                claims[i] = LeafClaim(tuple(rho), cur[i][0], cur[i][1])
    return FractionProof(roots, layers), claims


def _materialise(leaves: _Leaves, k: int, j: int, rs: list, pl: Plan) -> list:
    """Layer k+1's A, B, C, D folded by rs[:j] in full (2^(k-j) entries each), as raw
    arrays (A, B None at the leaves)."""
    m = 1 << (k - j)
    per_y = 2 << (leaves.a - k - 1 + j)
    w = min(m, 1 << max(0, (max(1, pl.chunk // per_y)).bit_length() - 1))
    dev = leaves.device
    outs = None
    for y0 in range(0, m, w):
        parts = _stream_tables(leaves, k, j, rs, y0, w, False)
        if outs is None:
            outs = [None if t is None else FrTensor.empty(m, dev) for t in parts]
        for o, t in zip(outs, parts):
            if o is not None:
                o.data[y0: y0 + w] = t.data
    return [None if o is None else o.data for o in outs]


# ----------------------------------------------------------------------------- claims
def input_claim(x_int, num: int, dim: int, point, chunk: int = 1 << 22, device: str = "cpu") -> int:
    """X0(point): the multilinear extension of the zero-padded input layout
    (tlookup.layout(x, num, dim): NUM rows of 2^d slots, zeros elsewhere) at `point`,
    from integer inputs, block by block of rows."""
    mod = xp(device)
    d = _log2_ceil(dim)
    x = mod.asarray(x_int).reshape(num, dim)
    u = [int(t) % R for t in point]
    if len(u) < d + _log2_ceil(num):
        raise ValueError(f"point has {len(u)} coordinates, the layout needs {d + _log2_ceil(num)}")
    e_col = FrTensor.eq(u[:d], device)[:dim]
    rows_per = max(1, chunk // max(dim, 1))
    total = 0
    for r0 in range(0, num, rows_per):
        blk = x[r0: r0 + rows_per]
        t = FrTensor.from_ints(mod.ascontiguousarray(blk).reshape(-1).astype(np.int64), device)
        # row r's value: <row, e_col>; weight eq(u[d:], r)
        for i in range(blk.shape[0]):
            row = FrTensor(t.data[i * dim: (i + 1) * dim])
            total += row.inner(e_col) * _eq_at(u[d:], r0 + i)
    return total % R
