"""The base-model user: patches its model's adapted modules with deltas from contributors
and verifies every delta's proof before using it (zkLoRA's flow and names).

    client = BaseModelClient(model, contributors=[("127.0.0.1", 8765)], pinned_manifests=[digest])
    client.init_and_patch()        # fetch + verify + pin each adapter manifest, open sessions, patch
    loss = client.forward_loss("some text")
    summary = client.end_inference()

For each contributor, `init_and_patch` fetches the adapter manifest, verifies its
commitment-time range proof and compares its digest with the pinned one (when
`pinned_manifests` is given; otherwise the first manifest seen is pinned and logged).
Every patched module's forward then computes y = W0 x (the user's own model) + delta,
where delta comes from the contributor: the client quantises x itself (x_q), sends x_q,
receives d and its proof, verifies the proof against the pinned manifest, its own
session id, the expected call id and its own x_q, and only then adds d / 2^FD. A delta
that does not verify raises zkproof.VerificationError and is never used.
"""
from __future__ import annotations

import logging
import socket
import time

import numpy as np

from . import frames
from .commitment import AdapterManifest, verify_manifest
from .prover import Call
from .prover import verify as verify_calls
from .quantize import quantize_activations
from ..errors import StatementMismatch, VerificationError

log = logging.getLogger(__name__)


class ContributorError(RuntimeError):
    """The contributor replied with an error or broke the protocol."""


