"""zkAttn: completeness at odd sizes, accuracy against float attention, and false
statements (wrong shift, digit out of its segment, row sum out of bounds, mask bypass)."""
import dataclasses

import numpy as np
import pytest

from zkproof.errors import VerificationError
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.nn.graph import Graph, prove, verify
from zkproof.nn import zkattn
from zkproof.nn.rescale import chunk_bits
from zkproof.nn.zkattn import PRESETS, ZkAttnConfig, attention, causal_masked, float_attention

from nn_attacks import lenient_lookups

# |zkAttn - float attention| <= ACC_BOUND (inputs at 2^-8, N(0, 1) activations): the
# dropped low digit (relative 2^8 / S), the row-sum tolerance 2^-6 and the output
# rounding 2^-9 on outputs of magnitude <= ~3.
ACC_BOUND = 0.02


def build(H, T, d, cfg="default"):
    g = Graph("attn")
    q, k, v = (g.input(n, (H, T, d)) for n in "qkv")
    o = attention(g, q, k, v, cfg, name="o")
    g.set_kind(o, "public")
    return g


def inputs(H, T, d, seed=0, in_frac=8):
    rng = np.random.default_rng(seed)
    return {n: quantize(rng.normal(0, 1, (H, T, d)), in_frac) for n in "qkv"}


def run(H, T, d, cfg="default", tamper=None, seed=0):
    g = build(H, T, d, cfg)
    c = PRESETS[cfg] if isinstance(cfg, str) else cfg
    ins = inputs(H, T, d, seed, c.in_frac)
    wit = g.forward(ins)
    if tamper is not None:
        tamper(wit, c)
    st, proof = prove(g, wit, debug=tamper is None)
    if tamper is None:
        verify(build(H, T, d, cfg), st, proof)
    else:
        with pytest.raises(VerificationError):
            verify(build(H, T, d, cfg), st, proof)
    return ins, wit


@pytest.mark.parametrize("H,T,d", [(1, 1, 3), (1, 3, 3), (5, 3, 3), (1, 17, 3), (2, 17, 4)])
def test_completeness_and_accuracy(H, T, d):
    ins, wit = run(H, T, d)
    ref = float_attention(ins["q"], ins["k"], ins["v"], PRESETS["default"])
    assert np.max(np.abs(dequantize(wit["o"], 8) - ref)) <= ACC_BOUND


@pytest.mark.parametrize("preset", ["wide", "bidirectional", "zkllm"])
def test_presets(preset):
    ins, wit = run(2, 5, 4, preset)
    cfg = PRESETS[preset]
    ref = float_attention(ins["q"], ins["k"], ins["v"], cfg)
    assert np.max(np.abs(dequantize(wit["o"], cfg.in_frac) - ref)) <= ACC_BOUND


def test_forward_matches_independent_reference():
    """The integer pipeline recomputed directly from the definitions in the docstring."""
    H, T, d = 2, 6, 4
    cfg = PRESETS["default"]
    ins = inputs(H, T, d)
    wit = build(H, T, d).forward(ins)
    z = np.einsum("hid,hjd->hij", ins["q"], ins["k"])
    s = wit["o.softmax.shift"]
    keep = 1 - causal_masked(T)
    D = (s[..., None] - z) * keep
    assert D.min() >= 0
    S = (1 << 16) * np.sqrt(d)
    Y = np.ones_like(D) * keep
    for k in range(cfg.segments):
        b = cfg.segment_bits[k]
        digit = (D >> cfg.offset(k)) % (1 << b)
        assert np.array_equal(wit[f"o.softmax.digit{k}"], digit)
        if k == cfg.segments - 1:  # the top segment: 1 at digit 0, else 0
            f = (digit == 0).astype(np.int64)
        elif k >= cfg.low:
            theta = 2 ** cfg.theta_bits[k - cfg.low]
            f = np.floor(theta * np.exp(-digit * 2.0 ** cfg.offset(k) / S) + 0.5).astype(np.int64)
        else:
            continue
        assert np.array_equal(wit[f"o.exp{k}"], (1 if k == cfg.segments - 1 else theta) - f)
        Y = Y * f
    assert np.array_equal(wit["o.y"], Y)
    assert np.all(Y[..., causal_masked(T) == 1] == 0)
    theta = 1 << cfg.theta_log2
    assert np.all(np.abs(Y.sum(-1) - theta) < (1 << (cfg.tol_bits - 1)))
    t = cfg.theta_log2
    o = (np.einsum("hij,hjd->hid", Y, ins["v"]) + (1 << (t - 1))) >> t
    assert np.array_equal(wit["o"], o)


