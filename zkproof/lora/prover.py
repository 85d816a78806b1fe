"""Proof that returned LoRA deltas are the committed adapter applied to the client's
activations: prover and verifier side by side.

Statement (public): the adapter manifest's digest (its commitments and formats), a
session id, and a list of calls, each (module name, call id, x_q, d) with x_q the
client's quantised activations (T x in, int64) and d the returned delta (T x out,
int64, delta = d / 2^FD). Claim: for every call, d is the integer forward pass of
zkproof.lora.quantize (`forward`) of the committed module on x_q.

Layouts (every axis zero-padded to a power of two, row-major, last axis in the low
index bits): x (T' x in'), h, R1 (T' x r'), d (T' x out'); the committed A and SA
(r' x in', SA[i] broadcast along row i), B and SB (out' x r') of
zkproof.lora.commitment. With c = 2^(K-1) and Ind[i] = [i < r], the prover shows, for
every slot of the padded layouts,

    (1)  R1[t, i] = SA[i] sum_j A[i, j] x[t, j] + c - 2^K h[t, i]
    (2)  d[t, o]  = SB[o] sum_i Ind[i] B[o, i] h[t, i]
    (3)  R1, h0, h1 in [0, 2^K),  h = h0 + 2^K h1 - 2^(2K-1)

Since every quantity is then a small integer (weights 4-bit and scales 12-bit by the
commitment-time range proof, x 16-bit, h 24-bit, |d| < 2^63) the field equations hold
over the integers, so h is exactly the rounded rescale and d the exact product: d is
unique. (The output is not rescaled: d keeps FD = FS_B + FH fractional bits, so no
output needs a range check.)

Protocol (Fiat-Shamir, transcript "zkproof/lora/delta/v1"):
 1. absorb the statement (digest, session, every call's name, id, shape, x_q, d);
 2. the prover commits h0 and h1 of every call (hiding Hyrax; absorbed);
 3. one LogUp (zkproof.lora.batched_lookup) over the parts h0, h1, R1 of every call
    against [0, 2^K): R1 is never committed, its claim R1(rho) is reduced through (1);
    the claims on h0, h1 (all at the same point rho[:s] for calls of one shape) are
    opened;
 4. calls of one padded shape (T', r', in', out') form a group (`call_groups`): their
    parts have equal sizes, so the lookup left claims R1_c(rho_i, rho_t) = v_c at one
    point. With random lambda_c, through (1),
        sum_c lambda_c (v_c - c + 2^K h_c(rho_i, rho_t))
            = sum_{i, c, j} eq(rho_i, i) lambda_c SA_c[i, j] A_c[i, j] X_c[j],
    X_c[j] = x_c(j, rho_t) computed by the verifier: one sumcheck over r' C' in' entries
    (degree 4; the table layout is (i, c, j), i on the top variables where the eq factor
    lives, lambda folded into SA), after which the prover sends every call's SA_c and A_c
    at (v_j, v_i) and the verifier recombines them with eq(v_c, c);
 5. (2) is checked for the group at one random point (rho_o, rho_t) drawn from the
    transcript, with fresh lambdas:
        sum_c lambda_c d_c(rho_o, rho_t)
            = sum_{o, c, i} eq(rho_o, o) lambda_c SB_c[o, i] B_c[o, i] h_c(i, rho_t) Ind_c[i],
    one sumcheck over out' C' r' entries (degree 5; Ind is its own table), then every
    call's SB_c, B_c at (v_i, v_o) and h0_c, h1_c at (v_i, rho_t);
 6. every claim on a committed tensor is discharged by zero-knowledge Hyrax openings,
    one batched opening per distinct (point, row length): 4 per group, since the calls
    of a group share every point.

Cost per call: O(r' (in' + out')) for the sumchecks plus 3 T' r' lookup entries and
O(T (in + out)) for the evaluations of x and d; never in x out. The verifier's work is
O(T (in + out)) field operations (it reads x and d anyway), the logarithmic sumcheck
checks and one MSM per opening.

Zero knowledge: the commitments and openings are hiding, but the sumcheck messages are
not blinded (zkproof's sumcheck is not zero-knowledge), so a proof reveals a few random
linear combinations of the adapter's entries per call. Documented in docs/lora.md.
"""
from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import batched_lookup
from .commitment import AdapterManifest, AdapterSecret, cached, h_gen_dim
from .quantize import H_BITS, REM_BITS, X_BITS, forward
from ..commit import hyrax
from ..errors import MalformedProof, StatementMismatch
from ..field.scalar import R, eq_table
from ..field.tensor import FrTensor, next_pow2
from ..lookup.tables import Table
from ..lookup.tlookup import prefix_mle
from ..nn.fixed_point import check_bits
from ..sumcheck import core as sc
from ..transcript import Transcript
from ..wire import Reader, Writer

