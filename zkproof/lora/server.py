"""The LoRA contributor: serves adapter deltas with proofs (zkLoRA's flow and names).

`LoRAServer(base_model_name, lora_model_id, out_dir, use_optimization=True)` loads a
peft adapter (a local adapter directory, or `adapter=` a mapping from
zkproof.lora.adapters), quantises it (zkproof.lora.quantize), commits it once
(zkproof.lora.commitment: hiding commitments and the 4-bit range proof) and writes the
manifest to out_dir/manifest.json. Then

* `list_lora_injection_points()` -> the adapted module names (base-model names);
* `apply_lora(name, x, session_id)` -> dict(d, delta, fd, call_id, proof): the integer
  delta d for x (float activations, quantised here, or int64 x_q as the client sends),
  delta = d / 2^fd, and the proof (bytes) binding manifest, session, call id, x_q, d;
* `prove_session(session_id)` -> one proof for every call of the session (all lookups
  of all modules and tokens in one LogUp).

`LoRAServerSocket(server, host, port)` serves it over TCP in a thread (one thread per
connection, bounded by max_clients), with zkproof.lora.frames frames. Requests:
    {"op": "manifest"}                       -> {"manifest": {...}}
    {"op": "list"}                           -> {"modules": [...]}
    {"op": "init"}                           -> {"session": id}
    {"op": "apply", "session", "name"} + x   -> {"call_id", "fd"} + d, proof
    {"op": "prove_session", "session"}       -> {"calls": [...]} + proof
    {"op": "end", "session"}                 -> {"calls": n}
Any bad request gets {"op": "error", "error": message}; a bad frame (magic, version,
size caps, truncation) gets an error reply and the connection is closed. Nothing a
client sends can stop the server or touch another client's session.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import socketserver
import threading
import time

import numpy as np

from . import adapters as _adapters
from . import frames
from .commitment import commit_adapter
from .prover import Call, MAX_TOKENS, compute_calls
from .prover import prove as prove_calls
from .quantize import quantize_activations, quantize_module

log = logging.getLogger(__name__)

MAX_SESSIONS = 1024
MAX_CALLS_PER_SESSION = 4096


class Session:
    def __init__(self):
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.last = time.monotonic()


class LoRAServer:
    """The contributor. See the module doc."""

    def __init__(self, base_model_name: str, lora_model_id: str | None, out_dir: str,
                 use_optimization: bool = True, adapter: dict | None = None, weight_bits: int = 4):
        if not use_optimization:
            raise ValueError("use_optimization=False (dense proofs) is a benchmark mode only: "
                             "see bench/lora_bm.py --dense")
        if adapter is None:
            if lora_model_id is None:
                raise ValueError("give lora_model_id (a local peft adapter directory) or adapter=")
            adapter = _adapters.load_adapter_dir(lora_model_id)
        self.base_model_name = base_model_name
        self.lora_model_id = lora_model_id or "adapter"
        self.out_dir = out_dir
        t0 = time.perf_counter()
        mods = {name: (kind, quantize_module(A, B, s, weight_bits), s) for name, (kind, A, B, s) in adapter.items()}
        self.manifest, self.secret = commit_adapter(mods, self.lora_model_id, base_model_name)
        self.commit_seconds = time.perf_counter() - t0
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "manifest.json"), "w") as f:
            json.dump(self.manifest.to_json(), f)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._prove_lock = threading.Lock()
        log.info("adapter %s committed: %d modules, digest %s, %.2f s", self.lora_model_id,
                 len(self.manifest.modules), self.manifest.digest(), self.commit_seconds)

    # -------------------------------------------------------------- sessions
    def new_session(self) -> str:
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions, key=lambda k: self._sessions[k].last)
                del self._sessions[oldest]
            sid = secrets.token_hex(16)
            self._sessions[sid] = Session()
            return sid

    def _session(self, session_id) -> Session:
        if not isinstance(session_id, str):
            raise ValueError("session must be a string")
        with self._lock:
            s = self._sessions.get(session_id)
        if s is None:
            raise ValueError("unknown session (call init first)")
        return s

    def end_session(self, session_id: str) -> int:
        s = self._session(session_id)
        with self._lock:
            self._sessions.pop(session_id, None)
        return len(s.calls)

    # -------------------------------------------------------------- API
    def list_lora_injection_points(self) -> list[str]:
        return list(self.manifest.modules)

    def apply_lora(self, name: str, x, session_id: str, prove: bool = True) -> dict:
        """Delta of module `name` for activations x ((T, in) float, or int64 x_q)."""
        if name not in self.manifest.modules:
            raise ValueError(f"unknown module {name!r}")
        f = self.manifest.modules[name].fmt
        x = np.asarray(x)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != f.in_features or not 1 <= x.shape[0] <= MAX_TOKENS:
            raise ValueError(f"x must be (T, {f.in_features}) with 1 <= T <= {MAX_TOKENS}, got shape {x.shape}")
        x_q = x.astype(np.int64) if x.dtype.kind in "iu" else quantize_activations(x, f.fx)
        s = self._session(session_id)
        with s.lock:
            if len(s.calls) >= MAX_CALLS_PER_SESSION:
                raise ValueError("too many calls in this session")
            call = compute_calls(self.secret, name, x_q, len(s.calls))
            s.calls.append(call)
            s.last = time.monotonic()
        proof = b""
        if prove:
            with self._prove_lock:
                proof = prove_calls(self.manifest, self.secret, session_id, [call])
        return {"d": call.d, "delta": call.d / float(1 << f.fd), "fd": f.fd, "call_id": call.call_id,
                "proof": proof}

    def prove_session(self, session_id: str) -> tuple[list[dict], bytes]:
        s = self._session(session_id)
        with s.lock:
            calls = list(s.calls)
        if not calls:
            raise ValueError("the session has no calls")
        with self._prove_lock:
            proof = prove_calls(self.manifest, self.secret, session_id, calls)
        return [{"name": c.name, "call_id": c.call_id} for c in calls], proof

    # -------------------------------------------------------------- wire
    def handle(self, header: dict, tensors: dict) -> tuple[dict, dict]:
        """One request -> (reply header, reply tensors). Raises ValueError on a bad request."""
        op = header["op"]
        if op == "manifest":
            return {"op": "manifest", "manifest": self.manifest.to_json()}, {}
        if op == "list":
            return {"op": "list", "modules": self.list_lora_injection_points()}, {}
        if op == "init":
            return {"op": "init", "session": self.new_session()}, {}
        if op == "apply":
            x = tensors.get("x")
            if x is None or x.dtype != np.int64:
                raise ValueError("apply needs an int64 tensor 'x' (quantised activations)")
            name = header.get("name")
            if not isinstance(name, str):
                raise ValueError("apply needs a module 'name'")
            out = self.apply_lora(name, x, header.get("session"))
            return ({"op": "apply", "call_id": out["call_id"], "fd": out["fd"]},
                    {"d": out["d"], "proof": out["proof"]})
        if op == "prove_session":
            calls, proof = self.prove_session(header.get("session"))
            return {"op": "prove_session", "calls": calls}, {"proof": proof}
        if op == "end":
            return {"op": "end", "calls": self.end_session(header.get("session"))}, {}
        raise ValueError(f"unknown op {op!r}")


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv: LoRAServerSocket = self.server.owner
        sock: socket.socket = self.request
        sock.settimeout(srv.timeout)
        while not srv.stopping.is_set():
            try:
                header, tensors = frames.read_frame(sock, srv.max_payload)
            except (ConnectionError, socket.timeout, OSError):
                return
            except frames.FrameBodyError as e:
                self._reply_error(sock, str(e))
                continue  # the frame was read in full: the stream is still in sync
            except frames.FrameError as e:
                self._reply_error(sock, str(e))
                return  # the stream cannot be resynchronised: close
            try:
                reply, out = srv.server.handle(header, tensors)
            except (ValueError, TypeError, KeyError) as e:
                self._reply_error(sock, str(e))
                continue
            except Exception as e:  # a bug must not take the server down; log it
                log.exception("request %r failed", header.get("op"))
                self._reply_error(sock, f"internal error: {type(e).__name__}")
                continue
            try:
                frames.send(sock, reply, out)
            except OSError:
                return

    @staticmethod
    def _reply_error(sock, msg: str) -> None:
        try:
            frames.send(sock, {"op": "error", "error": msg[:1000]})
        except OSError:
            pass


class _TCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, owner):
        self.owner = owner
        super().__init__(addr, _Handler)

    def verify_request(self, request, client_address):
        return self.owner._slots.acquire(blocking=False)

    def shutdown_request(self, request):
        super().shutdown_request(request)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.owner._slots.release()


class LoRAServerSocket:
    """TCP front end of a LoRAServer (thread per connection). `start()` returns once
    listening; `port` is the bound port (pass port=0 for any free port)."""

    def __init__(self, server: LoRAServer, host: str = "127.0.0.1", port: int = 8765,
                 max_payload: int = frames.DEFAULT_MAX_PAYLOAD, timeout: float = 120.0, max_clients: int = 64):
        self.server = server
        self.max_payload = max_payload
        self.timeout = timeout
        self.stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(max_clients)
        self._tcp = _TCP((host, port), self)
        self.host, self.port = self._tcp.server_address[:2]
        self._thread: threading.Thread | None = None

    def start(self) -> "LoRAServerSocket":
        self._thread = threading.Thread(target=self._tcp.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True, name="lora-server")
        self._thread.start()
        log.info("LoRA contributor listening on %s:%d", self.host, self.port)
        return self

    def serve_forever(self) -> None:
        self._tcp.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        self.stopping.set()
        self._tcp.shutdown()
        self._tcp.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
