"""Quantisation of a whole model: the configuration and the integer weights.

Scales (every tensor is an integer q standing for q / 2^frac):
    activations (embeddings, hidden states, Q/K/V, probabilities)   2^act_frac
    Linear weights, norm gains                                      2^weight_frac
    Linear biases, norm shifts                                      2^(act_frac + weight_frac), 2^act_frac
    GELU/SiLU table inputs                                          2^lookup_frac (rescaled to it first)
A Linear layer computes X·W + b at 2^(act_frac + weight_frac) and rescales by weight_frac.
zkAttn applies 1/sqrt(head_dim) itself; its output is at 2^attn_in_frac, so the bias of
the attention output projection is at 2^(attn_in_frac + weight_frac). Norms (zkproof.nn.norm):
gain at 2^weight_frac, shift at 2^(act_frac + r_frac + weight_frac). BERT's token-type-0
embedding row is folded into its position table (the model is run with token type 0).

Weight layout: Linear weights are stored (d_in, d_out) (zkproof.nn.linear), the
transpose of torch's nn.Linear.weight. Graph input names are the canonical names of
zkproof.nn.models.spec ("layers.0.attn.q.weight", ...).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..fixed_point import quantize
from .spec import ModelSpec


@dataclass(frozen=True)
class QuantConfig:
    act_frac: int = 8            # defaults chosen from the MiniLM frontier (acc/RESULTS.md)
    weight_frac: int = 10
    weight_bits: int = 24        # every quantised weight must fit (checked; ValueError names it)
    lookup_frac: int = 8         # GELU/SiLU inputs are rescaled to 2^lookup_frac for the table
    lookup_bits: int = 14        # GELU/SiLU table: inputs in [-2^(bits-1), 2^(bits-1))
    norm_bits: int = 14          # 1/sigma table over the rescaled sum of squares: [0, 2^norm_bits)
    norm_extra: int = 12         # bits of 1/sigma (r_frac = norm_extra, + ceil(log2 H) for LayerNorm)
    norm_headroom: int = 2       # calibration: the largest sum of squares seen uses 2^-headroom of the table
    rope_frac: int = 14          # RoPE cos/sin tables at 2^rope_frac
    # zkAttn (zkproof.nn.zkattn.ZkAttnConfig; causal comes from the model family)
    attn_in_frac: int = 8        # Q, K, V are rescaled to 2^attn_in_frac
    attn_in_bits: int = 14
    attn_segment_bits: tuple = (8, 16, 16)
    attn_low: int = 1
    attn_top: int = 1
    attn_theta_bits: tuple = (16,)
    attn_rowsum_tol_bits: int = 6
    attn_y_rescale_bits: int = 0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if f.type == "tuple":
                if not isinstance(v, (list, tuple)) or not all(isinstance(x, int) and x > 0 for x in v):
                    raise ValueError(f"QuantConfig.{f.name} must be a list of positive ints, got {v!r}")
                object.__setattr__(self, f.name, tuple(int(x) for x in v))
            elif not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"QuantConfig.{f.name} must be a non-negative int, got {v!r}")
        if not 1 <= self.act_frac <= 20 or not 1 <= self.weight_frac <= 20:
            raise ValueError("act_frac and weight_frac must be in [1, 20]")
        if self.lookup_frac > self.act_frac or self.attn_in_frac > self.act_frac:
            raise ValueError("lookup_frac and attn_in_frac cannot exceed act_frac (tables take rescaled activations)")
        if not 2 <= self.lookup_bits <= 24:
            raise ValueError("lookup_bits must be in [2, 24]")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def norm_r_frac(self, cfg) -> int:
        """Fractional bits of the norms' 1/sigma table outputs (zkproof.nn.norm r_frac)."""
        return self.norm_extra + ((cfg.hidden - 1).bit_length() if cfg.norm == "layernorm" else 0)

    def attention(self, causal: bool):
        from ..zkattn import ZkAttnConfig

        return ZkAttnConfig(in_frac=self.attn_in_frac, in_bits=self.attn_in_bits,
                            segment_bits=self.attn_segment_bits, low=self.attn_low, top=self.attn_top,
                            theta_bits=self.attn_theta_bits, rowsum_tol_bits=self.attn_rowsum_tol_bits,
                            causal=causal, y_rescale_bits=self.attn_y_rescale_bits)

    @classmethod
    def from_dict(cls, d: dict) -> "QuantConfig":
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown quantisation fields: {sorted(unknown)}")
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


DEFAULT = QuantConfig()


def _w(spec: ModelSpec, name: str, q: QuantConfig, frac: int, transpose: bool = False, scale: float = 1.0):
    x = spec.weights[name] * scale
    if transpose:
        x = x.T
    return quantize(np.ascontiguousarray(x), frac, q.weight_bits if frac <= q.weight_frac else 62, name=name)


def quantize_weights(spec: ModelSpec, q: QuantConfig) -> dict:
    """Graph input name -> int64 array for every weight the model graph uses."""
    c = spec.config
    fa, fw = q.act_frac, q.weight_frac
    out = {"embed.word": _w(spec, "embed.word", q, fa)}
    if c.family == "gpt2":
        out["embed.pos"] = _w(spec, "embed.pos", q, fa)
    if c.family == "bert":  # token type 0 (the only one used) folded into the position table
        out["embed.pos"] = quantize(spec.weights["embed.pos"] + spec.weights["embed.type"][0], fa, q.weight_bits,
                                    name="embed.pos+type0")
    norms = ["embed.ln"] if c.family == "bert" else ["final_ln"]
    lins = []
    for i in range(c.layers):
        norms += [f"layers.{i}.ln1", f"layers.{i}.ln2"]
        lins += [f"layers.{i}.attn.{n}" for n in "qkvo"]
        lins += [f"layers.{i}.mlp.{n}" for n in (("gate", "up", "down") if c.family == "llama" else ("up", "down"))]
    rf = q.norm_r_frac(c)
    for n in norms:
        out[n + ".weight"] = _w(spec, n + ".weight", q, fw)
        if n + ".bias" in spec.weights:
            out[n + ".bias"] = quantize(spec.weights[n + ".bias"], fa + rf + fw, 62, name=n + ".bias")
    for n in lins:
        out[n + ".weight"] = _w(spec, n + ".weight", q, fw, transpose=True)
        if n + ".bias" in spec.weights:
            bf = (q.attn_in_frac if n.endswith("attn.o") else fa) + fw
            out[n + ".bias"] = quantize(spec.weights[n + ".bias"], bf, 62, name=n + ".bias")
    if c.output == "logits":
        out["lm_head.weight"] = _w(spec, "lm_head.weight", q, fw, transpose=True)
    return out