log = logging.getLogger(__name__)

PROTOCOL_ID = "lora-delta/v1"
TERMS1 = [(1, (0, 1, 2))]         # lambda SA, A, X   (times eq(rho_i, i) on the top variables)
TERMS2 = [(1, (0, 1, 2, 3))]      # lambda SB, B, h, Ind (times eq(rho_o, o)); the indicator is its own
                                  # table: the MLE of a product is not the product of the MLEs
TERMS2_FULL = [(1, (0, 1, 2))]    # the same when every rank is a power of two (Ind = 1: no table)
MAX_TOKENS = 1 << 16
MAX_CALLS = 4096
K = REM_BITS
C = 1 << (K - 1)
H_OFF = 1 << (H_BITS - 1)


def rem_table() -> Table:
    return Table.range(0, 1 << K)


@dataclass(frozen=True)
class Call:
    """One apply_lora call: module name, call id (unique within a session), the
    client's x_q (T x in int64) and the returned d (T x out int64)."""

    name: str
    call_id: int
    x_q: np.ndarray
    d: np.ndarray


def _lg(n: int) -> int:
    return (next_pow2(n) - 1).bit_length()


def _pad2(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    out = np.zeros((rows, cols), dtype=np.int64)
    out[: a.shape[0], : a.shape[1]] = a
    return out


def _check_calls(manifest: AdapterManifest, calls: Sequence[Call]) -> None:
    if not 1 <= len(calls) <= MAX_CALLS:
        raise ValueError(f"need 1 to {MAX_CALLS} calls, got {len(calls)}")
    for n, c in enumerate(calls):
        if not isinstance(c, Call):
            raise TypeError(f"calls[{n}] is not a Call")
        if c.name not in manifest.modules:
            raise StatementMismatch(f"calls[{n}]: module {c.name!r} is not in the adapter manifest")
        f = manifest.modules[c.name].fmt
        for what, a, width in (("x_q", c.x_q, f.in_features), ("d", c.d, f.out_features)):
            if not isinstance(a, np.ndarray) or a.dtype != np.int64 or a.ndim != 2 or a.shape[1] != width:
                raise StatementMismatch(f"calls[{n}].{what}: expected int64 (T, {width})")
            if not 1 <= a.shape[0] <= MAX_TOKENS:
                raise StatementMismatch(f"calls[{n}].{what}: 1 to {MAX_TOKENS} tokens")
        if c.x_q.shape[0] != c.d.shape[0]:
            raise StatementMismatch(f"calls[{n}]: x_q and d have different token counts")
        try:
            check_bits(c.x_q, X_BITS, f"calls[{n}].x_q")
        except ValueError as e:
            raise StatementMismatch(str(e)) from None
        if not isinstance(c.call_id, int) or not 0 <= c.call_id < 2**63:
            raise StatementMismatch(f"calls[{n}]: call_id must be a non-negative int")


def _absorb_statement(t: Transcript, manifest: AdapterManifest, session: str, calls: Sequence[Call]) -> None:
    t.absorb("protocol", PROTOCOL_ID.encode())
    t.absorb("lora/manifest", bytes.fromhex(manifest.digest()))
    t.absorb("lora/session", session.encode())
    t.absorb_int("lora/num_calls", len(calls))
    for c in calls:
        t.absorb("lora/call", c.name.encode() + b"\x00" + struct.pack("<QQ", c.call_id, c.x_q.shape[0]))
        t.absorb("lora/x", np.ascontiguousarray(c.x_q, dtype="<i8").tobytes())
        t.absorb("lora/d", np.ascontiguousarray(c.d, dtype="<i8").tobytes())


def _shape(manifest: AdapterManifest, c: Call):
    """(T', r', in', out') of a call."""
    f = manifest.modules[c.name].fmt
    return next_pow2(c.x_q.shape[0]), next_pow2(f.rank), next_pow2(f.in_features), next_pow2(f.out_features)


def _part_sizes(manifest, calls):
    sizes = []
    for c in calls:
        T, r, _, _ = _shape(manifest, c)
        sizes += [T * r, T * r, T * r]                      # h0, h1, R1
    return sizes


def call_groups(manifest, calls) -> list[list[int]]:
    """Call indices grouped by padded shape (T', r', in', out'), in order of first
    appearance. The calls of a group share the lookup point of their parts (equal part
    sizes), and their sumchecks run as one, with the call index as the top variables."""
    groups: dict = {}
    for n, c in enumerate(calls):
        groups.setdefault(_shape(manifest, c), []).append(n)
    return list(groups.values())


def _group_shapes(manifest, calls, idx):
    """(vars, degree) of a group's R1 sumcheck and of its output sumcheck."""
    T, r, i, o = _shape(manifest, calls[idx[0]])
    lc = _lg(len(idx))
    return ((lc + _lg(r) + _lg(i), sc.degree_of(TERMS1, _lg(r))),
            (lc + _lg(o) + _lg(r), sc.degree_of(_terms2(manifest, calls, idx), _lg(o))))


def _terms2(manifest, calls, idx):
    """The output sumcheck's terms: without the indicator table when every call's rank
    fills its padded rank (then Ind = 1 everywhere)."""
    full = all(next_pow2(manifest.modules[calls[n].name].fmt.rank) == manifest.modules[calls[n].name].fmt.rank
               for n in idx)
    return TERMS2_FULL if full else TERMS2


@dataclass
class GroupProof:
    """A group's batched R1 sumcheck with each call's SA and A values at its point, and
    its batched output sumcheck with each call's SB, B, h0 and h1 values."""

    sc1: sc.SumcheckProof
    sa: list
    a: list
    sc2: sc.SumcheckProof
    sb: list
    b: list
    h0: list
    h1: list


@dataclass
class DeltaProof:
    """h0/h1 commitments per call, the batched lookup, per-group sumchecks, openings."""

    h_coms: list           # [(Commitment h0, Commitment h1)] per call
    parts: batched_lookup.PartsProof
    groups: list           # [GroupProof]
    openings: list         # [hyrax.BatchOpening] per opening group

    def to_bytes(self) -> bytes:
        w = Writer()
        for c0, c1 in self.h_coms:
            w.raw(c0.to_bytes()).raw(c1.to_bytes())
        self.parts.write(w)
        for gp in self.groups:
            gp.sc1.write(w)
            w.frs(gp.sa).frs(gp.a)
            gp.sc2.write(w)
            w.frs(gp.sb).frs(gp.b).frs(gp.h0).frs(gp.h1)
        for p in self.openings:
            p.write(w)
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes, manifest: AdapterManifest, calls: Sequence[Call]):
        """Decode with every size from the statement; MalformedProof otherwise. Returns
        (proof without openings, reader): the openings are read once their groups are known."""
        r = Reader(data)
        coms = []
        for c in calls:
            T, rr, _, _ = _shape(manifest, c)
            n = T * rr
            g = h_gen_dim(n)
            coms.append((cached(hyrax.Commitment.read(r, n, g, True)), cached(hyrax.Commitment.read(r, n, g, True))))
        parts = batched_lookup.PartsProof.read(r, rem_table(), _part_sizes(manifest, calls))
        gps = []
        for idx in call_groups(manifest, calls):
            (n1, d1), (n2, d2) = _group_shapes(manifest, calls, idx)
            k = len(idx)
            s1 = sc.SumcheckProof.read(r, n1, d1)
            sa, a = r.frs(k), r.frs(k)
            s2 = sc.SumcheckProof.read(r, n2, d2)
            gps.append(GroupProof(s1, sa, a, s2, r.frs(k), r.frs(k), r.frs(k), r.frs(k)))
        return cls(coms, parts, gps, []), r


