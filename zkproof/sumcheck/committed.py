"""Standalone proof files that bind their inputs: a sumcheck protocol's proof together
with Hyrax commitments to its inputs and the openings of the claims it leaves.

An inner-product, Hadamard or matmul proof on its own leaves claims on its inputs, so a
file holding only that proof binds nothing (`zkproof verify` says NOT BINDING). A file of
this protocol (id PROTOCOL_ID) carries the inputs' commitments, each with the shape the
protocol's claims refer to, and opens every claim against them; it is accepted only if
the committed inputs make the statement true.

Statement bytes: u16 len || inner protocol id || u64 len || inner Statement bytes ||
u8 count || count x (u8 len || name || u8 axes || u64 dims || u64 gen_dim || u8 hiding ||
row commitments). Proof bytes: u64 len || inner proof bytes || the openings
(zkproof.commit.claims_proof_bytes).

Transcript (domain "zkproof/" + PROTOCOL_ID): "committed/inner" (the inner protocol id),
then each commitment with its name and sizes ("committed/input" + statement_bytes),
then the inner protocol (which absorbs its own whole statement first), then the
openings. The commitments are absorbed before any challenge the claims depend on.
"""
from __future__ import annotations

import struct
from typing import Callable, Mapping

from ..commit import hyrax
from ..errors import MalformedProof
from ..transcript import Transcript
from ..wire import Reader, Writer
from . import hadamard, inner_product, matmul

PROTOCOL_ID = "sumcheck-committed/v2"
INNER = {m.PROTOCOL_ID: m for m in (inner_product, hadamard, matmul)}
MAX_INPUTS = 8


def new_transcript() -> Transcript:
    return Transcript("zkproof/" + PROTOCOL_ID)


def _absorb_inputs(t: Transcript, inner_id: str, coms: Mapping[str, hyrax.Commitment]) -> None:
    t.absorb("committed/inner", inner_id.encode())
    for name, c in coms.items():
        t.absorb("committed/input", name.encode() + b"\x00" + c.statement_bytes())


def prove_file(inner_id: str, inputs: Mapping[str, tuple], gen_dim: int,
               prove: Callable[[Transcript], tuple]) -> bytes:
    """Commit the inputs, prove, open the claims; returns the proof file's bytes.

    inputs: {claim name: (tensor in natural order, shape)} for every tensor the inner
    protocol's claims fall on (e.g. {"a": (a, (num, dim)), "b": (b, (num, dim))} for
    Hadamard). prove(transcript) runs the inner prover on that transcript and returns
    (Statement, Proof, claims), e.g. lambda t: hadamard.prove(t, a, b, num, dim, u, y).
    The commitments are absorbed before prove is called."""
    if inner_id not in INNER:
        raise ValueError(f"inner_id must be one of {sorted(INNER)}, got {inner_id!r}")
    coms = {name: hyrax.commit(t, gen_dim, shape=shape) for name, (t, shape) in inputs.items()}
    tensors = {name: t for name, (t, _) in inputs.items()}
    tr = new_transcript()
    _absorb_inputs(tr, inner_id, coms)
    st, proof, claims = prove(tr)
    if {c.name for c in claims} != set(coms):
        raise ValueError(f"inputs {sorted(coms)} are not the tensors the claims fall on "
                         f"({sorted({c.name for c in claims})})")
    openings = hyrax.claims_proof_bytes(hyrax.prove_claims(tr, claims, tensors, coms))
    w = Writer()
    pid = inner_id.encode()
    w.raw(struct.pack("<H", len(pid))).raw(pid).blob(st.to_bytes()).u8(len(coms))
    for name, c in coms.items():
        nb = name.encode()
        w.u8(len(nb)).raw(nb)
        w.raw(c.statement_bytes())
    statement = w.bytes()
    body = Writer().blob(proof.to_bytes()).raw(openings).bytes()
    from .. import proof_file

    return proof_file.encode(PROTOCOL_ID, statement, body)


def _read_commitment(r: Reader, file_bytes: int) -> hyrax.Commitment:
    axes = r.u8("number of axes")
    if not 1 <= axes <= hyrax.MAX_AXES:
        raise MalformedProof(f"an input with {axes} axes (1 to {hyrax.MAX_AXES})")
    shape = tuple(r.u64("dimension") for _ in range(axes))
    gen_dim = r.u64("gen_dim")
    if gen_dim == 0 or gen_dim & (gen_dim - 1) or gen_dim > hyrax.MAX_GEN_DIM:
        raise MalformedProof(f"gen_dim {gen_dim} is not a power of two <= {hyrax.MAX_GEN_DIM}")
    hyrax.check_file_gen_dim(gen_dim, file_bytes)
    hiding = r.u8("hiding flag")
    if hiding > 1:
        raise MalformedProof(f"hiding flag {hiding} is not 0 or 1")
    length = 1
    for d in shape:
        length *= d
    return hyrax.Commitment.read(r, length, gen_dim, bool(hiding), shape)


def verify_bytes(statement: bytes, proof: bytes) -> list:
    """Verify a committed sumcheck file (the verifier registered for PROTOCOL_ID).
    Returns [] (nothing remains: every claim was opened against the file's
    commitments, whose gen_dims are capped by the file's size) or raises a
    VerificationError."""
    r = Reader(statement)
    (plen,) = struct.unpack("<H", r.raw(2, "inner protocol id length"))
    inner_id = r.raw(plen, "inner protocol id").decode("ascii", "replace")
    if inner_id not in INNER:
        raise MalformedProof(f"unknown inner protocol {inner_id!r} (one of {sorted(INNER)})")
    mod = INNER[inner_id]
    st = mod.Statement.from_bytes(r.blob("inner statement", limit=1 << 20))
    count = r.u8("number of inputs")
    if not 1 <= count <= MAX_INPUTS:
        raise MalformedProof(f"{count} committed inputs (1 to {MAX_INPUTS})")
    coms: dict[str, hyrax.Commitment] = {}
    for _ in range(count):
        name = r.raw(r.u8("name length"), "input name").decode("ascii", "replace")
        if name in coms:
            raise MalformedProof(f"input {name!r} committed twice")
        coms[name] = _read_commitment(r, len(statement) + len(proof))
    r.finish()
    pr = Reader(proof)
    inner_proof = mod.Proof.from_bytes(pr.blob("inner proof", limit=1 << 30), st)
    openings = pr.raw(pr.remaining(), "openings")
    t = new_transcript()
    _absorb_inputs(t, inner_id, coms)
    claims = mod.verify(t, st, inner_proof)
    if {c.name for c in claims} != set(coms):
        raise MalformedProof(f"the file commits {sorted(coms)}, the claims fall on "
                             f"{sorted({c.name for c in claims})}")
    hyrax.verify_claims(t, claims, coms, openings)
    return []
