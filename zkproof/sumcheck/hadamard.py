"""Batched Hadamard product: c = a o b for NUM instances of DIM elements, one sumcheck.

Layout (zkproof.batch): a, b, c are FrTensors of NUM * DIM elements, instance-major;
the protocol works on the zero-padded tensors of length next_pow2(NUM) * next_pow2(DIM)
(index s * next_pow2(DIM) + j), n = log2 of that length variables, the instance index
in the top variables. Zero padding keeps c = a o b true.

Statement: NUM, DIM and a claim c(u) = y, u a point over the n variables of the padded
c (in a pipeline the claim comes from the next protocol; u is chosen by the verifier's
transcript before this proof). The proof is the eq-weighted sumcheck
    y = sum_x eq(u, x) a(x) b(x)       (degree 3, n rounds)
followed by alpha = a(v), beta = b(v). verify returns the claims on a and b at v, in
the padded layout of shape (NUM, DIM) (Claim.shape): the caller discharges them against
commitments made with that shape (`commit(a, gen_dim, shape=(num, dim))`: the padding
is outside the commitment, so nothing in it can shift a value) that were bound in the
transcript before this proof, or checks them against the tensors (check_claims). A
standalone proof file has no commitments, so it binds nothing on its own.

Transcript: "hadamard/statement" (the protocol id and the Statement's bytes), the
sumcheck, then "hadamard/evals".
"""
from __future__ import annotations

from dataclasses import dataclass

from . import core as sc
from .batch import log2_pow2, pad_axes
from ..claims import Claim
from ..errors import MalformedProof
from ..field.scalar import R
from ..field.tensor import FrTensor
from .. import proof_file
from ..transcript import Transcript
from ..wire import Reader, Writer

PROTOCOL_ID = "hadamard/v2"
TERMS = [(1, (0, 1))]
MAX_ELEMENTS = 1 << 40


def num_vars(num: int, dim: int) -> int:
    return log2_pow2(num) + log2_pow2(dim)


def padded(t: FrTensor, num: int, dim: int) -> FrTensor:
    """The tensor in the padded layout the claims refer to."""
    return pad_axes(t, (num, dim))


@dataclass(frozen=True)
class Statement:
    num: int
    dim: int
    u: tuple
    y: int

    @property
    def num_vars(self) -> int:
        return num_vars(self.num, self.dim)

    @property
    def sumcheck_shape(self) -> tuple[int, int]:
        return self.num_vars, _degree(self.num_vars)

    def to_bytes(self) -> bytes:
        return Writer().u64(self.num).u64(self.dim).frs(self.u).fr(self.y).bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Statement":
        r = Reader(data)
        num, dim = r.u64("num"), r.u64("dim")
        if not (1 <= num and 1 <= dim and num * dim <= MAX_ELEMENTS):
            raise MalformedProof(f"hadamard statement sizes out of range: num={num}, dim={dim}")
        u = tuple(r.frs(num_vars(num, dim), "u"))
        y = r.fr("y")
        r.finish()
        return cls(num, dim, u, y)


Proof = sc.TwoEvalProof


def _degree(n: int) -> int:
    return sc.degree_of(TERMS, n)


def _absorb_statement(t: Transcript, st: Statement) -> None:
    t.absorb("hadamard/statement", PROTOCOL_ID.encode() + st.to_bytes())


def new_transcript() -> Transcript:
    """The transcript a standalone (proof-file) Hadamard proof starts from."""
    return Transcript(PROTOCOL_ID)


def claim_on_c(a: FrTensor, b: FrTensor, num: int, dim: int, u) -> int:
    """y = c(u) for c = a o b in the padded layout (statement preparation, not proving)."""
    return padded(a * b, num, dim).evaluate(list(u))


def prove(transcript: Transcript, a: FrTensor, b: FrTensor, num: int, dim: int, u, y: int | None = None):
    """Prove the claim c(u) = y for c = a o b (y computed when None).

    a, b: FrTensors of num * dim elements (instance-major), on one device.
    Returns (Statement, Proof, claims [a(v), b(v)] on the padded layout of shape (num, dim))."""
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, FrTensor):
            raise TypeError(f"{name} must be an FrTensor")
        if len(t) != num * dim:
            raise ValueError(f"{name}: expected num * dim = {num * dim} elements, got {len(t)}")
    n = num_vars(num, dim)
    u = tuple(int(x) % R for x in u)
    if len(u) != n:
        raise ValueError(f"u: expected {n} coordinates for num={num}, dim={dim}, got {len(u)}")
    if y is None:
        y = claim_on_c(a, b, num, dim, u)
    st = Statement(int(num), int(dim), u, int(y) % R)
    _absorb_statement(transcript, st)
    ap, bp = padded(a, num, dim), padded(b, num, dim)
    proof, point, finals = sc.prove(transcript, [ap, bp], TERMS, st.y, u)
    transcript.absorb_frs("hadamard/evals", finals)
    return st, Proof(proof, finals[0], finals[1]), _claims(st, point, finals[0], finals[1])


def _claims(st: Statement, point, a_eval: int, b_eval: int) -> list[Claim]:
    shape = (st.num, st.dim)
    return [Claim("a", point, a_eval, shape), Claim("b", point, b_eval, shape)]


def verify(transcript: Transcript, st: Statement, proof: Proof) -> list[Claim]:
    """Verify; returns the claims on the padded a and b, or raises a VerificationError."""
    if len(st.u) != st.num_vars:
        raise MalformedProof("hadamard statement: u has the wrong length")
    _absorb_statement(transcript, st)
    point, expected = sc.verify(transcript, st.num_vars, _degree(st.num_vars), st.y, proof.sumcheck)
    sc.check_final(expected, TERMS, [proof.a_eval, proof.b_eval], point, st.u)
    transcript.absorb_frs("hadamard/evals", [proof.a_eval, proof.b_eval])
    return _claims(st, point, proof.a_eval, proof.b_eval)


def verify_bytes(statement: bytes, proof: bytes) -> list[Claim]:
    st = Statement.from_bytes(statement)
    return verify(new_transcript(), st, Proof.from_bytes(proof, st))


def encode(st: Statement, proof: Proof) -> bytes:
    """The self-describing proof file bytes (zkproof.wire.Envelope: magic, version,
    protocol id, statement, proof); `python -m zkproof verify` reads them."""
    return proof_file.encode(PROTOCOL_ID, st.to_bytes(), proof.to_bytes())


def decode(data: bytes) -> tuple[Statement, Proof]:
    """Inverse of encode: consumes every byte; MalformedProof or StatementMismatch."""
    return proof_file.decode_as(data, PROTOCOL_ID, Statement, Proof)
