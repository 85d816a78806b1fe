"""A whole GPT-2 block chained through claims: completeness, and its output against a
float reference of the same block."""
import math

import numpy as np
import pytest

from zkproof.errors import VerificationError
from zkproof.nn.blocks import GPT2Config, gpt2_block
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.nn.graph import Graph, commit_tensor, prove, verify
from zkproof.nn.nonlinear import FUNCTIONS

CFG = GPT2Config(d_model=8, heads=2, d_ff=16)
F = CFG.frac


def build(T):
    g = Graph("gpt2")
    x = g.input("x", (T, CFG.d_model))
    y = gpt2_block(g, x, CFG, "h0")
    g.set_kind(y, "public")
    return g


def weights(seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for k, s in CFG.weight_shapes().items():
        if k.endswith(".g"):
            out[k] = quantize(rng.normal(1, 0.05, s), 8)
        elif k.endswith(".b") and k.startswith("ln"):
            out[k] = quantize(rng.normal(0, 0.05, s), F + 28)
        elif k.startswith("b"):
            out[k] = quantize(rng.normal(0, 0.05, s), 2 * F)
        else:
            out[k] = quantize(rng.normal(0, 0.3, s), F)
    return out


def float_block(x, w, T):
    d, H = CFG.d_model, CFG.heads
    deq = {k: dequantize(v, 8 if k.endswith(".g") else F + 28 if k.startswith("ln") else 2 * F if k.startswith("b")
                         else F) for k, v in w.items()}

    def ln(z, g, b):
        return (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-5) * g + b

    a = ln(x, deq["ln1.g"], deq["ln1.b"])
    q, k, v = ((a @ deq[f"w{n}"] + deq[f"b{n}"]).reshape(T, H, -1).transpose(1, 0, 2) for n in "qkv")
    s = q @ k.transpose(0, 2, 1) / math.sqrt(d // H)
    s = np.where(np.triu(np.ones((T, T)), 1) == 1, -np.inf, s)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    o = (p @ v).transpose(1, 0, 2).reshape(T, d) @ deq["wo"] + deq["bo"]
    h = x + o
    m = ln(h, deq["ln2.g"], deq["ln2.b"])
    return h + FUNCTIONS["gelu"](m @ deq["w1"] + deq["b1"]) @ deq["w2"] + deq["b2"]


@pytest.mark.parametrize("T", [1, 3])
def test_gpt2_block(T):
    w = weights()
    x = quantize(np.random.default_rng(1).normal(0, 1, (T, CFG.d_model)), F)
    g = build(T)
    wit = g.forward({"x": x, **{f"h0.{k}": v for k, v in w.items()}})
    model = {f"h0.{k}": commit_tensor(wit[f"h0.{k}"]) for k in w}   # the model commitment
    st, proof = prove(g, wit, model, debug=True)
    verify(build(T), st, proof)
    ref = float_block(dequantize(x, F), w, T)
    assert np.max(np.abs(dequantize(wit["h0.res2"], F) - ref)) < 0.05
    # another model's commitment is rejected
    st.commitments["h0.w1"] = commit_tensor(weights(seed=1)["w1"])
    with pytest.raises(VerificationError):
        verify(build(T), st, proof)




def test_llama_block():
    from zkproof.nn.blocks import LlamaConfig, llama_block
    cfg = LlamaConfig(d_model=8, heads=2, d_ff=12)
    T, d, H = 3, 8, 2

    def build():
        g = Graph("llama")
        x = g.input("x", (T, d))
        g.set_kind(llama_block(g, x, cfg, "l0"), "public")
        return g
    rng = np.random.default_rng(2)
    w = {}
    for k, s in cfg.weight_shapes().items():
        w[k] = quantize(rng.normal(1, 0.05, s), 8) if k.endswith(".g") else quantize(rng.normal(0, 0.3, s), F)
    x = quantize(rng.normal(0, 1, (T, d)), F)
    g = build()
    wit = g.forward({"x": x, **{f"l0.{k}": v for k, v in w.items()}})
    model = {f"l0.{k}": commit_tensor(wit[f"l0.{k}"]) for k in w}
    st, proof = prove(g, wit, model, debug=True)
    verify(build(), st, proof)

    # float reference (HF LLaMA: rotate_half RoPE, RMSNorm eps 1e-6, SwiGLU)
    dq = {k: dequantize(v, 8 if k.endswith(".g") else F) for k, v in w.items()}
    xf = dequantize(x, F)

    def rms(z, gain):
        return z / np.sqrt((z ** 2).mean(-1, keepdims=True) + 1e-6) * gain

    def rope_half(z):
        dh = z.shape[-1]
        inv = 10000.0 ** (-np.arange(0, dh, 2) / dh)
        ang = np.arange(T)[:, None] * np.concatenate([inv, inv])[None, :]
        rot = np.concatenate([-z[..., dh // 2:], z[..., :dh // 2]], -1)
        return z * np.cos(ang) + rot * np.sin(ang)
    n = rms(xf, dq["attn_norm.g"])
    q, k, v = ((n @ dq[f"w{c}"]).reshape(T, H, -1).transpose(1, 0, 2) for c in "qkv")
    q, k = rope_half(q), rope_half(k)
    s = q @ k.transpose(0, 2, 1) / math.sqrt(d // H)
    s = np.where(np.triu(np.ones((T, T)), 1) == 1, -np.inf, s)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    h = xf + (p @ v).transpose(1, 0, 2).reshape(T, d) @ dq["wo"]
    m = rms(h, dq["mlp_norm.g"])
    gate = m @ dq["w_gate"]
    ref = h + (gate / (1 + np.exp(-gate)) * (m @ dq["w_up"])) @ dq["w_down"]
    assert np.max(np.abs(dequantize(wit["l0.res2"], F) - ref)) < 0.05
