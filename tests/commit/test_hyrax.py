"""Hyrax commitments and batched openings (zkproof.commit, zkproof.ipa)."""
import random
import subprocess
from pathlib import Path
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, R, Transcript
from zkproof.commit import hyrax as H
from zkproof.claims import Claim
from zkproof.errors import MalformedProof, OpeningError, StatementMismatch, VerificationError
from zkproof.field.scalar import mle_eval
from zkproof.commit.g1 import G1Point, G1Tensor, generators
from zkproof.commit.ipa import IPAProof

DOMAIN = "test/hyrax"
BENCH = Path(__file__).resolve().parents[2] / "bench" / "com_bm.py"


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
    [(12, 4, 0), (1, 1, 0), (1, 4, 0), (1, 1, 2), (3, 16, 0), (5, 2, 1), (2, 2, 0), (64, 8, 0), (100, 16, 2), (7, 1, 0),
     (300, 64, 0), (5, 128, 0)],
)
def test_open_completeness(D, g, extra):
    t, c, u, v, proof = opened(D, g, extra, seed=D * 31 + g)
    assert c.num_rows == max(1, -(-D // g))
    assert v == mle_eval(t.to_ints(), u)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof.to_bytes())
    assert len(proof.to_bytes()) == H.BatchOpening.size([c])
    # one IPA when the length is a multiple of gen_dim (or one row), else a second one
    # for the partial last row plus its value
    assert len(proof.ipas) == (1 if D % g == 0 or D <= g else 2)


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


@pytest.mark.parametrize("kind", ["signed", "non-negative", "large"])
def test_commitment_is_row_msms(kind):
    """Against a naive sum; the signed case goes through the shift-by-min path."""
    t = small_tensor(10, 5)
    if kind == "non-negative":
        t = FrTensor.from_ints([abs(x) for x in t.to_signed().tolist()])
    elif kind == "large":
        t = FrTensor.from_ints(t.to_ints()[:9] + [R - 2**70])
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


def test_claims_discharge_groups_by_point():
    g = 4
    ts = {f"t{i}": small_tensor(16, 20 + i) for i in range(3)}
    ts["h"] = small_tensor(9, 40)
    cs = {n: H.commit(t, g) for n, t in ts.items() if n != "h"}
    cs["h"], bh = H.commit_hiding(ts["h"], g)
    u1, u2 = tuple(rand_point(4, 21)), tuple(rand_point(4, 22))
    claims = [Claim(n, u, ts[n].evaluate(list(u))) for n, u in
              [("t0", u1), ("t1", u2), ("t2", u1), ("h", u2), ("t0", u2)]]
    proofs = H.prove_claims(Transcript(DOMAIN), claims, ts, cs, {"h": bh})
    assert len(proofs) == 2 and not any(p.zk for p in proofs[0].ipas) and all(p.zk for p in proofs[1].ipas)
    H.verify_claims(Transcript(DOMAIN), claims, cs, proofs)
    data = H.claims_proof_bytes(proofs)
    H.verify_claims(Transcript(DOMAIN), claims, cs, data)
    for j in range(len(claims)):
        bad = list(claims)
        bad[j] = Claim(bad[j].name, bad[j].point, (bad[j].value + 1) % R)
        with pytest.raises(OpeningError):
            H.verify_claims(Transcript(DOMAIN), bad, cs, proofs)
        with pytest.raises(ValueError, match="not tensors"):
            H.prove_claims(Transcript(DOMAIN), bad, ts, cs, {"h": bh})
    with pytest.raises(OpeningError):
        H.verify_claims(Transcript(DOMAIN), claims, cs, proofs[::-1])
    with pytest.raises(OpeningError):
        H.verify_claims(Transcript(DOMAIN), claims, cs, proofs[:1])
    with pytest.raises(MalformedProof):
        H.verify_claims(Transcript(DOMAIN), claims, cs, data[:-1])
    with pytest.raises(ValueError, match="no commitment"):
        H.prove_claims(Transcript(DOMAIN), [Claim("zz", u1, 0)], ts, cs)


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
    # the same rows read with another gen_dim
    with pytest.raises((OpeningError, ValueError)):
        H.verify_opening(Transcript(DOMAIN), H.Commitment(6, 2, c.rows), u[:3], v, proof)


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


def ip(proof):
    """The single IPA of an opening whose tensors are multiples of gen_dim long."""
    assert len(proof.ipas) == 1 and not proof.group_values
    return proof.ipas[0]


def W(p):
    """An IPA proof as the opening proof of a one-group batch."""
    return H.BatchOpening((), (p,))


def _replace(proof, L=None, R_=None, a=None):
    p = ip(proof)
    return W(IPAProof(tuple(L or p.L), tuple(R_ or p.R), p.a if a is None else a))


def test_tampered_L_rejected():
    _, c, u, v, proof = opened(64, 32)
    L = list(ip(proof).L)
    L[1] = L[1] + G1Point.generator()
    rejects(c, u, v, _replace(proof, L=L), OpeningError)


def test_tampered_R_rejected():
    _, c, u, v, proof = opened(64, 32)
    Rs = list(ip(proof).R)
    Rs[0] = -Rs[0]
    rejects(c, u, v, _replace(proof, R_=Rs), OpeningError)


def test_swapped_L_and_R_rejected():
    _, c, u, v, proof = opened(64, 32)
    rejects(c, u, v, W(IPAProof(ip(proof).R, ip(proof).L, ip(proof).a)), OpeningError)


def test_swapped_rounds_rejected():
    _, c, u, v, proof = opened(64, 32)
    rejects(c, u, v, W(IPAProof(ip(proof).L[::-1], ip(proof).R[::-1], ip(proof).a)), OpeningError)


def test_tampered_final_scalar_rejected():
    _, c, u, v, proof = opened()
    for i in range(len(ip(proof).a)):
        a = list(ip(proof).a)
        a[i] = (a[i] + 1) % R
        rejects(c, u, v, _replace(proof, a=tuple(a)), OpeningError)


def test_different_point_rejected():
    _, c, u, v, proof = opened()
    u2 = list(u)
    u2[0] = (u2[0] + 1) % R
    rejects(c, u2, v, proof, OpeningError)
    u3 = list(u)
    u3[-1] = (u3[-1] + 1) % R  # a row coordinate
    rejects(c, u3, v, proof, OpeningError)


def test_replay_under_another_statement_rejected():
    """With IPA rounds the proof is bound to its transcript. (For gen_dim <= 8 the proof
    is the folded row itself, valid for its statement in any transcript.)"""
    _, c, u, v, proof = opened(64, 32)
    assert ip(proof).rounds > 0
    rejects(c, u, v, proof, OpeningError, domain="another protocol")
    # the same proof presented with a longer (zero-extended) point: a different statement
    rejects(c, u + [0], v, proof, OpeningError)


def test_wrong_round_count_rejected():
    _, c, u, v, proof = opened(64, 32)
    short = W(IPAProof(ip(proof).L[:-1], ip(proof).R[:-1], ip(proof).a))
    rejects(c, u, v, short, OpeningError)
    rejects(c, u, v, short.to_bytes(), MalformedProof)


def test_truncated_and_extended_bytes_rejected():
    _, c, u, v, proof = opened(64, 32)
    b = proof.to_bytes()
    for bad in (b[:-1], b[:-32], b[:48], b + b"\x00", b + b[:48], b""):
        rejects(c, u, v, bad, MalformedProof)


def test_invalid_point_encoding_rejected():
    _, c, u, v, proof = opened(64, 32)
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
    _, c, u, v, proof = opened(64, 32)
    b = proof.to_bytes()
    bad = b[:-32] + ((ip(proof).a[-1] + R) % 2**256).to_bytes(32, "little")
    rejects(c, u, v, bad, MalformedProof)


# ----------------------------------------------------------------- misuse
def test_bad_arguments():
    t = small_tensor(8, 1)
    with pytest.raises(ValueError, match="gen_dim"):
        H.commit(t, 3)
    with pytest.raises(TypeError):
        H.commit([1, 2], 2)
    with pytest.raises(TypeError):
        H.commit([1, 2], 2, shape=(2,))
    with pytest.raises(ValueError, match="length 0"):
        H.commit(FrTensor.zeros(0), 4)
    with pytest.raises(ValueError, match="holds 6 elements"):
        H.commit(t, 4, shape=(2, 3))
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
        "from zkproof.commit import hyrax as H;"
        "print(H.row_generators(8).to_bytes().hex() + H.ipa_generator().to_bytes().hex())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == G.to_bytes().hex() + q.to_bytes().hex()


# ------------------------------------------------------------------ fuzzing
_FIX = {}


def _fixture():
    if not _FIX:
        _, c, u, v, proof = opened(64, 32, seed=3)
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
    got = H.verify_bytes(st_b, pf)
    assert got.to_bytes() == st_b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(1, 255))