def _recompute(wit, cfg, d):
    """After changing the shift: the digits, segment outputs and everything after them,
    recomputed honestly from the wrong shift (the attacker's consistent witness)."""
    H, T, _ = wit["o.z"].shape
    keep = 1 - causal_masked(T)
    D = (wit["o.softmax.shift"][..., None] - wit["o.z"]) * keep
    D = np.where(D < 0, D % (1 << cfg.total_bits), D)
    _set_digits(wit, cfg, D, d, keep)


def _set_digits(wit, cfg, D, d, keep):
    """Digits of D, their segment outputs and everything after them, honestly computed
    from D (keep: the U the attacker multiplies by)."""
    for k in range(cfg.segments):
        wit[f"o.softmax.digit{k}"] = (D >> cfg.offset(k)) % (1 << cfg.segment_bits[k])
    _after_digits(wit, cfg, d, keep)


def _after_digits(wit, cfg, d, keep):
    """The segment outputs and everything after them, honestly computed from the digits."""
    from zkproof.nn.zkattn import segment_table
    Y = np.ones_like(wit["o.softmax.digit0"]) * keep
    for k in range(cfg.low, cfg.segments):
        e = segment_table(cfg, k, d)[wit[f"o.softmax.digit{k}"]]
        wit[f"o.exp{k}"] = e
        Y = Y * (cfg.theta(k) - e)
    wit["o.y"] = Y
    G = Y.sum(-1) - ((1 << cfg.theta_log2) - (1 << (cfg.tol_bits - 1)))
    _set_chunks(wit, "o.rowsum.g", G, chunk_bits(cfg.tol_bits))  # the top chunk may leave its range: the attack
    o2 = np.einsum("hij,hjd->hid", Y, wit["v"])
    wit["o.yv"] = o2
    t = cfg.theta_log2
    o = (o2 + (1 << (t - 1))) >> t
    wit["o"] = o
    _set_chunks(wit, "o.rem", o2 + (1 << (t - 1)) - (o << t), chunk_bits(t))


def _set_chunks(wit, prefix, x, bits):
    """Little-endian chunks of x into prefix0, prefix1, ..; the top one takes the rest."""
    off = 0
    for i, b in enumerate(bits):
        wit[f"{prefix}{i}"] = x >> off if i == len(bits) - 1 else (x >> off) & ((1 << b) - 1)
        off += b


def test_wrong_softmax_shift_rejected():
    """A larger shift (every probability scaled down) fails the row-sum range check."""
    def tamper(wit, cfg):
        wit["o.softmax.shift"] = wit["o.softmax.shift"].copy()
        wit["o.softmax.shift"][0, 2] += 1 << 16
        _recompute(wit, cfg, 3)
    with lenient_lookups():
        run(2, 5, 3, tamper=tamper)


def test_shift_below_row_max_rejected():
    """s below the maximum: some D < 0 has no digits in range (it wraps)."""
    def tamper(wit, cfg):
        z = wit["o.z"][1, 3, :4]
        wit["o.softmax.shift"] = wit["o.softmax.shift"].copy()
        wit["o.softmax.shift"][1, 3] = int(z.max()) - 1000
        _recompute(wit, cfg, 3)
    with lenient_lookups():
        run(2, 5, 3, tamper=tamper)


