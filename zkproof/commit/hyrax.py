"""Hyrax-style Pedersen commitments to tensors, with batched opening proofs.

Layout. A tensor t of length D is read as a matrix of `rows = ceil(D / gen_dim)` rows
of `gen_dim` columns (gen_dim a power of two), zero-padded: t[i gen_dim + j] is row i,
column j. With FrTensor's convention (u[0] binds the lowest index bit) the low
c = log2(gen_dim) coordinates of a point select the column, the rest the row. Padding
rows up to a power of two would only add identity commitments, so they are omitted.

Commitment. C_i = sum_j t[i gen_dim + j] G_j for each row i (one MSM per row), with
G = generators(gen_dim, GEN_LABEL): hash-to-curve from a domain-separated label, nobody
knows their discrete logs. Binding holds under discrete log.

Hiding. `commit` is deterministic and NOT hiding: for small or guessable tensors the
commitment reveals the tensor. `commit_hiding` adds beta_i H to each row (H from
H_LABEL, beta_i uniform from the OS CSPRNG) and returns the blinds, which the prover
must keep; openings that involve a hiding commitment use the zero-knowledge IPA and
reveal only the claimed values. The hiding flag is part of the statement.

Evaluation claims. A claim (C, u, v) says v = t(u): the multilinear extension of t
zero-padded to 2^len(u) entries, at u (FrTensor.evaluate's meaning). It needs
D <= 2^len(u). Split u into u_col (the first c coordinates, zero-extended if shorter)
and u_hi (the rest). For a tensor of `rows` rows (r = ceil(log2 rows) row variables):
u_row = u_hi[:r] zero-extended to r, and scale = prod(1 - u_hi[r:]) (the padded top
variables). Then t(u) = scale * <w, eq(u_col)> with w = sum_i eq(u_row)[i] row_i.

Batched opening of claims (C_j, u, v_j), j < NUM, all at one point u and one gen_dim
(lengths may differ). The statement (gen_dim, lengths, commitments, u, values) is
absorbed first; then rho <- transcript and

    w  = sum_j rho^j scale_j sum_i eq(u_row_j)[i] row_{j,i}          (prover, length gen_dim)
    C' = sum_j rho^j scale_j sum_i eq(u_row_j)[i] C_{j,i}            (verifier, one MSM)
    v' = sum_j rho^j v_j

and one inner-product argument (zkproof.ipa) proves C' = <w, G>, <w, eq(u_col)> = v'.
The verifier folds C' into the IPA's final MSM: one MSM of size
sum_j rows_j + gen_dim + 2 log2(gen_dim) + 1 for the whole batch.

The prover does one pass over each tensor (fold_rows: partial_eval; tensors can be
folded one at a time and dropped, then open_folded finishes) plus 2 k' MSMs of
size gen_dim / 2 (k' = log2(gen_dim) - 3 rounds when gen_dim >= 8; zero-knowledge: one more
MSM of size gen_dim); the proof is 96 k' + 256 bytes (zero-knowledge: + 80), whatever
NUM and D (ipa.IPAProof.size).

What the caller must still check: that the commitments are the ones they expect (the
verifier only proves consistency with the commitments it is given) and that the
values are the claims their protocol produced. The commitment binds the whole
rows x gen_dim matrix: when D is not a multiple of gen_dim, nothing forces the
positions D..rows*gen_dim-1 of the last row to be zero (an honest `commit` makes them
zero; a dishonest committer need not), and openings are of the committed matrix.
Where zero padding matters for soundness, use D a multiple of gen_dim (rows beyond
the last are never committed, hence zero) — the same caveat as for any padding a
protocol commits to.
"""
from __future__ import annotations

import operator
import secrets
from dataclasses import dataclass
from typing import Mapping, Sequence

from . import ipa
from ..errors import MalformedProof, OpeningError
from ..field.scalar import R, eq_eval
from .g1 import G1Point, G1Tensor, generators, msm
from .ipa import IPAProof, log2_exact
from ..field.tensor import FrTensor
from ..progress import progress
from ..transcript import Transcript
from ..wire import Reader, Writer

