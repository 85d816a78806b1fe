"""Small random GPT-2 and LLaMA models built locally (nothing is downloaded), for tests,
benchmarks and accuracy sweeps. Weights are drawn with a fixed seed, so a tiny model is
reproducible; `save_tiny` writes a transformers model directory (config.json and
model.safetensors) that `zkproof.nn.models.load` reads like any other.

Random weights at transformers' default initialisation (std 0.02) make every activation
tiny and every output near-uniform, which tests nothing about fixed-point ranges; the
default `init_std` = 0.1 gives activations closer to a trained model's.
"""
from __future__ import annotations

import os


def tiny_model(family: str, seed: int = 0, layers: int = 2, hidden: int = 32, heads: int = 4,
               intermediate: int = 64, vocab: int = 256, positions: int = 64, init_std: float = 0.1):
    """An in-memory transformers model (eval mode) of the given family: 'gpt2' or 'llama'."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    if family == "gpt2":
        cfg = GPT2Config(n_layer=layers, n_embd=hidden, n_head=heads, n_inner=intermediate,
                         vocab_size=vocab, n_positions=positions, initializer_range=init_std,
                         bos_token_id=0, eos_token_id=0)
        model = GPT2LMHeadModel(cfg)
    elif family == "llama":
        cfg = LlamaConfig(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=heads,
                          num_key_value_heads=heads, intermediate_size=intermediate, vocab_size=vocab,
                          max_position_embeddings=positions, initializer_range=init_std,
                          bos_token_id=0, eos_token_id=0, pad_token_id=0)
        model = LlamaForCausalLM(cfg)
    else:
        raise ValueError(f"tiny models exist for 'gpt2' and 'llama', not {family!r}")
    # Norm weights start at 1 and biases at 0; give them some spread too.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * init_std)
    return model.eval()


def save_tiny(family: str, path, seed: int = 0, **sizes) -> str:
    """Write a tiny model directory at `path` (created) and return it."""
    model = tiny_model(family, seed, **sizes)
    os.makedirs(path, exist_ok=True)
    model.save_pretrained(str(path))
    return str(path)


def committed_tiny(family: str, seed: int = 0):
    """(QuantizedModel, ModelCommitment) of a tiny model with the default quantisation (tests
    and benchmarks; the commitment is read back from its bytes, as a verifier would)."""
    from ..model_commit import ModelCommitment, commit_model
    from .build import QuantizedModel
    from .loaders import spec_from_model

    qm = QuantizedModel(spec_from_model(tiny_model(family, seed), name=f"tiny:{family}"))
    return qm, ModelCommitment.from_bytes(commit_model(qm, source=f"tiny:{family}").to_bytes())
