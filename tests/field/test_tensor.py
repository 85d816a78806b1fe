"""FrTensor against galois GF(r): every operation, edge values, odd lengths, misuse."""
import random

import galois
import numpy as np
import pytest

import zkproof
from zkproof import FrTensor, R
from zkproof import field

GF = galois.GF(R, primitive_element=7, verify=False)

# 4097 and 10001 cross the CPU executor's parallel threshold (4096) at odd lengths.
LENGTHS = [0, 1, 2, 3, 7, 8, 9, 31, 33, 4097, 10001]
EDGE = [0, 1, 2, R - 1, R - 2, 2**62, R - 2**62, 2**64 - 1, 2**128 + 5, (R + 1) // 2, (R - 1) // 2]


def values(n, seed):
    rng = random.Random(seed)
    vals = [rng.randrange(R) for _ in range(n)]
    for i, e in enumerate(EDGE[: n // 2]):
        vals[(i * 7919) % n] = e
    return vals


def gf(vals):
    return GF(np.array([v % R for v in vals], dtype=object))


def ints(g):
    return [int(x) for x in np.asarray(g).tolist()]


@pytest.mark.parametrize("n", LENGTHS)
def test_arithmetic_matches_galois(n):
    a, b = values(n, 1), values(n, 2)
    A, B = FrTensor.from_ints(a), FrTensor.from_ints(b)
    ga, gb = gf(a), gf(b)
    assert (A + B).to_ints() == ints(ga + gb)
    assert (A - B).to_ints() == ints(ga - gb)
    assert (A * B).to_ints() == ints(ga * gb)
    assert (-A).to_ints() == ints(-ga)
    assert A.square().to_ints() == ints(ga * ga)
    assert A.sum() == int(np.sum(ga)) if n else A.sum() == 0
    assert A.inner(B) == (int(np.sum(ga * gb)) if n else 0)


@pytest.mark.parametrize("n", [1, 3, 9, 4097])
def test_scalar_ops_match_galois(n):
    a = values(n, 3)
    A, ga = FrTensor.from_ints(a), gf(a)
    for s in [0, 1, R - 1, 2**200 + 3, -5]:
        gs = GF(s % R)
        assert (A + s).to_ints() == ints(ga + gs)
        assert (s + A).to_ints() == ints(ga + gs)
        assert (A * s).to_ints() == ints(ga * gs)
        assert (s * A).to_ints() == ints(ga * gs)
        assert (A - s).to_ints() == ints(ga - gs)
        assert (s - A).to_ints() == ints(gs - ga)


@pytest.mark.parametrize("n", [1, 5, 33, 4097])
def test_pow_and_inverse_match_galois(n):
    a = [v if v % R else 1 for v in values(n, 4)]
    A, ga = FrTensor.from_ints(a), gf(a)
    for e in [0, 1, 2, 3, 65537, R - 2, 2**255 + 11]:
        assert A.pow(e).to_ints() == ints(ga ** (e % (R - 1) if e >= 2**256 else e))
    assert A.inverse().to_ints() == ints(ga**-1)
    assert A.pow(-3).to_ints() == ints(ga**-3)
    assert (A * A.inverse()).to_ints() == [1] * n


def test_inverse_of_zero_names_index():
    A = FrTensor.from_ints([3, 5, 0, 7, 0])
    with pytest.raises(ZeroDivisionError, match="index 2"):
        A.inverse()
    big = FrTensor.from_ints([1] * 5000 + [0])
    with pytest.raises(ZeroDivisionError, match="index 5000"):
        big.inverse()


@pytest.mark.parametrize("n", LENGTHS)
def test_int_round_trips(n):
    a = values(n, 5)
    A = FrTensor.from_ints(a)
    assert len(A) == n
    assert A.to_ints() == [v % R for v in a]
    assert FrTensor.from_bytes(A.to_bytes()).to_ints() == A.to_ints()
    assert A.to_bytes() == b"".join(field.to_bytes(v) for v in a)


def test_from_ints_reduces_big_and_negative_python_ints():
    vals = [-1, -(2**62), 2**62, R, R + 1, 2**300, -(2**300)]
    assert FrTensor.from_ints(vals).to_ints() == [v % R for v in vals]


def test_numpy_signed_arrays_map_negatives():
    arr = np.array([0, 1, -1, 2**62, -(2**62), 2**63 - 1, -(2**63)], dtype=np.int64)
    A = FrTensor.from_ints(arr)
    assert A.to_ints() == [int(v) % R for v in arr]
    assert A.to_signed().tolist() == arr.tolist()
    for dt in (np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32):
        x = np.arange(-5, 6).astype(dt)
        assert FrTensor.from_ints(x).to_ints() == [int(v) % R for v in x]
    u = np.array([0, 2**64 - 1, 2**63], dtype=np.uint64)
    assert FrTensor.from_ints(u).to_ints() == [0, 2**64 - 1, 2**63]
    two_d = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert FrTensor.from_ints(two_d).to_ints() == list(range(6))


def test_torch_tensors_convert():
    torch = pytest.importorskip("torch")
    t = torch.tensor([3, -4, 2**40, -(2**40)], dtype=torch.int64)
    assert FrTensor.from_ints(t).to_signed().tolist() == t.tolist()
    assert FrTensor.from_ints(t.to(torch.int32) if False else torch.tensor([-1, 2], dtype=torch.int32)).to_ints() == [R - 1, 2]
    with pytest.raises(TypeError, match="integer"):
        FrTensor.from_ints(torch.tensor([1.5]))


def test_to_signed_refuses_values_out_of_range():
    with pytest.raises(ValueError, match="first at index 1"):
        FrTensor.from_ints([5, 2**63, -3]).to_signed()
    with pytest.raises(ValueError, match="index 0"):
        FrTensor.from_ints([-(2**63) - 1]).to_signed()
    assert FrTensor.from_ints([-(2**63), 2**63 - 1]).to_signed().tolist() == [-(2**63), 2**63 - 1]


def test_from_bytes_rejects_bad_input():
    with pytest.raises(ValueError, match="multiple of 32"):
        FrTensor.from_bytes(b"\x00" * 33)
    bad = field.to_bytes(5) + R.to_bytes(32, "little") + (2**256 - 1).to_bytes(32, "little")
    with pytest.raises(ValueError, match="2 non-canonical elements.*index 1"):
        FrTensor.from_bytes(bad)


def test_constructors_and_shape_ops():
    assert FrTensor.zeros(5).to_ints() == [0] * 5
    assert FrTensor.ones(3).to_ints() == [1] * 3
    assert FrTensor.full(2, -1).to_ints() == [R - 1] * 2
    assert FrTensor.arange(-3, 2).to_ints() == [v % R for v in range(-3, 2)]
    assert FrTensor.arange(4).to_ints() == [0, 1, 2, 3]
    assert len(FrTensor.arange(5, 2)) == 0
    a, b = FrTensor.from_ints([1, 2, 3]), FrTensor.from_ints([4])
    c = FrTensor.cat([a, b, FrTensor.empty(0)])
    assert c.to_ints() == [1, 2, 3, 4]
    assert c[1:3].to_ints() == [2, 3]
    assert c[-1] == 4 and c[0] == 1 and c[-4] == 1
    with pytest.raises(IndexError):
        c[4]
    with pytest.raises(ValueError, match="contiguous"):
        c[::2]
    assert c.pad(6, 9).to_ints() == [1, 2, 3, 4, 9, 9]
    assert a.pad_pow2(-1).to_ints() == [1, 2, 3, R - 1]
    assert FrTensor.empty(0).pad_pow2().to_ints() == [0]
    assert FrTensor.from_ints([7, 8]).pad_pow2().to_ints() == [7, 8]
    with pytest.raises(ValueError, match="pad"):
        c.pad(2)
    assert c.copy() == c and c.copy() is not c


def test_random_is_seeded_and_in_range():
    a, b, c = FrTensor.random(1000, seed=7), FrTensor.random(1000, seed=7), FrTensor.random(1000, seed=8)
    assert a == b and a != c
    vals = a.to_ints()
    assert all(0 <= v < R for v in vals) and len(set(vals)) == 1000
    assert max(vals) > R // 2  # covers the whole range, not only small values


@pytest.mark.parametrize("k", [0, 1, 2, 5, 13])
def test_eq_table_matches_product_formula(k):
    rng = random.Random(k)
    u = [rng.randrange(R) for _ in range(k)]
    got = FrTensor.eq(u).to_ints()
    gu = gf(u) if k else None
    for x in [0, 1, (1 << k) - 1, (1 << k) // 3] if k else [0]:
        want = GF(1)
        for j in range(k):
            want *= gu[j] if (x >> j) & 1 else GF(1) - gu[j]
        assert got[x] == int(want)
    assert got == field.eq_table(u) if k <= 10 else True
    assert sum(got) % R == 1


@pytest.mark.parametrize("n,k", [(1, 0), (1, 3), (3, 2), (8, 3), (9, 4), (4097, 13), (33, 7)])
def test_evaluate_matches_galois_mle(n, k):
    rng = random.Random(n * 31 + k)
    a = values(n, n + k)
    u = [rng.randrange(R) for _ in range(k)]
    ga = gf(a)
    acc = GF(0)
    for i in range(n):
        w = GF(1)
        for j in range(k):
            w *= GF(u[j]) if (i >> j) & 1 else GF(1) - GF(u[j])
        acc += ga[i] * w
    assert FrTensor.from_ints(a).evaluate(u) == int(acc)
    if n <= 64:
        assert field.mle_eval(a, u) == int(acc)


def test_evaluate_checks_point_length():
    with pytest.raises(ValueError, match="at least 2 variables"):
        FrTensor.from_ints([1, 2, 3]).evaluate([5])
    with pytest.raises(TypeError, match="ints"):
        FrTensor.from_ints([1, 2]).evaluate([0.5])
    assert FrTensor.empty(0).evaluate([]) == 0


@pytest.mark.parametrize("n", [2, 8, 4098, 16384])
def test_fold_binds_top_variable(n):
    a = values(n, 9)
    r = 123456789123456789
    got = FrTensor.from_ints(a).fold(r).to_ints()
    h = n // 2
    ga = gf(a)
    assert got == ints(ga[:h] + GF(r) * (ga[h:] - ga[:h]))
    if n & (n - 1):
        return
    # folding every variable from the top equals evaluation at the reversed challenges
    k = n.bit_length() - 1
    t = FrTensor.from_ints(a)
    rs = [r + i for i in range(k)]
    for x in rs:
        t = t.fold(x)
    assert t.to_ints() == [FrTensor.from_ints(a).evaluate(list(reversed(rs)))]


def test_fold_rejects_odd_length():
    with pytest.raises(ValueError, match="even"):
        FrTensor.from_ints([1, 2, 3]).fold(5)


@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 5), (4, 4), (7, 2), (64, 65)])
def test_partial_eval_both_axes(rows, cols):
    a = values(rows * cols, rows + cols)
    A = FrTensor.from_ints(a)
    rng = random.Random(rows)
    ur = [rng.randrange(R) for _ in range((rows - 1).bit_length())]
    uc = [rng.randrange(R) for _ in range((cols - 1).bit_length())]
    by_rows = A.partial_eval(ur, rows, cols, axis=0).to_ints()
    by_cols = A.partial_eval(uc, rows, cols, axis=1).to_ints()
    for j in [0, cols - 1]:
        col = [a[i * cols + j] for i in range(rows)]
        assert by_rows[j] == field.mle_eval(col, ur)
    for i in [0, rows - 1]:
        assert by_cols[i] == field.mle_eval(a[i * cols : (i + 1) * cols], uc)
    # the two orders of full evaluation agree with evaluating the flat tensor
    full = A.partial_eval(ur, rows, cols, 0).evaluate(uc) if cols > 1 or uc else None
    if full is not None and (rows & (rows - 1)) == 0 and (cols & (cols - 1)) == 0:
        assert full == A.evaluate(uc + ur)


def test_misuse_raises_clear_errors():
    a, b = FrTensor.from_ints([1, 2, 3]), FrTensor.from_ints([1, 2])
    with pytest.raises(ValueError, match="length mismatch: 3 and 2"):
        a + b
    with pytest.raises(ValueError, match="length mismatch"):
        a.inner(b)
    with pytest.raises(TypeError):
        a + 1.5
    with pytest.raises(TypeError, match=r"values\[1\]"):
        FrTensor.from_ints([1, "x"])
    with pytest.raises(TypeError, match="integer array"):
        FrTensor.from_ints(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="device"):
        FrTensor.from_ints([1], device="tpu")
    with pytest.raises(ValueError, match="shape 2x2"):
        a.partial_eval([1], 2, 2, 0)
    with pytest.raises(ValueError, match="axis"):
        FrTensor.from_ints([1, 2, 3, 4]).partial_eval([1], 2, 2, 2)
    with pytest.raises(ValueError, match="non-negative"):
        FrTensor.empty(-1)


def test_native_layer_names_bad_arguments():
    from zkproof import _native

    good = np.zeros((4, 4), dtype=np.uint64)
    with pytest.raises(TypeError, match="argument 'a'.*dtype"):
        _native.fr_add(good.copy(), good.astype(np.int64), good)
    with pytest.raises(ValueError, match="argument 'b'.*expected 4 elements, got 3"):
        _native.fr_add(good.copy(), good, good[:3].copy())
    with pytest.raises(ValueError, match="argument 'out'.*read-only"):
        ro = good.copy()
        ro.flags.writeable = False
        _native.fr_add(ro, good, good)
    with pytest.raises(ValueError, match="argument 'a'.*shape"):
        _native.fr_neg(good.copy(), np.zeros((4, 3), dtype=np.uint64))
    with pytest.raises(ValueError, match="argument 'a'.*contiguous"):
        _native.fr_neg(good[::2].copy(), np.zeros((8, 4), dtype=np.uint64)[::2])


def test_cuda_device_without_gpu_is_a_clear_error():
    if zkproof.cuda_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="CUDA|CuPy"):
        FrTensor.from_ints([1, 2], device="cuda")


