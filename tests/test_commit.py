"""Hyrax commitments and batched openings (zkproof.commit, zkproof.ipa)."""
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, R, Transcript
from zkproof import commit as H
from zkproof.errors import MalformedProof, OpeningError, VerificationError
from zkproof.field import mle_eval
from zkproof.g1 import G1Point, G1Tensor, generators
from zkproof.ipa import IPAProof

DOMAIN = "test/hyrax"


def rand_point(n, seed):
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def small_tensor(n, seed):
    rng = random.Random(seed)
    return FrTensor.from_ints([rng.randrange(-1000, 1000) for _ in range(n)])


def opened(D=12, g=4, extra=0, seed=1):
    t = small_tensor(D, seed)
    c = H.commit(t, g)
    u = rand_point(max(0, (D - 1).bit_length()) + extra, seed)
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c, u)
    return t, c, u, v, proof


def rejects(c, u, v, proof, exc=VerificationError, domain=DOMAIN):
    with pytest.raises(exc):
        H.verify_opening(Transcript(domain), c, u, v, proof)


# ------------------------------------------------------------------ completeness
@pytest.mark.parametrize(
    "D,g,extra",
    [(12, 4, 0), (1, 1, 0), (1, 4, 0), (1, 1, 2), (3, 16, 0), (5, 2, 1), (2, 2, 0), (64, 8, 0), (100, 16, 2), (7, 1, 0), (0, 4, 1)],
)
def test_open_completeness(D, g, extra):
    t, c, u, v, proof = opened(D, g, extra, seed=D * 31 + g)
    assert c.num_rows == max(1, -(-D // g))
    assert v == mle_eval(t.to_ints(), u)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof.to_bytes())
    assert len(proof.to_bytes()) == IPAProof.size((g - 1).bit_length())


def test_point_with_extra_top_variables_scales_value():
    """A point longer than the layout: the padded top variables contribute prod(1 - u_j)."""
    t = small_tensor(6, 3)
    c = H.commit(t, 2)
    u = rand_point(6, 4)  # the layout needs 3
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c, u)
    assert v == t.evaluate(u)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof)
    u1 = u[:5] + [1]  # the tensor is zero on that half: value 0
    v1, proof1 = H.prove_opening(Transcript(DOMAIN), t, c, u1)
    assert v1 == 0
    H.verify_opening(Transcript(DOMAIN), c, u1, 0, proof1)


def test_batched_completeness_mixed_lengths():
    g = 8
    ts = [small_tensor(n, i) for i, n in enumerate([40, 33, 8, 1, 64])]
    cs = [H.commit(t, g) for t in ts]
    u = rand_point(6, 9)
    vals, proof = H.open_batch(Transcript(DOMAIN), ts, cs, u)
    assert vals == [t.evaluate(u) for t in ts]
    H.verify_batch(Transcript(DOMAIN), cs, u, vals, proof.to_bytes())


def test_commitment_is_row_msms():
    t = small_tensor(10, 5)
    c = H.commit(t, 4)
    G = H.row_generators(4)
    xs = t.to_ints()
    for i in range(3):
        row = xs[4 * i : 4 * i + 4]
        acc = G1Point.identity()
        for j, x in enumerate(row):
            acc = acc + G[j] * x
        assert c.rows[i] == acc
    assert H.Commitment.from_bytes(c.to_bytes(), 10, 4) == c


def test_claims_discharge():
    g = 4
    ts = [small_tensor(16, 20 + i) for i in range(3)]
    cs = [H.commit(t, g) for t in ts]
    u = tuple(rand_point(4, 21))
    claims = [H.EvalClaim(c, u, t.evaluate(list(u))) for c, t in zip(cs, ts)]
    proof = H.prove_claims(Transcript(DOMAIN), claims, ts)
    H.verify_claims(Transcript(DOMAIN), claims, proof)
    bad = claims[:2] + [H.EvalClaim(cs[2], u, (claims[2].value + 1) % R)]
    with pytest.raises(OpeningError):
        H.verify_claims(Transcript(DOMAIN), bad, proof)
    with pytest.raises(ValueError, match="not tensors"):
        H.prove_claims(Transcript(DOMAIN), bad, ts)
    with pytest.raises(ValueError, match="another point"):
        H.prove_claims(Transcript(DOMAIN), [claims[0], H.EvalClaim(cs[1], tuple(rand_point(4, 1)), 0)], ts[:2])


# --------------------------------------------------------------------- soundness
def test_wrong_value_rejected():
    _, c, u, v, proof = opened()
    rejects(c, u, (v + 1) % R, proof, OpeningError)