def test_fuzz_mutated_statement(pos, flip):
    st_b, pf = _file_fixture()
    b = bytearray(st_b)
    b[pos % len(b)] ^= flip
    with pytest.raises(VerificationError):
        H.verify_bytes(bytes(b), pf)


# ------------------------------------------------------------------ hiding / zk
def hiding_opened(D=48, g=16, seed=2):
    t = small_tensor(D, seed)
    c, blinds = H.commit_hiding(t, g)
    u = rand_point(max(0, (D - 1).bit_length()), seed)
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c, u, blinds)
    return t, c, blinds, u, v, proof


@pytest.mark.parametrize("D,g", [(12, 4), (1, 1), (5, 2), (40, 8), (70, 32)])
def test_hiding_open_completeness(D, g):
    t, c, blinds, u, v, proof = hiding_opened(D, g, seed=D + g)
    assert c.hiding and len(blinds) == c.num_rows
    assert v == t.evaluate(u)
    assert all(p.zk for p in proof.ipas) and len(proof.to_bytes()) == H.BatchOpening.size([c])
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof.to_bytes())


def test_hiding_commitments_are_randomised():
    t = small_tensor(8, 1)
    c1, _ = H.commit_hiding(t, 4)
    c2, _ = H.commit_hiding(t, 4)
    plain = H.commit(t, 4)
    assert c1.to_bytes() != c2.to_bytes()
    assert c1.to_bytes() != plain.to_bytes()
    # two zk proofs of the same statement share no L, R or A
    _, c, blinds, u, v, p1 = hiding_opened()
    _, p2 = H.prove_opening(Transcript(DOMAIN), small_tensor(48, 2), c, u, blinds)
    assert not set(x.to_bytes() for x in ip(p1).L + ip(p1).R + (ip(p1).A,)) & set(x.to_bytes() for x in ip(p2).L + ip(p2).R + (ip(p2).A,))


