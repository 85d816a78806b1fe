"""The float64 forward pass of a ModelSpec (NumPy), written from the canonical weights.

It checks the loaders (it must agree with the transformers model the spec came from, to
float rounding) and is the float baseline of the accuracy sweeps when no PyTorch model is
at hand. It is NOT the prover's arithmetic: that is the integer graph (zkproof.nn.models.graph).

    forward(spec, tokens) -> (seq, hidden) last hidden states (bert) or (seq, vocab) logits
    embedding(spec, tokens) -> mean-pooled sentence embedding (bert)
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import erf  # noqa: F401  (scipy ships with transformers' deps)

from .spec import ModelSpec


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    return x / (1.0 + np.exp(-x))


ACTS = {"gelu": gelu, "gelu_tanh": gelu_tanh, "silu": silu}


def layernorm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def rmsnorm(x, w, eps):
    return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * w


def rope_tables(seq: int, head_dim: int, theta: float):
    """cos, sin of shape (seq, head_dim) in the rotate-half convention of transformers' LLaMA."""
    inv = 1.0 / theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    ang = np.outer(np.arange(seq, dtype=np.float64), inv)
    ang = np.concatenate([ang, ang], axis=-1)
    return np.cos(ang), np.sin(ang)


def rope(x, cos, sin):
    """x: (heads, seq, head_dim)."""
    h = x.shape[-1] // 2
    rot = np.concatenate([-x[..., h:], x[..., :h]], axis=-1)
    return x * cos + rot * sin


def _lin(x, spec, name):
    y = x @ spec.weights[name + ".weight"].T
    b = spec.weights.get(name + ".bias")
    return y + b if b is not None else y


def _norm(x, spec, name, taps=None):
    c = spec.config
    if taps is not None:
        taps[name] = x
    if c.norm == "rmsnorm":
        return rmsnorm(x, spec.weights[name + ".weight"], c.norm_eps)
    return layernorm(x, spec.weights[name + ".weight"], spec.weights[name + ".bias"], c.norm_eps)


def _attention(x, spec, i):
    c = spec.config
    s, hd = x.shape[0], c.head_dim
    q, k, v = (_lin(x, spec, f"layers.{i}.attn.{n}").reshape(s, c.heads, hd).transpose(1, 0, 2) for n in "qkv")
    if c.rope_theta:
        cos, sin = rope_tables(s, hd, c.rope_theta)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
    z = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
    if c.causal:
        z = z + np.triu(np.full((s, s), -np.inf), 1)
    z = z - z.max(-1, keepdims=True)
    p = np.exp(z)
    p = p / p.sum(-1, keepdims=True)
    o = (p @ v).transpose(1, 0, 2).reshape(s, c.hidden)
    return _lin(o, spec, f"layers.{i}.attn.o")


def _mlp(x, spec, i):
    c = spec.config
    act = ACTS[c.act]
    if c.family == "llama":
        return _lin(act(_lin(x, spec, f"layers.{i}.mlp.gate")) * _lin(x, spec, f"layers.{i}.mlp.up"),
                    spec, f"layers.{i}.mlp.down")
    return _lin(act(_lin(x, spec, f"layers.{i}.mlp.up")), spec, f"layers.{i}.mlp.down")


def forward(spec: ModelSpec, tokens, taps: dict | None = None) -> np.ndarray:
    """Float output; `taps` (optional dict) receives every norm's input by norm name."""
    c = spec.config
    tokens = np.asarray(tokens, dtype=np.int64)
    s = tokens.shape[0]
    x = spec.weights["embed.word"][tokens]
    if c.family in ("bert", "gpt2"):
        x = x + spec.weights["embed.pos"][:s]
    if c.family == "bert":
        x = _norm(x + spec.weights["embed.type"][0], spec, "embed.ln", taps)
        for i in range(c.layers):
            x = _norm(x + _attention(x, spec, i), spec, f"layers.{i}.ln1", taps)
            x = _norm(x + _mlp(x, spec, i), spec, f"layers.{i}.ln2", taps)
        return x
    for i in range(c.layers):
        x = x + _attention(_norm(x, spec, f"layers.{i}.ln1", taps), spec, i)
        x = x + _mlp(_norm(x, spec, f"layers.{i}.ln2", taps), spec, i)
    x = _norm(x, spec, "final_ln", taps)
    return x @ spec.weights["lm_head.weight"].T


def mean_pool(hidden: np.ndarray) -> np.ndarray:
    return hidden.mean(0)


def embedding(spec: ModelSpec, tokens) -> np.ndarray:
    return mean_pool(forward(spec, tokens))
