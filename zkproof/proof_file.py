"""Proof files: a registry from protocol ids to verifiers, so any proof file verifies.

A proof file is a `zkproof.wire.Envelope` (magic, format version, protocol id,
statement bytes, proof bytes). A protocol module registers a verifier for its id:

    from zkproof import proof_file
    proof_file.register("myproto/v1", verify_bytes)   # verify_bytes(statement, proof)

verify_bytes(statement: bytes, proof: bytes) decodes both (sizes from the statement),
verifies with a fresh transcript, and returns whatever remains for the caller (for
example a list of Claims) or raises a VerificationError. Modules listed in BUILTIN are
imported on first use, so their registrations are always present; add yours there.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from .errors import StatementMismatch, VerificationError
from .wire import Envelope

VerifyBytes = Callable[[bytes, bytes], object]

_REGISTRY: dict[str, VerifyBytes] = {}

# (protocol id, module, name of its verify_bytes function)
BUILTIN = [
    ("inner_product/v1", "zkproof.sumcheck.inner_product", "verify_bytes"),
    ("hadamard/v1", "zkproof.sumcheck.hadamard", "verify_bytes"),
    ("matmul/v1", "zkproof.sumcheck.matmul", "verify_bytes"),
    ("tlookup/v1", "zkproof.lookup.tlookup", "verify_bytes"),
    ("hyrax-open/v1", "zkproof.commit.hyrax", "verify_bytes"),
    ("zkattn/v1", "zkproof.nn.zkattn", "verify_bytes"),
    ("nn-model/v1", "zkproof.nn.models.inference", "verify_standalone"),
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
    raises a VerificationError (MalformedProof, StatementMismatch, ...) on rejection."""
    env = Envelope.from_bytes(data)
    verifier = _lookup(env.protocol)
    return env.protocol, verifier(env.statement, env.proof)


def write(path, protocol_id: str, statement: bytes, proof: bytes) -> int:
    """Write a proof file; returns its size in bytes."""
    data = encode(protocol_id, statement, proof)
    Path(path).write_bytes(data)
    return len(data)


def verify_file(path):
    """verify_bytes on a file's contents (OSError when it cannot be read)."""
    return verify_bytes(Path(path).read_bytes())


__all__ = ["register", "protocols", "encode", "decode_as", "verify_bytes", "write", "verify_file",
           "VerificationError", "BUILTIN"]
