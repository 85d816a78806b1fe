"""Inner-product sumcheck: <a, b> = c for two vectors of length N.

Statement: N and c. The vectors are zero-padded to 2^n, n = log2(next_pow2(N)) (the
padding adds 0 * 0, so the statement stays true). The proof is a degree-2 sumcheck of
sum_x a(x) b(x) = c, followed by the claimed evaluations a(v), b(v).

verify returns the claims [a(v) = alpha, b(v) = beta], v in the FrTensor.evaluate
convention over n variables, on the vectors as they are (shape (N,): zero-padded at the
end, so FrTensor.evaluate on the unpadded vectors gives the same values). The caller
discharges them against commitments of a and b made with that shape (the padding is
then outside the commitment) that were bound in the transcript before this proof;
without that the proof binds nothing (a standalone file says so).

Transcript: absorbs "inner_product/statement" (the protocol id and the Statement's
bytes), the sumcheck, then "inner_product/evals" (alpha, beta).
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

PROTOCOL_ID = "inner_product/v2"
TERMS = [(1, (0, 1))]


@dataclass(frozen=True)
class Statement:
    length: int
    c: int

    @property
    def sumcheck_shape(self) -> tuple[int, int]:
        return self.num_vars, 2

    def to_bytes(self) -> bytes:
        return Writer().u64(self.length).fr(self.c).bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Statement":
        r = Reader(data)
        n, c = r.u64("length"), r.fr("c")
        r.finish()
        if n < 1 or n > 1 << 40:
            raise MalformedProof(f"inner product length {n} out of range")
        return cls(n, c)

    @property
    def num_vars(self) -> int:
        return log2_pow2(self.length)


Proof = sc.TwoEvalProof


def _absorb_statement(t: Transcript, st: Statement) -> None:
    t.absorb("inner_product/statement", PROTOCOL_ID.encode() + st.to_bytes())


def new_transcript() -> Transcript:
    """The transcript a standalone (proof-file) inner-product proof starts from."""
    return Transcript(PROTOCOL_ID)


def prove(transcript: Transcript, a: FrTensor, b: FrTensor, c: int | None = None):
    """Prove <a, b> = c (c computed when None). Returns (Statement, Proof, claims)."""
    if not isinstance(a, FrTensor) or not isinstance(b, FrTensor):
        raise TypeError("a and b must be FrTensors")
    if len(a) != len(b):
        raise ValueError(f"a and b differ in length: {len(a)} and {len(b)}")
    if len(a) == 0:
        raise ValueError("a: empty vectors")
    st = Statement(len(a), a.inner(b) if c is None else int(c) % R)
    _absorb_statement(transcript, st)
    ap, bp = pad_axes(a, (len(a),), "a"), pad_axes(b, (len(b),), "b")
    proof, point, finals = sc.prove(transcript, [ap, bp], TERMS, st.c)
    transcript.absorb_frs("inner_product/evals", finals)
    pf = Proof(proof, finals[0], finals[1])
    return st, pf, _claims(st, point, finals[0], finals[1])


def _claims(st: Statement, point, a_eval: int, b_eval: int) -> list[Claim]:
    shape = (st.length,)
    return [Claim("a", point, a_eval, shape), Claim("b", point, b_eval, shape)]


def verify(transcript: Transcript, st: Statement, proof: Proof) -> list[Claim]:
    """Verify; returns the claims on a and b or raises a VerificationError."""
    _absorb_statement(transcript, st)
    point, expected = sc.verify(transcript, st.num_vars, 2, st.c, proof.sumcheck)
    sc.check_final(expected, TERMS, [proof.a_eval, proof.b_eval], point)
    transcript.absorb_frs("inner_product/evals", [proof.a_eval, proof.b_eval])
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
