"""The contributor flow over loopback: honest end to end, malicious contributors rejected
by the client, malformed clients never crashing the server, two clients at once."""
import json
import socket
import struct
import threading

import numpy as np
import pytest
import torch

from zkproof.errors import StatementMismatch, VerificationError
from zkproof.lora import adapters, frames, models
from zkproof.lora.client import BaseModelClient, Connection, ContributorError
from zkproof.lora.quantize import quantize_activations
from zkproof.lora.server import LoRAServer, LoRAServerSocket


@pytest.fixture(scope="module")
def base():
    return models.tiny_gpt2(n_layer=2, n_embd=32, n_head=2, vocab=64, n_positions=32)


@pytest.fixture(scope="module")
def peft_model(base):
    return models.lora_gpt2(base, rank=4, alpha=8, seed=1)


@pytest.fixture(scope="module")
def server(peft_model, tmp_path_factory):
    return LoRAServer("tiny-gpt2", None, str(tmp_path_factory.mktemp("lora")), adapter=adapters.from_peft_model(peft_model))


@pytest.fixture(scope="module")
def server2(base, tmp_path_factory):
    pm = models.lora_gpt2(base, rank=4, alpha=8, seed=2)
    return LoRAServer("tiny-gpt2", None, str(tmp_path_factory.mktemp("lora2")), adapter=adapters.from_peft_model(pm))


@pytest.fixture()
def live(server):
    with LoRAServerSocket(server, "127.0.0.1", 0, max_payload=1 << 20, timeout=10) as s:
        yield s


TEXT = "zk lora!"


def test_injection_points_and_manifest_file(server):
    assert server.list_lora_injection_points() == ["transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"]
    import os
    with open(os.path.join(server.out_dir, "manifest.json")) as f:
        assert json.load(f)["adapter_id"] == server.lora_model_id


def test_honest_flow_end_to_end(base, peft_model, server, live):
    client = BaseModelClient(base, [(live.host, live.port)], pinned_manifests=[server.manifest.digest()])
    assert client.init_and_patch() == server.list_lora_injection_points()
    loss = client.forward_loss(TEXT)
    ids = torch.tensor([client.tokenize(TEXT)])
    with torch.no_grad():
        got = base(input_ids=ids).logits                  # patched: two more verified calls
        ref_out = peft_model(input_ids=ids, labels=ids)
        ref = ref_out.logits
    with torch.no_grad():
        for h in client._hooks:
            h.remove()
        plain_out = base(input_ids=ids, labels=ids)
        plain = plain_out.logits
    assert abs(loss - float(ref_out.loss)) < 0.01 * abs(float(ref_out.loss))
    # the adapter changes the logits, and the verified deltas reproduce that change
    assert (got - ref).abs().max() < 0.1 * (ref - plain).abs().max()
    client._hooks.clear()
    client.prove_session()                                 # one batched proof of every call verifies
    stats = client.end_inference()
    assert stats["calls"] == stats["verified"] == 4
    with torch.no_grad():                                  # patches removed
        assert float(base(input_ids=ids, labels=ids).loss) == pytest.approx(float(plain_out.loss))


class _TamperingServer(LoRAServer):
    """Returns the honest proof with one delta entry changed."""

    def apply_lora(self, name, x, session_id, prove=True):
        out = super().apply_lora(name, x, session_id, prove)
        out["d"] = out["d"].copy()
        out["d"][0, 0] += 1
        return out


def test_client_rejects_tampered_delta(base, server):
    evil = _TamperingServer.__new__(_TamperingServer)
    evil.__dict__.update(server.__dict__)
    with LoRAServerSocket(evil, "127.0.0.1", 0, timeout=10) as s:
        client = BaseModelClient(base, [(s.host, s.port)], pinned_manifests=[server.manifest.digest()])
        client.init_and_patch()
        with pytest.raises(VerificationError):
            client.forward_loss(TEXT)
        client.end_inference()


def test_client_rejects_delta_of_another_adapter(base, server, server2):
    """The contributor advertises adapter 1 but serves adapter 2's deltas and proofs."""
    evil = LoRAServer.__new__(LoRAServer)
    evil.__dict__.update(server.__dict__)
    evil.secret = server2.secret
    with LoRAServerSocket(evil, "127.0.0.1", 0, timeout=10) as s:
        client = BaseModelClient(base, [(s.host, s.port)], pinned_manifests=[server.manifest.digest()])
        client.init_and_patch()
        with pytest.raises(VerificationError):
            client.forward_loss(TEXT)
        client.end_inference()


def test_client_refuses_adapter_other_than_pinned(base, server, server2):
    with LoRAServerSocket(server2, "127.0.0.1", 0, timeout=10) as s:
        client = BaseModelClient(base, [(s.host, s.port)], pinned_manifests=[server.manifest.digest()])
        with pytest.raises(StatementMismatch):
            client.init_and_patch()
        client.end_inference()