def test_hiding_batch_mixed_with_plain():
    ts = [small_tensor(16, 30 + i) for i in range(3)]
    c0, b0 = H.commit_hiding(ts[0], 4)
    c2, b2 = H.commit_hiding(ts[2], 4)
    cs = [c0, H.commit(ts[1], 4), c2]
    u = rand_point(4, 31)
    vals, proof = H.open_batch(Transcript(DOMAIN), ts, cs, u, blinds=[b0, None, b2])
    H.verify_batch(Transcript(DOMAIN), cs, u, vals, proof.to_bytes())
    bad = [vals[0], (vals[1] + 1) % R, vals[2]]
    with pytest.raises(OpeningError):
        H.verify_batch(Transcript(DOMAIN), cs, u, bad, proof)
    with pytest.raises(ValueError, match="blinds"):
        H.open_batch(Transcript(DOMAIN), ts, cs, u)
    with pytest.raises(ValueError, match="wrong|blinds"):
        H.open_batch(Transcript(DOMAIN), ts, cs, u, blinds=[b0, b0, b2])


def test_hiding_wrong_blinds_give_rejected_proof():
    t, c, blinds, u, v, _ = hiding_opened()
    wrong = list(blinds)
    wrong[0] = (wrong[0] + 1) % R
    _, proof = H.prove_opening(Transcript(DOMAIN), t, c, u, wrong)
    rejects(c, u, v, proof, OpeningError)


def test_hiding_wrong_value_rejected():
    _, c, _, u, v, proof = hiding_opened()
    rejects(c, u, (v + 1) % R, proof, OpeningError)


def test_hiding_tampered_schnorr_rejected():
    _, c, _, u, v, proof = hiding_opened()
    g = G1Point.generator()
    for bad in (
        W(IPAProof(ip(proof).L, ip(proof).R, ip(proof).a, ip(proof).A + g, ip(proof).z_h)),
        W(IPAProof(ip(proof).L, ip(proof).R, ((ip(proof).a[0] + 1) % R,) + ip(proof).a[1:], ip(proof).A, ip(proof).z_h)),
        W(IPAProof(ip(proof).L, ip(proof).R, ip(proof).a, ip(proof).A, (ip(proof).z_h + 1) % R)),
        W(IPAProof((ip(proof).L[0] + g,) + ip(proof).L[1:], ip(proof).R, ip(proof).a, ip(proof).A, ip(proof).z_h)),
    ):
        rejects(c, u, v, bad, OpeningError)


