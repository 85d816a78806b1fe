"""The sumcheck core: completeness against brute force, fast vs general kernel path,
soundness tests named after attacks, and fuzzing of the decoder and verifier."""
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, MalformedProof, SumcheckError, Transcript, VerificationError, _native
from zkproof.sumcheck import core as sc
from zkproof.field.scalar import R, eq_table
from zkproof.wire import Reader, Writer


def brute_sum(tables, terms, u):
    vals = [t.to_ints() for t in tables]
    N = len(vals[0])
    n = N.bit_length() - 1
    e = len(u)
    E = eq_table(u) if e else [1]
    total = 0
    for x in range(N):
        p = 0
        for c, f in terms:
            q = c
            for k in f:
                q = q * vals[k][x] % R
            p += q
        total += E[x >> (n - e)] * p
    return total % R


def run(tables, terms, u=(), domain="test"):
    claim = brute_sum(tables, terms, list(u))
    proof, point, finals = sc.prove(Transcript(domain), tables, terms, claim, u)
    n = len(tables[0]).bit_length() - 1
    deg = sc.degree_of(sc.normalize_terms(terms, len(tables)), len(u))
    return claim, proof, point, finals, n, deg


LOGUP_TERMS = [(1, (0, 3)), (1, (1, 2)), (1234567, (2, 3))]  # p0 q1 + p1 q0 + lambda q0 q1


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("terms", [[(1, (0, 1))], [(1, (0,))], [(1, (0, 1, 2))], LOGUP_TERMS,
                                   [(5, (0, 0, 1)), (R - 1, (2,))]])
