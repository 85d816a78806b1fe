"""tlookup: kernels against Python references, fraction-tree GKR, LogUp completeness at
odd and edge sizes, bad input, and soundness tests named after the attack."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

import zkproof
from zkproof import FrTensor, Transcript, _native, proof_file
from zkproof.lookup import fraction_gkr as fg
from zkproof.lookup import tlookup as tl
from zkproof.errors import MalformedProof, OutOfTableError, VerificationError
from zkproof.field.scalar import R, inv, mle_eval
from zkproof.lookup.tables import Table, counts_tensor, multiplicities

RNG = np.random.default_rng(1234)


def rand_ints(n, seed):
    return FrTensor.random(n, seed=seed).to_ints()


# ----------------------------------------------------------------------------- kernels
def test_frac_layer_matches_python():
    q = rand_ints(16, 1)
    p = rand_ints(16, 2)
    po, qo = FrTensor.empty(8), FrTensor.empty(8)
    _native.frac_layer(po.data, qo.data, FrTensor.from_ints(p).data, FrTensor.from_ints(q).data)
    assert po.to_ints() == [(p[i] * q[i + 8] + p[i + 8] * q[i]) % R for i in range(8)]
    assert qo.to_ints() == [q[i] * q[i + 8] % R for i in range(8)]
    _native.frac_layer(po.data, qo.data, None, FrTensor.from_ints(q).data)
    assert po.to_ints() == [(q[i] + q[i + 8]) % R for i in range(8)]


@pytest.mark.parametrize("p_one", [False, True])
@pytest.mark.parametrize("n", [2, 4, 16])
def test_frac_round_matches_python(n, p_one):
    tabs = [rand_ints(n, 10 + t) for t in range(4)]
    r, lam = 1234567, 987654321

    def f(vals, i, t, h):
        A, B, C, D = (v[i] + t * (v[i + h] - v[i]) for v in vals)
        num = (C + D) if p_one else (A * D + B * C)
        return (num + lam * C * D) % R

    def lead(vals, i, h):  # f(2) - 2 f(1) + f(0) = 2 * leading coefficient
        return (f(vals, i, 2, h) - 2 * f(vals, i, 1, h) + f(vals, i, 0, h)) * inv(2) % R

    # evaluation without fold
    h = n // 2
    e0 = rand_ints(h, 21)
    out = _native.frac_round([None] * 4, [FrTensor.from_ints(t).data for t in tabs], n, 0, False,
                             FrTensor.from_ints(e0).data, False, lam, p_one, True)
    assert out[0] == sum(e0[i] * f(tabs, i, 0, h) for i in range(h)) % R
    assert out[1] == sum(e0[i] * lead(tabs, i, h) for i in range(h)) % R
    assert out[2] == sum(e0[i] * f(tabs, i, 1, h) for i in range(h)) % R
    # fold, then evaluate (in place)
    folded = [[(v[i] + r * (v[i + h] - v[i])) % R for i in range(h)] for v in tabs]
    bufs = [FrTensor.from_ints(t) for t in tabs]
    hh = max(h // 2, 1)
    e = rand_ints(hh, 20)
    out = _native.frac_round([b.data for b in bufs], [b.data for b in bufs], n, r, True,
                             FrTensor.from_ints(e).data, False, lam, p_one, False)
    for t in range(2 if p_one else 0, 4):
        assert bufs[t].to_ints()[:h] == folded[t]
    if h >= 2:
        assert out[0] == sum(e[i] * f(folded, i, 0, h // 2) for i in range(h // 2)) % R
        assert out[1] == sum(e[i] * lead(folded, i, h // 2) for i in range(h // 2)) % R
    else:
        assert out == [0, 0]
    if h >= 2:  # the same round with e given as the table of one more variable
        e2 = rand_ints(h, 22)
        halves = [(e2[i] + e2[i + h // 2]) % R for i in range(h // 2)]
        bufs = [FrTensor.from_ints(t) for t in tabs]
        E2 = FrTensor.from_ints(e2)
        out2 = _native.frac_round([b.data for b in bufs], [b.data for b in bufs], n, r, True,
                                  E2.data, True, lam, p_one, False)
        assert E2.to_ints()[: h // 2] == halves
        assert out2[0] == sum(halves[i] * f(folded, i, 0, h // 2) for i in range(h // 2)) % R


def test_range_histogram_and_counts():
    x = RNG.integers(-7, 9, size=1001)
    counts = multiplicities(Table.range(-7, 16), FrTensor.from_ints(x))
    assert counts.tolist() == np.bincount(x + 7, minlength=16).tolist()
    assert counts_tensor(counts).to_ints() == counts.tolist()


def test_sorted_histogram_first_duplicate_counts():
    T = FrTensor.from_ints([5, 2**100, 5, R - 1, 0])
    x = FrTensor.from_ints([5, 5, R - 1, 0, 2**100, 0])
    assert multiplicities(Table.tensor(T), x).tolist() == [2, 1, 0, 1, 2]


# ----------------------------------------------------------------------------- fraction GKR
@pytest.mark.parametrize("dS,dT", [(0, 0), (1, 0), (0, 3), (3, 2), (2, 5)])
def test_fraction_gkr_completeness(dS, dT):
    qS, qT, pT = FrTensor.random(1 << dS, seed=dS), FrTensor.random(1 << dT, seed=9), FrTensor.random(1 << dT, seed=8)
    trees = [fg.build_tree(qS), fg.build_tree(qT, pT)]
    P, Q = trees[1].p[0][0], trees[1].q[0][0]
    assert P * inv(Q) % R == sum(a * inv(b) for a, b in zip(pT.to_ints(), qT.to_ints())) % R
    proof, claims = fg.prove(Transcript("t"), trees)
    roots, vc = fg.verify(Transcript("t"), [dS, dT], proof)
    assert vc == claims
    assert vc[0].p == 1 and vc[0].q == qS.evaluate(list(vc[0].point))
    assert vc[1].p == pT.evaluate(list(vc[1].point)) and vc[1].q == qT.evaluate(list(vc[1].point))


def test_fraction_gkr_zero_challenges(monkeypatch):
    # challenges that are 0 make rho coordinates 0: the prover must compute h(1) itself
    real = Transcript.challenge
    calls = {"n": 0}

    def some_zero(self, label):
        c = real(self, label)
        calls["n"] += 1
        return 0 if label in ("frac/r", "frac/mu") and calls["n"] % 3 == 0 else c

    monkeypatch.setattr(Transcript, "challenge", some_zero)
    qS, qT, pT = FrTensor.random(32, seed=1), FrTensor.random(8, seed=2), FrTensor.random(8, seed=3)
    proof, claims = fg.prove(Transcript("z"), [fg.build_tree(qS), fg.build_tree(qT, pT)])
    calls["n"] = 0
    _, vc = fg.verify(Transcript("z"), [5, 3], proof)
    assert vc == claims and 0 in vc[0].point
    assert vc[0].q == qS.evaluate(list(vc[0].point)) and vc[1].p == pT.evaluate(list(vc[1].point))


def _gkr_case():
    qS = FrTensor.random(16, seed=3)
    trees = [fg.build_tree(qS), fg.build_tree(FrTensor.random(8, seed=4), FrTensor.random(8, seed=5))]
    proof, _ = fg.prove(Transcript("t"), trees)
    return proof


def test_fraction_gkr_tampered_round_rejected():
    proof = _gkr_case()
    proof.layers[3].rounds[1][0] = (proof.layers[3].rounds[1][0] + 1) % R
    with pytest.raises(zkproof.SumcheckError):
        fg.verify(Transcript("t"), [4, 3], proof)


def test_fraction_gkr_swapped_rounds_rejected():
    proof = _gkr_case()
    rs = proof.layers[3].rounds
    rs[0], rs[1] = rs[1], rs[0]
    with pytest.raises(zkproof.SumcheckError):
        fg.verify(Transcript("t"), [4, 3], proof)


def test_fraction_gkr_wrong_root_rejected():
    proof = _gkr_case()
    proof.roots[1][0] = (proof.roots[1][0] + 1) % R
    with pytest.raises(zkproof.SumcheckError):
        fg.verify(Transcript("t"), [4, 3], proof)


# ----------------------------------------------------------------------------- completeness
def _prove_verify(table, x, y=None, num=1, commit_inputs=False, include_table=False):
    dim = len(x) // num
    coms = tl.commit_inputs(x, y, num, dim) if commit_inputs else ()
    st = tl.make_statement(table, num, dim, input_commitments=coms, include_table=include_table)
    st, proof = tl.prove(tl.transcript_for_file(), table, x, y, num=num, statement=st)
    body = proof.to_bytes()
    claims = tl.verify(tl.transcript_for_file(), tl.LookupStatement.from_bytes(st.to_bytes()), body)
    # the returned claims are true of the zero-padded layouts
    assert claims.input_values[0] == tl.layout(x, num, dim).evaluate(list(claims.input_point))
    if y is not None:
        assert claims.input_values[1] == tl.layout(y, num, dim).evaluate(list(claims.input_point))
    return st, proof, claims


@pytest.mark.parametrize("num,dim,low,length", [
    (1, 37, 0, 16),        # odd input, power-of-two table
    (1, 5, 3, 100),        # table larger than the input
    (1, 1, 0, 7),          # an input of one
    (1, 9, 42, 1),         # a table of one
    (1, 33, -20, 13),      # negative LOW, odd table
    (3, 7, -2, 5),         # batched, odd everything
    (4, 8, 0, 8),          # batched, powers of two (no padding)
])
def test_range_completeness(num, dim, low, length):
    x = FrTensor.from_ints(RNG.integers(low, low + length, size=num * dim))
    st, proof, claims = _prove_verify(Table.range(low, length), x, num=num)
    assert claims.table_values == (None,)
    assert claims.m_value == counts_tensor(_counts_with_pads(st, x, low, length)).evaluate(list(claims.table_point))


def _counts_with_pads(st, x, low, length):
    c = np.bincount(np.array(x.to_signed()) - low, minlength=length).astype(np.uint64)
    c[0] += (1 << st.a) - st.num * st.dim
    return c


def test_range_with_committed_inputs_batched():
    x = FrTensor.from_ints(RNG.integers(0, 10, size=3 * 5))
    _, _, claims = _prove_verify(Table.range(0, 10), x, num=3, commit_inputs=True)
    assert claims.inputs_opened and claims.remaining() == []


def test_list_of_instances():
    xs = [FrTensor.from_ints(RNG.integers(0, 4, size=6)) for _ in range(3)]
    st, proof = tl.prove(Transcript("t"), Table.range(0, 4), xs)
    assert (st.num, st.dim) == (3, 6)
    tl.verify(Transcript("t"), st, proof.to_bytes())


def test_tensor_table_claims():
    T = FrTensor.from_ints([7, 100, 3, 7, 2**200, 9])
    x = FrTensor.from_ints([3, 2**200, 9, 9, 7, 7, 7])
    _, _, claims = _prove_verify(Table.tensor(T), x)
    assert claims.table_values[0] == T.evaluate(list(claims.table_point))
    _, _, claims = _prove_verify(Table.tensor(T), x, include_table=True)
    assert claims.table_values == (None,)


def test_range_mapping_pairs():
    f = FrTensor.from_ints([v * v * v for v in range(-3, 6)])
    xs = RNG.integers(-3, 6, size=21)
    x, y = FrTensor.from_ints(xs), FrTensor.from_ints(xs ** 3)
    _, _, claims = _prove_verify(Table.range(-3, 9, outputs=f), x, y, commit_inputs=True)
    assert claims.table_values[0] is None
    assert claims.table_values[1] == f.evaluate(list(claims.table_point))


def test_tensor_mapping_pairs():
    Tx, Tf = FrTensor.from_ints([5, 1, 9]), FrTensor.from_ints([50, 10, 90])
    x, y = FrTensor.from_ints([9, 9, 1, 5, 1]), FrTensor.from_ints([90, 90, 10, 50, 10])
    _, _, claims = _prove_verify(Table.tensor(Tx, outputs=Tf), x, y)
    assert claims.table_values == (Tx.evaluate(list(claims.table_point)), Tf.evaluate(list(claims.table_point)))
    _, _, claims = _prove_verify(Table.tensor(Tx, outputs=Tf), x, y, include_table=True)
    assert claims.table_values == (None, None)


def test_batch_inv():
    xs = rand_ints(7, 5) + [0, 1]
    assert fg.batch_inv(xs) == [inv(x) if x else 0 for x in xs]
    assert fg.batch_inv([]) == []


def test_prefix_mle_matches_table():
    u = rand_ints(4, 77)
    for c in range(0, 17):
        assert tl.prefix_mle(c, u) == mle_eval([1] * c, u)


# ----------------------------------------------------------------------------- bad input
def test_out_of_range_raises_before_proving():
    x = FrTensor.from_ints([1, 2, 9, 3, -1, 4])
    with pytest.raises(OutOfTableError, match=r"^3 input values are not in the range \[0, 4\); the first is inputs\[2\] = 9"):
        tl.prove(Transcript("t"), Table.range(0, 4), x)


def test_out_of_tensor_table_raises():
    x = FrTensor.from_ints([5, 6])
    with pytest.raises(OutOfTableError, match=r"1 input values .* inputs\[1\] = 6"):
        tl.prove(Transcript("t"), Table.tensor(FrTensor.from_ints([5, 7])), x)


def test_mapping_wrong_output_raises():
    f = FrTensor.from_ints([0, 1, 4, 9])
    with pytest.raises(OutOfTableError, match=r"inputs\[1\] = 2 with outputs\[1\] = 5"):
        tl.prove(Transcript("t"), Table.range(0, 4, outputs=f), FrTensor.from_ints([1, 2]),
                 FrTensor.from_ints([1, 5]))


def test_misuse_errors():
    with pytest.raises(ValueError, match="length"):
        Table.range(0, 0)
    with pytest.raises(TypeError, match="values"):
        Table.tensor([1, 2])
    with pytest.raises(ValueError, match="distinct"):
        multiplicities(Table.tensor(FrTensor.from_ints([1, 1]), FrTensor.from_ints([2, 3])),
                       FrTensor.from_ints([1]), FrTensor.from_ints([2]))
    with pytest.raises(ValueError, match="outputs"):
        tl.prove(Transcript("t"), Table.range(0, 4), FrTensor.from_ints([1]), FrTensor.from_ints([1]))
    with pytest.raises(ValueError, match="num"):
        tl.prove(Transcript("t"), Table.range(0, 4), FrTensor.from_ints([1, 2, 3]), num=2)


# ----------------------------------------------------------------------------- soundness
TABLE = Table.range(0, 8)


def _honest(x_ints=(1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3)):
    x = FrTensor.from_ints(list(x_ints))
    st, proof = tl.prove(Transcript("s"), TABLE, x)
    return st, proof


def _rejects(st, proof_or_bytes, transcript=None):
    with pytest.raises(VerificationError):
        tl.verify(transcript or Transcript("s"), st, proof_or_bytes)


def test_honest_proof_accepted():
    st, proof = _honest()
    tl.verify(Transcript("s"), st, proof.to_bytes())


def test_out_of_table_value_with_forged_multiplicities_rejected(monkeypatch):
    # 9 is not in [0, 8): count it as if it were 1 (the sums then differ)
    def forged(table, inputs, outputs=None):
        vals = np.array(inputs.to_signed())
        vals[vals == 9] = 1
        return np.bincount(vals, minlength=table.length).astype(np.uint64)

    monkeypatch.setattr(tl, "multiplicities", forged)
    st, proof = tl.prove(Transcript("s"), TABLE, FrTensor.from_ints([1, 9, 3, 4]))
    _rejects(st, proof.to_bytes())


def test_out_of_table_value_with_any_small_multiplicities_rejected(monkeypatch):
    for trial in range(3):
        def forged(table, inputs, outputs=None, trial=trial):
            return np.random.default_rng(trial).integers(0, 3, size=table.length).astype(np.uint64)

        monkeypatch.setattr(tl, "multiplicities", forged)
        st, proof = tl.prove(Transcript("s"), TABLE, FrTensor.from_ints([1, 9, 3, 4]))
        _rejects(st, proof.to_bytes())


def test_tampered_round_rejected():
    st, proof = _honest()
    proof.fractions.layers[2].rounds[1][2] = (proof.fractions.layers[2].rounds[1][2] + 1) % R
    _rejects(st, proof.to_bytes())


def test_tampered_layer_values_rejected():
    st, proof = _honest()
    proof.fractions.layers[-1].finals[0][3] = (proof.fractions.layers[-1].finals[0][3] + 5) % R
    _rejects(st, proof.to_bytes())


def test_beta_not_bound_by_transcript_rejected(monkeypatch):
    # 9 is not in [0, 2), yet 1/(beta + 9) = 2/(beta + 0) + 0/(beta + 1) at beta = -18:
    # a prover free to pick beta (a root of the identity) forges m = (2, 0).
    real = Transcript.challenge

    def chosen_beta(self, label):
        c = real(self, label)
        return (-18) % R if label == "tlookup/beta" else c

    monkeypatch.setattr(tl, "multiplicities", lambda *a, **k: np.array([2, 0], dtype=np.uint64))
    monkeypatch.setattr(Transcript, "challenge", chosen_beta)
    table = Table.range(0, 2)
    st, proof = tl.prove(Transcript("s"), table, FrTensor.from_ints([9]))
    # the forgery is real: a verifier using the prover's beta accepts it ...
    claims = tl.verify(Transcript("s"), st, proof.to_bytes())
    assert claims.input_values == (9,)
    # ... and the verifier that draws beta from the transcript rejects it
    monkeypatch.setattr(Transcript, "challenge", real)
    _rejects(st, proof.to_bytes())


def test_wrong_multiplicity_commitment_rejected():
    st, proof = _honest()
    proof.m_commitment = _honest((0,) * 11)[1].m_commitment
    _rejects(st, proof.to_bytes())


@pytest.mark.parametrize("change", [
    dict(low=1, pad_x=1), dict(dim=12), dict(num=11, dim=1), dict(table_len=9), dict(table_len=16),
])
def test_replay_under_another_statement_rejected(change):
    st, proof = _honest()
    other = dataclasses.replace(st, **change)
    with pytest.raises(VerificationError):
        tl.verify(Transcript("s"), other, proof.to_bytes())


def test_replay_under_another_domain_rejected():
    st, proof = _honest()
    _rejects(st, proof.to_bytes(), Transcript("other"))


def test_truncated_and_extended_proof_rejected():
    st, proof = _honest()
    body = proof.to_bytes()
    for bad in (body[:-1], body[:-32], body + b"\x00", body[:100]):
        with pytest.raises(MalformedProof):
            tl.verify(Transcript("s"), st, bad)


def test_input_opening_against_wrong_commitment_rejected():
    x = FrTensor.from_ints([1, 2, 3])
    coms = tl.commit_inputs(FrTensor.from_ints([1, 2, 4]), None, 1, 3)
    st = tl.make_statement(TABLE, 1, 3, input_commitments=coms)
    st, proof = tl.prove(Transcript("s"), TABLE, x, statement=st)
    _rejects(st, proof.to_bytes())


# ----------------------------------------------------------------------------- decoders
_ST, _PROOF = None, None


def _file_parts():
    global _ST, _PROOF
    if _ST is None:
        x = FrTensor.from_ints([1, 2, 3, 5, 0])
        st, proof = tl.prove(tl.transcript_for_file(), TABLE, x)
        _ST, _PROOF = st.to_bytes(), proof.to_bytes()
    return _ST, _PROOF


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hst.binary(max_size=400))
def test_fuzz_statement_decoder(data):
    try:
        tl.LookupStatement.from_bytes(data)
    except VerificationError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hst.integers(min_value=0, max_value=10**6), hst.integers(min_value=0, max_value=255))
def test_fuzz_proof_bytes_flip(pos, val):
    st, body = _file_parts()
    b = bytearray(body)
    i = pos % len(b)
    if b[i] == val:
        return
    b[i] = val
    with pytest.raises(VerificationError):
        tl.verify_bytes(st, bytes(b))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hst.binary(max_size=300))
def test_fuzz_proof_decoder_random(data):
    st, _ = _file_parts()
    with pytest.raises(VerificationError):
        tl.verify_bytes(st, data)


def test_file_roundtrip_via_registry():
    st, body = _file_parts()
    protocol, claims = proof_file.verify_bytes(proof_file.encode(tl.PROTOCOL_ID, st, body))
    assert protocol == tl.PROTOCOL_ID and [c.name for c in claims] == ["x"]


# ----------------------------------------------------------------------------- CUDA
@pytest.mark.cuda
def test_cuda_matches_cpu():
    x = FrTensor.from_ints(RNG.integers(-3, 40, size=3 * 37))
    T = Table.range(-3, 43)
    assert multiplicities(T, x.to("cuda")).tolist() == multiplicities(T, x).tolist()
    Tt = Table.tensor(FrTensor.from_ints(RNG.permutation(64) - 3))
    assert multiplicities(Tt, x.to("cuda")).tolist() == multiplicities(Tt, x).tolist()
    q = FrTensor.random(64, seed=5)
    p = FrTensor.random(64, seed=6)
    for pp in (None, p):
        a = fg.build_tree(q, pp)
        b = fg.build_tree(q.to("cuda"), None if pp is None else pp.to("cuda"))
        assert all(x == y.to("cpu") for x, y in zip(a.q, b.q))
    pa, ca = fg.prove(Transcript("c"), [fg.build_tree(q), fg.build_tree(q, p)])
    pb, cb = fg.prove(Transcript("c"), [fg.build_tree(q.to("cuda")), fg.build_tree(q.to("cuda"), p.to("cuda"))])
    assert pa.to_bytes() == pb.to_bytes() and ca == cb
    st, proof = tl.prove(Transcript("g"), T, x.to("cuda"), num=3)
    st2, proof2 = tl.prove(Transcript("g"), T, x, num=3)
    assert proof.to_bytes() == proof2.to_bytes()
    tl.verify(Transcript("g"), st, proof.to_bytes())


# ----------------------------------------------------------------------------- benchmark
def test_bench_proof_file_verifies_with_cli(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pf, js = tmp_path / "t.proof", tmp_path / "t.json"
    subprocess.run([sys.executable, str(root / "bench" / "tlookup_bm.py"), "2", "5", "-3", "7",
                    "--device", "cpu", "--proof-out", str(pf), "--json", str(js)], check=True, cwd=root,
                   capture_output=True)
    row = json.loads(js.read_text())
    for k in ("num", "dims", "device", "prove_s", "verify_s", "proof_bytes", "floor_s", "verified",
              "commit_s", "total_s"):
        assert k in row
    assert row["verified"] is True and row["num"] == 2 and row["dims"] == [5]
    out = subprocess.run([sys.executable, "-m", "zkproof", "verify", str(pf)], cwd=root, capture_output=True,
                         text=True)
    # without --commit-input the claim on the input x is left to a caller: not binding
    assert out.returncode == 1 and out.stdout.startswith("NOT BINDING: the tlookup/v2"), out.stdout
    subprocess.run([sys.executable, str(root / "bench" / "tlookup_bm.py"), "2", "5", "-3", "7", "--commit-input",
                    "--device", "cpu", "--proof-out", str(pf)], check=True, cwd=root, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "zkproof", "verify", str(pf)], cwd=root, capture_output=True,
                         text=True)
    assert out.returncode == 0 and out.stdout.startswith("ACCEPTED: tlookup/v2"), out.stdout
    data = bytearray(pf.read_bytes())
    data[-40] ^= 1
    pf.write_bytes(bytes(data))
    out = subprocess.run([sys.executable, "-m", "zkproof", "verify", str(pf)], cwd=root, capture_output=True,
                         text=True)
    assert out.returncode == 1 and out.stdout.startswith("REJECTED"), out.stdout
