"""The model graph: a ModelConfig and a QuantConfig -> a zkproof.nn Graph of proven operations.

    qm = QuantizedModel(spec, QuantConfig())          # quantise the weights, calibrate the norms
    mg = qm.graph(seq)                                # a ModelGraph for `seq` tokens (cached)
    witness = qm.forward(tokens)                      # the integers that get proved
    qm.output(witness)                                # the public output as floats

The graph depends only on (config, quantisation, norm shifts, seq): the verifier rebuilds
it from the model commitment file and the number of tokens, without any weight.

Public inputs: "tokens" (T,) token ids (and "positions" = 0..T-1 for absolute position
embeddings), rebuilt by the verifier from the statement. Committed inputs: the quantised weights (zkproof.nn.models.quant names).
Public output: "output": the last hidden states (T, H) for encoders (the sentence embedding
is their mean, computed by anyone from the public output) or, for decoders, the logits of
the last position (1, V): the next token's distribution (the final norm and the LM head run
on that row only; `logits="all"` builds the graph of every position's logits, for
perplexity sweeps), at 2^act_frac.

Per layer (bert: post-norm; gpt2, llama: pre-norm):
    Q, K, V = rescale(X W + b, weight_frac) -> split heads [RoPE on Q, K] -> rescale to attn_in_frac
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
from ..rescale import OUT_BITS, Rescale
from ..residual import Add, Product
from ..zkattn import attention
from .. import embedding as nn_embedding
from .. import norm as nn_norm
from .. import reshape as nn_reshape
from .. import rope as nn_rope
from ..fixed_point import dequantize
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
    bias = cfg.family != "llama"
    for n in norm_names(cfg):
        s[n + ".weight"] = (H,)
        if cfg.norm == "layernorm":
            s[n + ".bias"] = (H,)
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
        out = dict(self.constants)
        if "tokens" not in g.tensors:
            return out
        V = g.tensors["embed.word"].shape[0]
        if tokens.size and (tokens.min() < 0 or tokens.max() >= V):
            raise ValueError(f"token ids must be in [0, {V}), got {tokens.min()}..{tokens.max()}")
        out["tokens"] = tokens
        if "positions" in g.tensors:
            out["positions"] = np.arange(self.seq, dtype=np.int64)
        return out


def _linear(g, x, w, b, shift, name, checked: bool = True):
    """X W + b rescaled by 2^shift; checked=False: no output chunks, for an output the graph
    binds to integers otherwise (a lookup input, through layout changes or rescales:
    rescale.integer_bound, which the prover and the verifier enforce)."""
    ins = (x, w) + ((b,) if b else ())
    y = g.add(MatMul(bias=b is not None), *ins, name=f"{name}.mm")[0]
    if shift <= 0:
        return y
    return g.add(Rescale(shift, OUT_BITS if checked else 0), y, name=name)[0]


def num_stages(cfg: ModelConfig) -> int:
    """Stages: the embeddings (with BERT's embedding norm), one per layer, and for decoders the
    head (final norm and LM head)."""
    return 1 + cfg.layers + (cfg.family != "bert")


def stage_weights(cfg: ModelConfig, stage: int) -> list[str]:
    """The weight names a stage uses."""
    shapes = weight_shapes(cfg)
    if stage == 0:
        pre = ("embed.",)
    elif stage <= cfg.layers:
        pre = (f"layers.{stage - 1}.",)
    else:
        pre = ("final_ln.", "lm_head.")
    return [n for n in shapes if n.startswith(pre)]


def build_graph(cfg: ModelConfig, q: QuantConfig, shifts: dict, seq: int, start: int = 0,
                end: int | None = None, label: str = "", logits: str = "last") -> ModelGraph:
    """The graph of stages [start, end) of one inference over `seq` tokens (shapes only).

    Input: the public one-hot tokens (start = 0) or the committed boundary tensor
    "boundary.{start}" (seq, hidden) at 2^act_frac; output: the public "output" (end = the
    number of stages) or the committed "boundary.{end}"."""
    n_st = num_stages(cfg)
    end = n_st if end is None else end
    if logits not in ("last", "all"):
        raise ValueError(f"logits must be 'last' or 'all', got {logits!r}")
    if not 0 <= start < end <= n_st:
        raise ValueError(f"stages [{start}, {end}) outside [0, {n_st})")
    if not 1 <= seq <= cfg.max_positions:
        raise ValueError(f"sequence length must be in [1, {cfg.max_positions}], got {seq}")
    missing = [n for n in norm_names(cfg) if n not in shifts]
    if missing:
        raise ValueError(f"no calibrated variance shift for the norms {missing}")
    g = Graph(label or f"{cfg.family}-model")
    consts: dict = {}
    shapes = weight_shapes(cfg)
    for st in range(start, end):
        for n in stage_weights(cfg, st):
            g.input(n, shapes[n], "committed")
    has_bias = cfg.family != "llama"
    W = lambda n: n + ".weight"
    B = lambda n: (n + ".bias") if has_bias else None
    fa, fw, fl, fq = q.act_frac, q.weight_frac, q.lookup_frac, q.attn_in_frac
    T = seq
    acfg = q.attention(causal=cfg.causal)
    acfg.check_head_dim(cfg.head_dim)

    rf = q.norm_r_frac(cfg)

    def norm(x, n):
        kw = dict(in_frac=fa, k=shifts[n], bits=q.norm_bits, r_frac=rf, g_frac=fw, eps=cfg.norm_eps, name=n + ".out")
        if cfg.norm == "layernorm":
            return nn_norm.layernorm(g, x, W(n), n + ".bias", **kw)
        return nn_norm.rmsnorm(g, x, W(n), **kw)

    def to_frac(x, frm, to, name):
        return g.add(Rescale(frm - to), x, name=name)[0] if frm > to else x

    def attn(x, i):
        p = f"layers.{i}.attn"
        qkv = []
        for n in "qkv":
            # Q, K, V are range-checked by zkAttn (through the head split and any rescale);
            # RoPE's rotation in between does not pass that on
            roped = bool(cfg.rope_theta) and n in "qk"
            t = _linear(g, x, W(f"{p}.{n}"), B(f"{p}.{n}"), fw, f"{p}.{n}", checked=roped)
            t = nn_reshape.split_heads(g, t, cfg.heads, name=f"{p}.{n}.heads")
            if cfg.rope_theta and n in "qk":
                t = nn_rope.rope(g, t, base=cfg.rope_theta, table_frac=q.rope_frac, style="half",
                                 name=f"{p}.{n}.rope")
                t = g.add(Rescale(q.rope_frac), t, name=f"{p}.{n}.rope_rs")[0]
            qkv.append(to_frac(t, fa, fq, f"{p}.{n}.in"))
        o = attention(g, *qkv, cfg=acfg, name=f"{p}.zkattn")
        o = nn_reshape.merge_heads(g, o, name=f"{p}.merged")
        return _linear(g, o, W(f"{p}.o"), B(f"{p}.o"), fq + fw - fa, f"{p}.o")

    def act(x, name):
        x = to_frac(x, fa, fl, f"{name}.in")
        lo = -(1 << (q.lookup_bits - 1))
        return g.add(Elementwise(cfg.act, lo, q.lookup_bits, fl, fa), x, name=name)[0]

    def mlp(x, i):
        p = f"layers.{i}.mlp"
        # up feeds the activation's lookup (gpt2, bert) or the SwiGLU product (llama);
        # the gate always feeds the lookup
        up = _linear(g, x, W(f"{p}.up"), B(f"{p}.up"), fw, f"{p}.up", checked=cfg.family == "llama")
        if cfg.family == "llama":
            gate = act(_linear(g, x, W(f"{p}.gate"), None, fw, f"{p}.gate", checked=False), f"{p}.act")
            h = g.add(Rescale(fa), g.add(Product(), gate, up, name=f"{p}.glu")[0], name=f"{p}.glu_rs")[0]
        else:
            h = act(up, f"{p}.act")
        return _linear(g, h, W(f"{p}.down"), B(f"{p}.down"), fw, f"{p}.down")

    def stage(x, st):
        if st == 0:
            g.input("tokens", (T,), "public")
            x = nn_embedding.embedding(g, "tokens", "embed.word", name="embed.tokens")
            if cfg.family in ("bert", "gpt2"):
                g.input("positions", (T,), "public")
                pos = nn_embedding.embedding(g, "positions", "embed.pos", name="embed.positions")
                x = g.add(Add(), x, pos, name="embed.sum")[0]
            return norm(x, "embed.ln") if cfg.family == "bert" else x
        if st <= cfg.layers:
            i = st - 1
            if cfg.family == "bert":
                x = norm(g.add(Add(), x, attn(x, i), name=f"layers.{i}.res1")[0], f"layers.{i}.ln1")
                return norm(g.add(Add(), x, mlp(x, i), name=f"layers.{i}.res2")[0], f"layers.{i}.ln2")
            x = g.add(Add(), x, attn(norm(x, f"layers.{i}.ln1"), i), name=f"layers.{i}.res1")[0]
            return g.add(Add(), x, mlp(norm(x, f"layers.{i}.ln2"), i), name=f"layers.{i}.res2")[0]
        if logits == "last":
            x = nn_reshape.take_row(g, x, T - 1, name="last_position")
        return _linear(g, norm(x, "final_ln"), W("lm_head"), None, fw, "logits")

    x = None if start == 0 else g.input(f"boundary.{start}", (T, cfg.hidden), "committed")
    for st in range(start, end):
        x = stage(x, st)
    out = "output" if end == n_st else f"boundary.{end}"
    _rename(g, x, out)
    g.set_kind(out, "public" if end == n_st else "committed")
    return ModelGraph(g, T, consts, out)


def _rename(g: Graph, old: str, new: str) -> None:
    """Give the tensor `old` (an op output) the name `new`."""
    spec = g.tensors.pop(old)
    spec.name = new
    g.tensors[new] = spec
    prod = g.ops[spec.producer]
    prod.outputs = [new if o == old else o for o in prod.outputs]
    for op in g.ops:
        op.inputs = [new if o == old else o for o in op.inputs]
    g.memo.clear()


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
    return {n: max(1, math.ceil(math.log2(max(v, 1.0))) + q.norm_headroom - q.norm_bits) for n, v in vmax.items()}


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

    def subset(self, names) -> "QuantizedModel":
        """A copy holding only the named integer weights and no float weights (what a worker
        proving some stages needs; cheap to pickle)."""
        qm = QuantizedModel.__new__(QuantizedModel)
        qm.spec, qm.config, qm.quant, qm.shifts = None, self.config, self.quant, dict(self.shifts)
        qm.weights = {n: self.weights[n] for n in names}
        qm._graphs = {}
        return qm

    def graph(self, seq: int, start: int = 0, end: int | None = None, logits: str = "last") -> ModelGraph:
        key = (seq, start, end, logits)
        if key not in self._graphs:
            self._graphs[key] = build_graph(self.config, self.quant, self.shifts, seq, start, end, logits=logits)
        return self._graphs[key]

    def inputs(self, mg: ModelGraph, tokens, boundary=None) -> dict:
        """Every input of a (segment) graph: public inputs, weights, the boundary tensor."""
        out = mg.public_inputs(tokens) if "tokens" in mg.graph.tensors else dict(mg.constants)
        for n, t in mg.graph.tensors.items():
            if t.producer is None and n in self.weights:
                out[n] = self.weights[n]
            elif t.producer is None and n.startswith("boundary."):
                if boundary is None:
                    raise ValueError(f"the graph needs the boundary tensor {n}")
                out[n] = boundary
        return out

    def forward(self, tokens, start: int = 0, end: int | None = None, boundary=None, logits: str = "last") -> dict:
        """The witness of stages [start, end): every tensor of that graph (exact integers).
        logits="all": a decoder's output is every position's logits (not what is proved:
        the proved output is the last row of it)."""
        tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
        mg = self.graph(len(tokens), start, end, logits)
        return mg.graph.forward(self.inputs(mg, tokens, boundary))

    def output(self, witness_or_ints) -> np.ndarray:
        """The public output as floats (hidden states or logits), from a witness or the output ints."""
        x = witness_or_ints["output"] if isinstance(witness_or_ints, dict) else witness_or_ints
        return dequantize(x, self.quant.act_frac)

    def embedding(self, witness: dict) -> np.ndarray:
        return self.output(witness).mean(axis=0)