def test_wrong_value_in_batch_rejected():
    ts = [small_tensor(16, i) for i in range(3)]
    cs = [H.commit(t, 4) for t in ts]
    u = rand_point(4, 2)
    vals, proof = H.open_batch(Transcript(DOMAIN), ts, cs, u)
    for j in range(3):
        bad = list(vals)
        bad[j] = (bad[j] + 5) % R
        with pytest.raises(OpeningError):
            H.verify_batch(Transcript(DOMAIN), cs, u, bad, proof)
    # swapping two values (same multiset) is also caught: rho binds positions
    with pytest.raises(OpeningError):
        H.verify_batch(Transcript(DOMAIN), cs, u, [vals[1], vals[0], vals[2]], proof)


def test_wrong_commitment_rejected():
    t, c, u, v, proof = opened()
    other = H.commit(t + 1, 4)
    rejects(other, u, v, proof, OpeningError)
    # one row replaced
    rows = [c.rows[i] for i in range(c.num_rows)]
    rows[1] = rows[1] + G1Point.generator()
    rejects(H.Commitment(c.length, c.gen_dim, G1Tensor.from_points(rows)), u, v, proof, OpeningError)
    # same tensor, declared length changed (another statement)
    with pytest.raises((OpeningError, ValueError)):
        H.verify_opening(Transcript(DOMAIN), H.Commitment(11, 4, c.rows), u, v, proof)


def test_commitment_shifted_by_q_rejected():
    """A committer who hides a multiple of the IPA generator Q in a row cannot shift
    the opened value: Q is rescaled by a transcript challenge."""
    t = small_tensor(8, 7)
    c = H.commit(t, 4)
    u = rand_point(3, 7)
    rows = [c.rows[0] + H.ipa_generator(), c.rows[1]]
    c_bad = H.Commitment(8, 4, G1Tensor.from_points(rows))
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c_bad, u)
    rejects(c_bad, u, v, proof, OpeningError)
    # the value shifted by the row weight, as a naive IPA would accept
    w0 = (1 - u[2]) % R
    rejects(c_bad, u, (v + w0) % R, proof, OpeningError)


def _replace(proof, L=None, R_=None, a=None):
    return IPAProof(tuple(L or proof.L), tuple(R_ or proof.R), proof.a if a is None else a)


def test_tampered_L_rejected():
    _, c, u, v, proof = opened(16, 8)
    L = list(proof.L)
    L[1] = L[1] + G1Point.generator()
    rejects(c, u, v, _replace(proof, L=L), OpeningError)


def test_tampered_R_rejected():
    _, c, u, v, proof = opened(16, 8)
    Rs = list(proof.R)
    Rs[0] = -Rs[0]
    rejects(c, u, v, _replace(proof, R_=Rs), OpeningError)


def test_swapped_L_and_R_rejected():
    _, c, u, v, proof = opened(16, 8)
    rejects(c, u, v, IPAProof(proof.R, proof.L, proof.a), OpeningError)


def test_swapped_rounds_rejected():
    _, c, u, v, proof = opened(16, 8)
    rejects(c, u, v, IPAProof(proof.L[::-1], proof.R[::-1], proof.a), OpeningError)


def test_tampered_final_scalar_rejected():
    _, c, u, v, proof = opened()
    rejects(c, u, v, _replace(proof, a=(proof.a + 1) % R), OpeningError)


def test_different_point_rejected():
    _, c, u, v, proof = opened()
    u2 = list(u)
    u2[0] = (u2[0] + 1) % R
    rejects(c, u2, v, proof, OpeningError)
    u3 = list(u)
    u3[-1] = (u3[-1] + 1) % R  # a row coordinate
    rejects(c, u3, v, proof, OpeningError)


def test_replay_under_another_statement_rejected():
    _, c, u, v, proof = opened()
    rejects(c, u, v, proof, OpeningError, domain="another protocol")
    # the same proof presented with a longer (zero-extended) point: a different statement
    rejects(c, u + [0], v, proof, OpeningError)


def test_wrong_round_count_rejected():
    _, c, u, v, proof = opened(16, 8)
    short = IPAProof(proof.L[:-1], proof.R[:-1], proof.a)
    rejects(c, u, v, short, OpeningError)
    rejects(c, u, v, short.to_bytes(), MalformedProof)


def test_truncated_and_extended_bytes_rejected():
    _, c, u, v, proof = opened(16, 8)
    b = proof.to_bytes()
    for bad in (b[:-1], b[:-32], b[:48], b + b"\x00", b + b[:48], b""):
        rejects(c, u, v, bad, MalformedProof)


