"""Inner product, batched Hadamard and batched matmul: completeness at odd and edge sizes,
claims checked against the tensors, soundness tests named after attacks, bytes."""
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import ClaimMismatch, FrTensor, MalformedProof, SumcheckError, Transcript, VerificationError
from zkproof.sumcheck import core as sc
from zkproof.sumcheck import hadamard, inner_product, matmul
from zkproof.claims import check_claims
from zkproof.field.scalar import R


def rpoint(n, seed=0):
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def roundtrip(mod, st, proof):
    """Verify through the bytes (the standalone path) and return the claims."""
    return mod.verify_bytes(st.to_bytes(), proof.to_bytes())


# ------------------------------------------------------------------ inner product
@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 9, 33])
def test_inner_product_complete(n):
    a, b = FrTensor.random(n, seed=n), FrTensor.random(n, seed=n + 100)
    st_, proof, claims = inner_product.prove(inner_product.new_transcript(), a, b)
    assert st_.c == a.inner(b)
    assert roundtrip(inner_product, st_, proof) == claims
    check_claims(claims, {"a": a, "b": b})  # zero padding: evaluate on the unpadded vectors


def test_inner_product_wrong_c_rejected():
    a, b = FrTensor.random(9, seed=1), FrTensor.random(9, seed=2)
    c = (a.inner(b) + 1) % R
    st_, proof, _ = inner_product.prove(inner_product.new_transcript(), a, b, c)
    with pytest.raises(SumcheckError):
        roundtrip(inner_product, st_, proof)


# ------------------------------------------------------------------ hadamard
HADAMARD_SHAPES = [(1, 1), (1, 2), (1, 3), (2, 1), (1, 7), (1, 9), (3, 5), (4, 8), (5, 17), (2, 2)]


@pytest.mark.parametrize("num,dim", HADAMARD_SHAPES)
def test_hadamard_complete(num, dim):
    a, b = FrTensor.random(num * dim, seed=dim), FrTensor.random(num * dim, seed=dim + 7)
    u = rpoint(hadamard.num_vars(num, dim), seed=num)
    st_, proof, claims = hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u)
    assert st_.y == hadamard.padded(a * b, num, dim).evaluate(u)
    assert roundtrip(hadamard, st_, proof) == claims
    check_claims(claims, {"a": hadamard.padded(a, num, dim), "b": hadamard.padded(b, num, dim)})


def test_hadamard_batch_equals_separate_layout():
    # the padded batch layout puts instance s at s * next_pow2(dim)
    num, dim = 3, 5
    a = FrTensor.from_ints(list(range(1, num * dim + 1)))
    p = hadamard.padded(a, num, dim).to_ints()
    assert p[8:13] == list(range(6, 11)) and p[13:16] == [0, 0, 0] and p[24:] == [0] * 8


@pytest.fixture(scope="module")
def had():
    num, dim = 3, 6
    a, b = FrTensor.random(num * dim, seed=1), FrTensor.random(num * dim, seed=2)
    u = rpoint(hadamard.num_vars(num, dim), seed=3)
    st_, proof, claims = hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u)
    return dict(a=a, b=b, st=st_, proof=proof, claims=claims, num=num, dim=dim, u=u)


def test_hadamard_wrong_claimed_value_rejected(had):
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), replace(had["st"], y=(had["st"].y + 1) % R), had["proof"])


def test_hadamard_wrong_product_rejected(had):
    # prove c(u) for a c that is not a o b: the prover cannot make it verify
    y = (had["st"].y + 12345) % R
    st_, proof, _ = hadamard.prove(hadamard.new_transcript(), had["a"], had["b"], had["num"], had["dim"], had["u"], y)
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), st_, proof)


def test_hadamard_tampered_round_rejected(had):
    rounds = [list(r) for r in had["proof"].sumcheck.rounds]
    rounds[2][3] = (rounds[2][3] + 1) % R
    bad = replace(had["proof"], sumcheck=sc.SumcheckProof(tuple(map(tuple, rounds))))
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), had["st"], bad)


def test_hadamard_swapped_rounds_rejected(had):
    r = list(had["proof"].sumcheck.rounds)
    r[0], r[1] = r[1], r[0]
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), had["st"], replace(had["proof"], sumcheck=sc.SumcheckProof(tuple(r))))


def test_hadamard_wrong_input_evaluation_rejected(had):
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), had["st"], replace(had["proof"], a_eval=(had["proof"].a_eval + 1) % R))


