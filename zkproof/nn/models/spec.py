"""A model as the prover sees it: family, configuration and float weights by canonical name.

`ModelSpec` is what a loader (zkproof.nn.models.loaders) makes from a Hugging Face model and
what everything downstream (quantisation, the integer forward pass, the model commitment)
consumes. It holds no PyTorch objects, so it can be pickled to Ray workers and cached.

Canonical weight names (row-major float64 arrays, Linear weights as (out, in) like torch):

    embed.word (V, H)      embed.pos (P, H)      embed.type (T, H)       [bert: type; bert/gpt2: pos]
    embed.ln.weight/bias (H,)                                            [bert]
    layers.{i}.attn.{q,k,v,o}.weight (H, H)  .bias (H,)                  [bias: bert, gpt2]
    layers.{i}.ln1.weight/bias, layers.{i}.ln2.weight/bias (H,)          [bias: bert, gpt2]
    layers.{i}.mlp.up.weight (I, H) .bias, layers.{i}.mlp.down.weight (H, I) .bias
    layers.{i}.mlp.gate.weight (I, H)                                    [llama]
    final_ln.weight/bias (H,)                                            [gpt2, llama (no bias)]
    lm_head.weight (V, H)                                                [gpt2, llama]

Norm placement: bert is post-norm (ln1 after attention + residual, ln2 after the MLP +
residual); gpt2 and llama are pre-norm (ln1 before attention, ln2 before the MLP).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

FAMILIES = ("bert", "gpt2", "llama")


@dataclass(frozen=True)
class ModelConfig:
    """The architecture, family-neutral. `act` is 'gelu' (erf form), 'gelu_tanh' or 'silu';
    `norm` is 'layernorm' or 'rmsnorm'; `output` is 'embeddings' (mean-pooled last hidden
    states, sentence-transformers style) or 'logits'."""

    family: str
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    norm_eps: float
    act: str
    norm: str
    causal: bool
    output: str
    rope_theta: float = 0.0          # 0: no RoPE (absolute position embeddings)
    type_vocab: int = 0              # bert token types
    name: str = ""                   # where it came from (informative only)

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown model configuration fields: {sorted(unknown)}")
        return cls(**d)


@dataclass
class ModelSpec:
    config: ModelConfig
    weights: dict = field(default_factory=dict)   # canonical name -> float64 ndarray

    def names(self) -> list[str]:
        """Weight names in a canonical order (sorted), the order of digests and commitments."""
        return sorted(self.weights)

    def source_digest(self) -> str:
        """SHA-256 over (name, shape, float32 little-endian bytes) of every weight, in name order:
        a fingerprint of the source weights (float32, as Hugging Face stores them)."""
        h = hashlib.sha256()
        for n in self.names():
            w = np.ascontiguousarray(self.weights[n], dtype="<f4")
            h.update(n.encode() + b"\0" + repr(tuple(w.shape)).encode() + b"\0")
            h.update(w.tobytes())
        return h.hexdigest()

    def layer_weight(self, i: int, name: str) -> np.ndarray:
        return self.weights[f"layers.{i}.{name}"]

    def __post_init__(self):
        if self.config.family not in FAMILIES:
            raise ValueError(f"unknown model family {self.config.family!r} (supported: {', '.join(FAMILIES)})")
