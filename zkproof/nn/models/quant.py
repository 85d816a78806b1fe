"""Quantisation of a whole model: the configuration and the integer weights.

Scales (every tensor is an integer q standing for q / 2^frac):
    activations (embeddings, hidden states, Q/K/V, probabilities)   2^act_frac
    Linear weights, norm gains                                      2^weight_frac
    Linear biases, norm shifts                                      2^(act_frac + weight_frac), 2^act_frac
    GELU/SiLU table inputs                                          2^lookup_frac (rescaled to it first)
A Linear layer computes X·W + b at 2^(act_frac + weight_frac) and rescales by weight_frac.
The attention scale 1/sqrt(head_dim) is folded into W_q and b_q before quantisation
(the same real-valued function, one rescale fewer).

Weight layout: Linear weights are stored (d_in, d_out) (zkproof.nn.linear), the
transpose of torch's nn.Linear.weight. Graph input names are the canonical names of
zkproof.nn.models.spec ("layers.0.attn.q.weight", ...), plus "embed.type0" (BERT's
token-type-0 row, added as the bias of the embedding gather).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..fixed_point import quantize
from .spec import ModelSpec


@dataclass(frozen=True)
class QuantConfig:
    act_frac: int = 10
    weight_frac: int = 10
    weight_bits: int = 24        # every quantised weight must fit (checked; ValueError names it)
    lookup_frac: int = 8         # GELU/SiLU inputs are rescaled to 2^lookup_frac for the table
    lookup_bits: int = 16        # GELU/SiLU table: inputs in [-2^(bits-1), 2^(bits-1))
    norm_frac: int = 16          # fractional bits of the normalisation factor (1/sigma) inside norms
    softmax_frac: int = 8        # attention scores are rescaled to 2^softmax_frac before the exp

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"QuantConfig.{f.name} must be a non-negative int, got {v!r}")
        if not 1 <= self.act_frac <= 20 or not 1 <= self.weight_frac <= 20:
            raise ValueError("act_frac and weight_frac must be in [1, 20]")
        if self.lookup_frac > self.act_frac or self.softmax_frac > self.act_frac:
            raise ValueError("lookup_frac and softmax_frac cannot exceed act_frac (tables take rescaled activations)")
        if not 2 <= self.lookup_bits <= 24:
            raise ValueError("lookup_bits must be in [2, 24]")

    def to_dict(self) -> dict:
        return asdict(self)

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
    if c.family in ("bert", "gpt2"):
        out["embed.pos"] = _w(spec, "embed.pos", q, fa)
    if c.family == "bert":
        out["embed.type0"] = quantize(spec.weights["embed.type"][0], fa, 62, name="embed.type0")
    norms = ["embed.ln"] if c.family == "bert" else ["final_ln"]
    lins = []
    for i in range(c.layers):
        norms += [f"layers.{i}.ln1", f"layers.{i}.ln2"]
        lins += [f"layers.{i}.attn.{n}" for n in "qkvo"]
        lins += [f"layers.{i}.mlp.{n}" for n in (("gate", "up", "down") if c.family == "llama" else ("up", "down"))]
    for n in norms:
        out[n + ".weight"] = _w(spec, n + ".weight", q, fw)
        if n + ".bias" in spec.weights:
            out[n + ".bias"] = quantize(spec.weights[n + ".bias"], fa, 62, name=n + ".bias")
    qscale = 1.0 / math.sqrt(c.head_dim)
    for n in lins:
        s = qscale if n.endswith("attn.q") else 1.0
        out[n + ".weight"] = _w(spec, n + ".weight", q, fw, transpose=True, scale=s)
        if n + ".bias" in spec.weights:
            out[n + ".bias"] = quantize(spec.weights[n + ".bias"] * s, fa + fw, 62, name=n + ".bias")
    if c.output == "logits":
        out["lm_head.weight"] = _w(spec, "lm_head.weight", q, fw, transpose=True)
    return out
