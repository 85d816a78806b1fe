"""zkproof.commit.multiopen: claims at many points on many tensors, one IPA."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import _native
from zkproof.commit import hyrax, multiopen as mo
from zkproof.errors import VerificationError
from zkproof.field.scalar import R
from zkproof.field.tensor import FrTensor
from zkproof.nn import layout as L
from zkproof.transcript import Transcript


def _t():
    return Transcript("test/multiopen")


def _rand_point(rng, n):
    return [int(x) for x in rng.integers(0, 2**62, size=n)]


def _value(a, u):
    """The claim semantics: the padded layout's extension, zero-padded to 2^len(u)."""
    return L.to_padded(np.asarray(a)).pad(1 << len(u)).evaluate(list(u))


def _commit(a, gen_dim):
    a = np.asarray(a)
    return hyrax.commit(FrTensor.from_ints(a.reshape(-1)), gen_dim, shape=a.shape)


def _row_value(a, rows, weights, u):
    return sum(w * _value(a[i], u) for i, w in zip(rows, weights)) % R


# ---------------------------------------------------------------- native fold and helpers
@pytest.mark.parametrize("rows,cols", [(1, 1), (3, 5), (17, 9), (8, 64), (33, 7), (300, 300)])
def test_fold_rows_i64_matches_field_partial_eval(rows, cols):
    rng = np.random.default_rng(rows * 100 + cols)
    A = rng.integers(-2**62, 2**62, size=rows * cols)
    A[::3] = 0
    e = FrTensor.random(rows, seed=rows)
    e.data[rows // 2] = 0  # a skipped row
    start = FrTensor.random(cols, seed=cols)  # the fold accumulates into its output
    got = start.copy()
    _native.fr_fold_rows_i64(got.data, A, rows, cols, e.data)
    ref = FrTensor.empty(cols)
    _native.fr_partial_eval(ref.data, FrTensor.from_ints(A).data, rows, cols, e.data, 0)
    assert got == ref + start


def test_fold_rows_i64_extremes():
    A = np.array([2**63 - 1, -2**63 + 1, -1, 1] * 4, dtype=np.int64)
    e = FrTensor.from_ints([R - 1, R - 2, 1, 12345])
    got = FrTensor.zeros(4)
    _native.fr_fold_rows_i64(got.data, A, 4, 4, e.data)
    ref = FrTensor.empty(4)
    _native.fr_partial_eval(ref.data, FrTensor.from_ints(A).data, 4, 4, e.data, 0)
    assert got == ref


def test_fold_rows_i64_checks_sizes():
    with pytest.raises(ValueError, match="'e'"):
        _native.fr_fold_rows_i64(FrTensor.empty(2).data, np.zeros(4, dtype=np.int64), 2, 2, FrTensor.empty(3).data)


SHAPES = [((37,), 8), ((64,), 8), ((5, 6), 4), ((5, 6), 16), ((3, 5, 7), 8), ((7, 3), 64), ((6, 20), 8),
          ((1,), 4), ((9, 12), 32)]


@pytest.mark.parametrize("shape,g", SHAPES)
def test_padded_rows_and_col_eval(shape, g):
    rng = np.random.default_rng(len(shape) * 7 + g)
    a = rng.integers(-50, 50, size=shape)
    lay = hyrax.layout_of(shape, g)
    full = mo.padded_int_rows(a, lay)
    ref = L.to_padded(a).pad(max(g, 1 << lay.nvars))
    assert FrTensor.from_ints(full.reshape(-1)) == ref
    some = np.array([0, len(full) - 1])
    assert (mo.padded_int_rows(a, lay, some) == full[some]).all()
    u = _rand_point(rng, lay.col_vars)
    r = _rand_point(rng, lay.col_vars)
    for part, _ in lay.part_keys():
        want = mo.col_vector(lay, part, u).inner(FrTensor.eq(r))
        assert mo.col_eval(lay, part, u, r) == want


# ---------------------------------------------------------------------------- honest
def _setup(seed=0):
    rng = np.random.default_rng(seed)
    tensors = {
        "a": rng.integers(-1000, 1000, size=(37,)),
        "b": rng.integers(-1000, 1000, size=(5, 6)),
        "c": rng.integers(0, 1000, size=(3, 5, 7)),
        "E": rng.integers(-300, 300, size=(11, 6)),     # rows of 8 padded entries, gen_dim 16
        "F": rng.integers(-300, 300, size=(5, 20)),     # rows of 32 padded entries, gen_dim 8
    }
    gens = {"a": 8, "b": 4, "c": 16, "E": 16, "F": 8}
    coms = {n: _commit(a, gens[n]) for n, a in tensors.items()}
    claims = []
    for n, a in tensors.items():
        nv = hyrax.layout_of(a.shape, gens[n]).nvars
        for _ in range(2):
            u = _rand_point(rng, nv)
            claims.append(mo.PointClaim(n, tuple(u), _value(a, u)))
    u = _rand_point(rng, 7)  # shared by two tensors, longer than a's 6 variables
    claims += [mo.PointClaim("a", tuple(u), _value(tensors["a"], u))]
    for n, rows in (("E", [3, 10, 3, 0]), ("F", [4, 1])):
        a = tensors[n]
        lp = (a.shape[1] - 1).bit_length()
        u = _rand_point(rng, lp)
        w = _rand_point(rng, len(rows))
        claims.append(mo.RowsClaim(n, tuple(rows), tuple(w), tuple(u), _row_value(a, rows, w, u)))
    return tensors, coms, claims


def test_honest_multiopen_verifies():
    tensors, coms, claims = _setup()
    proof = mo.prove(_t(), claims, tensors, coms, check=True)
    data = proof.to_bytes()
    assert len(data) == mo.proof_size(claims, coms)
    mo.verify(_t(), claims, coms, data)


def test_single_claim_single_entry():
    a = np.arange(-8, 8).reshape(4, 4)
    com = _commit(a, 16)
    u = [3, 5, 7, 11]
    cl = [mo.PointClaim("x", tuple(u), _value(a, u))]
    mo.verify(_t(), cl, {"x": com}, mo.prove(_t(), cl, {"x": a}, {"x": com}).to_bytes())


# ---------------------------------------------------------------------------- attacks
def test_wrong_value_on_any_claim_is_rejected():
    tensors, coms, claims = _setup(1)
    for j in range(len(claims)):
        bad = list(claims)
        bad[j] = type(bad[j])(**{**bad[j].__dict__, "value": (bad[j].value + 1) % R})
        with pytest.raises(ValueError):
            mo.prove(_t(), bad, tensors, coms, check=True)
        proof = mo.prove(_t(), bad, tensors, coms).to_bytes()
        with pytest.raises(VerificationError):
            mo.verify(_t(), bad, coms, proof)


def test_claim_at_another_point_is_rejected():
    """A proof made for claims at the transcript's points does not verify claims (with
    their true values) at other points: the statement binds the points."""
    tensors, coms, claims = _setup(2)
    proof = mo.prove(_t(), claims, tensors, coms).to_bytes()
    c0 = claims[0]
    u = list(c0.point)
    u[0] = (u[0] + 1) % R
    moved = [mo.PointClaim(c0.name, tuple(u), _value(tensors[c0.name], u))] + claims[1:]
    with pytest.raises(VerificationError):
        mo.verify(_t(), moved, coms, proof)


def test_swapped_commitments_are_rejected():
    rng = np.random.default_rng(3)
    x, y = rng.integers(-9, 9, size=(2, 40))
    coms = {"x": _commit(x, 8), "y": _commit(y, 8)}
    u, v = _rand_point(rng, 6), _rand_point(rng, 6)
    claims = [mo.PointClaim("x", tuple(u), _value(x, u)), mo.PointClaim("y", tuple(v), _value(y, v))]
    swapped = {"x": coms["y"], "y": coms["x"]}
    proof = mo.prove(_t(), claims, {"x": y, "y": x}, swapped).to_bytes()  # the prover's own view
    with pytest.raises(VerificationError):
        mo.verify(_t(), claims, coms, proof)


def test_rows_claim_on_other_rows_is_rejected():
    tensors, coms, claims = _setup(4)
    E = tensors["E"]
    u = list(claims[-2].point)
    w = list(claims[-2].weights)
    # the value of rows [3, 9, 3, 0] claimed for rows [3, 10, 3, 0]
    lie = mo.RowsClaim("E", (3, 10, 3, 0), tuple(w), tuple(u), _row_value(E, [3, 9, 3, 0], w, u))
    bad = claims[:-2] + [lie, claims[-1]]
    proof = mo.prove(_t(), bad, tensors, coms).to_bytes()
    with pytest.raises(VerificationError):
        mo.verify(_t(), bad, coms, proof)


def test_junk_in_padding_does_not_move_a_value(monkeypatch):
    """A committer puts junk in the slots past a tensor (the tail of its last row) and
    claims the extension of the junk-filled layout: rejected (those slots weigh zero)."""
    a = np.arange(1, 38)  # 37 entries, rows of 8: the last row has 5 and 3 slots of padding
    junk = np.concatenate([a, [7, 7, 7]])
    com = hyrax.Commitment(37, 8, hyrax.commit(FrTensor.from_ints(junk), 8).rows, shape=(37,))
    u = [5, 6, 7, 8, 9, 10]
    lie = [mo.PointClaim("a", tuple(u), FrTensor.from_ints(junk).pad(64).evaluate(u))]
    real = mo.padded_int_rows

    def junk_rows(arr, lay, rows=None):
        out = real(arr, lay, rows)
        out.reshape(-1)[37:40] = 7
        return out

    monkeypatch.setattr(mo, "padded_int_rows", junk_rows)
    proof = mo.prove(_t(), lie, {"a": a}, {"a": com}).to_bytes()
    with pytest.raises(VerificationError):
        mo.verify(_t(), lie, {"a": com}, proof)


def test_tampered_truncated_extended_proofs_are_rejected():
    tensors, coms, claims = _setup(5)
    data = mo.prove(_t(), claims, tensors, coms).to_bytes()
    for bad in (data[:-1], data + b"\0", data[:40] + bytes([data[40] ^ 1]) + data[41:]):
        with pytest.raises(VerificationError):
            mo.verify(_t(), claims, coms, bad)


def test_hiding_commitments_are_refused():
    c, _ = hyrax.commit_hiding(FrTensor.from_ints([1, 2, 3, 4]), 4)
    with pytest.raises(ValueError, match="hiding"):
        mo.verify(_t(), [mo.PointClaim("h", (1, 2), 0)], {"h": c}, b"")


def test_rows_claim_without_rows_states_zero():
    E = np.arange(12).reshape(4, 3)
    coms = {"E": _commit(E, 8)}
    for v, ok in ((0, True), (5, False)):
        cl = [mo.RowsClaim("E", (), (), (3, 4), v)]
        proof = mo.prove(_t(), cl, {"E": E}, coms).to_bytes()
        if ok:
            mo.verify(_t(), cl, coms, proof)
        else:
            with pytest.raises(VerificationError):
                mo.verify(_t(), cl, coms, proof)


def test_one_scalar_tensor_row_of_one():
    """gen_dim 1: a column sumcheck of no variables and an IPA over one generator."""
    a = np.array([-7])
    coms = {"s": _commit(a, 1)}
    cl = [mo.PointClaim("s", (), -7 % R), mo.PointClaim("s", (5,), (-7 * (1 - 5)) % R)]
    mo.verify(_t(), cl, coms, mo.prove(_t(), cl, {"s": a}, coms, check=True).to_bytes())
    with pytest.raises(VerificationError):
        bad = [mo.PointClaim("s", (), 7)]
        mo.verify(_t(), bad, coms, mo.prove(_t(), bad, {"s": a}, coms).to_bytes())


def test_claim_on_a_tensor_without_commitment_is_refused():
    with pytest.raises(ValueError, match="no commitment"):
        mo.verify(_t(), [mo.PointClaim("nope", (1,), 0)], {}, b"")


@pytest.mark.cuda
def test_fold_rows_i64_gpu_matches_cpu():
    import cupy as cp
    rng = np.random.default_rng(7)
    for rows, cols in ((1, 1), (33, 7), (300, 4096)):
        A = rng.integers(-2**62, 2**62, size=rows * cols)
        e = FrTensor.random(rows, seed=rows)
        e.data[0] = 0
        start = FrTensor.random(cols, seed=cols)
        oc, og = start.copy(), start.to("cuda")
        _native.fr_fold_rows_i64(oc.data, A, rows, cols, e.data)
        _native.fr_fold_rows_i64(og.data, cp.asarray(A), rows, cols, e.to("cuda").data)
        assert og == oc


_FUZZ = {}


def _fuzz_case():
    if not _FUZZ:
        tensors, coms, claims = _setup(6)
        _FUZZ["case"] = (coms, claims, mo.prove(_t(), claims, tensors, coms).to_bytes())
    return _FUZZ["case"]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_fuzzed_proof_bytes_only_raise_verification_errors(data):
    """Any mutation, truncation or extension of an honest proof is rejected with a
    VerificationError (never another exception, never accepted)."""
    coms, claims, proof = _fuzz_case()
    b = bytearray(proof)
    kind = data.draw(st.sampled_from(["flip", "cut", "grow"]))
    if kind == "flip":
        i = data.draw(st.integers(0, len(b) - 1))
        b[i] ^= data.draw(st.integers(1, 255))
    elif kind == "cut":
        b = b[:data.draw(st.integers(0, len(b) - 1))]
    else:
        b += data.draw(st.binary(min_size=1, max_size=64))
    with pytest.raises(VerificationError):
        mo.verify(_t(), claims, coms, bytes(b))
