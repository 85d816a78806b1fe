"""The CUDA bucket MSM (csrc/curve/msm_cuda.cu) and the batched msm_rows, compared
exactly with the CPU MSM. Tests marked `cuda` are skipped without a GPU; the others
check msm_rows and the device argument on the CPU."""
import numpy as np
import pytest

from zkproof import FrTensor, R
from zkproof.commit.g1 import G1Point, G1Tensor, generators, msm, msm_rows

LABEL = "tests/msm_cuda"


def _scalars(kind: str, n: int, seed: int) -> FrTensor:
    rng = np.random.default_rng(seed)
    if kind == "full":
        return FrTensor.random(n, seed=seed)
    if kind == "small":
        return FrTensor.from_ints(rng.integers(0, 1 << 16, size=n, dtype=np.int64))
    if kind == "signed":
        return FrTensor.from_ints(rng.integers(-(1 << 15), 1 << 15, size=n, dtype=np.int64))
    if kind == "tiny":  # few distinct values: long buckets
        return FrTensor.from_ints(rng.integers(0, 3, size=n, dtype=np.int64))
    if kind == "zeros":
        return FrTensor.zeros(n)
    if kind == "top":  # r - 1, r - 2, ...: every window, carries into the top one
        return FrTensor.from_ints([R - 1 - i for i in range(n)])
    raise ValueError(kind)


def test_msm_rows_equals_row_by_row_cpu():
    G = generators(48, LABEL)
    s = _scalars("signed", 5 * 48, 1)
    rows = msm_rows(s, G)
    assert len(rows) == 5
    for r in range(5):
        assert rows[r] == msm(s[r * 48:(r + 1) * 48], G)


def test_msm_rows_errors_name_sizes():
    G = generators(8, LABEL)
    with pytest.raises(ValueError, match="10 scalars do not split into rows of 8"):
        msm_rows(FrTensor.zeros(10), G)
    with pytest.raises(TypeError):
        msm_rows([1, 2], G)


def test_msm_device_cpu_argument():
    G = generators(16, LABEL)
    s = _scalars("small", 16, 2)
    assert msm(s, G, device="cpu") == msm(s, G)
    with pytest.raises(ValueError):
        msm(s, G, device="tpu")


@pytest.mark.cuda
@pytest.mark.parametrize("kind", ["full", "small", "signed", "tiny", "zeros", "top"])
@pytest.mark.parametrize("n", [1, 2, 3, 31, 256, 1000, 4096])
def test_cuda_msm_equals_cpu(kind, n):
    G = generators(n, LABEL)
    s = _scalars(kind, n, n)
    assert msm(s.to("cuda"), G) == msm(s, G)
    assert msm(s, G, device="cuda") == msm(s, G)


@pytest.mark.cuda
def test_cuda_msm_identity_points_and_large():
    n = 1 << 16
    G = generators(n, LABEL)
    data = G.data.copy()
    data[::7] = 0  # identity points mixed in
    P = G1Tensor(data)
    for kind in ("full", "small", "tiny"):
        s = _scalars(kind, n, 7)
        assert msm(s, P, device="cuda") == msm(s, P)


@pytest.mark.cuda
@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 64), (64, 16), (257, 128), (2048, 1024)])
def test_cuda_msm_rows_equals_cpu(rows, cols):
    G = generators(cols, LABEL)
    s = _scalars("signed", rows * cols, rows)
    assert msm_rows(s, G, device="cuda") == msm_rows(s, G)


@pytest.mark.cuda
def test_cuda_msm_results_are_points_of_the_group():
    G = generators(64, LABEL)
    s = _scalars("full", 64, 3)
    p = msm(s, G, device="cuda")
    assert G1Point.from_bytes(p.to_bytes()) == p