GEN_LABEL = "zkproof/hyrax/v1/G"
Q_LABEL = "zkproof/hyrax/v1/Q"
H_LABEL = "zkproof/hyrax/v1/H"
PROTOCOL_ID = "hyrax-open/v1"

MAX_GEN_DIM = 1 << 20  # bounds the generators a statement can make a verifier derive


def row_generators(gen_dim: int) -> G1Tensor:
    """The gen_dim column generators shared by prover and verifier."""
    log2_exact(gen_dim, "gen_dim")
    return generators(gen_dim, GEN_LABEL)


def ipa_generator() -> G1Point:
    """Q, the IPA's value generator (independent of the column generators)."""
    return generators(1, Q_LABEL)[0]


def blinding_generator() -> G1Point:
    """H, the blinding generator of hiding commitments."""
    return generators(1, H_LABEL)[0]


def num_rows(length: int, gen_dim: int) -> int:
    return max(1, -(-length // gen_dim))


def _check_sizes(length, gen_dim) -> None:
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length must be a non-negative int, got {length!r}")
    log2_exact(gen_dim, "gen_dim")
    if gen_dim > MAX_GEN_DIM:
        raise ValueError(f"gen_dim {gen_dim} exceeds {MAX_GEN_DIM}")


@dataclass(frozen=True)
class Commitment:
    """Row commitments of a tensor of `length` elements laid out in rows of gen_dim."""

    length: int
    gen_dim: int
    rows: G1Tensor
    hiding: bool = False

    def __post_init__(self):
        _check_sizes(self.length, self.gen_dim)
        if not isinstance(self.rows, G1Tensor):
            raise TypeError(f"rows must be a G1Tensor, got {type(self.rows).__name__}")
        if len(self.rows) != num_rows(self.length, self.gen_dim):
            raise ValueError(
                f"{len(self.rows)} row commitments, length {self.length} / gen_dim {self.gen_dim} needs "
                f"{num_rows(self.length, self.gen_dim)}"
            )

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def to_bytes(self) -> bytes:
        """The row points, 48 bytes each (sizes are part of the statement, not encoded)."""
        return self.rows.to_bytes()

    @classmethod
    def read(cls, r: Reader, length: int, gen_dim: int, hiding: bool = False) -> "Commitment":
        _check_sizes(length, gen_dim)
        n = num_rows(length, gen_dim)
        if r.remaining() < 48 * n:  # before decoding anything, so a huge claimed size fails fast
            raise MalformedProof(f"truncated: {n} row commitments need {48 * n} bytes, {r.remaining()} left")
        raw = r.raw(48 * n, "row commitments")
        try:
            pts = G1Tensor.from_bytes(raw)  # native, parallel; checks curve and subgroup
        except ValueError as e:
            raise MalformedProof(f"invalid row commitment: {e}") from None
        return cls(length, gen_dim, pts, bool(hiding))

    @classmethod
    def from_bytes(cls, data: bytes, length: int, gen_dim: int, hiding: bool = False) -> "Commitment":
        r = Reader(data)
        c = cls.read(r, length, gen_dim, hiding)
        r.finish()
        return c

    def __eq__(self, other) -> bool:
        if not isinstance(other, Commitment):
            return NotImplemented
        same = (self.length, self.gen_dim, self.hiding) == (other.length, other.gen_dim, other.hiding)
        return same and self.to_bytes() == other.to_bytes()

    __hash__ = None


def commit(t: FrTensor, gen_dim: int) -> Commitment:
    """Commit to t row by row: C_i = MSM(row_i, G). One MSM of size gen_dim per row
    (cheap for small-integer entries). t may be on any device; MSMs run on the CPU.
    Deterministic and not hiding (see commit_hiding)."""
    return Commitment(len(t), gen_dim, _row_msms(t, gen_dim))


def commit_hiding(t: FrTensor, gen_dim: int) -> tuple[Commitment, list[int]]:
    """C_i = MSM(row_i, G) + beta_i H with fresh uniform blinds beta_i (OS CSPRNG).
    Returns (commitment, blinds); pass the blinds to open_batch."""
    rows = _row_msms(t, gen_dim)
    H = blinding_generator()
    blinds = [secrets.randbelow(R) for _ in range(len(rows))]
    pts = G1Tensor.from_points([rows[i] + H * b for i, b in enumerate(blinds)])
    return Commitment(len(t), gen_dim, pts, True), blinds


def _row_msms(t: FrTensor, gen_dim: int) -> G1Tensor:
    if not isinstance(t, FrTensor):
        raise TypeError(f"t must be an FrTensor, got {type(t).__name__}")
    _check_sizes(len(t), gen_dim)
    t = t.to("cpu")
    G = row_generators(gen_dim)
    D = len(t)
    # Negative small integers are field elements near r (255-bit scalars, the MSM's worst
    # case). Shift them to small non-negative ones and subtract shift * sum_j G_j:
    # C_i = MSM(row_i + shift, G) - shift * sum_{j < len(row_i)} G_j.
    shift = _negative_shift(t)
    if shift:
        t = t + shift
    corr: dict[int, G1Point] = {}
    pts = []
    for i in progress(range(num_rows(D, gen_dim)), desc="commit rows", min_total=64):
        row = t[i * gen_dim : min(D, (i + 1) * gen_dim)]
        n = len(row)
        if not n:
            pts.append(G1Point.identity())
            continue
        c = msm(row, G[:n])
        if shift:
            if n not in corr:
                corr[n] = msm(FrTensor.ones(n), G[:n]) * shift
            c = c - corr[n]
        pts.append(c)
    return G1Tensor.from_points(pts)


def _negative_shift(t: FrTensor) -> int:
    """-min(t) when t holds small signed integers some of which are negative (so that
    t - min(t) is small and non-negative), else 0."""
    if len(t) == 0:
        return 0
    try:
        x = t.to_signed()
    except ValueError:  # not all small: nothing to gain
        return 0
    lo, hi = int(x.min()), int(x.max())
    if lo >= 0 or hi - lo >= 1 << 62:
        return 0
    return -lo


# ----------------------------------------------------------------------------- claims
def _split_point(u: Sequence[int], length: int, gen_dim: int):
    """(u_col, u_row, scale) for a tensor of `length` at u (see the module docstring)."""
    c = log2_exact(gen_dim, "gen_dim")
    if length > (1 << len(u)):
        raise ValueError(f"a tensor of length {length} needs a point of at least "
                         f"{max(0, (length - 1).bit_length())} coordinates, got {len(u)}")
    u = [int(x) % R for x in u]
    u_col = (u[:c] + [0] * c)[:c]
    hi = u[c:]
    rvars = max(0, (num_rows(length, gen_dim) - 1).bit_length())
    u_row = (hi[:rvars] + [0] * rvars)[:rvars]
    scale = 1
    for x in hi[rvars:]:
        scale = scale * (1 - x) % R
    return u_col, u_row, scale


def _check_point(u) -> list[int]:
    try:
        pts = list(u)
    except TypeError:
        raise TypeError("point must be a sequence of ints") from None
    out = []
    for i, x in enumerate(pts):
        if isinstance(x, bool):
            raise TypeError(f"point[{i}] is a bool, expected an int")
        try:
            out.append(operator.index(x) % R)
        except TypeError:
            raise TypeError(f"point[{i}] is {type(x).__name__}, expected an int") from None
    return out


def _absorb_statement(t: Transcript, commitments: Sequence[Commitment], point, values) -> None:
    t.absorb(b"hyrax/protocol", PROTOCOL_ID.encode())
    t.absorb_int("hyrax/num", len(commitments))
    t.absorb_int("hyrax/gen_dim", commitments[0].gen_dim if commitments else 0)
    for c in commitments:
        t.absorb_int("hyrax/length", c.length)
        t.absorb_int("hyrax/hiding", int(c.hiding))
        t.absorb_g1("hyrax/rows", c.to_bytes())
    t.absorb_int("hyrax/point_len", len(point))
    t.absorb_frs("hyrax/point", point)
    t.absorb_frs("hyrax/values", values)


def _check_batch(commitments) -> int:
    if not commitments:
        raise ValueError("nothing to open: no commitments")
    for i, c in enumerate(commitments):
        if not isinstance(c, Commitment):
            raise TypeError(f"commitments[{i}] is {type(c).__name__}, expected a Commitment")
    g = commitments[0].gen_dim
    for i, c in enumerate(commitments):
        if c.gen_dim != g:
            raise ValueError(f"commitments[{i}] has gen_dim {c.gen_dim}, commitments[0] has {g}")
    return g


def _powers(rho: int, n: int) -> list[int]:
    out, acc = [], 1
    for _ in range(n):
        out.append(acc)
        acc = acc * rho % R
    return out


@dataclass(frozen=True)
class RowFold:
    """One tensor's share of an opening at a point: w = scale * sum_i eq(u_row)[i] row_i
    (length gen_dim, on the CPU) and its value t(u) = <w, eq(u_col)>."""

    length: int
    gen_dim: int
    point: tuple[int, ...]
    w: FrTensor
    value: int


def fold_rows(t: FrTensor, point: Sequence[int], gen_dim: int) -> RowFold:
    """The prover's pass over one tensor for an opening at `point` (one partial_eval on
    t's device). Tensors can be folded one at a time (and dropped) before open_folded,
    so a batch never needs all its tensors in memory at once."""
    if not isinstance(t, FrTensor):
        raise TypeError(f"t must be an FrTensor, got {type(t).__name__}")
    u = _check_point(point)
    u_col, u_row, scale = _split_point(u, len(t), gen_dim)
    rows = num_rows(len(t), gen_dim)
    full = len(t) // gen_dim  # complete rows; the last row, if partial, is added alone
    if full:
        w = t[: full * gen_dim].partial_eval(u_row, full, gen_dim, axis=0)
    else:
        w = FrTensor.zeros(gen_dim, t.device)
    if full < rows:
        bits = [(full >> k) & 1 for k in range(len(u_row))]
        w = w + t[full * gen_dim :].pad(gen_dim) * eq_eval(u_row, bits)
    if scale != 1:
        w = w * scale
    w = w.to("cpu")
    return RowFold(len(t), gen_dim, tuple(u), w, w.inner(FrTensor.eq(u_col)))


def open_batch(
    transcript: Transcript,
    tensors: Sequence[FrTensor],
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int] | None = None,
    blinds: Sequence[Sequence[int] | None] | None = None,
) -> tuple[list[int], IPAProof]:
    """Prove t_j(point) = v_j for every j in one IPA. Returns (values, proof).

    `values`, if given, are checked against the tensors (ValueError on a mismatch, so
    a prover never emits a proof of a false claim by accident). `blinds[j]` are the
    row blinds commit_hiding returned for a hiding commitment (None for the others);
    with any hiding commitment the proof is zero-knowledge.
    Equivalent to open_folded(..., [fold_rows(t, point, gen_dim) for t in tensors], ...)."""
    gen_dim = _check_batch(commitments)
    if len(tensors) != len(commitments):
        raise ValueError(f"{len(tensors)} tensors but {len(commitments)} commitments")
    for j, (t, c) in enumerate(zip(tensors, commitments)):
        if not isinstance(t, FrTensor):
            raise TypeError(f"tensors[{j}] is {type(t).__name__}, expected an FrTensor")
        if len(t) != c.length:
            raise ValueError(f"tensors[{j}] has length {len(t)}, its commitment is for {c.length}")
    u = _check_point(point)
    folds = [fold_rows(t, u, gen_dim) for t in tensors]
    return open_folded(transcript, folds, commitments, u, values, blinds)


def open_folded(
    transcript: Transcript,
    folds: Sequence[RowFold],
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int] | None = None,
    blinds: Sequence[Sequence[int] | None] | None = None,
) -> tuple[list[int], IPAProof]:
    """open_batch from the tensors' RowFolds (fold_rows at the same point)."""
    gen_dim = _check_batch(commitments)
    u = _check_point(point)
    if len(folds) != len(commitments):
        raise ValueError(f"{len(folds)} folds but {len(commitments)} commitments")
    for j, (f, c) in enumerate(zip(folds, commitments)):
        if not isinstance(f, RowFold):
            raise TypeError(f"folds[{j}] is {type(f).__name__}, expected a RowFold")
        if (f.length, f.gen_dim) != (c.length, c.gen_dim) or list(f.point) != u:
            raise ValueError(f"folds[{j}] is for another tensor shape or point than commitments[{j}]")
    blinds = list(blinds) if blinds is not None else [None] * len(commitments)
    if len(blinds) != len(commitments):
        raise ValueError(f"{len(blinds)} blinds entries for {len(commitments)} commitments")
    for j, (b, c) in enumerate(zip(blinds, commitments)):
        if c.hiding and (b is None or len(b) != c.num_rows):
            raise ValueError(f"blinds[{j}] must hold the {c.num_rows} row blinds of the hiding commitment {j}")
        if not c.hiding and b is not None:
            raise ValueError(f"blinds[{j}] given for a commitment that is not hiding")
    vals = [f.value for f in folds]
    if values is not None:
        given = [int(v) % R for v in values]
        if len(given) != len(vals):
            raise ValueError(f"{len(given)} values for {len(vals)} tensors")
        if given != vals:
            bad = next(i for i, (a, b) in enumerate(zip(given, vals)) if a != b)
            raise ValueError(f"values[{bad}] is not tensors[{bad}] evaluated at the point")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    w = None
    for f, pj in zip(folds, _powers(rho, len(folds))):
        term = f.w * pj if pj != 1 else f.w
        w = term if w is None else w + term
    u_col, _, _ = _split_point(u, 0, gen_dim)
    hiding = None
    if any(c.hiding for c in commitments):
        beta = 0
        for b, c, pj in zip(blinds, commitments, _powers(rho, len(commitments))):
            if b is not None:
                _, u_row, scale = _split_point(u, c.length, gen_dim)
                e = FrTensor.eq(u_row)[: c.num_rows]
                beta = (beta + pj * scale % R * e.inner(FrTensor.from_ints([int(x) % R for x in b]))) % R
        hiding = (blinding_generator(), beta)
    proof = ipa.prove(transcript, w, u_col, row_generators(gen_dim), ipa_generator(), hiding)
    return vals, proof


