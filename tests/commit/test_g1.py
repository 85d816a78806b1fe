"""G1 points, encodings, MSM and generators against py-arkworks-bls12381 (independent)."""
import hashlib
import random

import numpy as np
import pytest

from zkproof import FrTensor, G1Point, G1Tensor, R, generators, msm
from zkproof.commit.g1 import P, generator_tag

ark = pytest.importorskip("py_arkworks_bls12381")

G = G1Point.generator()
AG = ark.G1Point()


def to_ark(p: G1Point):
    return ark.G1Point.from_compressed_bytes(p.to_bytes())


def ark_bytes(a) -> bytes:
    return bytes(a.to_compressed_bytes())


def ark_mul(a, k: int):
    return a * ark.Scalar(k % R)


def rand_points(n, seed):
    rng = random.Random(seed)
    return [G * rng.randrange(1, R) for _ in range(n)]


# --------------------------------------------------------------------------- arithmetic


def test_generator_matches_arkworks():
    assert G.to_bytes() == ark_bytes(AG)
    assert not G.is_identity()


def test_identity_encoding():
    z = G1Point.identity()
    assert z.is_identity()
    assert z.to_bytes() == bytes([0xC0]) + bytes(47)
    assert z.to_bytes() == ark_bytes(ark.G1Point.identity())
    assert G1Point.from_bytes(z.to_bytes()) == z


@pytest.mark.parametrize("k", [0, 1, 2, 3, 7, 2**64 - 1, 2**128 + 12345, R - 1, R, R + 5, 2**300 + 1, -1, -12345])
def test_scalar_mul_matches_arkworks(k):
    assert (G * k).to_bytes() == ark_bytes(ark_mul(AG, k))
    assert (k * G) == G * k


def test_add_sub_neg_double_match_arkworks():
    rng = random.Random(1)
    for _ in range(10):
        a, b = rng.randrange(R), rng.randrange(R)
        A, B = G * a, G * b
        aA, aB = ark_mul(AG, a), ark_mul(AG, b)
        assert (A + B).to_bytes() == ark_bytes(aA + aB)
        assert (A - B).to_bytes() == ark_bytes(aA - aB)
        assert (-A).to_bytes() == ark_bytes(-aA)
        assert (A + A).to_bytes() == ark_bytes(aA + aA)  # doubling inside addition
        assert (A + A) == A * 2
        assert (A - A).is_identity()
        assert (A + (-A)).is_identity()
        assert A + G1Point.identity() == A and G1Point.identity() + A == A
        assert (A - G1Point.identity()) == A
    z = G1Point.identity()
    assert (-z).is_identity() and (z + z).is_identity() and (z * 5).is_identity()


def test_point_equality_and_hash():
    a, b = G * 5, G * 2 + G * 3
    assert a == b and hash(a) == hash(b)
    assert a != G * 6
    assert len({a, b, G}) == 2


def test_group_order():
    assert (G * R).is_identity()
    assert G * (R + 1) == G


# ----------------------------------------------------------------------------- encoding


def test_encode_decode_round_trip():
    pts = rand_points(20, 2) + [G1Point.identity(), G, -G]
    for p in pts:
        b = p.to_bytes()
        assert len(b) == 48
        assert G1Point.from_bytes(b) == p
        assert ark_bytes(ark.G1Point.from_compressed_bytes(b)) == b
    T = G1Tensor.from_points(pts)
    enc = T.to_bytes()
    assert enc == b"".join(p.to_bytes() for p in pts)
    T2 = G1Tensor.from_bytes(enc)
    assert T2 == T and len(T2) == len(pts)
    assert [T2[i] for i in range(len(pts))] == pts


def _x_bytes(x: int, flags: int) -> bytes:
    b = bytearray(x.to_bytes(48, "big"))
    b[0] |= flags
    return bytes(b)