def test_completeness(n, terms):
    rng = random.Random(n)
    tables = [FrTensor.random(1 << n, seed=10 * n + k) for k in range(4)]
    for e in sorted({0, n // 2, n}):
        u = [rng.randrange(R) for _ in range(e)]
        claim, proof, point, finals, nv, deg = run(tables, terms, u)
        assert len(point) == n
        # the returned point is in the FrTensor.evaluate convention
        assert finals == [t.evaluate(point) for t in tables]
        pt, expected = sc.verify(Transcript("test"), nv, deg, claim, proof)
        assert pt == point
        sc.check_final(expected, sc.normalize_terms(terms, 4), finals, point, u)
        # round-trip through bytes
        data = proof.to_bytes()
        assert len(data) == sc.SumcheckProof.size(nv, deg)
        assert sc.SumcheckProof.from_bytes(data, nv, deg) == proof


def test_variable_order_binds_top_first():
    t = FrTensor.random(8, seed=1)
    proof, point, finals = sc.prove(Transcript("o"), [t], [(1, (0,))], t.sum())
    # the round-0 challenge binds the top variable: fold(t, r0) must evaluate at point[:-1]
    assert t.fold(point[2]).evaluate(point[:2]) == finals[0]


def test_degree_eight_with_eq():
    n = 3
    tables = [FrTensor.random(1 << n, seed=k) for k in range(8)]
    terms = [(3, tuple(range(8)))]
    u = [7, 8, 9]
    claim, proof, point, finals, nv, deg = run(tables, terms, u)
    assert deg == 9
    pt, expected = sc.verify(Transcript("test"), nv, deg, claim, proof)
    sc.check_final(expected, terms, finals, pt, u)


def test_fast_and_general_kernel_paths_agree():
    # (0, 1) uses the fixed-size product kernel; (1, 0) the general one: same sums
    a, b = FrTensor.random(64, seed=1), FrTensor.random(64, seed=2)
    w = FrTensor.random(16, seed=3)
    for fold in (False, True):
        outs = []
        for term in ([0, 1], [1, 0]):
            da, db = FrTensor.empty(32), FrTensor.empty(32)
            m = 32 if fold else 64
            dst = [da.data, db.data] if fold else [a.data, b.data]
            outs.append(_native.sc_round(dst, [a.data, b.data], m, fold, 99, [term], [1], w.data, 1, 3, False))
            if fold:
                assert da == a.fold(99) and db == b.fold(99)
        assert outs[0] == outs[1]


def test_kernel_rejects_bad_arguments():
    a = FrTensor.random(8, seed=1)
    with pytest.raises(ValueError, match="src"):
        _native.sc_round([a.data], [a.data], 16, False, 0, [[0]], [1], None, 0, 2, False)
    with pytest.raises(ValueError, match="terms"):
        _native.sc_round([a.data], [a.data], 8, False, 0, [[3]], [1], None, 0, 2, False)
    with pytest.raises(ValueError, match="npts"):
        _native.sc_round([a.data], [a.data], 8, False, 0, [[0]], [1], None, 0, 11, False)
    with pytest.raises(ValueError, match="weight"):
        w = FrTensor.random(2, seed=1)
        _native.sc_round([a.data], [a.data], 8, False, 0, [[0]], [1], w.data, 0, 2, False)


def test_prove_rejects_bad_tables():
    with pytest.raises(ValueError, match="power of two"):
        sc.prove(Transcript("x"), [FrTensor.random(6, seed=1)], [(1, (0,))], 0)
    with pytest.raises(ValueError, match="tables\\[1\\]"):
        sc.prove(Transcript("x"), [FrTensor.random(8, seed=1), FrTensor.random(4, seed=1)], [(1, (0, 1))], 0)
    with pytest.raises(ValueError, match="table index"):
        sc.prove(Transcript("x"), [FrTensor.random(8, seed=1)], [(1, (0, 1))], 0)
    with pytest.raises(ValueError, match="eq_point"):
        sc.prove(Transcript("x"), [FrTensor.random(2, seed=1)], [(1, (0,))], 0, [1, 2])


# ------------------------------------------------------------------ soundness
@pytest.fixture(scope="module")
def honest():
    tables = [FrTensor.random(32, seed=k) for k in range(2)]
    terms = [(1, (0, 1))]
    u = [3, 1, 4, 1, 5]
    claim, proof, point, finals, n, deg = run(tables, terms, u)
    return dict(tables=tables, terms=terms, u=u, claim=claim, proof=proof, finals=finals, n=n, deg=deg)


def verify_all(h, proof=None, claim=None, finals=None, domain="test", n=None, deg=None):
    pt, expected = sc.verify(Transcript(domain), h["n"] if n is None else n, h["deg"] if deg is None else deg,
                             h["claim"] if claim is None else claim, proof or h["proof"])
    sc.check_final(expected, h["terms"], h["finals"] if finals is None else finals, pt, h["u"])


def test_honest_accepts(honest):
    verify_all(honest)


def test_tampered_round_polynomial_rejected(honest):
    rounds = [list(r) for r in honest["proof"].rounds]
    for j in range(len(rounds)):
        for t in range(len(rounds[j])):
            bad = [list(r) for r in rounds]
            bad[j][t] = (bad[j][t] + 1) % R
            with pytest.raises(SumcheckError):
                verify_all(honest, proof=sc.SumcheckProof(tuple(map(tuple, bad))))


def test_tampered_consistent_round_rejected(honest):
    # keep s(0) + s(1) right but change the polynomial: caught by a later round or the final check
    bad = [list(r) for r in honest["proof"].rounds]
    bad[1][0] = (bad[1][0] + 5) % R
    bad[1][1] = (bad[1][1] - 5) % R
    with pytest.raises(SumcheckError):
        verify_all(honest, proof=sc.SumcheckProof(tuple(map(tuple, bad))))


def test_swapped_rounds_rejected(honest):
    r = list(honest["proof"].rounds)
    r[1], r[2] = r[2], r[1]
    with pytest.raises(SumcheckError):
        verify_all(honest, proof=sc.SumcheckProof(tuple(r)))


def test_wrong_claimed_sum_rejected(honest):
    with pytest.raises(SumcheckError):
        verify_all(honest, claim=(honest["claim"] + 1) % R)


def test_wrong_claimed_sum_honestly_proved_rejected(honest):
    # a prover that runs the protocol on a false claim cannot pass
    claim = (honest["claim"] + 1) % R
    proof, point, finals = sc.prove(Transcript("test"), honest["tables"], honest["terms"], claim, honest["u"])
    with pytest.raises(SumcheckError):
        verify_all(honest, proof=proof, claim=claim, finals=finals)


def test_wrong_final_evaluation_rejected(honest):
    finals = list(honest["finals"])
    finals[0] = (finals[0] + 1) % R
    with pytest.raises(SumcheckError):
        verify_all(honest, finals=finals)


def test_replay_under_another_statement_rejected(honest):
    with pytest.raises(SumcheckError):
        verify_all(honest, domain="another statement")


def test_statement_degree_mismatch_rejected(honest):
    with pytest.raises(MalformedProof):
        verify_all(honest, deg=honest["deg"] + 1)
    with pytest.raises(MalformedProof):
        verify_all(honest, n=honest["n"] - 1)


def test_truncated_and_extended_bytes_rejected(honest):
    data = honest["proof"].to_bytes()
    with pytest.raises(MalformedProof):
        sc.SumcheckProof.from_bytes(data[:-1], honest["n"], honest["deg"])
    with pytest.raises(MalformedProof):
        sc.SumcheckProof.from_bytes(data + b"\0", honest["n"], honest["deg"])
    with pytest.raises(MalformedProof):
        sc.SumcheckProof.from_bytes(b"\xff" * 32 + data[32:], honest["n"], honest["deg"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), n=st.integers(0, 4), deg=st.integers(1, 4))
def test_fuzz_decoder_and_verifier(data, n, deg):
    try:
        proof = sc.SumcheckProof.from_bytes(data, n, deg)
        pt, expected = sc.verify(Transcript("fuzz"), n, deg, 0, proof)
        sc.check_final(expected, [(1, (0,))], [0], pt)
    except VerificationError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(j=st.integers(0, 4), t=st.integers(0, 2), delta=st.integers(1, R - 1))
def test_fuzz_any_single_change_rejected(honest, j, t, delta):
    bad = [list(r) for r in honest["proof"].rounds]
    bad[j][t] = (bad[j][t] + delta) % R
    with pytest.raises(VerificationError):
        verify_all(honest, proof=sc.SumcheckProof(tuple(map(tuple, bad))))


def test_mul_counter_counts():
    sc.MulCounter.reset()
    t = FrTensor.random(16, seed=1)
    sc.prove(Transcript("c"), [t, t], [(1, (0, 1))], t.inner(t))
    assert sc.MulCounter.count > 16


@pytest.mark.cuda
def test_cuda_matches_cpu():
    tables = [FrTensor.random(1 << 7, seed=k) for k in range(4)]
    u = [5, 6, 7, 8]
    for terms in ([(1, (0, 1))], LOGUP_TERMS):
        claim = brute_sum(tables, terms, u)
        p_cpu = sc.prove(Transcript("g"), tables, terms, claim, u)
        p_gpu = sc.prove(Transcript("g"), [t.to("cuda") for t in tables], terms, claim, u)
        assert p_cpu == p_gpu


@pytest.mark.parametrize("e", [1, 2, 5, 6, 7, 10])
def test_eq_levels_match_reference(e):
    u = [random.Random(e).randrange(R) for _ in range(e)]
    o = FrTensor.empty(1 << e)
    _native.sc_eq_levels(o.data, u)  # all levels
    v = o.to_ints()
    for k in range(e):
        assert v[1 << k: 1 << (k + 1)] == eq_table(u[:k])
    top = FrTensor.empty(1 << e)
    _native.sc_eq_levels(top.data, u, True)  # only the top level
    assert top.to_ints()[1 << (e - 1):] == eq_table(u[: e - 1])


def test_workspace_reuse_gives_identical_proofs():
    tables = [FrTensor.random(64, seed=k) for k in range(4)]
    claim = brute_sum(tables, LOGUP_TERMS[:2], [1, 2, 3])
    first = sc.prove(Transcript("w"), tables, LOGUP_TERMS[:2], claim, [1, 2, 3])
    sc.prove(Transcript("w"), [FrTensor.random(256, seed=9)], [(1, (0,))], 0)  # dirties the pool
    assert sc.prove(Transcript("w"), tables, LOGUP_TERMS[:2], claim, [1, 2, 3]) == first
    sc.release_workspace()
    assert sc.prove(Transcript("w"), tables, LOGUP_TERMS[:2], claim, [1, 2, 3]) == first
