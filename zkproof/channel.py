"""Prover and verifier channels: the proof as one byte stream, everything absorbed.

A `ProverChannel` writes every message into the proof bytes and absorbs it into the
Fiat–Shamir transcript; a `VerifierChannel` reads the same messages (sizes from the
verifier's own statement, never from the proof) and absorbs them identically, so both
draw the same challenges. Sumchecks go through `prove_sumcheck` / `verify_sumcheck`
(zkproof.sumcheck.core, which absorbs its rounds itself), followed by the final table
evaluations as an ordinary message; verify_sumcheck checks those against the last round.
"""
from __future__ import annotations

from typing import Sequence

from .errors import MalformedProof
from .field.scalar import R
from .sumcheck import core as sc
from .transcript import Transcript
from .wire import Reader, Writer


class ProverChannel:
    def __init__(self, transcript: Transcript):
        self.transcript = transcript
        self._w = Writer()

    def send(self, label: str, values: Sequence[int]) -> list[int]:
        vals = [int(v) % R for v in values]
        self.transcript.absorb_frs(label, vals)
        self._w.frs(vals)
        return vals

    def send_blob(self, data: bytes) -> None:
        """Bytes of a sub-protocol that absorbs its own messages (length-prefixed)."""
        self._w.blob(data)

    def challenge(self, label: str) -> int:
        return self.transcript.challenge(label)

    def challenges(self, label: str, n: int) -> list[int]:
        return self.transcript.challenges(label, n)

    def bytes(self) -> bytes:
        return self._w.bytes()


class VerifierChannel:
    def __init__(self, transcript: Transcript, data: bytes):
        self.transcript = transcript
        self._r = Reader(bytes(data))

    def receive(self, label: str, n: int) -> list[int]:
        vals = self._r.frs(n, label)
        self.transcript.absorb_frs(label, vals)
        return vals

    def receive_blob(self, what: str) -> bytes:
        return self._r.blob(what)

    def challenge(self, label: str) -> int:
        return self.transcript.challenge(label)

    def challenges(self, label: str, n: int) -> list[int]:
        return self.transcript.challenges(label, n)

    def finish(self) -> None:
        """Raise MalformedProof when bytes are left over."""
        self._r.finish()


def prove_sumcheck(ch: ProverChannel, tables, terms, claim: int, eq_point: Sequence[int] = ()):
    """Run the sumcheck prover over `tables` and send the final evaluations.
    Returns (point, finals)."""
    proof, point, finals = sc.prove(ch.transcript, tables, terms, claim, eq_point)
    ch._w.raw(proof.to_bytes())
    ch.send("nn/sumcheck-finals", finals)
    return list(point), finals


def verify_sumcheck(ch: VerifierChannel, num_vars: int, num_tables: int, terms, claim: int,
                    eq_point: Sequence[int] = ()):
    """Verify a sumcheck of `num_vars` rounds whose shape follows from terms/eq_point;
    returns (point, finals) with finals[k] the claimed f_k(point), already checked
    against the last round (SumcheckError otherwise)."""
    terms = sc.normalize_terms(terms, num_tables)
    degree = sc.degree_of(terms, len(eq_point))
    try:
        proof = sc.SumcheckProof.read(ch._r, num_vars, degree)
    except MalformedProof:
        raise
    point, expected = sc.verify(ch.transcript, num_vars, degree, claim, proof)
    finals = ch.receive("nn/sumcheck-finals", num_tables)
    sc.check_final(expected, terms, finals, point, list(eq_point))
    return list(point), finals
