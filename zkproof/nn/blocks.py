"""Transformer blocks composed from the proven operations (the next issue's models
chain these): `gpt2_block` and `llama_block`. A block adds its weights as committed graph inputs named
"{prefix}.{weight}" (commit them once with graph.commit_tensor and pass the commitments
to prove / verify) and returns its output tensor's name.

GPT-2 block (pre-LayerNorm): h = x + Attn(LN1(x)); y = h + MLP(LN2(h)), with
Attn = W_o · zkAttn(split(W_q·), split(W_k·), split(W_v·)) (causal) and
MLP = W_2 · GELU(W_1 ·). Every linear output (at 2^(2f)) is rescaled to 2^f.
Weights are stored (d_in, d_out) (torch's Linear.weight transposed; GPT-2's Conv1D
weight as is), at 2^f; biases at 2^(2f); LayerNorm gains at 2^8, shifts at
2^(f + 20 + 8).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .linear import linear
from .nonlinear import elementwise
from .norm import layernorm
from .rescale import OUT_BITS, rescale
from .reshape import merge_heads, split_heads
from .residual import add
from .zkattn import ZkAttnConfig, attention


@dataclass(frozen=True)
class GPT2Config:
    d_model: int
    heads: int
    d_ff: int
    frac: int = 8
    act_bits: int = 14         # |activations| < 2^(act_bits - 1) at 2^frac (GELU table range)
    ln_std_bound: float = 8.0  # LayerNorm inputs' std below this (sizes the rsqrt table)
    attn: ZkAttnConfig = ZkAttnConfig()

    def ln_k(self) -> int:
        d = self.d_model
        ss = d ** 3 * (self.ln_std_bound * (1 << self.frac)) ** 2
        return max(1, math.ceil(math.log2(ss)) - 16 + 1)

    def weight_shapes(self) -> dict:
        d, f = self.d_model, self.d_ff
        return {"ln1.g": (d,), "ln1.b": (d,), "wq": (d, d), "bq": (d,), "wk": (d, d), "bk": (d,),
                "wv": (d, d), "bv": (d,), "wo": (d, d), "bo": (d,), "ln2.g": (d,), "ln2.b": (d,),
                "w1": (d, f), "b1": (f,), "w2": (f, d), "b2": (d,)}


def gpt2_block(graph, x: str, cfg: GPT2Config, prefix: str) -> str:
    F = cfg.frac
    w = {k: graph.input(f"{prefix}.{k}", s) for k, s in cfg.weight_shapes().items()}

    def lin(inp, wn, bn, name, out_bits=OUT_BITS):
        # out_bits=0 only where a lookup takes the output (it bounds it; Rescale checks)
        return rescale(graph, linear(graph, inp, w[wn], w[bn], name=f"{name}.mm"), F, name=name, out_bits=out_bits)

    a = layernorm(graph, x, w["ln1.g"], w["ln1.b"], in_frac=F, k=cfg.ln_k(), name=f"{prefix}.ln1")
    q, k, v = (split_heads(graph, lin(a, f"w{n}", f"b{n}", f"{prefix}.{n}"), cfg.heads, name=f"{prefix}.{n}h")
               for n in "qkv")
    o = attention(graph, q, k, v, cfg.attn, name=f"{prefix}.attn")
    o = lin(merge_heads(graph, o, name=f"{prefix}.merge"), "wo", "bo", f"{prefix}.o")
    h = add(graph, x, o, name=f"{prefix}.res1")
    m = layernorm(graph, h, w["ln2.g"], w["ln2.b"], in_frac=F, k=cfg.ln_k(), name=f"{prefix}.ln2")
    lo = -(1 << (cfg.act_bits - 1))
    g = elementwise(graph, lin(m, "w1", "b1", f"{prefix}.fc", out_bits=0), "gelu", lo, cfg.act_bits, F, F, name=f"{prefix}.gelu")
    return add(graph, h, lin(g, "w2", "b2", f"{prefix}.proj"), name=f"{prefix}.res2")


@dataclass(frozen=True)
class LlamaConfig:
    """A LLaMA block (pre-RMSNorm, RoPE on Q and K, SwiGLU MLP, no biases)."""

    d_model: int
    heads: int
    d_ff: int
    frac: int = 8
    act_bits: int = 14          # |activations| < 2^(act_bits - 1) at 2^frac (SiLU table range)
    rms_bound: float = 8.0      # RMSNorm inputs' root mean square below this
    rope_base: float = 10000.0
    rope_style: str = "half"    # Hugging Face's rotate_half
    rope_frac: int = 14
    attn: ZkAttnConfig = ZkAttnConfig()

    def rms_k(self) -> int:
        ss = self.d_model * (self.rms_bound * (1 << self.frac)) ** 2
        return max(1, math.ceil(math.log2(ss)) - 16 + 1)

    def weight_shapes(self) -> dict:
        d, f = self.d_model, self.d_ff
        return {"attn_norm.g": (d,), "wq": (d, d), "wk": (d, d), "wv": (d, d), "wo": (d, d),
                "mlp_norm.g": (d,), "w_gate": (d, f), "w_up": (d, f), "w_down": (f, d)}


def llama_block(graph, x: str, cfg: LlamaConfig, prefix: str) -> str:
    """h = x + W_o zkAttn(RoPE(W_q n), RoPE(W_k n), W_v n), n = RMSNorm(x);
    y = h + W_down (SiLU(W_gate m) ∘ W_up m), m = RMSNorm(h). Norm gains at 2^8,
    projection weights at 2^frac, stored (d_in, d_out)."""
    from .rope import rope
    from .norm import rmsnorm
    from .swiglu import swiglu
    F = cfg.frac
    w = {k: graph.input(f"{prefix}.{k}", s) for k, s in cfg.weight_shapes().items()}

    def lin(inp, wn, name, out_bits=OUT_BITS):
        return rescale(graph, linear(graph, inp, w[wn], name=f"{name}.mm"), F, name=name, out_bits=out_bits)

    n = rmsnorm(graph, x, w["attn_norm.g"], in_frac=F, k=cfg.rms_k(), name=f"{prefix}.attn_norm")
    heads = {}
    for c in "qkv":
        h = split_heads(graph, lin(n, f"w{c}", f"{prefix}.{c}"), cfg.heads, name=f"{prefix}.{c}h")
        if c in "qk":
            r = rope(graph, h, base=cfg.rope_base, table_frac=cfg.rope_frac, style=cfg.rope_style,
                     name=f"{prefix}.{c}rope")
            h = rescale(graph, r, cfg.rope_frac, name=f"{prefix}.{c}r", out_bits=0)  # zkAttn range-checks it
        heads[c] = h
    o = attention(graph, heads["q"], heads["k"], heads["v"], cfg.attn, name=f"{prefix}.attn")
    h = add(graph, x, lin(merge_heads(graph, o, name=f"{prefix}.merge"), "wo", f"{prefix}.o"), name=f"{prefix}.res1")
    m = rmsnorm(graph, h, w["mlp_norm.g"], in_frac=F, k=cfg.rms_k(), name=f"{prefix}.mlp_norm")
    gate, up = lin(m, "w_gate", f"{prefix}.gate", out_bits=0), lin(m, "w_up", f"{prefix}.up")  # gate: SiLU lookup
    act = swiglu(graph, gate, up, frac=F, low=-(1 << (cfg.act_bits - 1)), bits=cfg.act_bits, name=f"{prefix}.swiglu")
    return add(graph, h, lin(act, "w_down", f"{prefix}.down"), name=f"{prefix}.res2")
