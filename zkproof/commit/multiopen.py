"""Claims at many points on many Hyrax-committed tensors, discharged by ONE inner-product argument.

Claims (on integer tensors committed with zkproof.commit.hyrax, non-hiding):
  PointClaim(name, point u, value v):  t(u) = v, hyrax's meaning (the multilinear extension
      of the tensor's padded layout, zero-padded to 2^len(u) entries);
  RowsClaim(name, rows, weights, point u, value v), on a 2-D tensor E of shape (V, d):
      sum_k weights[k] E_(rows[k])(u) = v, E_i the extension of row i (its last axis padded
      to 2^len(u)). An embedding lookup of public tokens is one: it touches only their rows.

Both are linear forms in the committed matrix T (hyrax: stored rows T_r of gen_dim columns,
one or two *parts* with column masks). Each claim j is a sum of *terms* (part, u_col, e):

    sum_(r in part) e(r) <T_r, b>,     b = eq(u_col) o mask_part     (length gen_dim),

the row weights e computed by the verifier from the claim: a point claim has one term per
part, e = scale eq(u_row) on the part's rows (hyrax._split_point); a rows claim has one term
per (part, position of a table row inside its stored row) (`_rows_terms`).

Protocol. The statement (every distinct commitment with its sizes, then every claim: kind,
commitment index, point, value, rows and weights) is absorbed; rho <- transcript. Terms with
the same (gen_dim, u_col, mask) are merged into an *entry* i with column vector b_i and
    W_i = sum_(terms of i) rho^j(term) sum_r e(r) T_r            (the prover's folds).
With G the largest gen_dim (c = log2 G) and K the number of entries rounded up to a power of
two, the tables W(x, i) = W_i[x] and B(x, i) = b_i[x] (zero-extended from gen_dim_i to G;
zero for i >= entries) satisfy  sum_(x, i) W B = sum_j rho^j v_j.  One sumcheck (degree 2,
c + log2 K variables, the entry index on top) ends at (r, s) with claimed W(r, s), B(r, s).
The verifier computes B(r, s) = sum_i eq(s, i) b_i(r) itself (`col_eval`: O(c) per entry from
the layout's axes) and checks it. What remains is W(r, s) = <W*, eq(r)> for
W* = sum_i eq(s, i) W_i, whose commitment the verifier knows as
    C* = sum_i eq(s, i) sum_(terms of i) rho^j(term) sum_r e(r) C_r
(C_r the stored row commitments under the first gen_dim_i of the G generators, so C* commits
to W* zero-extended): one IPA (zkproof.commit.ipa) over G generators. The verifier's group
work is ONE MSM over the rows with a non-zero weight and G + 2 log2(G) + 1 IPA points.

Soundness. A false claim changes sum_j rho^j v_j (rho after the statement) except with
probability (claims) / r; the sumcheck and the IPA then fail except with the sumcheck's
2 (c + log2 K) / r and the IPA's binding (discrete log). Slots outside a tensor (padding, the
tail of a partial row) get weight zero in b or e, so whatever a dishonest committer put
there does not count; rows that are not stored are the identity (weight irrelevant).
Not zero-knowledge: the sumcheck reveals linear combinations of the W_i, so hiding
commitments are refused.

Proof (`MultiOpening`): the sumcheck's rounds (3 field elements each), W(r, s), then the IPA:
96 (c + log2 K) + 32 + 96 k' + 32 m bytes (the IPA: k' = min(IPA_ROUNDS, c - 3) rounds, a final
vector of m = 2^c / 2^k' elements). Its shape follows from the statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from . import ipa
from .g1 import G1Point, G1Tensor, msm
from .hyrax import (Commitment, Layout, _check_point, _mask_key, _powers, _row_weights, _split_point,
                    ipa_generator, padded_int_rows, row_generators)
from .. import _native
from ..claims_reduce import prefix_eq_eq
from ..errors import OpeningError
from ..field.scalar import R, eq_eval
from ..field.tensor import FrTensor
from ..sumcheck import core as sc
from ..transcript import Transcript
from ..wire import Reader, Writer

PROTOCOL_ID = "hyrax-multiopen/v1"
_TERMS = [(1, (0, 1))]
# The IPA stops after IPA_ROUNDS rounds (final vector G / 2^IPA_ROUNDS): one argument per
# proof, whose rounds are its prover's dearest part (two MSMs of G/2 full scalars each,
# about 24 ms at G = 4096 on two cores), while a final element costs 32 bytes (16 kB at
# G = 4096, for 6 rounds saved; measured on one GPT-2 layer's zkAttn: 4 rounds 0.135 s of
# openings and 82 kB of proof, 3 rounds 0.112 s / 90 kB, 2 rounds 0.089 s / 106 kB; a model
# proof has one argument per stage: 7 for MiniLM, where 2 rounds cost 170 kB more than 4).
IPA_ROUNDS = 3


def ipa_final_len(G: int) -> int:
    """The final length of the opening's IPA over G generators."""
    return max(ipa.FINAL_LEN, G >> IPA_ROUNDS)