# ----------------------------------------------------------------------------- claims
class _Claims:
    """Claims on committed tensors: key -> (commitment, tensor or None, blinds or None),
    and a list of (key, point, value)."""

    def __init__(self):
        self.items = []

    def add(self, key, com, point, value, tensor=None, blinds=None):
        self.items.append((key, com, tuple(int(x) % R for x in point), int(value) % R, tensor, blinds))

    def groups(self):
        out: dict = {}
        for it in self.items:
            out.setdefault((it[2], it[1].gen_dim), []).append(it)
        return out


def _x_rho(x: np.ndarray, rho_t, width: int) -> FrTensor:
    """X_rho[j] = x(j, rho_t) for x (T x in, unpadded), zero-padded to `width` entries."""
    T, n = x.shape
    t = FrTensor.from_ints(np.ascontiguousarray(x, dtype=np.int64).reshape(-1))
    return t.partial_eval(list(rho_t), T, n, axis=0).pad(width)


def _eval_matrix(M: np.ndarray, u_col, u_row) -> int:
    """The extension of the zero-padded (rows x cols) integer matrix M at (u_col, u_row)
    (columns in the low variables), without building the padded tensor or the eq table
    over all of it: one partial evaluation along the columns, then an inner product."""
    rows, cols = M.shape
    t = FrTensor.from_ints(np.ascontiguousarray(M, dtype=np.int64).reshape(-1))
    part = t.partial_eval(list(u_col), rows, cols, axis=1)
    return part.inner(FrTensor.eq(list(u_row))[:rows])


