"""Hyrax-style Pedersen commitments to tensors, with batched opening proofs.

Layout. A tensor t of length D is read as a matrix of `rows = ceil(D / gen_dim)` rows
of `gen_dim` columns (gen_dim a power of two), zero-padded: t[i gen_dim + j] is row i,
column j. With FrTensor's convention (u[0] binds the lowest index bit) the low
c = log2(gen_dim) coordinates of a point select the column, the rest the row. Padding
rows up to a power of two would only add identity commitments, so they are omitted.

Commitment. C_i = sum_j t[i gen_dim + j] G_j for each row i (one MSM per row), with
G = generators(gen_dim, GEN_LABEL): hash-to-curve from a domain-separated label, nobody
knows their discrete logs. Commitments are NOT hiding (no blinding): they reveal
nothing beyond what the (deterministic) commitment reveals, which for small or
guessable tensors is the tensor itself. Binding holds under discrete log.

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

The prover does one pass over each tensor (partial_eval) plus 2 log2(gen_dim) MSMs of
size gen_dim; the proof is 96 log2(gen_dim) + 32 bytes, whatever NUM and D.

What the caller must still check: that the commitments are the ones they expect (the
verifier only proves consistency with the commitments it is given) and that the
values are the claims their protocol produced.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from . import ipa
from .errors import MalformedProof, OpeningError
from .field import R
from .g1 import G1Point, G1Tensor, generators, msm
from .ipa import IPAProof, log2_exact, read_point
from .tensor import FrTensor
from .transcript import Transcript
from .wire import Reader, Writer

GEN_LABEL = "zkproof/hyrax/v1/G"
Q_LABEL = "zkproof/hyrax/v1/Q"
PROTOCOL_ID = "hyrax-open"

MAX_GEN_DIM = 1 << 24


def row_generators(gen_dim: int) -> G1Tensor:
    """The gen_dim column generators shared by prover and verifier."""
    log2_exact(gen_dim, "gen_dim")
    return generators(gen_dim, GEN_LABEL)


def ipa_generator() -> G1Point:
    """Q, the IPA's value generator (independent of the column generators)."""
    return generators(1, Q_LABEL)[0]


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

    def __post_init__(self):
        _check_sizes(self.length, self.gen_dim)
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
    def read(cls, r: Reader, length: int, gen_dim: int) -> "Commitment":
        _check_sizes(length, gen_dim)
        n = num_rows(length, gen_dim)
        if r.remaining() < 48 * n:  # before decoding anything, so a huge claimed size fails fast
            raise MalformedProof(f"truncated: {n} row commitments need {48 * n} bytes, {r.remaining()} left")
        return cls(length, gen_dim, G1Tensor.from_points([read_point(r, f"row commitment {i}") for i in range(n)]))

    @classmethod
    def from_bytes(cls, data: bytes, length: int, gen_dim: int) -> "Commitment":
        r = Reader(data)
        c = cls.read(r, length, gen_dim)
        r.finish()
        return c

    def __eq__(self, other) -> bool:
        if not isinstance(other, Commitment):
            return NotImplemented
        return (self.length, self.gen_dim) == (other.length, other.gen_dim) and self.to_bytes() == other.to_bytes()

    __hash__ = None


def commit(t: FrTensor, gen_dim: int) -> Commitment:
    """Commit to t row by row: C_i = MSM(row_i, G). One MSM of size gen_dim per row
    (cheap for small-integer entries). t may be on any device; MSMs run on the CPU."""
    if not isinstance(t, FrTensor):
        raise TypeError(f"t must be an FrTensor, got {type(t).__name__}")
    _check_sizes(len(t), gen_dim)
    t = t.to("cpu")
    G = row_generators(gen_dim)
    D = len(t)
    pts = []
    for i in range(num_rows(D, gen_dim)):
        row = t[i * gen_dim : min(D, (i + 1) * gen_dim)]
        pts.append(msm(row, G[: len(row)]) if len(row) else G1Point.identity())
    return Commitment(D, gen_dim, G1Tensor.from_points(pts))


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
    for i, x in enumerate(pts):
        if not isinstance(x, int) or isinstance(x, bool):
            raise TypeError(f"point[{i}] is {type(x).__name__}, expected an int")
    return [x % R for x in pts]