def verify_batch(
    transcript: Transcript,
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int],
    proof: IPAProof | bytes,
) -> None:
    """Accept (return None) iff the proof shows t_j(point) = values[j] for the tensors
    committed in `commitments`; raise OpeningError / MalformedProof otherwise.

    Sizes (gen_dim, lengths, number of IPA rounds) come from the commitments and the
    point, never from the proof. Group work: one MSM (see the module docstring)."""
    gen_dim = _check_batch(commitments)
    u = _check_point(point)
    vals = [int(v) % R for v in values]
    if len(vals) != len(commitments):
        raise ValueError(f"{len(vals)} values for {len(commitments)} commitments")
    for c in commitments:
        _split_point(u, c.length, gen_dim)  # ValueError on a point too short for a tensor
    zk = any(c.hiding for c in commitments)
    if isinstance(proof, (bytes, bytearray, memoryview)):
        proof = IPAProof.from_bytes(bytes(proof), gen_dim, zk)
    if not isinstance(proof, IPAProof):
        raise TypeError(f"proof must be an IPAProof or bytes, got {type(proof).__name__}")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    weights = []
    eq_rows: dict[tuple[int, int], FrTensor] = {}  # (row variables, rows) -> eq(u_row)[:rows]
    for c, pj in zip(commitments, _powers(rho, len(commitments))):
        _, u_row, scale = _split_point(u, c.length, gen_dim)
        key = (len(u_row), c.num_rows)
        if key not in eq_rows:
            eq_rows[key] = FrTensor.eq(u_row)[: c.num_rows]
        weights.append(eq_rows[key] * (pj * scale % R))
    v_comb = sum(v * p for v, p in zip(vals, _powers(rho, len(vals)))) % R
    u_col, _, _ = _split_point(u, 0, gen_dim)
    m, scalars, points = ipa.verify_terms(
        transcript, u_col, v_comb, row_generators(gen_dim), ipa_generator(), proof,
        blinding_generator() if zk else None,
    )
    if m != 1:
        weights = [wt * m for wt in weights]
    total = msm(FrTensor.cat([*weights, scalars]), G1Tensor.cat([*(c.rows for c in commitments), points]))
    if total != G1Point.identity():
        raise OpeningError("opening proof does not verify")