def _tile(t: FrTensor, reps: int) -> FrTensor:
    return FrTensor(np.ascontiguousarray(np.tile(t.data, (reps, 1))))


def new_transcript() -> Transcript:
    return Transcript("zkproof/lora/delta/v1")


def compute_calls(sec: AdapterSecret, name: str, x_q: np.ndarray, call_id: int) -> Call:
    """Run the integer forward pass of module `name` on x_q and return the Call."""
    w = forward(sec.modules[name], x_q)
    return Call(name, int(call_id), np.ascontiguousarray(x_q, dtype=np.int64), w.d)


def prove(manifest: AdapterManifest, sec: AdapterSecret, session: str, calls: Sequence[Call],
          timings: dict | None = None) -> bytes:
    """Prove the statement (manifest, session, calls); returns the proof bytes.
    Raises ValueError if some call's d is not the committed adapter's output."""
    t0 = time.perf_counter()
    _check_calls(manifest, calls)
    t = new_transcript()
    _absorb_statement(t, manifest, session, calls)
    wits = []
    for c in calls:
        qm = sec.modules[c.name]
        T, r, i, o = _shape(manifest, c)
        w = forward(qm, c.x_q)
        if not np.array_equal(w.d, c.d):
            raise ValueError(f"call {c.call_id} ({c.name}): d is not the committed adapter's output")
        h = _pad2(w.h, T, r)
        R1 = _pad2(w.R1, T, r)
        R1[:, qm.fmt.rank:] = C
        R1[c.x_q.shape[0]:, :] = C
        hs = h + H_OFF
        h0, h1 = hs & ((1 << K) - 1), hs >> K
        wits.append(dict(h=h, h0=FrTensor.from_ints(h0.reshape(-1)), h1=FrTensor.from_ints(h1.reshape(-1)),
                         R1=FrTensor.from_ints(R1.reshape(-1))))
    t1 = time.perf_counter()
    h_coms, h_blinds = [], []
    for wt in wits:
        g = h_gen_dim(len(wt["h0"]))
        c0, b0 = hyrax.commit_hiding(wt["h0"], g)
        c1, b1 = hyrax.commit_hiding(wt["h1"], g)
        c0, c1 = cached(c0), cached(c1)
        t.absorb_g1("lora/h0", c0.to_bytes())
        t.absorb_g1("lora/h1", c1.to_bytes())
        h_coms.append((c0, c1))
        h_blinds.append((b0, b1))
    t2 = time.perf_counter()
    parts = []
    for wt in wits:
        parts += [wt["h0"], wt["h1"], wt["R1"]]
    pp, pclaims = batched_lookup.prove_parts(t, rem_table(), parts)
    t3 = time.perf_counter()

    claims = _Claims()
    gps = []
    for idx in call_groups(manifest, calls):
        gps.append(_prove_group(t, manifest, sec, calls, wits, idx, pclaims, h_coms, h_blinds, claims))
    t4 = time.perf_counter()
    openings = []
    for (pt, _), items in claims.groups().items():
        _, proof = hyrax.open_batch(t, [it[4] for it in items], [it[1] for it in items], list(pt),
                                    [it[3] for it in items], [it[5] for it in items])
        openings.append(proof)
    t5 = time.perf_counter()
    data = DeltaProof(h_coms, pp, gps, openings).to_bytes()
    if timings is not None:
        timings.update(witness_s=t1 - t0, commit_h_s=t2 - t1, lookup_s=t3 - t2, sumcheck_s=t4 - t3,
                       open_s=t5 - t4, total_s=time.perf_counter() - t0, openings=len(openings))
    log.debug("lora proof: %d calls, %d bytes, %.3f s", len(calls), len(data), time.perf_counter() - t0)
    return data