@dataclass(frozen=True)
class PointClaim:
    """t(point) = value on the tensor committed as commitments[name]."""

    name: str
    point: tuple
    value: int


@dataclass(frozen=True)
class RowsClaim:
    """sum_k weights[k] E_(rows[k])(point) = value, E = the 2-D tensor committed as
    commitments[name], E_i its row i (last axis padded to 2^len(point))."""

    name: str
    rows: tuple
    weights: tuple
    point: tuple
    value: int


# ----------------------------------------------------------------------------- terms
@dataclass(frozen=True)
class _Term:
    claim: int          # index of the claim
    name: str
    part: str
    u_col: tuple        # log2(gen_dim) coordinates
    e: FrTensor         # row weights over the stored rows (zero off the part)


def _bits(x: int, n: int) -> list[int]:
    return [(x >> i) & 1 for i in range(n)]


def _point_terms(j: int, cl: PointClaim, com: Commitment) -> list[_Term]:
    lay = com.layout
    u = _check_point(cl.point)
    u_col, u_row, scale = _split_point(u, lay)  # ValueError on a point too short
    return [_Term(j, cl.name, part, tuple(u_col), _row_weights(lay, u_row, part) * scale)
            for part, _ in lay.part_keys()]


def _rows_terms(j: int, cl: RowsClaim, com: Commitment) -> list[_Term]:
    """Table row i of E (V, d) fills the padded flats [i P, (i + 1) P), P = 2^len(point).
    P <= gen_dim: the row lies inside stored row (i P) >> c, at block k = ((i P) mod gen_dim) / P,
    so its term has u_col = point ++ bits(k). P > gen_dim: it spans P / gen_dim rows
    (i P / gen_dim + h), weighted eq(point[c:], h), with u_col = point[:c]."""
    lay = com.layout
    if len(lay.shape) != 2:
        raise ValueError(f"a rows claim needs a 2-D tensor, {cl.name!r} has shape {lay.shape}")
    V, d = lay.shape
    u = _check_point(cl.point)
    lp = (d - 1).bit_length()
    if len(u) < lp:
        raise ValueError(f"rows claim on {cl.name!r}: the point has {len(u)} coordinates, rows need {lp}")
    if len(cl.rows) != len(cl.weights):
        raise ValueError(f"rows claim on {cl.name!r}: {len(cl.rows)} rows but {len(cl.weights)} weights")
    c = lay.col_vars
    scale = 1
    for x in u[lp:]:  # a point longer than the row's variables: the row zero-extended
        scale = scale * (1 - x) % R
    u = u[:lp]
    stored = lay.stored_rows()
    tail = lay.tail_rows()
    acc: dict = {}   # (part, u_col) -> {stored position: weight}
    for i, w in zip(cl.rows, cl.weights):
        i = int(i)
        if not 0 <= i < V:
            raise ValueError(f"rows claim on {cl.name!r}: row {i} outside [0, {V})")
        w = int(w) * scale % R
        if lp <= c:
            f0 = i << lp
            hs = [(f0 >> c, tuple(u + _bits((f0 & ((1 << c) - 1)) >> lp, c - lp)), w)]
        else:
            eh = FrTensor.eq(u[c:]).to_ints()
            hs = [(((i << lp) >> c) + h, tuple(u[:c]), w * eh[h] % R) for h in range(1 << (lp - c))]
        for row, u_col, wt in hs:
            pos = int(np.searchsorted(stored, row))
            if pos >= len(stored) or stored[pos] != row:
                continue  # not stored: only padding there (zero in the layout)
            part = "tail" if tail[pos] else "main"
            slot = acc.setdefault((part, u_col), {})
            slot[pos] = (slot.get(pos, 0) + wt) % R
    if not acc:  # no rows: the claim is "0 = value", kept as a term of zero weights
        acc[("main", tuple(u + [0] * (c - lp)) if lp <= c else tuple(u[:c]))] = {}
    out = []
    for (part, u_col), ws in acc.items():
        e = [0] * lay.num_rows
        for pos, wt in ws.items():
            e[pos] = wt
        out.append(_Term(j, cl.name, part, u_col, FrTensor.from_ints(e)))
    return out


