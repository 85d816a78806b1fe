"""The model graph: a ModelConfig and a QuantConfig -> a zkproof.nn Graph of proven operations.

    qm = QuantizedModel(spec, QuantConfig())          # quantise the weights, calibrate the norms
    mg = qm.graph(seq)                                # a ModelGraph for `seq` tokens (cached)
    witness = qm.forward(tokens)                      # the integers that get proved
    qm.output(witness)                                # the public output as floats

The graph depends only on (config, quantisation, norm shifts, seq): the verifier rebuilds
it from the model commitment file and the number of tokens, without any weight.

Public inputs: "tokens.onehot" (T, V) (and "positions.onehot" (T, P) for absolute position
embeddings), public constants named "const.*" (ones vectors, RoPE tables), all rebuilt by the
verifier from T. Committed inputs: the quantised weights (zkproof.nn.models.quant names).
Public output: "output": the last hidden states (T, H) for encoders (the sentence embedding
is their mean, computed by anyone from the public output) or the logits (T, V) for decoders,
at 2^act_frac.

Per layer (bert: post-norm; gpt2, llama: pre-norm):
    Q, K, V = rescale(X W + b, weight_frac) [RoPE on Q, K] -> rescale to attn_in_frac -> split heads
    O = zkAttn(Q, K, V) -> merge heads -> rescale(O W_o + b_o, attn_in_frac + weight_frac - act_frac)
    MLP: rescale to lookup_frac -> GELU/SiLU table (out at act_frac) [SwiGLU: Hadamard with up]
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from ..graph import Graph
from ..linear import MatMul
from ..nonlinear import Elementwise
from ..rescale import Rescale
from ..residual import Add, Product
from ..zkattn import attention
from ..fixed_point import dequantize
from . import adapters as A
from .quant import QuantConfig, quantize_weights
from .spec import ModelConfig, ModelSpec

log = logging.getLogger(__name__)


def norm_names(cfg: ModelConfig) -> list[str]:
    out = ["embed.ln"] if cfg.family == "bert" else []
    for i in range(cfg.layers):
        out += [f"layers.{i}.ln1", f"layers.{i}.ln2"]
    if cfg.family != "bert":
        out.append("final_ln")
    return out


def weight_shapes(cfg: ModelConfig) -> dict:
    """Graph input name -> shape of every committed weight (what quantize_weights returns)."""
    H, I, V = cfg.hidden, cfg.intermediate, cfg.vocab
    s = {"embed.word": (V, H)}
    if cfg.family in ("bert", "gpt2"):
        s["embed.pos"] = (cfg.max_positions, H)
    if cfg.family == "bert":
        s["embed.type0"] = (H,)
    bias = cfg.family != "llama"
    for n in norm_names(cfg):
        s[n + ".weight"] = (1, H)
        if cfg.norm == "layernorm":
            s[n + ".bias"] = (1, H)
    for i in range(cfg.layers):
        for n in "qkvo":
            s[f"layers.{i}.attn.{n}.weight"] = (H, H)
            if bias:
                s[f"layers.{i}.attn.{n}.bias"] = (H,)
        mlp = {"up": (H, I), "down": (I, H)}
        if cfg.family == "llama":
            mlp["gate"] = (H, I)
        for n, shp in mlp.items():
            s[f"layers.{i}.mlp.{n}.weight"] = shp
            if bias:
                s[f"layers.{i}.mlp.{n}.bias"] = (shp[1],)
    if cfg.output == "logits":
        s["lm_head.weight"] = (H, V)
    return s


@dataclass
class ModelGraph:
    graph: Graph
    seq: int
    constants: dict = field(default_factory=dict)   # public constant inputs (rebuilt by anyone)
    output: str = "output"

    def public_inputs(self, tokens) -> dict:
        """The public inputs for `tokens`: one-hot matrices and constants."""
        g = self.graph
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
        if tokens.shape[0] != self.seq:
            raise ValueError(f"the graph is for {self.seq} tokens, got {tokens.shape[0]}")
        V = g.tensors["tokens.onehot"].shape[1]
        if tokens.size and (tokens.min() < 0 or tokens.max() >= V):
            raise ValueError(f"token ids must be in [0, {V}), got {tokens.min()}..{tokens.max()}")
        out = dict(self.constants)
        oh = np.zeros((self.seq, V), dtype=np.int64)
        oh[np.arange(self.seq), tokens] = 1
        out["tokens.onehot"] = oh
        if "positions.onehot" in g.tensors:
            P = g.tensors["positions.onehot"].shape[1]
            po = np.zeros((self.seq, P), dtype=np.int64)
            po[np.arange(self.seq), np.arange(self.seq)] = 1
            out["positions.onehot"] = po
        return out


def _linear(g, x, w, b, shift, name):
    ins = (x, w) + ((b,) if b else ())
    y = g.add(MatMul(bias=b is not None), *ins, name=f"{name}.mm")[0]
    return g.add(Rescale(shift), y, name=name)[0] if shift > 0 else y


def build_graph(cfg: ModelConfig, q: QuantConfig, shifts: dict, seq: int) -> ModelGraph:
    """The graph of one inference over `seq` tokens (shapes only; no weight values)."""
    if not 1 <= seq <= cfg.max_positions:
        raise ValueError(f"sequence length must be in [1, {cfg.max_positions}], got {seq}")
    missing = [n for n in norm_names(cfg) if n not in shifts]
    if missing:
        raise ValueError(f"no calibrated variance shift for the norms {missing}")
    g = Graph(f"{cfg.family}-model")
    consts: dict = {}
    shapes = weight_shapes(cfg)
    for n, s in shapes.items():
        g.input(n, s, "committed")
    has_bias = cfg.family != "llama"
    W = lambda n: n + ".weight"
    B = lambda n: (n + ".bias") if has_bias else None
    fa, fw, fl, fq = q.act_frac, q.weight_frac, q.lookup_frac, q.attn_in_frac
    H, T = cfg.hidden, seq
    acfg = q.attention(causal=cfg.causal)
    acfg.check_head_dim(cfg.head_dim)

    def norm(x, n):
        kind = cfg.norm
        return A.norm(g, x, W(n), n + ".bias" if kind == "layernorm" else None, kind, fa, fw, shifts[n],
                      q.norm_bits, q.norm_extra, cfg.norm_eps, consts, name=n + ".out")

    def to_frac(x, frm, to, name):
        return g.add(Rescale(frm - to), x, name=name)[0] if frm > to else x

    def attn(x, i):
        p = f"layers.{i}.attn"
        qkv = []
        for n in "qkv":
            t = _linear(g, x, W(f"{p}.{n}"), B(f"{p}.{n}"), fw, f"{p}.{n}")
            if cfg.rope_theta and n in "qk":
                t = A.rope(g, t, cfg.heads, cfg.rope_theta, fa, consts, name=f"{p}.{n}.rope")
            t = to_frac(t, fa, fq, f"{p}.{n}.in")
            qkv.append(g.add(A.SplitHeads(cfg.heads), t, name=f"{p}.{n}.heads")[0])
        o = attention(g, *qkv, cfg=acfg, name=f"{p}.zkattn")
        o = g.add(A.MergeHeads(), o, name=f"{p}.merged")[0]
        return _linear(g, o, W(f"{p}.o"), B(f"{p}.o"), fq + fw - fa, f"{p}.o")

    def act(x, name):
        x = to_frac(x, fa, fl, f"{name}.in")
        lo = -(1 << (q.lookup_bits - 1))
        fn = cfg.act
        return g.add(Elementwise(fn, lo, q.lookup_bits, fl, fa), x, name=name)[0]

    def mlp(x, i):
        p = f"layers.{i}.mlp"
        up = _linear(g, x, W(f"{p}.up"), B(f"{p}.up"), fw, f"{p}.up")
        if cfg.family == "llama":
            gate = act(_linear(g, x, W(f"{p}.gate"), None, fw, f"{p}.gate"), f"{p}.act")
            h = g.add(Rescale(fa), g.add(Product(), gate, up, name=f"{p}.glu")[0], name=f"{p}.glu_rs")[0]
        else:
            h = act(up, f"{p}.act")
        return _linear(g, h, W(f"{p}.down"), B(f"{p}.down"), fw, f"{p}.down")

    g.input("tokens.onehot", (T, cfg.vocab), "public")
    x = A.gather_rows(g, "tokens.onehot", "embed.word", "embed.tokens",
                      bias="embed.type0" if cfg.family == "bert" else None)
    if cfg.family in ("bert", "gpt2"):
        g.input("positions.onehot", (T, cfg.max_positions), "public")
        pos = A.gather_rows(g, "positions.onehot", "embed.pos", "embed.positions")
        x = g.add(Add(), x, pos, name="embed.sum")[0]
    if cfg.family == "bert":
        x = norm(x, "embed.ln")
        for i in range(cfg.layers):
            x = norm(g.add(Add(), x, attn(x, i), name=f"layers.{i}.res1")[0], f"layers.{i}.ln1")
            x = norm(g.add(Add(), x, mlp(x, i), name=f"layers.{i}.res2")[0], f"layers.{i}.ln2")
        out = x
    else:
        for i in range(cfg.layers):
            x = g.add(Add(), x, attn(norm(x, f"layers.{i}.ln1"), i), name=f"layers.{i}.res1")[0]
            x = g.add(Add(), x, mlp(norm(x, f"layers.{i}.ln2"), i), name=f"layers.{i}.res2")[0]
        out = _linear(g, norm(x, "final_ln"), W("lm_head"), None, fw, "logits")
    # the public output under a fixed name: a rescale-free relabel is not an op, so rename
    g.tensors["output"] = g.tensors.pop(out)
    g.tensors["output"].name = "output"
    prod = g.ops[g.tensors["output"].producer]
    prod.outputs = ["output" if o == out else o for o in prod.outputs]
    for op in g.ops:
        op.inputs = ["output" if o == out else o for o in op.inputs]
    g.set_kind("output", "public")
    return ModelGraph(g, T, consts)


def calibrate_shifts(spec: ModelSpec, q: QuantConfig, token_lists) -> dict:
    """The variance shift k of every norm: the largest integer variance seen on the calibration
    tokens (float reference, converted to the integer scale) fills 2^-headroom of the table."""
    from . import reference

    cfg = spec.config
    vmax = {n: 0.0 for n in norm_names(cfg)}
    H, f = cfg.hidden, q.act_frac
    for toks in token_lists:
        taps: dict = {}
        reference.forward(spec, toks, taps)
        for n, x in taps.items():
            if cfg.norm == "layernorm":
                v = float(H) ** 3 * 4.0 ** f * float(x.var(axis=1).max())
            else:
                v = float(H) * 4.0 ** f * float((x ** 2).mean(axis=1).max())
            vmax[n] = max(vmax[n], v)
    return {n: max(0, math.ceil(math.log2(max(v, 1.0))) + q.norm_headroom - q.norm_bits) for n, v in vmax.items()}


def default_calibration_tokens(cfg: ModelConfig, n: int = 4, seq: int = 16, seed: int = 1234):
    """Token lists for calibrating when none are given: random ids (a fixed seed)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, cfg.vocab, size=min(seq, cfg.max_positions)) for _ in range(n)]