# ---------------------------------------------------------------- CUDA == CPU
@pytest.mark.cuda
@pytest.mark.parametrize("n", LENGTHS)
def test_cuda_ops_equal_cpu(n):
    a, b = FrTensor.random(n, seed=1), FrTensor.random(n, seed=2)
    ga, gb = a.to("cuda"), b.to("cuda")
    for op in (lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: -x,
               lambda x, y: x.square(), lambda x, y: x * 12345 + 7, lambda x, y: 5 - x,
               lambda x, y: x.pow(65537)):
        assert op(ga, gb).to("cpu") == op(a, b)
    assert ga.sum() == a.sum() and ga.inner(gb) == a.inner(b)
    if n:
        assert ga.inverse().to("cpu") == a.inverse()
    x = np.arange(-n, n, dtype=np.int64)
    assert FrTensor.from_ints(x, device="cuda").to("cpu") == FrTensor.from_ints(x)
    assert FrTensor.from_ints(x, device="cuda").to_signed().tolist() == x.tolist()
    assert FrTensor.from_bytes(a.to_bytes(), device="cuda").to("cpu") == a


@pytest.mark.cuda
@pytest.mark.parametrize("k", [0, 1, 4, 13])
def test_cuda_multilinear_equal_cpu(k):
    n = 1 << k
    a = FrTensor.random(n, seed=k)
    u = FrTensor.random(k, seed=k + 100).to_ints()
    assert FrTensor.eq(u, "cuda").to("cpu") == FrTensor.eq(u)
    assert a.to("cuda").evaluate(u) == a.evaluate(u)
    if n >= 2:
        assert a.to("cuda").fold(99).to("cpu") == a.fold(99)
        rows = n // 2 if n > 2 else 1
        cols = n // rows
        for axis, pt in ((0, u[: (rows - 1).bit_length()]), (1, u[: (cols - 1).bit_length()])):
            assert a.to("cuda").partial_eval(pt, rows, cols, axis).to("cpu") == a.partial_eval(pt, rows, cols, axis)
    z = FrTensor.from_ints([1, 2, 0, 4]).to("cuda")
    with pytest.raises(ZeroDivisionError, match="index 2"):
        z.inverse()


def test_eq_table_scaled_and_grouped_passes():
    """eq tables (4 variables per native pass) equal eq_eval at every size around the
    group boundaries, and scale multiplies every entry."""
    import random

    from zkproof.field.scalar import R, eq_eval

    rnd = random.Random(5)
    for n in (0, 1, 3, 4, 5, 8, 9, 11):
        u = [rnd.randrange(R) for _ in range(n)]
        s = rnd.randrange(R)
        t = FrTensor.eq(u).to_ints()
        ts = FrTensor.eq(u, scale=s).to_ints()
        for x in range(1 << n):
            want = eq_eval(u, [(x >> i) & 1 for i in range(n)])
            assert t[x] == want
            assert ts[x] == want * s % R


def test_from_int64_random_values_match_python():
    """The native int64 -> Fr conversion (one Montgomery step) on random 64-bit values."""
    rng = np.random.default_rng(5)
    a = np.concatenate([rng.integers(-(2**63), 2**63 - 1, size=20000, dtype=np.int64, endpoint=True),
                        rng.integers(-(2**20), 2**20, size=1000, dtype=np.int64)])
    assert FrTensor.from_ints(a).to_ints() == [int(v) % R for v in a]
