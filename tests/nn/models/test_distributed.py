"""Segments proved as Ray tasks on a local cluster (started and stopped here, loopback only)
are gathered into one file that the ordinary verifier accepts."""
import numpy as np
import pytest

ray = pytest.importorskip("ray")


def test_ray_segments_verify_with_the_same_verifier(tiny_committed):
    from zkproof.nn import distributed as D
    from zkproof.nn.models import inference as I

    qm, mc = tiny_committed["gpt2"]
    tokens = np.array([9, 8, 7])
    D.init("local", num_cpus=2)
    try:
        data, info = D.prove(qm, mc, tokens, workers=2)
    finally:
        D.shutdown()
    assert info["segments"] == 2
    v = I.verify(data, mc)
    assert v.segments == 2
    assert np.array_equal(v.output, qm.forward(tokens)["output"])
