"""The native Fr arithmetic (csrc/fr.cuh, including the x86-64 assembly paths) against
Python integers mod r.

Tensors store x in Montgomery form, x * 2^256 mod r. These tests mostly work on that raw
form directly: they build tensors from chosen raw limbs and check the raw limbs of the
result, so a wrong multiply cannot hide behind from_mont (which itself multiplies). With
raw inputs A, B (values a = A / 2^256, b = B / 2^256), the raw results must be
    mul: A B / 2^256    sqr: A^2 / 2^256    add: A + B    sub: A - B    neg: -A
    inverse: 2^512 / A    pow(e): (A / 2^256)^e * 2^256        (all mod r, fully reduced)
Edge values are chosen for the raw form: limbs at 0 and 2^64 - 1, values next to r and
2^256 / r boundaries, and values whose products drive every carry of the reduction.
"""
import random

import numpy as np
import pytest

import zkproof
from zkproof import FrTensor, R, _native

MONT = 2**256 % R
MONT_INV = pow(2**256, -1, R)
M64 = 2**64 - 1
P3 = R >> 192

RAW_EDGES = sorted(
    {
        0, 1, 2, 3, R - 1, R - 2, R - 3, (R - 1) // 2, (R + 1) // 2,
        M64, 2**64, 2**64 + 1, 2**128, 2**128 - 1, 2**192, 2**192 - 1,
        (2**255 - 19) % R, 2**254, 2**254 - 1, MONT, 2**512 % R, (R - MONT) % R,
        R - 2**64, R - 2**128, R - 2**192, R - 2**128 + 1,
        M64 | M64 << 64 | M64 << 128 | (P3 - 1) << 192,  # all low limbs set, top just below r's
        P3 << 192, (P3 << 192) - 1, R - (R & M64),  # r with its low limb cleared
        (R & M64) - 1, R & ~M64 & (2**256 - 1) | 1,
        0xFFFFFFFF00000000, 0x00000000FFFFFFFF << 64,  # r's low limb is 2^64 - 2^32 + 1
        0x5555555555555555 * (1 + 2**64 + 2**128) + (0x5555555555555555 << 192) % (P3 << 192),
    }
)
assert all(0 <= x < R for x in RAW_EDGES)


def raw_tensor(raw):
    """A tensor whose Montgomery-form limbs are exactly `raw` (ints < r)."""
    data = np.array([[(x >> (64 * i)) & M64 for i in range(4)] for x in raw], dtype=np.uint64)
    return FrTensor(data.reshape(-1, 4))


def raw_of(t):
    d = np.asarray(t.data)
    return [int(a) | int(b) << 64 | int(c) << 128 | int(e) << 192 for a, b, c, e in d.tolist()]