# ------------------------------------------------------------------- single openings
def prove_opening(
    transcript: Transcript, t: FrTensor, commitment: Commitment, point: Sequence[int], blinds=None
) -> tuple[int, IPAProof]:
    """Prove t(point) = v for one committed tensor; returns (v, proof). `blinds`: the
    row blinds of a hiding commitment."""
    vals, proof = open_batch(transcript, [t], [commitment], point, blinds=[blinds])
    return vals[0], proof


def verify_opening(transcript: Transcript, commitment: Commitment, point: Sequence[int], value: int, proof) -> None:
    """Verifier of `prove_opening`; raises OpeningError / MalformedProof."""
    verify_batch(transcript, [commitment], point, [value], proof)


# --------------------------------------------------------------------- claim lists
def _claim_groups(claims, commitments: Mapping[str, Commitment]) -> list[tuple[list[int], list[int]]]:
    """Claims grouped by (point, gen_dim), in order of first appearance:
    [(point, [claim indices])]. Each group is discharged by one batched opening."""
    groups: dict[tuple, tuple[list[int], list[int]]] = {}
    for i, c in enumerate(claims):
        for attr in ("name", "point", "value"):
            if not hasattr(c, attr):
                raise TypeError(f"claims[{i}] has no {attr!r} (expected zkproof.claims.Claim-like objects)")
        if c.name not in commitments:
            raise ValueError(f"claims[{i}] is on {c.name!r}, which has no commitment")
        pt = _check_point(c.point)
        key = (tuple(pt), commitments[c.name].gen_dim)
        groups.setdefault(key, (pt, []))[1].append(i)
    if not groups:
        raise ValueError("no claims to discharge")
    return list(groups.values())