def test_digit_out_of_its_segment_rejected():
    """D unchanged, but the dropped low digit carries 2^b more and the mapped digit 1 one
    less (a larger numerator): digit 0 leaves its range."""
    def tamper(wit, cfg):
        d0, d1 = wit["o.softmax.digit0"].copy(), wit["o.softmax.digit1"].copy()
        i = tuple(np.argwhere(d1 > 0)[0])
        d0[i] += 1 << cfg.segment_bits[0]
        d1[i] -= 1
        wit["o.softmax.digit0"], wit["o.softmax.digit1"] = d0, d1
        _after_digits(wit, cfg, 3, 1 - causal_masked(4))
    with lenient_lookups():
        run(1, 4, 3, tamper=tamper)


def test_row_sum_outside_bounds_rejected():
    """A row sum outside [Theta - 2^(e-1), Theta + 2^(e-1)) by changing G's top chunk."""
    def tamper(wit, cfg):
        top = f"o.rowsum.g{len(chunk_bits(cfg.tol_bits)) - 1}"
        wit[top] = wit[top].copy()
        wit[top][0, 1] += 1 << chunk_bits(cfg.tol_bits)[-1]
    with lenient_lookups():
        run(1, 4, 3, tamper=tamper)


def test_causal_mask_bypass_rejected():
    """Attend to a future token: its digits and numerator set as if it were unmasked."""
    def tamper(wit, cfg):
        H, T, _ = wit["o.z"].shape
        keep = (1 - causal_masked(T))[None].repeat(H, 0)
        keep[0, 0, 1] = 1
        D = np.maximum((wit["o.softmax.shift"][..., None] - wit["o.z"]) * keep, 0)
        _set_digits(wit, cfg, D, 3, keep)
    with lenient_lookups():
        run(1, 3, 3, tamper=tamper)


def test_junk_digits_in_a_masked_slot_rejected():
    """Digits in a masked slot that do not add up to U (s - z) = 0 there (even though
    the product would ignore them): the tie to Z fails."""
    def tamper(wit, cfg):
        wit["o.softmax.digit1"] = wit["o.softmax.digit1"].copy()
        wit["o.softmax.digit1"][0, 0, 2] = 5
        wit["o.exp1"] = zkattn.segment_table(cfg, 1, 3)[wit["o.softmax.digit1"]]
    run(1, 3, 3, tamper=tamper)


def test_forged_mask_table_rejected(monkeypatch):
    """A prover that drops the causal mask everywhere (U = 1 on every real slot, the
    witness and the proof's U table consistent with it): the verifier's own U differs."""
    real = zkattn.keep_slots
    monkeypatch.setattr(zkattn, "keep_slots", lambda cfg, H, T, km=None: real(
        dataclasses.replace(cfg, causal=False), H, T, km))
    H, T, d = 1, 4, 3
    g = build(H, T, d)
    wit = g.forward(inputs(H, T, d))
    st, proof = prove(g, wit)
    monkeypatch.setattr(zkattn, "keep_slots", real)
    with pytest.raises(VerificationError):
        verify(build(H, T, d), st, proof)


def test_wrong_attention_output_rejected():
    def tamper(wit, cfg):
        wit["o"] = wit["o"].copy()
        wit["o"][0, 1, 2] += 1
    run(1, 3, 3, tamper=tamper)


def test_config_refuses_narrow_digits():
    with pytest.raises(ValueError, match="digits cover"):
        build(1, 2, 4096, ZkAttnConfig(in_bits=16))