def test_hiding_flag_is_part_of_statement():
    t, c, blinds, u, v, proof = hiding_opened()
    as_plain = H.Commitment(c.length, c.gen_dim, c.rows, hiding=False)
    rejects(as_plain, u, v, proof, OpeningError)  # zk proof object for a plain statement
    rejects(as_plain, u, v, proof.to_bytes(), MalformedProof)  # 80 extra bytes
    _, _, pu, pv, plain_proof = opened()
    rejects(c, u, v, plain_proof, OpeningError)


def test_hiding_statement_file_roundtrip():
    ts = [small_tensor(10, 1), small_tensor(16, 2)]
    c0, b0 = H.commit_hiding(ts[0], 4)
    cs = [c0, H.commit(ts[1], 4)]
    u = rand_point(4, 5)
    vals, proof = H.open_batch(H.transcript_for_file(), ts, cs, u, blinds=[b0, None])
    st_b = H.OpeningStatement(tuple(cs), tuple(u), tuple(vals)).to_bytes()
    assert H.verify_bytes(st_b, proof.to_bytes()).commitments[0].hiding


def test_proof_file_cli(tmp_path):
    f = tmp_path / "open.zkp"
    ok = subprocess.run([sys.executable, str(BENCH), "2", "20", "4", "--proof-out", str(f), "--no-floor"],
                        capture_output=True, text=True, cwd=BENCH.parent.parent)
    assert ok.returncode == 0, ok.stderr
    r = subprocess.run([sys.executable, "-m", "zkproof", "verify", str(f)], capture_output=True, text=True, cwd=BENCH.parent.parent)
    assert r.returncode == 0 and "ACCEPTED" in r.stdout, r.stdout + r.stderr
    data = bytearray(f.read_bytes())
    data[-40] ^= 1  # inside the IPA proof
    f.write_bytes(bytes(data))
    r = subprocess.run([sys.executable, "-m", "zkproof", "verify", str(f)], capture_output=True, text=True, cwd=BENCH.parent.parent)
    assert r.returncode == 1 and "REJECTED" in r.stdout, r.stdout + r.stderr


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 70), st.sampled_from([1, 2, 4, 8, 16, 32]), st.integers(0, 2), st.integers(0, 2**32))
def test_open_completeness_random_sizes(D, g, extra, seed):
    t = small_tensor(D, seed)
    c = H.commit(t, g)
    u = rand_point(max(0, (D - 1).bit_length()) + extra, seed)
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c, u)
    assert v == mle_eval(t.to_ints(), u)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof.to_bytes())
    with pytest.raises(OpeningError):
        H.verify_opening(Transcript(DOMAIN), c, u, (v + 1) % R, proof)


# ------------------------------------------------------- sumcheck claims, end to end
def test_hadamard_claims_discharged_by_one_opening():
    from zkproof.sumcheck import hadamard

    num, dim = 3, 5
    a, b = small_tensor(num * dim, 50), small_tensor(num * dim, 51)
    coms = {"a": H.commit(a, 4, shape=(num, dim))}
    coms["b"], bb = H.commit_hiding(b, 4, shape=(num, dim))
    u = rand_point(hadamard.num_vars(num, dim), 52)
    tp = Transcript(DOMAIN)
    st, proof, claims = hadamard.prove(tp, a, b, num, dim, u)
    openings = H.prove_claims(tp, claims, {"a": a, "b": b}, coms, {"b": bb})
    assert len(openings) == 1  # both claims are at the sumcheck's point
    tv = Transcript(DOMAIN)
    got = hadamard.verify(tv, st, proof)
    H.verify_claims(tv, got, coms, H.claims_proof_bytes(openings))
    # the committed b differs from the one the sumcheck used: rejected
    coms_bad = dict(coms, b=H.commit(b + 1, 4, shape=(num, dim)))
    with pytest.raises(OpeningError):
        H.verify_claims(Transcript(DOMAIN), got, coms_bad, openings)