def prove_claims(
    transcript: Transcript,
    claims: Sequence,
    tensors: Mapping[str, FrTensor],
    commitments: Mapping[str, Commitment],
    blinds: Mapping[str, Sequence[int]] | None = None,
) -> list[IPAProof]:
    """Discharge evaluation claims (objects with .name, .point, .value, such as
    zkproof.claims.Claim: the MLE of the tensor called `name`, zero-padded to
    2^len(point), equals `value` at `point`) against committed tensors.

    tensors[name] is the tensor committed as commitments[name] (blinds[name] its row
    blinds when that commitment is hiding). Claims that share a point and gen_dim are
    discharged by one batched opening; the result holds one proof per group, in the
    order of the groups' first claims. Claims at many distinct points cost one IPA
    each (a reduction of several points to one is not provided here). ValueError if a
    claim is false."""
    blinds = blinds or {}
    proofs = []
    for point, idx in _claim_groups(claims, commitments):
        names = [claims[i].name for i in idx]
        _, proof = open_batch(
            transcript,
            [tensors[n] for n in names],
            [commitments[n] for n in names],
            point,
            [claims[i].value for i in idx],
            [blinds.get(n) if commitments[n].hiding else None for n in names],
        )
        proofs.append(proof)
    return proofs


def verify_claims(
    transcript: Transcript, claims: Sequence, commitments: Mapping[str, Commitment], proofs
) -> None:
    """Verifier of prove_claims. `proofs`: the list of IPAProofs, or the bytes of
    claims_proof_bytes(proofs). Raises OpeningError / MalformedProof."""
    groups = _claim_groups(claims, commitments)
    if isinstance(proofs, (bytes, bytearray, memoryview)):
        proofs = read_claims_proofs(bytes(proofs), claims, commitments)
    proofs = list(proofs)
    if len(proofs) != len(groups):
        raise OpeningError(f"{len(proofs)} opening proofs for {len(groups)} groups of claims")
    for (point, idx), proof in zip(groups, proofs):
        names = [claims[i].name for i in idx]
        verify_batch(transcript, [commitments[n] for n in names], point, [claims[i].value for i in idx], proof)