def test_hadamard_replay_under_another_statement_rejected(had):
    # same proof, another claim point (a different statement): rejected
    u2 = list(had["u"])
    u2[0] = (u2[0] + 1) % R
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), replace(had["st"], u=tuple(u2)), had["proof"])
    # same proof under another protocol's transcript domain
    with pytest.raises(SumcheckError):
        hadamard.verify(Transcript("another/v1"), had["st"], had["proof"])


def test_hadamard_replay_under_another_shape_rejected(had):
    st2 = replace(had["st"], num=4)  # 4 x 6 pads to the same 4 x 8 layout
    assert st2.num_vars == had["st"].num_vars
    with pytest.raises(SumcheckError):
        hadamard.verify(hadamard.new_transcript(), st2, had["proof"])


def test_hadamard_claims_detect_wrong_tensor(had):
    wrong = had["a"] + 1
    with pytest.raises(ClaimMismatch):
        check_claims(had["claims"], {"a": hadamard.padded(wrong, had["num"], had["dim"]),
                                     "b": hadamard.padded(had["b"], had["num"], had["dim"])})


def test_hadamard_truncated_and_extended_bytes_rejected(had):
    sb, pb = had["st"].to_bytes(), had["proof"].to_bytes()
    for s, p in ((sb, pb[:-1]), (sb, pb + b"\x00"), (sb[:-1], pb), (sb + b"\x00", pb), (sb, pb[:-32])):
        with pytest.raises(MalformedProof):
            hadamard.verify_bytes(s, p)


def test_hadamard_bad_arguments():
    a = FrTensor.random(6, seed=1)
    with pytest.raises(ValueError, match="u"):
        hadamard.prove(hadamard.new_transcript(), a, a, 2, 3, [1, 2])
    with pytest.raises(ValueError, match="b"):
        hadamard.prove(hadamard.new_transcript(), a, FrTensor.random(5, seed=1), 2, 3, [1, 2, 3])


# ------------------------------------------------------------------ matmul
MATMUL_SHAPES = [(1, 1, 1, 1), (1, 2, 1, 2), (1, 3, 5, 2), (1, 1, 9, 1), (3, 2, 3, 4),
                 (2, 4, 4, 4), (5, 1, 7, 3), (2, 9, 17, 3)]


def int_mats(num, m, k, n, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-(2**20), 2**20, size=(num, m, k))
    B = rng.integers(-(2**20), 2**20, size=(num, k, n))
    return A, B, A @ B


@pytest.mark.parametrize("num,m,k,n", MATMUL_SHAPES)
def test_matmul_complete(num, m, k, n):
    A, B, C = int_mats(num, m, k, n, seed=m * 100 + k)
    At, Bt, Ct = (FrTensor.from_ints(x.reshape(-1)) for x in (A, B, C))
    u = rpoint(matmul.Statement(num, m, k, n, (), 0).c_vars, seed=k)
    y = matmul.claim_on_c(Ct, num, m, n, u)
    st_, proof, claims = matmul.prove(matmul.new_transcript(), At, Bt, num, m, k, n, u, y)
    assert roundtrip(matmul, st_, proof) == claims
    check_claims(claims, {"A": matmul.padded_a(At, num, m, k), "B": matmul.padded_b(Bt, num, k, n)})


@pytest.fixture(scope="module")
def mm():
    num, m, k, n = 3, 3, 5, 2
    A, B, C = int_mats(num, m, k, n, seed=5)
    At, Bt, Ct = (FrTensor.from_ints(x.reshape(-1)) for x in (A, B, C))
    u = rpoint(matmul.Statement(num, m, k, n, (), 0).c_vars, seed=9)
    y = matmul.claim_on_c(Ct, num, m, n, u)
    st_, proof, claims = matmul.prove(matmul.new_transcript(), At, Bt, num, m, k, n, u, y)
    return dict(A=At, B=Bt, C=Ct, st=st_, proof=proof, claims=claims, dims=(num, m, k, n), u=u, y=y)


def test_matmul_wrong_product_rejected(mm):
    num, m, k, n = mm["dims"]
    C_bad = mm["C"] + FrTensor.from_ints([1] + [0] * (len(mm["C"]) - 1))
    y_bad = matmul.claim_on_c(C_bad, num, m, n, mm["u"])
    st_, proof, _ = matmul.prove(matmul.new_transcript(), mm["A"], mm["B"], num, m, k, n, mm["u"], y_bad)
    with pytest.raises(SumcheckError):
        matmul.verify(matmul.new_transcript(), st_, proof)


