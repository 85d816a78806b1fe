"""Proof files: a registry from protocol ids to verifiers, so any proof file verifies.

A proof file is a `zkproof.wire.Envelope` (magic, format version, protocol id,
statement bytes, proof bytes). A protocol module registers a verifier for its id:

    from zkproof import proof_file
    proof_file.register("myproto/v1", verify_bytes)   # verify_bytes(statement, proof)

verify_bytes(statement: bytes, proof: bytes) decodes both (sizes from the statement),
verifies with a fresh transcript, and returns whatever remains for the caller (for
example a list of Claims) or raises a VerificationError. Modules listed in BUILTIN are
imported on first use, so their registrations are always present; add yours there.

Binding. A file whose verifier returns a non-empty list of Claims proves only that
*some* tensors with those evaluations make the statement true: the claims fall on
tensors the file does not commit, which could be chosen after the challenges. Such a
file binds nothing on its own; `remaining_claims` says whether a result is of that
kind, and `zkproof verify` exits 1 for it (never ACCEPTED). A file that commits its
inputs and opens them (hyrax-open, tlookup with input commitments and a carried or
range table, an inner-product/Hadamard/matmul proof wrapped by
zkproof.sumcheck.committed) leaves nothing and is accepted.
"""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Callable

from .errors import MalformedProof, StatementMismatch, VerificationError
from .wire import Envelope

log = logging.getLogger(__name__)

VerifyBytes = Callable[[bytes, bytes], object]

_REGISTRY: dict[str, VerifyBytes] = {}

# (protocol id, module, name of its verify_bytes function)
BUILTIN = [
    ("inner_product/v2", "zkproof.sumcheck.inner_product", "verify_bytes"),
    ("hadamard/v2", "zkproof.sumcheck.hadamard", "verify_bytes"),
    ("matmul/v2", "zkproof.sumcheck.matmul", "verify_bytes"),
    ("tlookup/v2", "zkproof.lookup.tlookup", "verify_bytes"),
    ("hyrax-open/v2", "zkproof.commit.hyrax", "verify_bytes"),
    ("sumcheck-committed/v2", "zkproof.sumcheck.committed", "verify_bytes"),
    ("zkattn/v3", "zkproof.nn.zkattn", "verify_bytes"),
    ("nn-model/v2", "zkproof.nn.models.inference", "verify_standalone"),
]


def register(protocol_id: str, verify_bytes: VerifyBytes) -> None:
    """Register (or replace) the verifier of a protocol id."""
    if not isinstance(protocol_id, str) or not protocol_id.isascii() or not protocol_id:
        raise ValueError(f"protocol_id must be a non-empty ascii string, got {protocol_id!r}")
    if not callable(verify_bytes):
        raise TypeError("verify_bytes must be callable")
    _REGISTRY[protocol_id] = verify_bytes


def _lookup(protocol_id: str) -> VerifyBytes:
    if protocol_id not in _REGISTRY:
        for pid, mod, fn in BUILTIN:
            if pid == protocol_id:
                register(pid, getattr(importlib.import_module(mod), fn))
    if protocol_id not in _REGISTRY:
        raise StatementMismatch(f"unknown protocol {protocol_id!r}")
    return _REGISTRY[protocol_id]


def protocols() -> list[str]:
    """All known protocol ids (built-in and registered)."""
    return sorted(set(_REGISTRY) | {pid for pid, _, _ in BUILTIN})


def encode(protocol_id: str, statement: bytes, proof: bytes) -> bytes:
    return Envelope(protocol_id, bytes(statement), bytes(proof)).to_bytes()


def decode_as(data: bytes, protocol_id: str, statement_cls, proof_cls):
    """Decode a proof file of one protocol into (statement, proof), consuming every byte:
    statement_cls.from_bytes(statement) and proof_cls.from_bytes(proof, statement).
    StatementMismatch when the file is for another protocol, MalformedProof on bad bytes."""
    env = Envelope.from_bytes(data)
    if env.protocol != protocol_id:
        raise StatementMismatch(f"expected a {protocol_id} proof, got {env.protocol!r}")
    st = statement_cls.from_bytes(env.statement)
    return st, proof_cls.from_bytes(env.proof, st)


def verify_bytes(data: bytes):
    """Decode an envelope and verify it. Returns (protocol id, verifier's result);
    raises a VerificationError (MalformedProof, StatementMismatch, ...) on rejection.
    Whatever the bytes, nothing but a VerificationError escapes for a bad file: a
    ValueError, TypeError, OverflowError or IndexError out of a verifier (a statement
    its decoder let through) becomes MalformedProof. The result may still hold claims
    on uncommitted tensors: see remaining_claims."""
    env = Envelope.from_bytes(data)
    verifier = _lookup(env.protocol)
    try:
        return env.protocol, verifier(env.statement, env.proof)
    except VerificationError:
        raise
    except (ValueError, TypeError, OverflowError, IndexError) as e:
        log.warning("verifier of %s raised %s: %s", env.protocol, type(e).__name__, e)
        raise MalformedProof(f"{env.protocol} statement or proof refused: {e}") from None


def remaining_claims(result) -> list:
    """The evaluation claims a verifier's result leaves on tensors the file does not
    commit ([] when the file binds its statement on its own)."""
    from .claims import Claim

    if isinstance(result, (list, tuple)) and all(isinstance(c, Claim) for c in result):
        return list(result)
    return []


def write(path, protocol_id: str, statement: bytes, proof: bytes) -> int:
    """Write a proof file; returns its size in bytes."""
    data = encode(protocol_id, statement, proof)
    Path(path).write_bytes(data)
    return len(data)


def verify_file(path):
    """verify_bytes on a file's contents (OSError when it cannot be read)."""
    return verify_bytes(Path(path).read_bytes())


__all__ = ["register", "protocols", "encode", "decode_as", "verify_bytes", "write", "verify_file",
           "VerificationError", "BUILTIN", "remaining_claims"]