class Connection:
    """One TCP connection to a contributor speaking zkproof.lora.frames."""

    def __init__(self, host: str, port: int, timeout: float = 120.0, max_payload: int = frames.DEFAULT_MAX_PAYLOAD):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.max_payload = max_payload

    def request(self, header: dict, tensors: dict | None = None) -> tuple[dict, dict]:
        frames.send(self.sock, header, tensors)
        reply, out = frames.read_frame(self.sock, self.max_payload)
        if reply.get("op") == "error":
            raise ContributorError(str(reply.get("error")))
        if reply.get("op") != header["op"]:
            raise ContributorError(f"reply to {header['op']!r} has op {reply.get('op')!r}")
        return reply, out

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class BaseModelClient:
    """See the module doc. base_model: a torch.nn.Module whose submodule names match the
    adapter's injection points (transformers models do). tokenizer: a callable
    text -> list of token ids (default: UTF-8 bytes modulo the vocabulary size, for
    models built offline without a tokenizer)."""

    def __init__(self, base_model, contributors=(("127.0.0.1", 8765),), use_optimization: bool = True,
                 pinned_manifests=None, tokenizer=None, timeout: float = 300.0):
        if not use_optimization:
            raise ValueError("use_optimization=False is a benchmark mode only (bench/lora_bm.py --dense)")
        self.model = base_model
        self.contributors = [tuple(c) for c in contributors]
        self.pinned = list(pinned_manifests) if pinned_manifests is not None else None
        self.tokenizer = tokenizer
        self.timeout = timeout
        self.conns: list[Connection] = []
        self.manifests: list[AdapterManifest] = []
        self.sessions: list[str] = []
        self.next_call: list[int] = []
        self.recorded: list[list[Call]] = []
        self._hooks = []
        self.stats = {"calls": 0, "verified": 0, "verify_s": 0.0, "wait_s": 0.0, "proof_bytes": 0}

    # ------------------------------------------------------------- setup
    def init_and_patch(self) -> list[str]:
        """Connect, pin and verify manifests, open sessions, patch modules. Returns the
        patched module names."""
        modules = dict(self.model.named_modules())
        patched = []
        for k, (host, port) in enumerate(self.contributors):
            conn = Connection(host, port, self.timeout)
            rep, _ = conn.request({"op": "manifest"})
            try:
                man = AdapterManifest.from_json(rep.get("manifest"))
            except ValueError as e:
                raise ContributorError(f"contributor {host}:{port} sent a malformed manifest: {e}") from None
            digest = man.digest()
            if self.pinned is not None:
                if k >= len(self.pinned) or self.pinned[k] != digest:
                    raise StatementMismatch(f"contributor {host}:{port} serves adapter {digest}, "
                                            f"which is not the pinned manifest")
            else:
                log.warning("pinning adapter manifest %s of %s:%d on first use", digest, host, port)
            verify_manifest(man)
            rep, _ = conn.request({"op": "init"})
            sid = rep.get("session")
            if not isinstance(sid, str):
                raise ContributorError("init reply without a session id")
            self.conns.append(conn)
            self.manifests.append(man)
            self.sessions.append(sid)
            self.next_call.append(0)
            self.recorded.append([])
            for name in man.modules:
                if name not in modules:
                    raise ValueError(f"the base model has no module {name!r} (adapter of {host}:{port})")
                self._hooks.append(modules[name].register_forward_hook(self._hook(k, name)))
                patched.append(name)
        return patched

    def _hook(self, k: int, name: str):
        def hook(module, inputs, output):
            return output + self._delta(k, name, inputs[0]).to(output.dtype)
        return hook

    def _delta(self, k: int, name: str, x):
        import torch
        man = self.manifests[k]
        f = man.modules[name].fmt
        lead = x.shape[:-1]
        x_q = quantize_activations(x.detach().reshape(-1, x.shape[-1]), f.fx)
        t0 = time.perf_counter()
        rep, out = self.conns[k].request({"op": "apply", "session": self.sessions[k], "name": name}, {"x": x_q})
        t1 = time.perf_counter()
        d, proof = out.get("d"), out.get("proof")
        if d is None or proof is None or d.dtype != np.int64 or d.shape != (x_q.shape[0], f.out_features):
            raise ContributorError(f"malformed apply reply for {name}")
        call = Call(name, int(rep.get("call_id", -1)), x_q, d)
        if call.call_id != self.next_call[k]:
            raise StatementMismatch(f"contributor answered call id {call.call_id}, expected {self.next_call[k]}")
        verify_calls(man, self.sessions[k], [call], proof.tobytes())   # raises VerificationError
        t2 = time.perf_counter()
        self.next_call[k] += 1
        self.recorded[k].append(call)
        self.stats["calls"] += 1
        self.stats["verified"] += 1
        self.stats["wait_s"] += t1 - t0
        self.stats["verify_s"] += t2 - t1
        self.stats["proof_bytes"] += len(proof)
        return torch.from_numpy(d / float(1 << f.fd)).reshape(*lead, f.out_features)

    # ------------------------------------------------------------- inference
    def tokenize(self, text: str):
        if self.tokenizer is not None:
            return list(self.tokenizer(text))
        vocab = getattr(getattr(self.model, "config", None), "vocab_size", 256)
        return [b % vocab for b in text.encode("utf-8")]

    def forward_loss(self, text: str) -> float:
        """The language-model loss of `text` through the patched model (every delta
        verified on the way)."""
        import torch
        ids = torch.tensor([self.tokenize(text)], dtype=torch.long)
        with torch.no_grad():
            out = self.model(input_ids=ids, labels=ids)
        return float(out.loss)

    def prove_session(self, k: int = 0) -> float:
        """Ask contributor k for one batched proof of every call so far and verify it;
        returns the verification time."""
        rep, out = self.conns[k].request({"op": "prove_session", "session": self.sessions[k]})
        calls = self.recorded[k]
        ids = [(c.get("name"), c.get("call_id")) for c in rep.get("calls", [])]
        if ids != [(c.name, c.call_id) for c in calls]:
            raise StatementMismatch("the contributor's session differs from the calls this client made")
        t0 = time.perf_counter()
        verify_calls(self.manifests[k], self.sessions[k], calls, out["proof"].tobytes())
        return time.perf_counter() - t0

    def end_inference(self) -> dict:
        """Close the sessions and remove the patches; returns the statistics."""
        for k, conn in enumerate(self.conns):
            try:
                conn.request({"op": "end", "session": self.sessions[k]})
            except (ContributorError, OSError, frames.FrameError):
                pass
            conn.close()
        for h in self._hooks:
            h.remove()
        self._hooks.clear()
        self.conns = []
        return dict(self.stats)


__all__ = ["BaseModelClient", "ContributorError", "VerificationError"]