def claims_proof_bytes(proofs: Sequence[IPAProof]) -> bytes:
    """The proofs of prove_claims, concatenated (sizes follow from the claims)."""
    w = Writer()
    for p in proofs:
        p.write(w)
    return w.bytes()


def read_claims_proofs(data: bytes, claims: Sequence, commitments: Mapping[str, Commitment]) -> list[IPAProof]:
    """Inverse of claims_proof_bytes for these claims; MalformedProof on a bad length."""
    r = Reader(data)
    out = []
    for _, idx in _claim_groups(claims, commitments):
        coms = [commitments[claims[i].name] for i in idx]
        out.append(IPAProof.read(r, coms[0].gen_dim, any(c.hiding for c in coms)))
    r.finish()
    return out


# -------------------------------------------------------------------- proof files
@dataclass(frozen=True)
class OpeningStatement:
    """What a batched-opening proof file states: gen_dim, the commitments (with their
    lengths and hiding flags), the point and the values. Encoding:
    u64 num || u64 gen_dim || num x (u64 length || u8 hiding) || u64 len(point) ||
    point (Fr each) || values (num Fr) || the row commitments (48 bytes each)."""

    commitments: tuple[Commitment, ...]
    point: tuple[int, ...]
    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        w = Writer().u64(len(self.commitments)).u64(self.commitments[0].gen_dim)
        for c in self.commitments:
            w.u64(c.length).u8(int(c.hiding))
        w.u64(len(self.point)).frs(self.point).frs(self.values)
        for c in self.commitments:
            w.raw(c.to_bytes())
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "OpeningStatement":
        r = Reader(data)
        num = r.u64("number of commitments")
        gen_dim = r.u64("gen_dim")
        if num == 0:
            raise MalformedProof("statement opens no commitments")
        if gen_dim == 0 or gen_dim & (gen_dim - 1) or gen_dim > MAX_GEN_DIM:
            raise MalformedProof(f"gen_dim {gen_dim} is not a power of two <= {MAX_GEN_DIM}")
        if r.remaining() < 9 * num:
            raise MalformedProof(f"truncated: {num} (length, hiding) entries need {9 * num} bytes")
        lengths, flags = [], []
        for _ in range(num):
            lengths.append(r.u64("tensor length"))
            flag = r.u8("hiding flag")
            if flag > 1:
                raise MalformedProof(f"hiding flag {flag} is not 0 or 1")
            flags.append(bool(flag))
        nvars = r.u64("point length")
        if nvars > 64 or r.remaining() < 32 * (nvars + num):
            raise MalformedProof(f"point of {nvars} coordinates and {num} values do not fit the statement")
        point = r.frs(nvars, "point")
        values = r.frs(num, "values")
        for j, n in enumerate(lengths):
            if n > (1 << nvars):
                raise MalformedProof(f"tensor {j} of length {n} does not fit a point of {nvars} coordinates")
        coms = tuple(Commitment.read(r, n, gen_dim, f) for n, f in zip(lengths, flags))
        r.finish()
        return cls(coms, tuple(point), tuple(values))


def transcript_for_file() -> Transcript:
    """The transcript of proof files (and com_bm): domain "zkproof/hyrax-open/v1"."""
    return Transcript("zkproof/" + PROTOCOL_ID)


def verify_bytes(statement: bytes, proof: bytes) -> OpeningStatement:
    """Verify a (statement, proof) pair as stored in a proof file Envelope with
    protocol id PROTOCOL_ID; returns the decoded statement (nothing remains to be
    checked except that its commitments, point and values are the ones expected)."""
    st = OpeningStatement.from_bytes(statement)
    verify_batch(transcript_for_file(), st.commitments, st.point, st.values, proof)
    return st