def _terms(claims, commitments) -> list[_Term]:
    out = []
    for j, cl in enumerate(claims):
        com = commitments.get(cl.name)
        if not isinstance(com, Commitment):
            raise ValueError(f"claims[{j}] is on {cl.name!r}, which has no commitment")
        if com.hiding:
            raise ValueError(f"{cl.name!r}: multiopen does not open hiding commitments (it is not zero-knowledge)")
        if isinstance(cl, PointClaim):
            out += _point_terms(j, cl, com)
        elif isinstance(cl, RowsClaim):
            out += _rows_terms(j, cl, com)
        else:
            raise TypeError(f"claims[{j}] is {type(cl).__name__}, expected a PointClaim or RowsClaim")
    return out


def _entries(terms, commitments) -> list[tuple]:
    """Terms merged by (gen_dim, u_col, column mask), in order of first appearance:
    [((gen_dim, u_col, layout, part), [term, ...]), ...]."""
    groups: dict = {}
    for t in terms:
        lay = commitments[t.name].layout
        key = (lay.gen_dim, t.u_col, _mask_key(lay.mask(t.part)))
        groups.setdefault(key, ((lay.gen_dim, t.u_col, lay, t.part), []))[1].append(t)
    return list(groups.values())


def col_eval(lay: Layout, part: str, u_col: Sequence[int], r: Sequence[int]) -> int:
    """sum_x eq(u_col, x) mask_part(x) eq(r, x) over the gen_dim columns of `lay`, in
    O(log gen_dim): the mask is a product over the axes in the column bits (i_a < d_a;
    the straddling axis's low bits: all for the main part, below rem for the tail) and
    zero above the layout's variables."""
    c = lay.col_vars
    acc, lo = 1, 0
    widths = [(d - 1).bit_length() for d in lay.shape]
    for d, w in zip(reversed(lay.shape), reversed(widths)):
        if w == 0:
            continue
        if lo >= c:
            break
        if lo + w <= c:
            acc = acc * prefix_eq_eq(d, u_col[lo:lo + w], r[lo:lo + w]) % R
        else:
            if part == "tail":
                acc = acc * prefix_eq_eq(d & ((1 << (c - lo)) - 1), u_col[lo:c], r[lo:c]) % R
            else:
                acc = acc * eq_eval(list(u_col[lo:c]), list(r[lo:c])) % R
        lo += w
    for k in range(lo, c):  # columns past 2^n: not in the layout
        acc = acc * (1 - u_col[k]) % R * (1 - r[k]) % R
    return acc


def col_vector(lay: Layout, part: str, u_col: Sequence[int]) -> FrTensor:
    """eq(u_col) o mask_part, length gen_dim (the prover's b)."""
    b = FrTensor.empty(lay.gen_dim)
    _col_vector_into(b.data, lay, part, u_col)
    return b


def _col_vector_into(out: np.ndarray, lay: Layout, part: str, u_col: Sequence[int]) -> None:
    _native.fr_eq_table(out, [int(x) % R for x in u_col], 1)
    mask = lay.mask(part)
    if mask is not None:
        out[~mask] = 0  # zero is the all-zero limbs


# ------------------------------------------------------------------------- statement
def _statement_bytes(claims, commitments) -> tuple[bytes, list[str]]:
    names: list[str] = []
    for cl in claims:
        if cl.name not in names:
            names.append(cl.name)
    index = {n: k for k, n in enumerate(names)}
    w = Writer().u64(len(names))
    for n in names:
        w.raw(commitments[n].statement_bytes())
    w.u64(len(claims))
    for cl in claims:
        pt = _check_point(cl.point)
        w.u8(0 if isinstance(cl, PointClaim) else 1).u64(index[cl.name]).u64(len(pt)).frs(pt).fr(int(cl.value) % R)
        if isinstance(cl, RowsClaim):
            w.u64(len(cl.rows))
            for i, x in zip(cl.rows, cl.weights):
                w.u64(int(i)).fr(int(x) % R)
    return w.bytes(), names