def _absorb_statement(t: Transcript, commitments: Sequence[Commitment], point, values) -> None:
    t.absorb(b"hyrax/protocol", PROTOCOL_ID.encode())
    t.absorb_int("hyrax/num", len(commitments))
    t.absorb_int("hyrax/gen_dim", commitments[0].gen_dim if commitments else 0)
    for c in commitments:
        t.absorb_int("hyrax/length", c.length)
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


def evaluations(tensors: Sequence[FrTensor], point: Sequence[int], gen_dim: int):
    """For each tensor, (w_j, v_j): its rows folded at u_row (times scale), length
    gen_dim, and its value t_j(u) = <w_j, eq(u_col)>. One pass over each tensor."""
    u = _check_point(point)
    out = []
    eq_col = None
    for j, t in enumerate(tensors):
        if not isinstance(t, FrTensor):
            raise TypeError(f"tensors[{j}] is {type(t).__name__}, expected an FrTensor")
        u_col, u_row, scale = _split_point(u, len(t), gen_dim)
        rows = num_rows(len(t), gen_dim)
        if eq_col is None or eq_col.device != t.device:
            eq_col = FrTensor.eq(u_col, t.device)
        tp = t.pad(rows * gen_dim)
        w = tp.partial_eval(u_row, rows, gen_dim, axis=0)
        if scale != 1:
            w = w * scale
        out.append((w, w.inner(eq_col)))
    return out


def open_batch(
    transcript: Transcript,
    tensors: Sequence[FrTensor],
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int] | None = None,
) -> tuple[list[int], IPAProof]:
    """Prove t_j(point) = v_j for every j in one IPA. Returns (values, proof).

    `values`, if given, are checked against the tensors (ValueError on a mismatch, so
    a prover never emits a proof of a false claim by accident)."""
    gen_dim = _check_batch(commitments)
    if len(tensors) != len(commitments):
        raise ValueError(f"{len(tensors)} tensors but {len(commitments)} commitments")
    for j, (t, c) in enumerate(zip(tensors, commitments)):
        if len(t) != c.length:
            raise ValueError(f"tensors[{j}] has length {len(t)}, its commitment is for {c.length}")
    u = _check_point(point)
    evals = evaluations(tensors, u, gen_dim)
    vals = [v for _, v in evals]
    if values is not None:
        given = [int(v) % R for v in values]
        if given != vals:
            bad = next(i for i, (a, b) in enumerate(zip(given + [None] * len(vals), vals)) if a != b)
            raise ValueError(f"values[{bad}] is not tensors[{bad}] evaluated at the point")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    w = None
    for (wj, _), pj in zip(evals, _powers(rho, len(evals))):
        term = wj.to("cpu") * pj if pj != 1 else wj.to("cpu")
        w = term if w is None else w + term
    u_col, _, _ = _split_point(u, 0, gen_dim)
    proof = ipa.prove(transcript, w, u_col, row_generators(gen_dim), ipa_generator())
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
    c_vars = log2_exact(gen_dim, "gen_dim")
    if isinstance(proof, (bytes, bytearray, memoryview)):
        proof = IPAProof.from_bytes(bytes(proof), c_vars)
    if not isinstance(proof, IPAProof):
        raise TypeError(f"proof must be an IPAProof or bytes, got {type(proof).__name__}")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    weights = []
    for c, pj in zip(commitments, _powers(rho, len(commitments))):
        _, u_row, scale = _split_point(u, c.length, gen_dim)
        weights.append(FrTensor.eq(u_row)[: c.num_rows] * (pj * scale % R))
    v_comb = sum(v * p for v, p in zip(vals, _powers(rho, len(vals)))) % R
    u_col, _, _ = _split_point(u, 0, gen_dim)
    scalars, points = ipa.verify_terms(transcript, u_col, v_comb, row_generators(gen_dim), ipa_generator(), proof)
    total = msm(FrTensor.cat([*weights, scalars]), G1Tensor.cat([*(c.rows for c in commitments), points]))
    if total != G1Point.identity():
        raise OpeningError("opening proof does not verify")


