"""Canonical byte encodings for proofs.

A proof's body is a flat sequence of fixed-size items whose count the verifier derives
from the statement (sizes are never read from the proof). `Reader` raises
MalformedProof on short input, non-canonical elements or trailing bytes.

Proof files (`Envelope`) are self-describing:
    b"ZKPF" || u16 version || u16 len(protocol) || protocol (ascii)
            || u64 len(statement) || statement || u64 len(proof) || proof
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import MalformedProof
from .field.scalar import FR_BYTES, R

MAGIC = b"ZKPF"
# 2: commitments bind their shape (openings of exactly the committed tensor), every
# protocol absorbs its whole statement, protocol ids */v2. Version 1 files are refused.
VERSION = 2
G1_BYTES = 48


class Writer:
    def __init__(self):
        self._parts: list[bytes] = []

    def u8(self, x: int) -> "Writer":
        self._parts.append(struct.pack("<B", x))
        return self

    def u32(self, x: int) -> "Writer":
        self._parts.append(struct.pack("<I", x))
        return self

    def u64(self, x: int) -> "Writer":
        self._parts.append(struct.pack("<Q", x))
        return self

    def i64(self, x: int) -> "Writer":
        self._parts.append(struct.pack("<q", x))
        return self

    def fr(self, x: int) -> "Writer":
        self._parts.append((x % R).to_bytes(FR_BYTES, "little"))
        return self

    def frs(self, xs) -> "Writer":
        for x in xs:
            self.fr(x)
        return self

    def g1(self, p: bytes) -> "Writer":
        if len(p) != G1_BYTES:
            raise ValueError(f"a compressed G1 point is {G1_BYTES} bytes, got {len(p)}")
        self._parts.append(bytes(p))
        return self

    def raw(self, b: bytes) -> "Writer":
        self._parts.append(bytes(b))
        return self

    def blob(self, b: bytes) -> "Writer":
        """Length-prefixed (u64) bytes."""
        return self.u64(len(b)).raw(b)

    def bytes(self) -> bytes:
        return b"".join(self._parts)


class Reader:
    def __init__(self, data: bytes):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise MalformedProof(f"expected bytes, got {type(data).__name__}")
        self._b = bytes(data)
        self._i = 0

    def _take(self, n: int, what: str) -> bytes:
        if n < 0 or self._i + n > len(self._b):
            raise MalformedProof(f"truncated: {what} needs {n} bytes at offset {self._i}, {len(self._b) - self._i} left")
        out = self._b[self._i : self._i + n]
        self._i += n
        return out

    def u8(self, what="u8") -> int:
        return self._take(1, what)[0]

    def u32(self, what="u32") -> int:
        return struct.unpack("<I", self._take(4, what))[0]

    def u64(self, what="u64") -> int:
        return struct.unpack("<Q", self._take(8, what))[0]

    def i64(self, what="i64") -> int:
        return struct.unpack("<q", self._take(8, what))[0]

    def fr(self, what="field element") -> int:
        x = int.from_bytes(self._take(FR_BYTES, what), "little")
        if x >= R:
            raise MalformedProof(f"non-canonical field element in {what} at offset {self._i - FR_BYTES}")
        return x

    def frs(self, n: int, what="field elements") -> list[int]:
        return [self.fr(what) for _ in range(n)]

    def g1(self, what="G1 point") -> bytes:
        return self._take(G1_BYTES, what)

    def raw(self, n: int, what="bytes") -> bytes:
        return self._take(n, what)

    def blob(self, what="blob", limit: int = 1 << 40) -> bytes:
        n = self.u64(what + " length")
        if n > limit:
            raise MalformedProof(f"{what} length {n} exceeds the limit {limit}")
        return self._take(n, what)

    def remaining(self) -> int:
        return len(self._b) - self._i

    def finish(self) -> None:
        if self._i != len(self._b):
            raise MalformedProof(f"{len(self._b) - self._i} trailing bytes after the proof")


@dataclass(frozen=True)
class Envelope:
    """A self-describing proof file: protocol id, statement bytes, proof bytes."""

    protocol: str
    statement: bytes
    proof: bytes

    def to_bytes(self) -> bytes:
        p = self.protocol.encode("ascii")
        return (
            Writer().raw(MAGIC).raw(struct.pack("<H", VERSION)).raw(struct.pack("<H", len(p))).raw(p)
            .blob(self.statement).blob(self.proof).bytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "Envelope":
        r = Reader(data)
        if r.raw(4, "magic") != MAGIC:
            raise MalformedProof("not a zkproof proof file (bad magic)")
        (version,) = struct.unpack("<H", r.raw(2, "version"))
        if version != VERSION:
            hint = (" (version 1 files predate the soundness fixes of format 2 and are not accepted; "
                    "prove again)" if version == 1 else "")
            raise MalformedProof(f"unsupported proof format version {version} (this zkproof reads {VERSION}){hint}")
        (plen,) = struct.unpack("<H", r.raw(2, "protocol length"))
        try:
            protocol = r.raw(plen, "protocol").decode("ascii")
        except UnicodeDecodeError:
            raise MalformedProof("protocol id is not ascii") from None
        statement = r.blob("statement")
        proof = r.blob("proof")
        r.finish()
        return cls(protocol, statement, proof)