def test_matmul_tampered_round_rejected(mm):
    rounds = [list(r) for r in mm["proof"].sumcheck.rounds]
    rounds[-1][0] = (rounds[-1][0] + 1) % R
    bad = replace(mm["proof"], sumcheck=sc.SumcheckProof(tuple(map(tuple, rounds))))
    with pytest.raises(SumcheckError):
        matmul.verify(matmul.new_transcript(), mm["st"], bad)


def test_matmul_wrong_input_evaluation_rejected(mm):
    with pytest.raises(SumcheckError):
        matmul.verify(matmul.new_transcript(), mm["st"], replace(mm["proof"], b_eval=(mm["proof"].b_eval + 1) % R))


def test_matmul_replay_under_another_statement_rejected(mm):
    with pytest.raises(SumcheckError):
        matmul.verify(matmul.new_transcript(), replace(mm["st"], m=4), mm["proof"])  # same padded shape
    with pytest.raises(SumcheckError):
        matmul.verify(matmul.new_transcript(), replace(mm["st"], y=(mm["y"] + 1) % R), mm["proof"])


def test_matmul_truncated_and_extended_bytes_rejected(mm):
    sb, pb = mm["st"].to_bytes(), mm["proof"].to_bytes()
    for s, p in ((sb, pb[:-1]), (sb, pb + b"\x01"), (sb[:-8], pb), (sb + b"\x00", pb)):
        with pytest.raises(MalformedProof):
            matmul.verify_bytes(s, p)


def test_matmul_claims_detect_wrong_matrix(mm):
    num, m, k, n = mm["dims"]
    with pytest.raises(ClaimMismatch):
        check_claims(mm["claims"], {"A": matmul.padded_a(mm["A"] + 1, num, m, k),
                                    "B": matmul.padded_b(mm["B"], num, k, n)})


# ------------------------------------------------------------------ fuzzing
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_fuzz_statement_and_proof_decoders(data):
    for mod in (inner_product, hadamard, matmul):
        for s, p in ((data, b""), (data[:40], data[40:]), (data[:56], data[56:])):
            try:
                mod.verify_bytes(s, p)
            except VerificationError:
                pass


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pos=st.integers(0, 10**6), val=st.integers(0, 255))
def test_fuzz_byte_flips_rejected(had, pos, val):
    pb = bytearray(had["proof"].to_bytes())
    i = pos % len(pb)
    if pb[i] == val:
        val ^= 1
    pb[i] = val
    with pytest.raises(VerificationError):
        hadamard.verify_bytes(had["st"].to_bytes(), bytes(pb))


@pytest.mark.cuda
def test_cuda_protocols_match_cpu():
    num, dim = 3, 6
    a, b = FrTensor.random(num * dim, seed=1), FrTensor.random(num * dim, seed=2)
    u = rpoint(hadamard.num_vars(num, dim))
    r_cpu = hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u)
    r_gpu = hadamard.prove(hadamard.new_transcript(), a.to("cuda"), b.to("cuda"), num, dim, u)
    assert r_cpu == r_gpu
    A, B, C = int_mats(2, 3, 5, 2, seed=1)
    At, Bt, Ct = (FrTensor.from_ints(x.reshape(-1)) for x in (A, B, C))
    u = rpoint(matmul.Statement(2, 3, 5, 2, (), 0).c_vars)
    y = matmul.claim_on_c(Ct, 2, 3, 2, u)
    m_cpu = matmul.prove(matmul.new_transcript(), At, Bt, 2, 3, 5, 2, u, y)
    m_gpu = matmul.prove(matmul.new_transcript(), At.to("cuda"), Bt.to("cuda"), 2, 3, 5, 2, u, y)
    assert m_cpu == m_gpu


def test_self_describing_encode_decode(had, mm):
    for mod, fx in ((hadamard, had), (matmul, mm)):
        data = mod.encode(fx["st"], fx["proof"])
        st2, p2 = mod.decode(data)
        assert st2 == fx["st"] and p2 == fx["proof"]
        assert mod.encode(st2, p2) == data  # canonical
        with pytest.raises(MalformedProof):
            mod.decode(data + b"\x00")
        with pytest.raises(MalformedProof):
            mod.decode(data[:-1])
    from zkproof.errors import StatementMismatch
    with pytest.raises(StatementMismatch):
        matmul.decode(hadamard.encode(had["st"], had["proof"]))