def verify(manifest: AdapterManifest, session: str, calls: Sequence[Call], proof: bytes) -> None:
    """Accept (return None) iff `proof` shows every call's d is the committed adapter's
    integer output on its x_q; raises a VerificationError subclass otherwise (never
    anything else on malformed bytes)."""
    _check_calls(manifest, calls)
    if not isinstance(proof, (bytes, bytearray, memoryview)):
        raise MalformedProof("proof must be bytes")
    dp, rd = DeltaProof.from_bytes(bytes(proof), manifest, calls)
    t = new_transcript()
    _absorb_statement(t, manifest, session, calls)
    for c0, c1 in dp.h_coms:
        t.absorb_g1("lora/h0", c0.to_bytes())
        t.absorb_g1("lora/h1", c1.to_bytes())
    pclaims = batched_lookup.verify_parts(t, rem_table(), _part_sizes(manifest, calls), dp.parts)
    claims = _Claims()
    for idx, gp in zip(call_groups(manifest, calls), dp.groups):
        _verify_group(t, manifest, calls, idx, gp, pclaims, dp.h_coms, claims)
    groups = claims.groups()
    proofs = [hyrax.BatchOpening.read(rd, [it[1] for it in items]) for items in groups.values()]
    rd.finish()
    for ((pt, _), items), p in zip(groups.items(), proofs):
        hyrax.verify_batch(t, [it[1] for it in items], list(pt), [it[3] for it in items], p)


# ----------------------------------------------------------------------------- groups
def _interleave(tensors, rows: int, cols: int, count: int, lams=None) -> FrTensor:
    """Tensors T_c of rows x cols (row-major) as one table of rows x count x cols: entry
    (a, c, b) = lams[c] * T_c[a, b] (zero for c >= len(tensors)). The row index a takes
    the top variables (where the sumcheck's eq factor lives), the call index c the middle."""
    out = np.zeros((rows, count, cols, 4), dtype=np.uint64)
    for k, t in enumerate(tensors):
        if lams is not None:
            t = t * lams[k]
        out[:, k] = t.data.reshape(rows, cols, 4)
    return FrTensor(out.reshape(-1, 4))


def _broadcast_rows(vectors, width: int, count: int, rows: int) -> FrTensor:
    """Entry (a, c, b) = vectors[c][b] for a < rows (zero for c >= len(vectors))."""
    out = np.zeros((count, width, 4), dtype=np.uint64)
    for k, v in enumerate(vectors):
        out[k] = v.data
    return FrTensor(np.ascontiguousarray(np.tile(out.reshape(-1, 4), (rows, 1))))


def _group_points(t, manifest, calls, idx, pclaims):
    """(shape, the group's lookup point pt_h, per-call (v_h0, v_h1, v_r1)); the calls of
    a group share pt_h since their parts have equal sizes."""
    T, r, i, o = _shape(manifest, calls[idx[0]])
    pt_h = pclaims[3 * idx[0]][0]
    vals = []
    for n in idx:
        (p0, v0), (p1, v1), (p2, v2) = pclaims[3 * n: 3 * n + 3]
        if not (p0 == p1 == p2 == pt_h):
            raise AssertionError("parts of one group must share their lookup point")
        vals.append((v0, v1, v2))
    return (T, r, i, o), list(pt_h), vals


