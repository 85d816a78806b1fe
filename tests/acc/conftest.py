import pytest


@pytest.fixture(scope="session")
def tiny_committed():
    """family -> (QuantizedModel, ModelCommitment) of the tiny random models."""
    from zkproof.nn.models.tiny import committed_tiny

    return {fam: committed_tiny(fam) for fam in ("gpt2", "llama")}