def _on_curve_not_in_subgroup() -> bytes:
    for x in range(1, 100):
        rhs = (x**3 + 4) % P
        y = pow(rhs, (P + 1) // 4, P)
        if y * y % P == rhs:
            enc = _x_bytes(x, 0x80)
            try:
                ark.G1Point.from_compressed_bytes(enc)
            except Exception:
                return enc  # arkworks rejects it too: on the curve, not in G1
    raise AssertionError("no candidate found")


def _not_on_curve() -> bytes:
    for x in range(1, 100):
        rhs = (x**3 + 4) % P
        if pow(rhs, (P - 1) // 2, P) == P - 1:
            return _x_bytes(x, 0x80)
    raise AssertionError("no candidate found")


@pytest.mark.parametrize("case", ["short", "long", "empty", "uncompressed_flag", "infinity_with_sort",
                                  "infinity_with_x", "x_equals_p", "x_above_p", "not_on_curve",
                                  "not_in_subgroup"])
def test_invalid_encodings_rejected(case):
    good = (G * 12345).to_bytes()
    bad = {
        "short": good[:47],
        "long": good + b"\x00",
        "empty": b"",
        "uncompressed_flag": bytes([good[0] & 0x7F]) + good[1:],
        "infinity_with_sort": bytes([0xE0]) + bytes(47),
        "infinity_with_x": bytes([0xC0]) + bytes(46) + b"\x01",
        "x_equals_p": _x_bytes(P, 0x80),
        "x_above_p": _x_bytes(P + 1, 0x80),
        "not_on_curve": _not_on_curve(),
        "not_in_subgroup": _on_curve_not_in_subgroup(),
    }[case]
    with pytest.raises(ValueError) as e:
        G1Point.from_bytes(bad)
    msg = str(e.value)
    expect = {"short": "48", "long": "48", "empty": "48", "uncompressed_flag": "flag",
              "infinity_with_sort": "flag", "infinity_with_x": "flag", "x_equals_p": ">= p",
              "x_above_p": ">= p", "not_on_curve": "curve", "not_in_subgroup": "subgroup"}[case]
    assert expect in msg
    if len(bad) == 48:
        with pytest.raises(ValueError, match="index 2"):
            G1Tensor.from_bytes(good + good + bad + good)


def test_subgroup_check_agrees_with_order_r():
    # Points on the curve (cofactor not cleared): our decoder accepts exactly those
    # with [r] P = O, as does arkworks.
    accepted = 0
    for x in range(1, 60):
        rhs = (x**3 + 4) % P
        y = pow(rhs, (P + 1) // 4, P)
        if y * y % P != rhs:
            continue
        enc = _x_bytes(x, 0x80)
        try:
            ark.G1Point.from_compressed_bytes(enc)
            ark_ok = True
        except Exception:
            ark_ok = False
        try:
            G1Point.from_bytes(enc)
            ours = True
        except ValueError:
            ours = False
        assert ours == ark_ok
        accepted += ours
    # cleared points are accepted
    for p in generators(3, "subgroup"):
        assert G1Point.from_bytes(p.to_bytes()) == p
        assert (p * R).is_identity()


def test_from_bytes_type_errors():
    with pytest.raises(TypeError):
        G1Point.from_bytes("00" * 48)
    with pytest.raises(ValueError, match="multiple of 48"):
        G1Tensor.from_bytes(bytes(49))


# ---------------------------------------------------------------------------- tensors


def test_tensor_indexing_slicing_cat():
    pts = rand_points(7, 3)
    T = G1Tensor.from_points(pts)
    assert len(T) == 7
    assert T[0] == pts[0] and T[-1] == pts[-1]
    assert list(T[2:5]) == pts[2:5]
    assert list(T[::2]) == pts[::2]
    assert list(G1Tensor.cat([T[:3], T[3:]])) == pts
    assert len(G1Tensor.cat([])) == 0
    assert len(G1Tensor.from_points([])) == 0
    assert G1Tensor.from_bytes(b"").to_bytes() == b""
    with pytest.raises(IndexError):
        T[7]
    with pytest.raises(TypeError):
        G1Tensor.from_points([pts[0], 5])


# -------------------------------------------------------------------------------- MSM


def ark_msm(pts, scalars):
    if not pts:
        return ark.G1Point.identity()
    return ark.G1Point.multiexp_unchecked([to_ark(p) for p in pts], [ark.Scalar(s % R) for s in scalars])


def _scalars(n, kind, rng):
    if kind == "full":
        return [rng.randrange(R) for _ in range(n)]
    if kind == "small":
        return [rng.randrange(1 << 16) for _ in range(n)]
    if kind == "edge":
        return [rng.choice([0, 1, 2, R - 1, R - 2, (R - 1) // 2, 1 << 254, rng.randrange(R)]) for _ in range(n)]
    raise ValueError(kind)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 31, 257])
@pytest.mark.parametrize("kind", ["full", "small", "edge"])
def test_msm_matches_arkworks(n, kind):
    rng = random.Random(n * 10 + len(kind))
    base = rand_points(max(1, n // 3), n)
    # duplicates and negations of the same point land in one bucket: P+P and P-P there
    pts = [rng.choice(base) if rng.random() < 0.5 else -rng.choice(base) for _ in range(n)]
    sc = _scalars(n, kind, rng)
    T = G1Tensor.from_points(pts)
    want = ark_bytes(ark_msm(pts, sc))
    assert msm(sc, T).to_bytes() == want
    assert msm(FrTensor.from_ints(sc), T).to_bytes() == want


def test_msm_bucket_collisions():
    # Same point with equal and opposite digits: buckets see P + P and P + (-P).
    p = G * 99
    for sc in ([5, 5], [5, R - 5], [3, 3, R - 3, 7], [1] * 40 + [R - 1] * 40):
        pts = [p] * len(sc)
        got = msm(sc, G1Tensor.from_points(pts))
        assert got == p * (sum(sc) % R)
    pts = [p, -p, p, -p]
    assert msm([7, 7, 7, 7], G1Tensor.from_points(pts)).is_identity()


def test_msm_with_identity_points_and_zero_scalars():
    pts = [G1Point.identity(), G * 3, G1Point.identity()]
    assert msm([5, 2, 9], G1Tensor.from_points(pts)) == G * 6
    assert msm([0, 0, 0], G1Tensor.from_points(pts)).is_identity()


def test_msm_large_odd_size():
    rng = random.Random(5)
    n = 2049
    T = generators(n, "msm-large")
    for kind in ("full", "small"):
        sc = _scalars(n, kind, rng)
        want = ark.G1Point.multiexp_unchecked(
            [ark.G1Point.from_compressed_bytes(b) for b in _split(T.to_bytes())],
            [ark.Scalar(s) for s in sc])
        assert msm(sc, T).to_bytes() == ark_bytes(want)


def _split(b):
    return [b[i : i + 48] for i in range(0, len(b), 48)]


def test_msm_errors():
    T = G1Tensor.from_points([G, G])
    with pytest.raises(ValueError, match="2 scalars but 3 points|3 points"):
        msm([1, 2], G1Tensor.from_points([G, G, G]))
    with pytest.raises(ValueError):
        msm(FrTensor.from_ints([1, 2, 3]), T)
    with pytest.raises(TypeError):
        msm([1, 2], [G, G])
    with pytest.raises(TypeError):
        msm([1, 2.0], T)


# ------------------------------------------------------------------------- generators


def _reference_generator(label: bytes, i: int) -> bytes:
    """Pure-Python spec of generator i (the module docstring), as an encoding."""
    tag = hashlib.sha256(b"zkproof/g1-generators/v1" + len(label).to_bytes(8, "little") + label).digest()
    assert tag == generator_tag(label)
    ctr = 0
    while True:
        m = tag + i.to_bytes(8, "little") + ctr.to_bytes(4, "little")
        h = hashlib.sha256(m + b"\x00").digest() + hashlib.sha256(m + b"\x01").digest()
        x = int.from_bytes(h, "big") % P
        rhs = (x**3 + 4) % P
        y = pow(rhs, (P + 1) // 4, P)
        if y * y % P == rhs:
            y = min(y, P - y)
            enc = bytearray(x.to_bytes(48, "big"))
            enc[0] |= 0x80 | (0x20 if y > (P - 1) // 2 else 0)
            a = ark.G1Point.from_compressed_bytes_unchecked(bytes(enc)) * ark.Scalar(0xD201000000010001)
            if ark_bytes(a) != ark_bytes(ark.G1Point.identity()):
                return ark_bytes(a)
        ctr += 1


def test_native_sha256():
    from zkproof import _native

    for msg in (b"", b"abc", bytes(range(55)), bytes(range(56)), bytes(range(64)), b"x" * 1000):
        assert _native.g1_sha256(msg) == hashlib.sha256(msg).digest()


def test_generators_follow_spec():
    gens = generators(6, b"spec-label")
    for i in range(6):
        assert gens[i].to_bytes() == _reference_generator(b"spec-label", i)


def test_generators_deterministic_distinct_prefix_stable():
    a = generators(64, "lbl")
    b = generators(16, "lbl")
    c = generators(80, "lbl")
    assert a[:16] == b and c[:64] == a
    assert generators(64, b"lbl") == a  # str label = its UTF-8 bytes
    enc = _split(a.to_bytes())
    assert len(set(enc)) == 64
    assert G.to_bytes() not in enc
    other = _split(generators(64, "lbl2").to_bytes())
    assert not set(enc) & set(other)
    for p in a[:4]:
        assert not p.is_identity() and (p * R).is_identity()
    # the returned tensor is a copy: mutating it does not corrupt the cache
    a.data[0, :] = 0
    assert generators(1, "lbl")[0] == b[0]
    assert len(generators(0, "lbl")) == 0
    with pytest.raises(ValueError):
        generators(-1, "lbl")
    with pytest.raises(TypeError):
        generators(4, 123)


# ------------------------------------------------- reference vs optimised native paths


@pytest.mark.parametrize("n", [1, 5, 1023, 1025, 3001])
def test_msm_methods_agree(n):
    """The XYZZ-bucket reference and the batch-affine buckets give identical results,
    including repeated points and their negations (P+P, P-P inside one bucket)."""
    from zkproof import _native

    rng = random.Random(n)
    base = generators(max(1, n // 7), "methods")
    T = G1Tensor.cat([base] * 7 + [G1Tensor.from_points([-base[0]] * (n % 7 + 1))])[:n]
    for kind in ("full", "small", "edge"):
        S = FrTensor.from_ints(_scalars(n, kind, rng))
        r1 = _native.g1_msm(S.data, T.data, 1)
        r2 = _native.g1_msm(S.data, T.data, 2)
        assert r1 == r2 == msm(S, T)._raw
    with pytest.raises(ValueError, match="method"):
        _native.g1_msm(S.data, T.data, 3)


def test_portable_multiply_matches_assembly():
    """With the x86-64 BMI2/ADX multiply switched off, the portable CIOS code gives the
    same points (checked against arkworks)."""
    from zkproof import _native

    was = _native.fp_asm()
    try:
        _native.fp_asm(False)
        assert _native.fp_asm() is False
        k = R - 12345
        assert (G * k).to_bytes() == ark_bytes(ark_mul(AG, k))
        pts = rand_points(40, 9)
        sc = _scalars(40, "full", random.Random(9))
        assert msm(sc, G1Tensor.from_points(pts)).to_bytes() == ark_bytes(ark_msm(pts, sc))
        gens = generators(3, "portable-check-unused")
        assert gens[2].to_bytes() == _reference_generator(b"portable-check-unused", 2)
    finally:
        _native.fp_asm(was)


# ------------------------------------------------------------------- decoder fuzzing

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


_INFINITY = bytes([0xC0]) + bytes(47)


def _accepted_by_arkworks(b: bytes) -> bool:
    """arkworks' verdict, made strict on the point at infinity: arkworks ignores the other
    bits when the infinity flag is set (0xE0.., 0xC0..01 decode to the identity), while we
    accept only the canonical 0xC0 00..00 so that every point has exactly one encoding."""
    if len(b) == 48 and b[0] & 0xC0 == 0xC0 and b != _INFINITY:
        return False
    try:
        ark.G1Point.from_compressed_bytes(b)
        return True
    except BaseException:  # the binding raises non-ValueError exceptions too
        return False


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=100))
def test_fuzz_decoder_never_crashes(b):
    """Arbitrary bytes: ValueError, or a point that re-encodes to the same bytes."""
    try:
        p = G1Point.from_bytes(b)
    except ValueError:
        assert len(b) != 48 or not _accepted_by_arkworks(b)
        return
    assert p.to_bytes() == b
    assert _accepted_by_arkworks(b)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**381 - 1), st.sampled_from([0x80, 0xA0, 0x00, 0x20, 0xC0, 0xE0]))
def test_fuzz_decoder_x_and_flags(x, flags):
    """Structured inputs (any x below 2^381 with each flag pattern) reach the curve and
    subgroup checks; our verdict equals arkworks'."""
    b = bytearray(x.to_bytes(48, "big"))
    b[0] |= flags
    b = bytes(b)
    try:
        p = G1Point.from_bytes(b)
        ok = True
    except ValueError:
        ok = False
    assert ok == _accepted_by_arkworks(b)
    if ok:
        assert p.to_bytes() == b


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=R - 1), st.booleans())
def test_fuzz_valid_points_round_trip(k, neg):
    p = G * k
    p = -p if neg else p
    b = p.to_bytes()
    assert G1Point.from_bytes(b) == p
    assert b == ark_bytes(ark_mul(AG, -k if neg else k))


# ------------------------------------------------------------------ integer-scalar MSM rows
@pytest.mark.parametrize("bits", [0, 1, 7, 16, 33, 62, 63])
def test_msm_rows_u64_matches_the_field_msm(bits):
    """The integer front end gives the same points as the field MSM, row by row (zero
    rows, one-bit rows, scalars up to 2^63)."""
    from zkproof.commit.g1 import msm_rows, msm_rows_u64
    rng = np.random.default_rng(bits)
    pts = generators(37, "test/u64")
    hi = (1 << bits) if bits < 63 else (1 << 63) - 1
    a = rng.integers(0, max(hi, 1), size=(5, 37), dtype=np.int64, endpoint=True) if bits else np.zeros((5, 37), np.int64)
    a[1] = 0
    got = msm_rows_u64(a.reshape(-1), pts)
    want = msm_rows(FrTensor.from_ints([int(x) for x in a.reshape(-1)]), pts)
    assert got.to_bytes() == want.to_bytes()


def test_msm_rows_u64_refuses_bad_scalars():
    from zkproof.commit.g1 import msm_rows_u64
    pts = generators(4, "test/u64")
    with pytest.raises(ValueError, match="negative"):
        msm_rows_u64(np.array([1, -2, 3, 4]), pts)
    with pytest.raises(ValueError, match="rows of 4"):
        msm_rows_u64(np.arange(6), pts)
    with pytest.raises(TypeError, match="integers"):
        msm_rows_u64(np.ones(4), pts)