class QuantizedModel:
    """A ModelSpec quantised with a QuantConfig: integer weights, norm shifts, graphs per length."""

    def __init__(self, spec: ModelSpec, quant: QuantConfig | None = None, shifts: dict | None = None,
                 calibration_tokens=None):
        self.spec = spec
        self.config = spec.config
        self.quant = quant or QuantConfig()
        self.weights = quantize_weights(spec, self.quant)
        if shifts is None:
            toks = calibration_tokens or default_calibration_tokens(self.config)
            shifts = calibrate_shifts(spec, self.quant, toks)
        self.shifts = dict(shifts)
        self._graphs: dict = {}

    def graph(self, seq: int) -> ModelGraph:
        if seq not in self._graphs:
            self._graphs[seq] = build_graph(self.config, self.quant, self.shifts, seq)
        return self._graphs[seq]

    def inputs(self, tokens) -> dict:
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
        mg = self.graph(len(tokens))
        out = mg.public_inputs(tokens)
        out.update(self.weights)
        return out

    def forward(self, tokens) -> dict:
        """The witness: every tensor of the graph for these tokens (exact integers)."""
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
        return self.graph(len(tokens)).graph.forward(self.inputs(tokens))

    def output(self, witness: dict) -> np.ndarray:
        """The public output as floats (hidden states or logits)."""
        return dequantize(witness["output"], self.quant.act_frac)

    def embedding(self, witness: dict) -> np.ndarray:
        return self.output(witness).mean(axis=0)
