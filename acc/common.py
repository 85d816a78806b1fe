"""Shared pieces of the accuracy scripts: models, tokenisation, metrics, cost of a point.

Every quantised number comes from `QuantizedModel.forward`, the forward pass that makes the
prover's witness (zkproof.nn.models.build); the float baseline is the float64 reference of
the same weights (zkproof.nn.models.reference, equal to transformers' output to ~1e-6).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

DATA = Path(__file__).resolve().parent / "data"


def load_model(source: str):
    """(ModelSpec, tokenizer or None). `tiny:gpt2` / `tiny:llama` build a small random model."""
    from zkproof.nn.models import load, spec_from_model
    from zkproof.nn.models.loaders import find_model_dir, load_tokenizer

    if source.startswith("tiny:"):
        from zkproof.nn.models.tiny import tiny_model

        return spec_from_model(tiny_model(source[5:]), name=source), None
    spec = load(source)
    d = find_model_dir(source)
    tok = None
    if (d / "tokenizer.json").exists() or (d / "vocab.txt").exists() or (d / "tokenizer_config.json").exists():
        tok = load_tokenizer(d)
    return spec, tok


def tokenize(text: str, tokenizer, vocab: int, max_len: int) -> np.ndarray:
    """Token ids of `text`: the model's tokenizer, or bytes (ids < 256) for tokenizer-less models."""
    if tokenizer is not None:
        ids = tokenizer(text)["input_ids"]
    else:
        if vocab < 256:
            raise ValueError(f"byte-level tokens need a vocabulary of at least 256, the model has {vocab}")
        ids = list(text.encode("utf-8"))
    return np.asarray(ids[:max_len], dtype=np.int64)


def sentences(n: int | None = None) -> list[str]:
    lines = [s.strip() for s in (DATA / "sentences.txt").read_text().splitlines() if s.strip()]
    return lines[:n] if n else lines


def cosine(a, b) -> float:
    a, b = np.ravel(a), np.ravel(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def spearman(x, y) -> float:
    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        # average ties
        vals, inv, counts = np.unique(v, return_inverse=True, return_counts=True)
        sums = np.bincount(inv, weights=r)
        return (sums / counts)[inv]
    rx, ry = ranks(np.asarray(x)), ranks(np.asarray(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def pairwise_cos(E: np.ndarray) -> np.ndarray:
    En = E / np.linalg.norm(E, axis=1, keepdims=True)
    S = En @ En.T
    return S[np.triu_indices(len(E), 1)]


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


_COM_CACHE: dict = {}


def cost(qm, seq: int, prove_time: bool = True) -> dict:
    """Cost of a configuration: lookup entries (every tensor looked up, all tables), the distinct
    tables and their total size (the table side of every LogUp), committed
    elements (prover-made, weights excluded) of the whole model at `seq` tokens, and a measured
    prove time (and proof size) of ONE transformer layer (stage 1) at `seq` tokens on this machine
    (weight commitments made beforehand and excluded, as in a deployment)."""
    from zkproof.nn import graph as G

    g = qm.graph(seq).graph
    lookups = sum(int(np.prod(g.tensors[u.x].shape)) for op in g.ops for u in op.lookups())
    tables = {u.key: u for op in g.ops for u in op.lookups()}
    table_entries = sum(u.table().length for u in tables.values())
    committed = sum(int(np.prod(g.tensors[n].shape)) for n in g.committed() if n not in qm.weights)
    out = {"lookups": lookups, "tables": len(tables), "table_entries": table_entries, "committed": committed,
           "layer_prove_s": float("nan"), "layer_proof_bytes": 0}
    if prove_time:
        rng = np.random.default_rng(0)
        toks = rng.integers(0, qm.config.vocab, size=seq)
        x = qm.forward(toks, 0, 1)["boundary.1"]
        lg = qm.graph(seq, 1, 2).graph
        w = qm.forward(toks, 1, 2, boundary=x)
        coms = {}
        for n in lg.tensors:
            if n in qm.weights:
                key = (qm.config.name, n, qm.weights[n].tobytes().__hash__())
                if key not in _COM_CACHE:
                    _COM_CACHE[key] = G.commit_tensor(qm.weights[n])
                coms[n] = _COM_CACHE[key]
        t0 = time.perf_counter()
        _, pf = G.prove(lg, w, coms)
        out["layer_prove_s"] = time.perf_counter() - t0
        out["layer_proof_bytes"] = len(pf)
    return out