def _sizes(entries) -> tuple[int, int]:
    """(c, k): log2 of the largest gen_dim, log2 of the entry count rounded up."""
    G = max(key[0] for key, _ in entries)
    return G.bit_length() - 1, max(0, (len(entries) - 1).bit_length())


@dataclass(frozen=True)
class MultiOpening:
    sumcheck: sc.SumcheckProof
    w_value: int
    ipa: ipa.IPAProof

    def to_bytes(self) -> bytes:
        w = Writer()
        self.sumcheck.write(w)
        w.fr(self.w_value)
        self.ipa.write(w)
        return w.bytes()

    @classmethod
    def read(cls, r: Reader, c: int, k: int) -> "MultiOpening":
        s = sc.SumcheckProof.read(r, c + k, 2)
        return cls(s, r.fr("W(r, s)"), ipa.IPAProof.read(r, 1 << c, final_len=ipa_final_len(1 << c)))


# ---------------------------------------------------------------------------- prover
def fold_int_rows(out: FrTensor, a: np.ndarray, lay: Layout, e: FrTensor, cache: dict | None = None) -> None:
    """out += sum_r e(r) T_r (length gen_dim) for the integer tensor a (natural order) laid
    out as `lay`, e over the stored rows: natively on the integers (no field conversion of
    a). Only the rows with a non-zero weight are read; cache (optional dict) keeps the
    whole padded matrix of a between calls when most rows are used."""
    stored = lay.stored_rows()
    nz = np.flatnonzero(e.data.any(axis=1))
    if len(nz) == 0:
        return
    if 4 * len(nz) < len(stored):
        mat = padded_int_rows(a, lay, stored[nz])
        w = np.ascontiguousarray(e.data[nz])
    else:
        key = id(a)
        mat = cache.get(key) if cache is not None else None
        if mat is None:
            mat = padded_int_rows(a, lay)
            if cache is not None:
                cache[key] = mat
        w = np.zeros((len(mat), 4), dtype=np.uint64)
        w[stored] = e.data
    _native.fr_fold_rows_i64(out.data, mat.reshape(-1), len(mat), lay.gen_dim, w)


def prove(transcript: Transcript, claims: Sequence, tensors: Callable[[str], np.ndarray] | Mapping,
          commitments: Mapping[str, Commitment], check: bool = False) -> MultiOpening:
    """Prove every claim (PointClaim / RowsClaim) against commitments[claim.name], the
    integer tensor being tensors[name] (a mapping or a callable; natural order, the
    commitment's shape). check: raise ValueError when the claims are false (debugging;
    an honest caller's claims are true). Returns the proof."""
    if not claims:
        raise ValueError("nothing to open: no claims")
    get = tensors if callable(tensors) else tensors.__getitem__
    entries = _entries(_terms(claims, commitments), commitments)
    stmt, _ = _statement_bytes(claims, commitments)
    transcript.absorb("multiopen/statement", PROTOCOL_ID.encode() + stmt)
    rho = transcript.challenge("multiopen/rho")
    pw = _powers(rho, len(claims))
    c, k = _sizes(entries)
    G = 1 << c
    W = FrTensor(np.zeros((G << k, 4), dtype=np.uint64))  # zero is the all-zero limbs
    B = FrTensor(np.zeros((G << k, 4), dtype=np.uint64))
    cache: dict = {}
    arrays: dict = {}
    for i, ((g, u_col, lay, part), terms) in enumerate(entries):
        # (views into W and B, no per-entry temporaries: small native calls are cheap only
        # while they stay on one thread)
        _col_vector_into(B.data[i * G:i * G + g], lay, part, u_col)
        by_tensor: dict = {}
        for t in terms:  # one fold per tensor: its terms' weights combined first
            e = t.e * pw[t.claim]
            by_tensor[t.name] = e if t.name not in by_tensor else by_tensor[t.name] + e
        for name, e in by_tensor.items():
            if name not in arrays:
                arrays[name] = np.asarray(get(name))
            fold_int_rows(FrTensor(W.data[i * G:i * G + g]), arrays[name], commitments[name].layout, e, cache)
    del cache, arrays
    claimed = sum(p * (int(cl.value) % R) for p, cl in zip(pw, claims)) % R
    if check and W.inner(B) != claimed:
        raise ValueError("multiopen: the claims are not the tensors' values")
    proof, point, (w_val, _) = sc.prove(transcript, [W, B], _TERMS, claimed)
    transcript.absorb_frs("multiopen/finals", [w_val])
    r, s = list(point[:c]), list(point[c:])
    wstar = FrTensor.empty(G)
    _native.fr_partial_eval(wstar.data, W.data, 1 << k, G, FrTensor.eq(s).data, 0)
    del W, B
    p = ipa.prove(transcript, wstar, r, row_generators(G), ipa_generator(), final_len=ipa_final_len(G))
    return MultiOpening(proof, w_val, p)