def random_raw(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append(rng.randrange(R))
        elif kind == 1:  # close to r: the final conditional subtraction is decided late
            out.append(R - 1 - rng.randrange(2**128))
        elif kind == 2:  # sparse limbs: zeros and all-ones
            limbs = [rng.choice([0, M64, rng.getrandbits(64)]) for _ in range(3)]
            top = rng.choice([0, P3 - 1, rng.randrange(P3)])
            out.append(limbs[0] | limbs[1] << 64 | limbs[2] << 128 | top << 192)
        else:
            out.append(rng.randrange(2**rng.randrange(1, 255)) % R)
    return out


def edge_pairs():
    a = [x for x in RAW_EDGES for _ in RAW_EDGES]
    b = [y for _ in RAW_EDGES for y in RAW_EDGES]
    return a, b


def pairs(seed, n=6000):
    ea, eb = edge_pairs()
    ra, rb = random_raw(n, seed), random_raw(n, seed + 1)
    return ea + ra, eb + rb


def binary(name, a, b):
    A, B = raw_tensor(a), raw_tensor(b)
    out = FrTensor.empty(len(A))
    getattr(_native, name)(out.data, A.data, B.data)
    return raw_of(out)


def unary(name, a):
    A = raw_tensor(a)
    out = FrTensor.empty(len(A))
    getattr(_native, name)(out.data, A.data)
    return raw_of(out)


def test_mul_matches_python():
    a, b = pairs(1)
    assert binary("fr_mul", a, b) == [x * y * MONT_INV % R for x, y in zip(a, b)]


def test_mul_is_commutative_in_both_operand_slots():
    # the x86 multiply reads its operands through different constraints; both orders agree
    a, b = pairs(2)
    assert binary("fr_mul", a, b) == binary("fr_mul", b, a)


def test_sqr_matches_python():
    a = RAW_EDGES + random_raw(6000, 3)
    assert unary("fr_sqr", a) == [x * x * MONT_INV % R for x in a]


def test_sqr_equals_mul_by_self():
    a = RAW_EDGES + random_raw(2000, 4)
    assert unary("fr_sqr", a) == binary("fr_mul", a, a)


def test_add_sub_neg_match_python():
    a, b = pairs(5)
    assert binary("fr_add", a, b) == [(x + y) % R for x, y in zip(a, b)]
    assert binary("fr_sub", a, b) == [(x - y) % R for x, y in zip(a, b)]
    assert unary("fr_neg", a) == [(-x) % R for x in a]


def test_results_are_canonical_limbs():
    # every raw result must be < r: the single conditional subtraction must suffice
    a, b = pairs(6, 2000)
    for name in ("fr_mul", "fr_add", "fr_sub"):
        assert all(v < R for v in binary(name, a, b)), name
    assert all(v < R for v in unary("fr_sqr", a))


def test_inverse_matches_python():
    a = [x for x in RAW_EDGES + random_raw(3000, 7) if x]
    got = raw_of(raw_tensor(a).inverse())
    assert got == [pow(x, -1, R) * MONT * MONT % R for x in a]


@pytest.mark.parametrize(
    "e",
    [0, 1, 2, 3, 5, 2**64 - 1, 2**64, 2**128 + 1, R - 2, R - 1, R, 2**255 - 19, 2**256 - 1],
)
def test_pow_matches_python(e):
    a = RAW_EDGES + random_raw(64, 8)
    got = raw_of(raw_tensor(a).pow(e))
    assert got == [pow(x * MONT_INV % R, e, R) * MONT % R for x in a]


def test_montgomery_conversion_round_trip():
    vals = [x for x in RAW_EDGES] + random_raw(3000, 9)
    t = FrTensor.from_ints(vals)
    assert raw_of(t) == [v * MONT % R for v in vals]
    assert t.to_ints() == vals


def test_from_int64_edges():
    xs = np.array([0, 1, -1, 2**63 - 1, -(2**63), -(2**62), 12345, -12345], dtype=np.int64)
    t = FrTensor.from_ints(xs)
    assert raw_of(t) == [int(x) % R * MONT % R for x in xs.tolist()]


def test_field_laws_on_random_elements():
    # distributivity and inverse identities exercise mul/add/sub together at scale
    n = 1 << 14
    a, b, c = FrTensor.random(n, 11), FrTensor.random(n, 12), FrTensor.random(n, 13)
    assert a * (b + c) == a * b + a * c
    assert (a - b) * c == a * c - b * c
    assert a * a.inverse() == FrTensor.ones(n)
    assert a.square() == a * a


@pytest.mark.cuda
def test_gpu_matches_cpu_on_edges():
    a, b = pairs(14, 2000)
    A, B = raw_tensor(a), raw_tensor(b)
    Ag, Bg = A.to("cuda"), B.to("cuda")
    for name in ("fr_mul", "fr_add", "fr_sub"):
        oc, og = FrTensor.empty(len(A)), FrTensor.empty(len(A), "cuda")
        getattr(_native, name)(oc.data, A.data, B.data)
        getattr(_native, name)(og.data, Ag.data, Bg.data)
        assert og == oc, name
    for name in ("fr_sqr", "fr_neg"):
        oc, og = FrTensor.empty(len(A)), FrTensor.empty(len(A), "cuda")
        getattr(_native, name)(oc.data, A.data)
        getattr(_native, name)(og.data, Ag.data)
        assert og == oc, name
    assert Ag.pow(R - 2) == A.pow(R - 2)
    nz = FrTensor.random(4097, 15)
    assert nz.to("cuda").inverse() == nz.inverse()