# ------------------------------------------------------------------- single openings
def prove_opening(transcript: Transcript, t: FrTensor, commitment: Commitment, point: Sequence[int]) -> tuple[int, IPAProof]:
    """Prove t(point) = v for one committed tensor; returns (v, proof)."""
    vals, proof = open_batch(transcript, [t], [commitment], point)
    return vals[0], proof


def verify_opening(transcript: Transcript, commitment: Commitment, point: Sequence[int], value: int, proof) -> None:
    """Verifier of `prove_opening`; raises OpeningError / MalformedProof."""
    verify_batch(transcript, [commitment], point, [value], proof)


# --------------------------------------------------------------------- claim lists
@dataclass(frozen=True)
class EvalClaim:
    """A protocol's leftover claim: the tensor committed in `commitment`, evaluated at
    `point` (zero-padded to 2^len(point) entries), equals `value`."""

    commitment: Commitment
    point: tuple[int, ...]
    value: int


def prove_claims(transcript: Transcript, claims: Sequence[EvalClaim], tensors: Sequence[FrTensor]) -> IPAProof:
    """Discharge claims that share one point (and gen_dim) with one batched opening.
    tensors[j] is the committed tensor of claims[j]. Claims at several points need a
    reduction to one point first (not provided here)."""
    point = _same_point(claims)
    _, proof = open_batch(transcript, tensors, [c.commitment for c in claims], point, [c.value for c in claims])
    return proof


def verify_claims(transcript: Transcript, claims: Sequence[EvalClaim], proof) -> None:
    """Verifier of prove_claims: raises OpeningError / MalformedProof."""
    point = _same_point(claims)
    verify_batch(transcript, [c.commitment for c in claims], point, [c.value for c in claims], proof)


def _same_point(claims) -> list[int]:
    if not claims:
        raise ValueError("no claims to discharge")
    p0 = _check_point(claims[0].point)
    for i, c in enumerate(claims):
        if _check_point(c.point) != p0:
            raise ValueError(f"claims[{i}] is at another point than claims[0]; batch per point")
    return p0


# -------------------------------------------------------------------- proof files
@dataclass(frozen=True)
class OpeningStatement:
    """What a batched-opening proof file states: gen_dim, the commitments (with their
    lengths), the point and the values."""

    commitments: tuple[Commitment, ...]
    point: tuple[int, ...]
    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        w = Writer().u64(len(self.commitments)).u64(self.commitments[0].gen_dim)
        for c in self.commitments:
            w.u64(c.length)
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
        if r.remaining() < 8 * num:
            raise MalformedProof(f"truncated: {num} lengths need {8 * num} bytes")
        lengths = [r.u64("tensor length") for _ in range(num)]
        nvars = r.u64("point length")
        if nvars > 64 or r.remaining() < 32 * (nvars + num):
            raise MalformedProof(f"point of {nvars} coordinates and {num} values do not fit the statement")
        point = r.frs(nvars, "point")
        values = r.frs(num, "values")
        for j, n in enumerate(lengths):
            if n > (1 << nvars):
                raise MalformedProof(f"tensor {j} of length {n} does not fit a point of {nvars} coordinates")
        coms = tuple(Commitment.read(r, n, gen_dim) for n in lengths)
        r.finish()
        return cls(coms, tuple(point), tuple(values))


def transcript_for_file() -> Transcript:
    return Transcript("zkproof/" + PROTOCOL_ID)


def verify_file_parts(statement: bytes, proof: bytes) -> OpeningStatement:
    """Verify a (statement, proof) pair as stored in a proof file Envelope."""
    st = OpeningStatement.from_bytes(statement)
    verify_batch(transcript_for_file(), st.commitments, st.point, st.values, proof)
    return st