def test_matmul_claims_discharged_per_point():
    from zkproof.sumcheck import matmul

    num, m, k, n = 2, 3, 4, 2
    A, B = small_tensor(num * m * k, 60), small_tensor(num * k * n, 61)
    coms = {"A": H.commit(A, 8, shape=(num, m, k)), "B": H.commit(B, 8, shape=(num, k, n))}
    C = FrTensor.cat([
        FrTensor.from_ints([
            sum(A.to_signed()[s * m * k + i * k + j] * B.to_signed()[s * k * n + j * n + c] for j in range(k))
            for i in range(m) for c in range(n)
        ]) for s in range(num)
    ])
    tp = Transcript(DOMAIN)
    c_vars = len(matmul.padded_c(C, num, m, n)).bit_length() - 1
    u = rand_point(c_vars, 62)
    y = matmul.claim_on_c(C, num, m, n, u)
    st, proof, claims = matmul.prove(tp, A, B, num, m, k, n, u, y)
    openings = H.prove_claims(tp, claims, {"A": A, "B": B}, coms)
    tv = Transcript(DOMAIN)
    got = matmul.verify(tv, st, proof)
    H.verify_claims(tv, got, coms, openings)
    assert len(openings) == len({c.point for c in got})


def test_open_folded_streams_tensors():
    ts = [small_tensor(20, 70 + i) for i in range(3)]
    cs = [H.commit(t, 8) for t in ts]
    u = rand_point(5, 71)
    folds = [H.fold_rows(t, u, 8) for t in ts]
    vals, proof = H.open_folded(Transcript(DOMAIN), folds, cs, u)
    assert vals == [t.evaluate(u) for t in ts]
    H.verify_batch(Transcript(DOMAIN), cs, u, vals, proof)
    with pytest.raises(ValueError, match="another tensor shape or point"):
        H.open_folded(Transcript(DOMAIN), [H.fold_rows(ts[0], rand_point(5, 1), 8)] + folds[1:], cs, u)


@pytest.mark.cuda
def test_cuda_tensors_open_like_cpu():
    ts = [small_tensor(300, 80 + i) for i in range(2)]
    u = rand_point(9, 81)
    cs = [H.commit(t, 32) for t in ts]
    assert [H.commit(t.to("cuda"), 32) for t in ts] == cs
    for t in ts:
        f_cpu, f_gpu = H.fold_rows(t, u, 32), H.fold_rows(t.to("cuda"), u, 32)
        assert [w for _, w in f_gpu.parts] == [w for _, w in f_cpu.parts] and f_gpu.value == f_cpu.value
    vals, proof = H.open_batch(Transcript(DOMAIN), [t.to("cuda") for t in ts], cs, u)
    assert vals == [t.evaluate(u) for t in ts]
    H.verify_batch(Transcript(DOMAIN), cs, u, vals, proof)


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("shape,g", [((3, 5), 4), ((3, 5, 7), 8), ((2, 3), 64), ((6, 100), 16), ((3, 1000), 64),
                                     ((1, 7), 2), ((4, 1, 3), 2)])
def test_shaped_open_completeness(shape, g):
    """A commitment of shape s opens to the MLE of t's padded layout (pad_axes)."""
    from zkproof.sumcheck.batch import pad_axes

    n = 1
    for d in shape:
        n *= d
    t = small_tensor(n, n + g)
    c = H.commit(t, g, shape=shape)
    assert c.shape == shape and c.num_rows == H.layout_of(shape, g).num_rows
    u = rand_point(H.layout_of(shape, g).nvars + 1, n)
    v, proof = H.prove_opening(Transcript(DOMAIN), t, c, u)
    assert v == pad_axes(t, shape).evaluate(u)
    H.verify_opening(Transcript(DOMAIN), c, u, v, proof.to_bytes())
    rejects(c, u, (v + 1) % R, proof, OpeningError)
    # the same rows presented as a flat commitment of the same length: another statement
    # (with IPA rounds the proof is bound to it; below 8 columns the proof is the folded
    # row itself, valid wherever the layouts agree, as for (1, 7) and (7,))
    if g > 8 and H.layout_of((n,), g).num_rows == c.num_rows:
        rejects(H.Commitment(n, g, c.rows), u, v, proof, VerificationError)


