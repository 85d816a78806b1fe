"""The contributor wire format: versioned, length-prefixed frames (never pickle).

    b"ZKLR" || u16 version || u32 header_len || u64 payload_len || header || payload

header: UTF-8 JSON object (at most MAX_HEADER bytes) with an "op" string and optionally
"tensors": {name: {"dtype": "int64" | "uint8", "shape": [..], "offset": n, "nbytes": n}}
describing slices of the payload (raw little-endian bytes). A frame whose declared
sizes exceed the caps is refused before anything of that size is read or allocated.
Every problem raises FrameError (a ValueError) with a message that is safe to send back.
"""
from __future__ import annotations

import json
import math
import socket
import struct

import numpy as np

MAGIC = b"ZKLR"
VERSION = 1
PREFIX = struct.Struct("<4sHIQ")
MAX_HEADER = 1 << 20
DEFAULT_MAX_PAYLOAD = 64 << 20
DTYPES = {"int64": np.dtype("<i8"), "uint8": np.dtype("u1")}
MAX_DIMS = 4


class FrameError(ValueError):
    """A malformed, truncated, oversized or wrong-version frame."""


class FrameBodyError(FrameError):
    """A frame read in full whose header or tensors are malformed (the stream is still in
    sync: a server replies with an error and keeps the connection)."""


def encode(header: dict, tensors: dict | None = None) -> bytes:
    """Build a frame. tensors: name -> NumPy array (int64) or bytes (sent as uint8)."""
    header = dict(header)
    payload, desc, off = [], {}, 0
    for name, a in (tensors or {}).items():
        if isinstance(a, (bytes, bytearray, memoryview)):
            a = np.frombuffer(bytes(a), dtype=np.uint8)
        a = np.asarray(a)
        dt = "uint8" if a.dtype == np.uint8 else "int64"
        raw = np.ascontiguousarray(a, dtype=DTYPES[dt]).tobytes()
        desc[name] = {"dtype": dt, "shape": list(a.shape), "offset": off, "nbytes": len(raw)}
        payload.append(raw)
        off += len(raw)
    if desc:
        header["tensors"] = desc
    hb = json.dumps(header, separators=(",", ":")).encode()
    if len(hb) > MAX_HEADER:
        raise FrameError("header too large")
    return PREFIX.pack(MAGIC, VERSION, len(hb), off) + hb + b"".join(payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed" if not buf else "truncated frame")
        buf += chunk
    return bytes(buf)


def read_frame(sock: socket.socket, max_payload: int = DEFAULT_MAX_PAYLOAD) -> tuple[dict, dict]:
    """Read one frame: (header, tensors). Raises ConnectionError when the peer closed
    (cleanly between frames or in the middle of one) and FrameError on a bad frame."""
    magic, version, hlen, plen = PREFIX.unpack(_recv_exact(sock, PREFIX.size))
    if magic != MAGIC:
        raise FrameError("bad magic (not a zkproof LoRA frame)")
    if version != VERSION:
        raise FrameError(f"unsupported frame version {version} (this side speaks {VERSION})")
    if hlen > MAX_HEADER or plen > max_payload:
        raise FrameError(f"frame too large (header {hlen} bytes, payload {plen} bytes; caps {MAX_HEADER}, "
                         f"{max_payload})")
    hb = _recv_exact(sock, hlen)
    payload = _recv_exact(sock, plen) if plen else b""
    return decode_body(hb, payload)


def decode_body(hb: bytes, payload: bytes) -> tuple[dict, dict]:
    try:
        header = json.loads(hb.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FrameBodyError("header is not UTF-8 JSON") from None
    if not isinstance(header, dict) or not isinstance(header.get("op"), str):
        raise FrameBodyError("header must be a JSON object with an 'op' string")
    tensors = {}
    desc = header.pop("tensors", {})
    if not isinstance(desc, dict):
        raise FrameBodyError("'tensors' must be an object")
    for name, d in desc.items():
        try:
            dt = DTYPES[d["dtype"]]
            shape = d["shape"]
            off, nb = d["offset"], d["nbytes"]
            if not (isinstance(shape, list) and len(shape) <= MAX_DIMS
                    and all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**31 for s in shape)):
                raise FrameBodyError(f"tensor {name!r}: bad shape")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (off, nb)):
                raise FrameBodyError(f"tensor {name!r}: bad offset")
            count = math.prod(shape)          # Python ints: no overflow
            if nb != count * dt.itemsize or off < 0 or off + nb > len(payload):
                raise FrameBodyError(f"tensor {name!r}: size does not match its shape or the payload")
        except (KeyError, TypeError):
            raise FrameBodyError(f"tensor {name!r}: needs dtype, shape, offset, nbytes") from None
        tensors[name] = np.frombuffer(payload, dtype=dt, count=count, offset=off).reshape(shape).copy()
    return header, tensors


def send(sock: socket.socket, header: dict, tensors: dict | None = None) -> None:
    sock.sendall(encode(header, tensors))