def _prove_group(t, manifest, sec, calls, wits, idx, pclaims, h_coms, h_blinds, claims) -> GroupProof:
    (T, r, i, o), pt_h, vals = _group_points(t, manifest, calls, idx, pclaims)
    lr, li, lo, lt = _lg(r), _lg(i), _lg(o), _lg(T)
    cp = next_pow2(len(idx))
    for n, (v0, v1, _) in zip(idx, vals):
        claims.add(("h0", n), h_coms[n][0], pt_h, v0, wits[n]["h0"], h_blinds[n][0])
        claims.add(("h1", n), h_coms[n][1], pt_h, v1, wits[n]["h1"], h_blinds[n][1])
    # (1) for every call at pt_h = (rho_i, rho_t), combined with random lambdas
    rho_i, rho_t = pt_h[:lr], pt_h[lr:]
    lam1 = t.challenges("lora/lambda1", len(idx))
    s1 = sum(lam * (v2 - C + (((v0 + (v1 << K) - H_OFF) % R) << K)) for lam, (v0, v1, v2) in zip(lam1, vals)) % R
    ten = [sec.tensors[calls[n].name] for n in idx]
    lc = _lg(cp)
    # layout (i, c, j): i on the top variables (eq(rho_i, i)), the call c in the middle
    tabs = [_interleave([tt["SA"] for tt in ten], r, i, cp, lam1), _interleave([tt["A"] for tt in ten], r, i, cp),
            _broadcast_rows([_x_rho(calls[n].x_q, rho_t, i) for n in idx], i, cp, r)]
    p1, pt1, _ = sc.prove(t, tabs, TERMS1, s1, rho_i)
    q1 = list(pt1[:li]) + list(pt1[li + lc:])          # (v_j, v_i): the point on each A_c, SA_c
    e1 = FrTensor.eq(q1)                               # one eq table for all the calls' evaluations
    sa = [tt["SA"].inner(e1) for tt in ten]
    a = [tt["A"].inner(e1) for tt in ten]
    t.absorb_frs("lora/evals1", sa + a)
    # (2) for every call at a fresh random (rho_o, rho_t2), combined with random lambdas
    rho_o, rho_t2 = t.challenges("lora/rho_out", lo), t.challenges("lora/rho_tok", lt)
    lam2 = t.challenges("lora/lambda2", len(idx))
    s2 = sum(lam * _eval_matrix(calls[n].d, rho_o, rho_t2) for lam, n in zip(lam2, idx)) % R
    hr = [FrTensor.from_ints(wits[n]["h"].reshape(-1)).partial_eval(rho_t2, T, r, axis=0) for n in idx]
    inds = [FrTensor.from_ints((np.arange(r) < manifest.modules[calls[n].name].fmt.rank).astype(np.int64))
            for n in idx]
    # layout (o, c, i): o on the top variables (eq(rho_o, o)), the call c in the middle
    tabs = [_interleave([tt["SB"] for tt in ten], o, r, cp, lam2), _interleave([tt["B"] for tt in ten], o, r, cp),
            _broadcast_rows(hr, r, cp, o)]
    terms2 = _terms2(manifest, calls, idx)
    if terms2 is TERMS2:
        tabs.append(_broadcast_rows(inds, r, cp, o))
    p2, pt2, _ = sc.prove(t, tabs, terms2, s2, rho_o)
    q2 = list(pt2[:lr]) + list(pt2[lr + lc:])          # (v_i, v_o)
    hpt = q2[:lr] + rho_t2
    e2 = FrTensor.eq(q2)
    sb = [tt["SB"].inner(e2) for tt in ten]
    b = [tt["B"].inner(e2) for tt in ten]
    eh = FrTensor.eq(hpt)
    e0 = [wits[n]["h0"].inner(eh) for n in idx]
    e1 = [wits[n]["h1"].inner(eh) for n in idx]
    t.absorb_frs("lora/evals2", sb + b + e0 + e1)
    for k, n in enumerate(idx):
        name = calls[n].name
        mc, tt, bl = manifest.modules[name], ten[k], sec.blinds[name]
        claims.add(("SA", name, tuple(q1)), mc.coms["SA"], q1, sa[k], tt["SA"], bl["SA"])
        claims.add(("A", name, tuple(q1)), mc.coms["A"], q1, a[k], tt["A"], bl["A"])
        claims.add(("SB", name, tuple(q2)), mc.coms["SB"], q2, sb[k], tt["SB"], bl["SB"])
        claims.add(("B", name, tuple(q2)), mc.coms["B"], q2, b[k], tt["B"], bl["B"])
        claims.add(("h0", n), h_coms[n][0], hpt, e0[k], wits[n]["h0"], h_blinds[n][0])
        claims.add(("h1", n), h_coms[n][1], hpt, e1[k], wits[n]["h1"], h_blinds[n][1])
    return GroupProof(p1, sa, a, p2, sb, b, e0, e1)


