"""The quantised forward pass (the prover's witness) against the float model.

Tolerances (default QuantConfig: activations at 2^8, weights at 2^10): tiny GPT-2/LLaMA logits
within 0.1 of float with top-1 agreement >= 0.8 on random ids; MiniLM sentence embeddings at
cosine >= 0.999 against float (the acc/ goal is 0.995 on average)."""
import numpy as np
import pytest

from zkproof.nn.models import reference
from zkproof.nn.models.build import QuantizedModel, num_stages

TOKENS = np.array([3, 17, 200, 5, 9, 64, 128, 7])


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_tiny_logits_close_to_float(family, tiny_committed, tiny_specs):
    qm, _ = tiny_committed[family]
    got = qm.output(qm.forward(TOKENS, logits="all"))
    want = reference.forward(tiny_specs[family], TOKENS)
    assert np.abs(got - want).max() < 0.1
    assert (got.argmax(-1) == want.argmax(-1)).mean() >= 0.8
    # the proved output is the last position's logits: the same integers as that row
    last = qm.forward(TOKENS)["output"]
    assert last.shape == (1, want.shape[1])
    assert np.array_equal(last, qm.forward(TOKENS, logits="all")["output"][-1:])


def test_segments_compute_the_same_integers(tiny_committed):
    qm, _ = tiny_committed["llama"]
    whole = qm.forward(TOKENS)["output"]
    x = None
    n = num_stages(qm.config)
    for a in range(n):
        w = qm.forward(TOKENS, a, a + 1, boundary=x)
        x = w["output" if a == n - 1 else f"boundary.{a + 1}"]
    assert np.array_equal(x, whole)


def test_minilm_embedding_close_to_float(minilm_spec):
    qm = QuantizedModel(minilm_spec)
    for toks in ([101, 1037, 4937, 25126, 2006, 1996, 3332, 102], [101, 7592, 2088, 102]):
        e = qm.embedding(qm.forward(toks))
        f = reference.embedding(minilm_spec, toks)
        assert e @ f / np.linalg.norm(e) / np.linalg.norm(f) >= 0.999


def test_out_of_range_tokens_are_refused(tiny_committed):
    qm, _ = tiny_committed["gpt2"]
    with pytest.raises(ValueError, match="token ids must be in"):
        qm.forward([1, 2, 10_000])