def _raw(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    return s


def _reply(sock):
    return frames.read_frame(sock)


def test_malformed_frames_get_errors_and_server_survives(live, server):
    h, p = live.host, live.port
    bad_prefix = [
        b"XXXX" + b"\x00" * 14,                                       # bad magic
        struct.pack("<4sHIQ", b"ZKLR", 9, 2, 0) + b"{}",              # wrong version
        struct.pack("<4sHIQ", b"ZKLR", 1, 10, 1 << 40),               # oversize payload
        struct.pack("<4sHIQ", b"ZKLR", 1, 1 << 30, 0),                # oversize header
    ]
    for raw in bad_prefix:
        s = _raw(h, p)
        s.sendall(raw)
        hdr, _ = _reply(s)
        assert hdr["op"] == "error"
        s.close()
    # well-framed but bad requests: error reply, the connection keeps working
    s = _raw(h, p)
    bodies = [b"not json", b"[1, 2]", b'{"op": 5}', b'{"op": "nope"}', b'{"op": "apply"}',
              b'{"op": "apply", "session": "x", "name": "transformer.h.0.attn.c_attn"}']
    for body in bodies:
        s.sendall(struct.pack("<4sHIQ", b"ZKLR", 1, len(body), 0) + body)
        hdr, _ = _reply(s)
        assert hdr["op"] == "error", body
    sid = Connection.__new__(Connection)
    sid.sock, sid.max_payload = s, 1 << 20
    session = sid.request({"op": "init"})[0]["session"]
    name = "transformer.h.0.attn.c_attn"
    for x in (np.zeros((2, 5), np.int64), np.zeros((0, 32), np.int64), np.full((1, 32), 1 << 40, np.int64),
              np.zeros((2, 2, 32), np.int64)):
        with pytest.raises(ContributorError):
            sid.request({"op": "apply", "session": session, "name": name}, {"x": x})
    with pytest.raises(ContributorError):   # tensor descriptor pointing outside the payload
        body = json.dumps({"op": "apply", "session": session, "name": name,
                           "tensors": {"x": {"dtype": "int64", "shape": [1, 32], "offset": 0, "nbytes": 256}}}).encode()
        s.sendall(struct.pack("<4sHIQ", b"ZKLR", 1, len(body), 8) + body + b"\x00" * 8)
        hdr, _ = _reply(s)
        if hdr["op"] == "error":
            raise ContributorError(hdr["error"])
    x = quantize_activations(np.random.default_rng(0).normal(0, 1, (2, 32)))
    rep, out = sid.request({"op": "apply", "session": session, "name": name}, {"x": x})
    assert out["d"].shape == (2, 96) and rep["call_id"] == 0
    s.close()
    # truncated frame, then close: the server just drops that connection
    s = _raw(h, p)
    s.sendall(struct.pack("<4sHIQ", b"ZKLR", 1, 100, 0) + b'{"op"')
    s.close()


def test_fuzzed_frames_do_not_disturb_another_session(live, server):
    good = Connection(live.host, live.port, timeout=10)
    session = good.request({"op": "init"})[0]["session"]
    name = "transformer.h.1.attn.c_attn"
    x = quantize_activations(np.random.default_rng(1).normal(0, 1, (1, 32)))
    assert good.request({"op": "apply", "session": session, "name": name}, {"x": x})[0]["call_id"] == 0
    rng = np.random.default_rng(5)
    valid = frames.encode({"op": "apply", "session": session, "name": name}, {"x": x})
    for k in range(40):
        data = bytearray(valid)
        for _ in range(rng.integers(1, 6)):
            data[rng.integers(0, len(data))] = rng.integers(0, 256)
        data = bytes(data[: rng.integers(1, len(data) + 1)]) if k % 3 == 0 else bytes(data)
        s = socket.create_connection((live.host, live.port), timeout=5)
        s.settimeout(5)
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
        except OSError:
            pass
        finally:
            s.close()
    # the other client's session is intact and the server still answers
    rep, out = good.request({"op": "apply", "session": session, "name": name}, {"x": x})
    assert rep["call_id"] >= 1
    good.close()


def test_two_clients_at_once(base, server, live):
    results, errors = {}, []


    # patching the same base model twice at once would stack hooks: use per-thread copies
    import copy
    bases = [copy.deepcopy(base) for _ in range(2)]

    def run_copy(k):
        try:
            c = BaseModelClient(bases[k], [(live.host, live.port)], pinned_manifests=[server.manifest.digest()])
            c.init_and_patch()
            loss = c.forward_loss(TEXT + str(k))
            results[k] = (loss, c.sessions[0], c.end_inference())
        except Exception as e:
            errors.append(e)

    ts = [threading.Thread(target=run_copy, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not errors, errors
    assert results[0][1] != results[1][1]
    assert results[0][2]["verified"] == results[1][2]["verified"] == 2
