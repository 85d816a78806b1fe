"""peft adapters read from a live model and from a saved directory; frame encoding."""
import json
import socket
import struct

import numpy as np
import pytest

from zkproof.lora import adapters, frames, models


def test_adapter_dir_matches_live_model(tmp_path):
    base = models.tiny_gpt2(n_layer=2, n_embd=32, n_head=2, vocab=64, n_positions=32)
    pm = models.lora_gpt2(base, rank=4, alpha=8, seed=3)
    live = adapters.from_peft_model(pm)
    pm.save_pretrained(str(tmp_path))
    saved = adapters.load_adapter_dir(str(tmp_path))
    assert list(live) == list(saved) == ["transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"]
    for name in live:
        k1, A1, B1, s1 = live[name]
        k2, A2, B2, s2 = saved[name]
        assert k1 == k2 == "conv1d" and s1 == s2 == 2.0
        assert A1.shape == (4, 32) and B1.shape == (96, 4)
        np.testing.assert_allclose(A1, A2, rtol=1e-6)
        np.testing.assert_allclose(B1, B2, rtol=1e-6)


def test_adapter_dir_refuses_pickles(tmp_path):
    (tmp_path / "adapter_config.json").write_text(json.dumps({"lora_alpha": 8}))
    (tmp_path / "adapter_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(FileNotFoundError, match="pickles are refused"):
        adapters.load_adapter_dir(str(tmp_path))


def _pair():
    a, b = socket.socketpair()
    a.settimeout(5)
    b.settimeout(5)
    return a, b


def test_frame_round_trip():
    a, b = _pair()
    x = np.arange(-6, 6, dtype=np.int64).reshape(3, 4)
    frames.send(a, {"op": "apply", "name": "m"}, {"x": x, "proof": b"\x01\x02\x03"})
    hdr, ts = frames.read_frame(b)
    assert hdr == {"op": "apply", "name": "m"}
    assert np.array_equal(ts["x"], x) and ts["proof"].tobytes() == b"\x01\x02\x03"
    a.close()
    b.close()


@pytest.mark.parametrize("raw, err", [
    (b"NOPE" + b"\x00" * 14, frames.FrameError),
    (struct.pack("<4sHIQ", b"ZKLR", 2, 2, 0) + b"{}", frames.FrameError),
    (struct.pack("<4sHIQ", b"ZKLR", 1, 2, 1 << 62), frames.FrameError),
    (struct.pack("<4sHIQ", b"ZKLR", 1, 5, 0) + b"[1,2]", frames.FrameBodyError),
    (struct.pack("<4sHIQ", b"ZKLR", 1, 4, 0) + b"\xff\xfe{}", frames.FrameBodyError),
])
def test_bad_frames_raise(raw, err):
    a, b = _pair()
    a.sendall(raw)
    with pytest.raises(err):
        frames.read_frame(b)
    a.close()
    b.close()


def test_truncated_frame_is_a_connection_error():
    a, b = _pair()
    a.sendall(struct.pack("<4sHIQ", b"ZKLR", 1, 50, 0) + b'{"op"')
    a.close()
    with pytest.raises(ConnectionError):
        frames.read_frame(b)
    b.close()
