"""Fiat–Shamir transcript.

Byte layout (all hashes SHA-256, lengths little-endian):
    state_0 = H(b"zkproof/transcript/v1" || u32(len(domain)) || domain)
    absorb(label, data):   state = H(state || b"A" || u32(len(label)) || label || u64(len(data)) || data)
    challenge(label):      w = H(state || b"C" || u32(len(label)) || label || b"\\x00")
                               || H(state || b"C" || u32(len(label)) || label || b"\\x01")
                           c = int.from_bytes(w, "little") mod r     (512 bits: negligible bias)
                           state = H(state || b"C" || u32(len(label)) || label || b"\\x02")
Field elements are absorbed as canonical 32-byte little-endian values, G1 points as
48-byte compressed encodings, integers as u64; never raw memory or Montgomery form.
Protocols absorb their whole statement before drawing the first challenge.

Test vector (checked by tests/test_transcript.py, also against a direct hashlib
computation of the layout above):
    t = Transcript("zkproof/test-vector")
    t.absorb("statement", b"abc"); t.absorb_int("n", 5); t.absorb_fr("x", 7)
    t.digest == 76a64a673e871b18debaf0d62be9e1fe4f942b0d1554fe1c99c7949d77da0abb
    t.challenge("r") == 0x72e578f65be4b931aa481b80ccbf1e2cbc6f8d04ee9081f1c558b7648543777a
    t.digest == ad7803db723dfd3ce639631cc5a238bcb699eb137e038ee11af0cd876c3037d8
"""
from __future__ import annotations

import hashlib
import struct
from typing import Iterable

from .field.scalar import R, to_bytes

_PREFIX = b"zkproof/transcript/v1"


def _h(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def _label(label: str | bytes) -> bytes:
    b = label.encode() if isinstance(label, str) else bytes(label)
    return struct.pack("<I", len(b)) + b


class Transcript:
    """A running hash of everything the prover has said; challenges are derived from it."""

    def __init__(self, domain: str | bytes):
        self._state = _h(_PREFIX, _label(domain))

    def absorb(self, label: str | bytes, data: bytes) -> None:
        data = bytes(data)
        self._state = _h(self._state, b"A", _label(label), struct.pack("<Q", len(data)), data)

    def absorb_int(self, label: str, n: int) -> None:
        """A non-negative size or index (u64)."""
        if not 0 <= n < 2**64:
            raise ValueError(f"{label}: {n} does not fit in u64")
        self.absorb(label, struct.pack("<Q", n))

    def absorb_fr(self, label: str, x: int) -> None:
        self.absorb(label, to_bytes(x))

    def absorb_frs(self, label: str, xs: Iterable[int]) -> None:
        self.absorb(label, b"".join(to_bytes(x) for x in xs))

    def absorb_g1(self, label: str, point: bytes) -> None:
        """A compressed 48-byte G1 point (or several, concatenated)."""
        if len(point) % 48:
            raise ValueError(f"{label}: G1 encodings are 48 bytes each, got {len(point)} bytes")
        self.absorb(label, point)

    def challenge(self, label: str) -> int:
        lb = _label(label)
        w = _h(self._state, b"C", lb, b"\x00") + _h(self._state, b"C", lb, b"\x01")
        self._state = _h(self._state, b"C", lb, b"\x02")
        return int.from_bytes(w, "little") % R

    def challenges(self, label: str, n: int) -> list[int]:
        return [self.challenge(label) for _ in range(n)]

    def fork(self) -> "Transcript":
        """An independent copy (for a prover that must try something without committing)."""
        t = Transcript.__new__(Transcript)
        t._state = self._state
        return t

    @property
    def digest(self) -> bytes:
        return self._state