# --------------------------------------------------------------------------- verifier
def verify(transcript: Transcript, claims: Sequence, commitments: Mapping[str, Commitment],
           proof: MultiOpening | bytes) -> None:
    """Accept (return None) iff the proof shows every claim on the committed tensors;
    raise OpeningError / SumcheckError / MalformedProof otherwise. Sizes come from the
    claims and commitments, never from the proof."""
    if not claims:
        raise ValueError("nothing to open: no claims")
    entries = _entries(_terms(claims, commitments), commitments)  # ValueError on bad claims
    stmt, names = _statement_bytes(claims, commitments)
    c, k = _sizes(entries)
    if isinstance(proof, (bytes, bytearray, memoryview)):
        rd = Reader(bytes(proof))
        proof = MultiOpening.read(rd, c, k)
        rd.finish()
    if not isinstance(proof, MultiOpening):
        raise TypeError(f"proof must be a MultiOpening or bytes, got {type(proof).__name__}")
    transcript.absorb("multiopen/statement", PROTOCOL_ID.encode() + stmt)
    rho = transcript.challenge("multiopen/rho")
    pw = _powers(rho, len(claims))
    claimed = sum(p * (int(cl.value) % R) for p, cl in zip(pw, claims)) % R
    point, expected = sc.verify(transcript, c + k, 2, claimed, proof.sumcheck)
    r, s = point[:c], point[c:]
    es = FrTensor.eq(s).to_ints() if k else [1]
    b_val = 0
    for i, ((g, u_col, lay, part), _) in enumerate(entries):
        ci = lay.col_vars
        ext = 1
        for x in r[ci:]:  # b_i zero-extended from gen_dim_i to G
            ext = ext * (1 - x) % R
        b_val += es[i] * col_eval(lay, part, u_col, r[:ci]) % R * ext
    b_val %= R
    if proof.w_value * b_val % R != expected % R:
        raise OpeningError("multiopen: the sumcheck's final value does not match the claims' column vectors")
    transcript.absorb_frs("multiopen/finals", [proof.w_value])
    G = 1 << c
    mult, scalars, points = ipa.verify_terms(transcript, r, proof.w_value, row_generators(G), ipa_generator(),
                                             proof.ipa, final_len=ipa_final_len(G))
    row_scalars: dict = {}
    for i, (_, terms) in enumerate(entries):
        for t in terms:
            e = t.e * (es[i] * pw[t.claim] % R * mult % R)
            row_scalars[t.name] = e if t.name not in row_scalars else row_scalars[t.name] + e
    sc_parts, pt_parts = [], []
    for n in names:
        e = row_scalars.get(n)
        if e is None:
            continue
        nz = np.flatnonzero(e.data.any(axis=1))
        if len(nz) == len(e):
            sc_parts.append(e)
            pt_parts.append(commitments[n].rows)
        elif len(nz):
            sc_parts.append(FrTensor(np.ascontiguousarray(e.data[nz])))
            pt_parts.append(G1Tensor(np.ascontiguousarray(commitments[n].rows.data[nz])))
    total = msm(FrTensor.cat([*sc_parts, scalars]), G1Tensor.cat([*pt_parts, points]))
    if total != G1Point.identity():
        raise OpeningError("multiopen: the opening proof does not verify")


def proof_size(claims, commitments) -> int:
    """Bytes of the proof for these claims (from the statement)."""
    c, k = _sizes(_entries(_terms(claims, commitments), commitments))
    return sc.SumcheckProof.size(c + k, 2) + 32 + ipa.IPAProof.size(1 << c, final_len=ipa_final_len(1 << c))


__all__ = ["PointClaim", "RowsClaim", "MultiOpening", "prove", "verify", "col_eval", "col_vector",
           "fold_int_rows", "proof_size"]