def test_invalid_point_encoding_rejected():
    _, c, u, v, proof = opened(16, 8)
    b = bytearray(proof.to_bytes())
    b[0:48] = b"\x9f" + b"\xff" * 47  # x >= p
    rejects(c, u, v, bytes(b), MalformedProof)
    b[0:48] = b"\x80" + b"\x00" * 46 + b"\x05"  # x = 5: not on the curve (5^3 + 4 is not a square)
    rejects(c, u, v, bytes(b), MalformedProof)
    b[0:48] = b"\xc0" + b"\x00" * 46 + b"\x01"  # identity flag with junk: non-canonical
    rejects(c, u, v, bytes(b), MalformedProof)
    with pytest.raises(MalformedProof):
        H.Commitment.from_bytes(b"\x01" * 96, 8, 4)
    with pytest.raises(MalformedProof):
        H.Commitment.from_bytes(c.to_bytes()[:-1], 16, 8)


def test_non_canonical_final_scalar_rejected():
    _, c, u, v, proof = opened(16, 8)
    b = proof.to_bytes()
    bad = b[:-32] + ((proof.a + R) % 2**256).to_bytes(32, "little")
    rejects(c, u, v, bad, MalformedProof)


# ----------------------------------------------------------------- misuse
def test_bad_arguments():
    t = small_tensor(8, 1)
    with pytest.raises(ValueError, match="gen_dim"):
        H.commit(t, 3)
    with pytest.raises(TypeError):
        H.commit([1, 2], 2)
    c = H.commit(t, 4)
    with pytest.raises(ValueError, match="coordinates"):
        H.prove_opening(Transcript(DOMAIN), t, c, [1, 2])
    with pytest.raises(ValueError, match="length"):
        H.prove_opening(Transcript(DOMAIN), small_tensor(7, 1), c, [1, 2, 3])
    with pytest.raises(ValueError, match="gen_dim"):
        H.open_batch(Transcript(DOMAIN), [t, t], [c, H.commit(t, 2)], [1, 2, 3])
    with pytest.raises(TypeError):
        H.prove_opening(Transcript(DOMAIN), t, c, [1.0, 2, 3])


# ---------------------------------------------------------------- generators
def test_generators_reproducible_and_domain_separated():
    G = H.row_generators(8)
    assert G.to_bytes() == generators(8, H.GEN_LABEL).to_bytes()
    assert H.row_generators(4).to_bytes() == G[:4].to_bytes()
    q = H.ipa_generator()
    pts = [G[i].to_bytes() for i in range(8)] + [q.to_bytes()]
    assert len(set(pts)) == 9
    assert G1Point.identity().to_bytes() not in pts
    code = (
        "from zkproof import commit as H;"
        "print(H.row_generators(8).to_bytes().hex() + H.ipa_generator().to_bytes().hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == G.to_bytes().hex() + q.to_bytes().hex()


# ------------------------------------------------------------------ fuzzing
_FIX = {}


def _fixture():
    if not _FIX:
        _, c, u, v, proof = opened(16, 8, seed=3)
        _FIX.update(c=c, u=u, v=v, b=proof.to_bytes())
    return _FIX


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_proof_decoder(data):
    f = _fixture()
    with pytest.raises(VerificationError):
        H.verify_opening(Transcript(DOMAIN), f["c"], f["u"], f["v"], data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(1, 255))
def test_fuzz_mutated_proof(pos, flip):
    f = _fixture()
    b = bytearray(f["b"])
    b[pos % len(b)] ^= flip
    with pytest.raises(VerificationError):
        H.verify_opening(Transcript(DOMAIN), f["c"], f["u"], f["v"], bytes(b))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_statement_decoder(data):
    try:
        H.OpeningStatement.from_bytes(data)
    except MalformedProof:
        pass


def _file_fixture():
    if "st" not in _FIX:
        ts = [small_tensor(10, 1), small_tensor(16, 2)]
        cs = [H.commit(t, 4) for t in ts]
        u = rand_point(4, 5)
        vals, proof = H.open_batch(H.transcript_for_file(), ts, cs, u)
        _FIX["st"] = H.OpeningStatement(tuple(cs), tuple(u), tuple(vals)).to_bytes()
        _FIX["pf"] = proof.to_bytes()
    return _FIX["st"], _FIX["pf"]


def test_file_parts_roundtrip():
    st_b, pf = _file_fixture()
    got = H.verify_file_parts(st_b, pf)
    assert got.to_bytes() == st_b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(1, 255))
def test_fuzz_mutated_statement(pos, flip):
    st_b, pf = _file_fixture()
    b = bytearray(st_b)
    b[pos % len(b)] ^= flip
    with pytest.raises(VerificationError):
        H.verify_file_parts(bytes(b), pf)