def _verify_group(t, manifest, calls, idx, gp: GroupProof, pclaims, h_coms, claims) -> None:
    (T, r, i, o), pt_h, vals = _group_points(t, manifest, calls, idx, pclaims)
    lr, li, lo, lt = _lg(r), _lg(i), _lg(o), _lg(T)
    for n, (v0, v1, _) in zip(idx, vals):
        claims.add(("h0", n), h_coms[n][0], pt_h, v0)
        claims.add(("h1", n), h_coms[n][1], pt_h, v1)
    (n1, d1), (n2, d2) = _group_shapes(manifest, calls, idx)
    rho_i, rho_t = pt_h[:lr], pt_h[lr:]
    lam1 = t.challenges("lora/lambda1", len(idx))
    s1 = sum(lam * (v2 - C + (((v0 + (v1 << K) - H_OFF) % R) << K)) for lam, (v0, v1, v2) in zip(lam1, vals)) % R
    lc = _lg(next_pow2(len(idx)))
    pt1, exp1 = sc.verify(t, n1, d1, s1, gp.sc1)
    q1, vc = list(pt1[:li]) + list(pt1[li + lc:]), list(pt1[li:li + lc])
    ec = eq_table(vc)
    comb = lambda xs: sum(e * x for e, x in zip(ec, xs)) % R  # noqa: E731 (interleaved table's MLE at v_c)
    xs = [_x_rho(calls[n].x_q, rho_t, i).evaluate(q1[:li]) for n in idx]
    sal = [lam * v % R for lam, v in zip(lam1, gp.sa)]
    sc.check_final(exp1, TERMS1, [comb(sal), comb(gp.a), comb(xs)], pt1, rho_i)
    t.absorb_frs("lora/evals1", list(gp.sa) + list(gp.a))
    rho_o, rho_t2 = t.challenges("lora/rho_out", lo), t.challenges("lora/rho_tok", lt)
    lam2 = t.challenges("lora/lambda2", len(idx))
    s2 = sum(lam * _eval_matrix(calls[n].d, rho_o, rho_t2) for lam, n in zip(lam2, idx)) % R
    pt2, exp2 = sc.verify(t, n2, d2, s2, gp.sc2)
    q2, vc = list(pt2[:lr]) + list(pt2[lr + lc:]), list(pt2[lr:lr + lc])
    ec = eq_table(vc)
    hv = [(h0 + (h1 << K) - H_OFF) % R for h0, h1 in zip(gp.h0, gp.h1)]
    inds = [prefix_mle(manifest.modules[calls[n].name].fmt.rank, q2[:lr]) for n in idx]
    sbl = [lam * v % R for lam, v in zip(lam2, gp.sb)]
    terms2 = _terms2(manifest, calls, idx)
    finals = [comb(sbl), comb(gp.b), comb(hv)] + ([comb(inds)] if terms2 is TERMS2 else [])
    sc.check_final(exp2, terms2, finals, pt2, rho_o)
    t.absorb_frs("lora/evals2", list(gp.sb) + list(gp.b) + list(gp.h0) + list(gp.h1))
    hpt = q2[:lr] + rho_t2
    for k, n in enumerate(idx):
        name = calls[n].name
        mc = manifest.modules[name]
        claims.add(("SA", name, tuple(q1)), mc.coms["SA"], q1, gp.sa[k])
        claims.add(("A", name, tuple(q1)), mc.coms["A"], q1, gp.a[k])
        claims.add(("SB", name, tuple(q2)), mc.coms["SB"], q2, gp.sb[k])
        claims.add(("B", name, tuple(q2)), mc.coms["B"], q2, gp.b[k])
        claims.add(("h0", n), h_coms[n][0], hpt, gp.h0[k])
        claims.add(("h1", n), h_coms[n][1], hpt, gp.h1[k])