def test_proof_file_verifies_and_rejects_tampering():
    from zkproof import proof_file
    from zkproof.nn import zkattn
    H, T, d = 1, 3, 2
    cfg = PRESETS["default"]
    g = zkattn.attention_graph(H, T, d, cfg)
    st, proof = prove(g, g.forward(inputs(H, T, d)))
    data = zkattn.encode(H, T, d, cfg, st, proof)
    pid, msg = proof_file.verify_bytes(data)
    assert pid == "zkattn/v3" and "committed" in msg
    for pos in (60, len(data) // 2, len(data) - 5):
        bad = bytearray(data)
        bad[pos] ^= 4
        with pytest.raises(VerificationError):
            proof_file.verify_bytes(bytes(bad))


def build_masked(H, T, d):
    g = Graph("attn")
    q, k, v = (g.input(n, (H, T, d)) for n in "qkv")
    km = g.input("km", (T,), "public")
    o = attention(g, q, k, v, "default", name="o", key_mask=km)
    g.set_kind(o, "public")
    return g


def test_key_padding_mask():
    from zkproof.nn.zkattn import masked_slots
    H, T, d = 2, 5, 3
    ins = inputs(H, T, d)
    ins["km"] = np.array([1, 0, 0, 1, 0])   # keys 0 and 3 are padding
    with pytest.raises(ValueError, match="every key masked"):
        build_masked(H, T, d).forward(ins)   # causal row 0 sees only key 0, which is masked
    ins["km"] = np.array([0, 1, 0, 1, 0])
    wit = build_masked(H, T, d).forward(ins)
    st, proof = prove(build_masked(H, T, d), wit, debug=True)
    verify(build_masked(H, T, d), st, proof)
    ref = float_attention(ins["q"], ins["k"], ins["v"], PRESETS["default"], ins["km"])
    assert np.max(np.abs(dequantize(wit["o"], 8) - ref)) <= ACC_BOUND
    cfg = PRESETS["default"]
    masked = masked_slots(cfg, T, ins["km"])
    assert masked[2, 1] == 1 and masked[2, 0] == 0

    def attend_to_padding(w):
        keep = (1 - masked)[None].repeat(H, 0)
        keep[0, 2, 1] = 1
        D = np.maximum((w["o.softmax.shift"][..., None] - w["o.z"]) * keep, 0)
        _set_digits(w, cfg, D, d, keep)
    wit2 = build_masked(H, T, d).forward(ins)
    attend_to_padding(wit2)
    with lenient_lookups():
        st, proof = prove(build_masked(H, T, d), wit2)
    with pytest.raises(VerificationError):
        verify(build_masked(H, T, d), st, proof)


def test_benchmark_in_head_groups_writes_verifiable_files(tmp_path):
    """bench/zkattn_bm.py --heads-per-proof: one proof per group, each file verifies with
    `zkproof verify`, and the JSON sums the groups."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "attn.zkp"
    r = subprocess.run([sys.executable, str(root / "bench" / "zkattn_bm.py"), "1", "3", "5", "4",
                        "--heads-per-proof", "2", "--proof-out", str(out), "--json", str(tmp_path / "r.json")],
                       capture_output=True, text=True, timeout=600, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    row = json.loads((tmp_path / "r.json").read_text())["results"][0]
    assert row["proofs"] == 2 and row["verified"] and row["max_err"] <= ACC_BOUND
    for i in range(2):
        v = subprocess.run([sys.executable, "-m", "zkproof", "verify", f"{out}.{i}"], capture_output=True, text=True,
                           timeout=600, cwd=root)
        assert v.returncode == 0 and "ACCEPTED: zkattn/v3" in v.stdout, v.stdout + v.stderr


def test_benchmark_refuses_a_head_beyond_the_memory_limit():
    """A single 2048 x 2048 head does not fit 100 MiB: exit 2, the limit named, before
    any proving."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, str(root / "bench" / "zkattn_bm.py"), "1", "1", "2048", "4",
                        "--mem-limit", "100MiB"], capture_output=True, text=True, timeout=600, cwd=root)
    assert r.returncode == 2 and "the memory limit is" in r.stderr, r.stdout + r.stderr