def test_shaped_hiding_batch_with_several_groups():
    """Hiding and plain commitments of shapes whose masks differ, opened in one batch:
    one IPA per column mask, zero-knowledge where a hiding commitment takes part."""
    ts = [small_tensor(15, 1), small_tensor(10, 2), small_tensor(16, 3)]
    c0, b0 = H.commit_hiding(ts[0], 4, shape=(3, 5))
    c1 = H.commit(ts[1], 4)
    c2, b2 = H.commit_hiding(ts[2], 4, shape=(16,))
    cs = [c0, c1, c2]
    u = rand_point(5, 4)
    vals, proof = H.open_batch(Transcript(DOMAIN), ts, cs, u, blinds=[b0, None, b2])
    assert len(proof.ipas) == len(proof.group_values) + 1 > 1
    H.verify_batch(Transcript(DOMAIN), cs, u, vals, proof.to_bytes())
    for j in range(3):
        bad = list(vals)
        bad[j] = (bad[j] + 1) % R
        with pytest.raises(OpeningError):
            H.verify_batch(Transcript(DOMAIN), cs, u, bad, proof)
    gv = list(proof.group_values)
    gv[0] = (gv[0] + 1) % R
    with pytest.raises(OpeningError):
        H.verify_batch(Transcript(DOMAIN), cs, u, vals, H.BatchOpening(tuple(gv), proof.ipas))


def test_claim_shape_must_match_commitment():
    t = small_tensor(15, 5)
    c = H.commit(t, 4, shape=(3, 5))
    u = rand_point(5, 6)
    v, _ = H.prove_opening(Transcript(DOMAIN), t, c, u)
    with pytest.raises(StatementMismatch):
        H.prove_claims(Transcript(DOMAIN), [Claim("t", u, v, (15,))], {"t": t}, {"t": c})
    proofs = H.prove_claims(Transcript(DOMAIN), [Claim("t", u, v, (3, 5))], {"t": t}, {"t": c})
    H.verify_claims(Transcript(DOMAIN), [Claim("t", u, v, (3, 5))], {"t": c}, proofs)
    with pytest.raises(StatementMismatch):
        H.verify_claims(Transcript(DOMAIN), [Claim("t", u, v, (5, 3))], {"t": c}, proofs)


def test_commit_int_tensors_equals_commit():
    """The integer, batched commitment path gives H.commit's group elements: shapes with
    padded axes and tails, negatives, a span too wide for the shift (full-field path),
    several gen_dims in one call and batches cut by block_entries."""
    import numpy as np
    rng = np.random.default_rng(11)
    cases = [((37,), 8, -100, 100), ((5, 12), 8, 0, 50), ((3, 7, 6), 4, -3, 9), ((6, 20), 16, -(1 << 40), 1 << 40),
             ((64,), 16, 0, 1), ((1,), 4, -5, -4), ((9, 3), 64, -(1 << 62), 1 << 62), ((4, 4), 4, 0, 1)]
    arrays = [rng.integers(lo, hi, size=shape) for shape, _, lo, hi in cases]
    arrays[-1][:] = 0
    gds = [g for _, g, _, _ in cases]
    for block in (1 << 22, 10):
        got = H.commit_int_tensors(arrays, gds, block_entries=block)
        for a, g, c in zip(arrays, gds, got):
            want = H.commit(FrTensor.from_ints(a.reshape(-1)), g, shape=a.shape)
            assert c == want and c.shape == a.shape


def test_read_many_equals_read_one_by_one():
    import numpy as np
    from zkproof.errors import MalformedProof
    from zkproof.wire import Reader
    rng = np.random.default_rng(5)
    arrays = [rng.integers(-9, 9, size=s) for s in [(37,), (5, 6), (3, 5, 7)]]
    gds = [8, 4, 16]
    coms = H.commit_int_tensors(arrays, gds)
    data = b"".join(c.to_bytes() for c in coms)
    specs = [(a.size, g, a.shape) for a, g in zip(arrays, gds)]
    r = Reader(data)
    assert H.Commitment.read_many(r, specs) == coms
    r.finish()
    assert H.Commitment.read_many(Reader(b""), []) == []
    with pytest.raises(MalformedProof):
        H.Commitment.read_many(Reader(data[:-1]), specs)
    bad = bytearray(data)
    bad[48 * 3] ^= 0x01  # a point of the second commitment no longer on the curve / canonical
    with pytest.raises(MalformedProof):
        H.Commitment.read_many(Reader(bytes(bad)), specs)
