import numpy as np
import pytest

from zkproof.nn.fixed_point import FixedPoint, check_bits, dequantize, quantize, rescale


def test_round_half_up():
    q = quantize(np.array([0.5, -0.5, 1.5, -1.5, 0.49, -0.51]), 0)
    assert q.tolist() == [1, 0, 2, -1, 0, -1]


def test_quantize_roundtrip_error_bound():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000)
    q = quantize(x, 12)
    assert np.max(np.abs(dequantize(q, 12) - x)) <= 2.0 ** -13 + 1e-15


@pytest.mark.parametrize("k", [0, 1, 3, 16])
def test_rescale_matches_definition(k):
    X = np.arange(-300, 300, dtype=np.int64) * 7
    Y, R = rescale(X, k)
    assert np.all((R >= 0) & (R < (1 << k) if k else R == 0))
    assert np.array_equal(Y * (1 << k) + R, X + ((1 << (k - 1)) if k else 0))
    ref = np.floor(X / 2.0 ** k + 0.5).astype(np.int64)
    assert np.array_equal(Y, ref)


def test_bits_refused_with_index():
    with pytest.raises(ValueError, match="2 values outside.*first at flat index 1"):
        check_bits(np.array([0, 8, -9, 3]), 4)
    with pytest.raises(ValueError, match="non-finite"):
        quantize(np.array([1.0, np.nan]), 4)
    with pytest.raises(ValueError):
        FixedPoint(8, 8)
    assert FixedPoint(4, 8).quantize([1.0]).tolist() == [16]
