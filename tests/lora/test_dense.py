"""Dense mode (the merged s B A committed as one matrix)."""
import numpy as np
import pytest

from zkproof.errors import VerificationError
from zkproof.lora import dense as D
from zkproof.lora import quantize as Q


@pytest.fixture(scope="module")
def dense():
    rng = np.random.default_rng(2)
    dm = D.commit_dense(D.quantize_dense(rng.normal(0, 0.01, (7, 10))))
    x = Q.quantize_activations(rng.normal(0, 1, (3, 10)))
    return dm, x


def test_dense_round_trip(dense):
    dm, x = dense
    d = D.forward_dense(dm, x)
    D.verify_dense(dm.com, dm.shape, x, d, D.prove_dense(dm, x, d))


def test_dense_tampered_delta_rejected(dense):
    dm, x = dense
    d = D.forward_dense(dm, x)
    proof = D.prove_dense(dm, x, d)
    bad = d.copy()
    bad[2, 6] += 1
    with pytest.raises(VerificationError):
        D.verify_dense(dm.com, dm.shape, x, bad, proof)
    with pytest.raises(ValueError):
        D.prove_dense(dm, x, bad)


def test_dense_other_matrix_rejected(dense):
    dm, x = dense
    other = D.commit_dense(D.quantize_dense(np.random.default_rng(3).normal(0, 0.01, (7, 10))))
    d = D.forward_dense(dm, x)
    with pytest.raises(VerificationError):
        D.verify_dense(other.com, other.shape, x, d, D.prove_dense(dm, x, d))
