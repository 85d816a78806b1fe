"""Soundness: proofs of FALSE statements, built the way an attacker would, are rejected.

Each test is named after an attack on the verifiers of format 1 (issue 10). The attacker
controls the prover completely: it commits whatever matrix it likes (junk in slots past a
tensor's length, in padding), drives the transcript itself, and picks values after
challenges where the statement leaves room. Tampering with honest proofs is covered by
the per-protocol tests; here the proofs are consistent, the statements are false.

The forgeries reuse the library's own pieces wherever the attacker's prover would (the
sumcheck and fraction-tree provers, the IPA), so each test also checks that the part of
the forged proof that does not touch the fixed rule goes through (the error is the one
the fixed rule raises), and, where the rule can be switched off in-process (format 1's
statement absorption: `_header_only_absorb`; format 1's unmasked opening:
`_unmasked_openings`), that the very same forgery is then accepted: the rule, not an
accident, is what rejects it.
"""
from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, R, Transcript, proof_file
from zkproof import _native
from zkproof.claims import Claim
from zkproof.cli import main as cli_main
from zkproof.commit import hyrax as H
from zkproof.commit import ipa
from zkproof.commit.g1 import G1Tensor, msm
from zkproof.errors import MalformedProof, OpeningError, StatementMismatch, VerificationError
from zkproof.lookup import tlookup as tl
from zkproof.lookup.fraction_gkr import build_tree
from zkproof.lookup.fraction_gkr import prove as gkr_prove
from zkproof.lookup.tables import Table, counts_tensor
from zkproof.sumcheck import core as sc
from zkproof.sumcheck import hadamard, inner_product, matmul
from zkproof.sumcheck.batch import pad_axes
from zkproof.wire import Writer


def rand_point(n, seed):
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def ints(xs):
    return FrTensor.from_ints([int(x) for x in xs])


# ----------------------------------------------------------------- the attacker's Hyrax
def matrix_with_junk(t: FrTensor, shape, gen_dim, junk) -> FrTensor:
    """The padded layout of t as a rows x gen_dim matrix (flat), with junk[i] written
    into the i-th slot that holds no element of t (cycling through junk)."""
    lay = H.layout_of(tuple(shape), gen_dim)
    flat = pad_axes(t, shape).to_ints()
    size = max(1 << lay.nvars, gen_dim)
    flat += [0] * (size - len(flat))
    valid = np.zeros(size, dtype=bool)
    strides = []
    acc = 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= 1 << (d - 1).bit_length()
    strides = strides[::-1]
    pos = sum(np.indices(shape)[a] * strides[a] for a in range(len(shape))).reshape(-1)
    valid[pos] = True
    k = 0
    for f in np.flatnonzero(~valid):
        if junk:
            flat[f] = junk[k % len(junk)] % R
            k += 1
    return FrTensor.from_ints(flat)


def junk_commit(M: FrTensor, shape, gen_dim) -> H.Commitment:
    """What a dishonest committer publishes: MSMs of the stored rows of M, junk included,
    presented as a commitment of `shape`."""
    lay = H.layout_of(tuple(shape), gen_dim)
    G = H.row_generators(gen_dim)
    rows = [msm(M[r * gen_dim:(r + 1) * gen_dim], G) for r in lay.stored_rows().tolist()]
    return H.Commitment(math.prod(shape), gen_dim, G1Tensor.from_points(rows), False, tuple(shape))


def junk_value(M: FrTensor, shape, gen_dim, point) -> int:
    """The value a format-1 verifier accepted for this commitment: every slot of the
    stored rows counts, junk included (eq(u_col) over all gen_dim columns)."""
    lay = H.layout_of(tuple(shape), gen_dim)
    u_col, u_row, scale = H._split_point(list(point), lay)
    b = FrTensor.eq(u_col)
    total = 0
    for part, _ in lay.part_keys():
        w = _fold(M, lay, u_row, part)
        total += w.inner(b)
    return total * scale % R


def _fold(M, lay, u_row, part) -> FrTensor:
    """sum_r e_part(r) M[r] over the stored rows (the attacker's share of W_g)."""
    g = lay.gen_dim
    rows = lay.stored_rows()
    data = np.ascontiguousarray(M.data.reshape(-1, g, 4)[rows].reshape(-1, 4))
    wts = H._row_weights(lay, u_row, part)
    out = FrTensor.empty(g)
    _native.fr_partial_eval(out.data, data, len(rows), g, wts.data, 0)
    return out


def forged_open(transcript, matrices, commitments, point, lie: bool):
    """An attacker's batched opening of junk-containing matrices.

    lie=True: it claims the junk-inclusive values (what format 1 accepted) and follows
    the protocol with its own folds (the IPAs prove the masked, true values, so the
    group values it must send cannot add up to its claims). lie=False: the format-1
    prover: junk-inclusive values, every IPA over the unmasked eq(u_col)."""
    u = [int(x) % R for x in point]
    folds = []
    for M, c in zip(matrices, commitments):
        lay = c.layout
        _, u_row, scale = H._split_point(u, lay)
        parts = tuple((part, _fold(M, lay, u_row, part) * scale) for part, _ in lay.part_keys())
        folds.append(H.RowFold(c.length, c.gen_dim, tuple(u), parts, junk_value(M, c.shape, c.gen_dim, u), c.shape))
    if lie:
        return H.open_folded(transcript, folds, commitments, u)
    # the format-1 prover: unmasked IPAs and unmasked group values
    vals = [f.value for f in folds]
    H._absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    pw = H._powers(rho, len(folds))
    u_col = H._split_point(u, commitments[0].layout)[0]
    groups = H._groups(commitments)
    ws = []
    for _, members in groups:
        ws.append(sum((dict(folds[j].parts)[part] * pw[j] for j, part in members[1:]),
                      dict(folds[members[0][0]].parts)[members[0][1]] * pw[members[0][0]]))
    gvals = [w.inner(FrTensor.eq(u_col)) for w in ws]
    if len(groups) > 1:
        transcript.absorb_frs("hyrax/group_values", gvals[:-1])
    g = commitments[0].gen_dim
    proofs = [ipa.prove(transcript, w, u_col, H.row_generators(g), H.ipa_generator()) for w in ws]
    return vals, H.BatchOpening(tuple(gvals[:-1]), tuple(proofs))


class _unmasked_openings:
    """Format 1's opening check: the IPA over eq(u_col) on every column (no mask)."""

    def __enter__(self):
        self.orig = ipa.verify_terms
        orig = self.orig
        ipa.verify_terms = lambda tr, u, v, g, q, p, h=None, mask=None: orig(tr, u, v, g, q, p, h)

    def __exit__(self, *exc):
        ipa.verify_terms = self.orig


# ----------------------------------------------------- class 1: partial last Hyrax row
@pytest.mark.parametrize("lie", [True, False])
def test_hyrax_open_three_elements_with_junk_past_length_rejected(lie):
    """A hyrax-open file for a 3-element tensor whose commitment hides junk in slots
    3..31 of its only row, opened to the junk-inclusive value."""
    t = ints([5, -7, 11])
    M = matrix_with_junk(t, (3,), 32, [123456789, 42])
    com = junk_commit(M, (3,), 32)
    u = rand_point(2, 1)
    vals, proof = forged_open(H.transcript_for_file(), [M], [com], u, lie)
    assert vals[0] != t.evaluate(u)  # the statement is false
    data = proof_file.encode(H.PROTOCOL_ID, H.OpeningStatement((com,), tuple(u), tuple(vals)).to_bytes(),
                             proof.to_bytes())
    with pytest.raises(OpeningError):
        proof_file.verify_bytes(data)
    if not lie:  # the forgery is otherwise complete: without the mask (format 1) it passed
        with _unmasked_openings():
            proof_file.verify_bytes(data)
    # the true value of the committed prefix opens (junk cannot hurt an honest claim)
    honest = H.RowFold(3, 32, tuple(u), ((("main"), _fold(M, com.layout, [], "main")),), t.evaluate(u), (3,))
    v2, p2 = H.open_folded(H.transcript_for_file(), [honest], [com], u)
    H.verify_batch(H.transcript_for_file(), [com], u, v2, p2)


@pytest.mark.parametrize("lie", [True, False])
def test_partial_last_row_junk_in_batch_rejected(lie):
    """Junk in the tail of the last row of one tensor of a batch (100 elements, rows of 32)."""
    rng = random.Random(3)
    ts = [ints(rng.randrange(-50, 50) for _ in range(n)) for n in (100, 64)]
    Ms = [matrix_with_junk(ts[0], (100,), 32, [9]), matrix_with_junk(ts[1], (64,), 32, [])]
    coms = [junk_commit(M, (len(t),), 32) for M, t in zip(Ms, ts)]
    u = rand_point(7, 4)
    vals, proof = forged_open(Transcript("t"), Ms, coms, u, lie)
    assert vals[0] != ts[0].evaluate(u) and vals[1] == ts[1].evaluate(u)
    with pytest.raises(OpeningError):
        H.verify_batch(Transcript("t"), coms, u, vals, proof.to_bytes())


def test_length_zero_commitment_refused():
    """A length-0 commitment opened to any value: refused when built and when decoded."""
    with pytest.raises(ValueError, match="length 0"):
        H.commit(FrTensor.zeros(0), 4)
    with pytest.raises(ValueError):
        H.Commitment(0, 4, G1Tensor.from_points([msm(ints([0]), H.row_generators(1))]))
    # a hyrax-open file stating one tensor of shape (0,) and value 5
    w = Writer().u64(1).u64(4).u8(1).u64(0).u8(0).u64(0).fr(5).raw(H.commit(ints([0]), 4).to_bytes())
    data = proof_file.encode(H.PROTOCOL_ID, w.bytes(), b"")
    with pytest.raises(MalformedProof, match="length 0"):
        proof_file.verify_bytes(data)


def test_inner_product_over_committed_length3_vectors_with_wrong_result_rejected():
    """<a, b> = 5 for committed length-3 vectors whose inner product is not 5: the junk
    in slot 3 of both rows makes the padded vectors' inner product 5."""
    a, b = ints([1, 2, 3]), ints([4, 5, 6])  # <a, b> = 32
    true = a.inner(b)
    ja, jb = 1, (5 - true) % R  # a[3] * b[3] = 5 - 32
    Ma, Mb = matrix_with_junk(a, (3,), 4, [ja]), matrix_with_junk(b, (3,), 4, [jb])
    coms = {"a": junk_commit(Ma, (3,), 4), "b": junk_commit(Mb, (3,), 4)}
    assert Ma.inner(Mb) == 5 and true != 5

    def absorb(t):
        for k in ("a", "b"):
            t.absorb("commitment/" + k, coms[k].to_bytes())

    tp = Transcript("flow")
    absorb(tp)
    st_ = inner_product.Statement(3, 5)
    tp.absorb("inner_product/statement", inner_product.PROTOCOL_ID.encode() + st_.to_bytes())
    proof, point, finals = sc.prove(tp, [Ma, Mb], inner_product.TERMS, 5)
    tp.absorb_frs("inner_product/evals", finals)
    claims = [Claim("a", point, finals[0], (3,)), Claim("b", point, finals[1], (3,))]
    _, opening = forged_open(tp, [Ma, Mb], [coms["a"], coms["b"]], point, lie=False)

    def verify():
        tv = Transcript("flow")
        absorb(tv)
        got = inner_product.verify(tv, st_, sc.TwoEvalProof(proof, finals[0], finals[1]))  # the sumcheck passes
        assert got == claims
        H.verify_claims(tv, got, coms, [opening])

    with pytest.raises(OpeningError):
        verify()
    with _unmasked_openings():  # format 1's opening accepted <a, b> = 5
        verify()


# ------------------------------------------- class 1 in tlookup: padded table entries
@pytest.mark.parametrize("mapping", [False, True])
def test_tlookup_multiplicity_on_padded_table_entry_rejected(mapping, monkeypatch):
    """Range table [0, 100) (padded to 128), gen_dim 32: the input 100 is outside the
    table; the prover puts multiplicity 1 on padded entry 100 (which the range MLE
    continues as 100) and commits the 128 multiplicities as a commitment of length 100."""
    low, length = 0, 100
    outputs = ints([2 * j for j in range(length)]) if mapping else None
    table = Table.range(low, length, outputs)
    x = ints([3, 100, 7, 99])
    y = ints([6, 200, 14, 198]) if mapping else None
    st_ = tl.make_statement(table, 1, 4, gen_dim=32)

    def counts_with_padded_entry(table_, inputs, outs=None):
        counts = np.zeros(128, dtype=np.uint64)
        for v in inputs.to_ints():
            counts[v - low] += 1
        return counts

    def commit_as_length_100(arrays, gen_dims):  # tlookup commits m from the integer counts
        (a,), (gen_dim,) = arrays, gen_dims
        assert len(a) == 128
        return [junk_commit(FrTensor.from_ints([int(v) for v in a]), (length,), gen_dim)]

    def open_with_junk(transcript, tensors, commitments, point, values=None, blinds=None):
        return forged_open(transcript, list(tensors), list(commitments), point, lie=False)

    monkeypatch.setattr(tl, "multiplicities", counts_with_padded_entry)
    monkeypatch.setattr(tl.hyrax, "commit_int_tensors", commit_as_length_100)
    monkeypatch.setattr(tl.hyrax, "open_batch", open_with_junk)
    if mapping:  # the table's padded outputs are 0; the forged pair (100, 200) needs f(100) = 200
        monkeypatch.setattr(Table, "padded_y", lambda self, dev: ints([2 * j for j in range(128)]))
    st_, proof = tl.prove(tl.transcript_for_file(), table, x, y, statement=st_)
    monkeypatch.undo()
    data = proof_file.encode(tl.PROTOCOL_ID, st_.to_bytes(), proof.to_bytes())
    # everything but the opening of m goes through: the opening is what rejects it ...
    with pytest.raises(OpeningError):
        proof_file.verify_bytes(data)
    # ... and without the mask (format 1's opening) the input 100 was accepted
    with _unmasked_openings():
        proof_file.verify_bytes(data)


def _solve_entry(s_pad, t_pad, m, beta, j):
    """The table entry T_j that makes sum 1/(beta + S) = sum m / (beta + T) hold."""
    inv = lambda v: pow(v % R, R - 2, R)  # noqa: E731
    lhs = sum(inv(beta + s) for s in s_pad) % R
    rest = sum(mk * inv(beta + tk) for k, (mk, tk) in enumerate(zip(m, t_pad)) if k != j) % R
    return (m[j] * inv(lhs - rest) - beta) % R


def forge_table_after_beta(values, inputs, j, extra=1):
    """The attacker of class 2: a tensor table carried in the statement; it commits m
    (counting every input not in the table at entry j, plus `extra` bogus counts there),
    draws beta, then solves entry j so that the LogUp identity holds at beta, and
    publishes the statement with the solved table. With extra > 0 the solved entry is a
    random-looking field element, so the published statement is false (an input outside
    the published table). Returns (the proof file's bytes, the published table)."""
    table = Table.tensor(ints(values))
    x = ints(inputs)
    n = len(inputs)
    st0 = tl.make_statement(table, 1, n, include_table=True)
    a, b = st0.a, st0.b
    counts = [0] * len(values)
    for v in inputs:
        counts[values.index(v) if v in values else j] += 1
    counts[j] += extra
    counts[0] += (1 << a) - n
    m = counts_tensor(np.array(counts, dtype=np.uint64))
    t = tl.transcript_for_file()
    st0.absorb(t)  # format 1 absorbed the header only: the same bytes for every table
    com_m = H.commit(m, st0.gen_dim)
    t.absorb_g1("tlookup/m_commitment", com_m.to_bytes())
    beta = t.challenge("tlookup/beta")
    x_pad = tl.layout(x, 1, n, st0.pad_x, full=True)
    t_vals = table.padded_x("cpu").to_ints()
    m_pad = m.pad(1 << b).to_ints()
    t_vals[j] = _solve_entry(x_pad.to_ints(), t_vals, m_pad, beta, j)
    solved = t_vals[: len(values)]
    st1 = tl.make_statement(Table.tensor(ints(solved)), 1, n, include_table=True)
    trees = [build_tree(x_pad + beta), build_tree(ints(t_vals) + beta, m.pad(1 << b))]
    frac, (cs, ct) = gkr_prove(t, trees)
    _, m_open = H.open_batch(t, [m], [com_m], list(ct.point), [ct.p])
    proof = tl.LookupProof(com_m, frac, None, None, m_open, None)
    return proof_file.encode(tl.PROTOCOL_ID, st1.to_bytes(), proof.to_bytes()), solved


def test_tlookup_table_entry_solved_after_beta_rejected(monkeypatch):
    """Input 1000 is in no table of 8 small values; m carries a bogus count at entry 5,
    which is solved after beta."""
    values = [10, 11, 12, 13, 14, 15, 16, 17]
    data, solved = forge_table_after_beta(values, [11, 1000, 17, 12], j=5)
    assert 1000 not in solved  # the published statement is false
    # the statement (with the solved table) is absorbed before beta, so beta changes and
    # the roots no longer match
    with pytest.raises(VerificationError):
        proof_file.verify_bytes(data)
    # the forgery is otherwise complete: with format 1's absorption it was accepted
    _header_only_absorb(monkeypatch)
    data, solved = forge_table_after_beta(values, [11, 1000, 17, 12], j=5)
    proof_file.verify_bytes(data)


def forge_output_after_challenges():
    """A mapping table carried in the statement; the pair (3, 1000) is not (x, f(x)) for
    any entry. The prover counts it (and a bogus extra) at entry 5, draws r and beta,
    solves the output f(T_5) so that the LogUp identity holds, and publishes the
    statement with that output. Returns (statement, proof bytes)."""
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    outputs = [v * v for v in values]
    xs, ys = [2, 3, 7], [4, 1000, 49]
    n = len(xs)
    j = 5
    table = Table.tensor(ints(values), ints(outputs))
    st0 = tl.make_statement(table, 1, n, include_table=True)
    a, b = st0.a, st0.b
    counts = [0] * len(values)
    for x, y in zip(xs, ys):
        k = values.index(x)
        counts[k if outputs[k] == y else j] += 1
    counts[j] += 1
    counts[0] += (1 << a) - n
    m = counts_tensor(np.array(counts, dtype=np.uint64))
    t = tl.transcript_for_file()
    st0.absorb(t)
    com_m = H.commit(m, st0.gen_dim)
    t.absorb_g1("tlookup/m_commitment", com_m.to_bytes())
    r = t.challenge("tlookup/r")
    beta = t.challenge("tlookup/beta")
    x_pad = tl.layout(ints(xs), 1, n, st0.pad_x, full=True)
    y_pad = tl.layout(ints(ys), 1, n, st0.pad_y, full=True)
    s_pad = x_pad + y_pad * r
    tx = table.padded_x("cpu")
    t_vals = (tx + table.padded_y("cpu") * r).to_ints()
    m_pad = m.pad(1 << b).to_ints()
    t_vals[j] = _solve_entry(s_pad.to_ints(), t_vals, m_pad, beta, j)
    new_out = list(outputs)
    new_out[j] = (t_vals[j] - values[j]) * pow(r, R - 2, R) % R
    assert (3, 1000) not in list(zip(values, new_out))  # the published statement is false
    st1 = tl.make_statement(Table.tensor(ints(values), ints(new_out)), 1, n, include_table=True)
    trees = [build_tree(s_pad + beta), build_tree(ints(t_vals) + beta, m.pad(1 << b))]
    frac, (cs, ct) = gkr_prove(t, trees)
    x_value = x_pad.evaluate(list(cs.point))
    t.absorb_fr("tlookup/x_value", x_value)
    tx_value = tx.evaluate(list(ct.point))
    t.absorb_fr("tlookup/tx_value", tx_value)
    _, m_open = H.open_batch(t, [m], [com_m], list(ct.point), [ct.p])
    proof = tl.LookupProof(com_m, frac, x_value, tx_value, m_open, None)
    return st1, proof.to_bytes()


def _header_only_absorb(monkeypatch):
    """Format 1's statement absorption (the header, not the table or outputs)."""
    monkeypatch.setattr(tl.LookupStatement, "absorb",
                        lambda self, t: t.absorb("tlookup/statement", self.header_bytes()))


def test_tlookup_mapping_output_solved_after_challenges_rejected(monkeypatch):
    st1, proof = forge_output_after_challenges()
    with pytest.raises(VerificationError):
        tl.verify(tl.transcript_for_file(), st1, proof)
    # the forgery is otherwise complete: with format 1's absorption it was accepted
    _header_only_absorb(monkeypatch)
    st1, proof = forge_output_after_challenges()
    tl.verify(tl.transcript_for_file(), st1, proof)


def test_tlookup_mapping_outputs_in_transcript():
    """A mapping table's outputs are part of the absorbed statement: the same proof
    under a statement with one output changed is rejected."""
    f = ints([j * j for j in range(8)])
    table = Table.range(0, 8, f)
    x, y = ints([1, 2, 3]), ints([1, 4, 9])
    st_ = tl.make_statement(table, 1, 3, include_table=True)
    st_, proof = tl.prove(tl.transcript_for_file(), table, x, y, statement=st_)
    tl.verify(tl.transcript_for_file(), st_, proof.to_bytes())
    f2 = f.to_ints()
    f2[7] += 1
    st2 = tl.make_statement(Table.range(0, 8, ints(f2)), 1, 3, include_table=True)
    with pytest.raises(VerificationError):
        tl.verify(tl.transcript_for_file(), st2, proof.to_bytes())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-20, 20), min_size=2, max_size=6, unique=True), st.data())
def test_property_table_entry_changed_after_challenge(values, data):
    """Random small tables and inputs, entry j solved after beta (with or without bogus
    counts): accepted iff the published table is the one beta was drawn for and every
    input is in it, so never for a false statement."""
    inputs = data.draw(st.lists(st.integers(-25, 25), min_size=1, max_size=5))
    j = data.draw(st.integers(1, len(values) - 1))
    extra = data.draw(st.integers(0, 2))
    file_bytes, solved = forge_table_after_beta(values, inputs, j, extra)
    try:
        proof_file.verify_bytes(file_bytes)
        accepted = True
    except VerificationError:
        accepted = False
    assert accepted == (solved == [v % R for v in values] and all(v in values for v in inputs))
    if accepted:
        assert all(v % R in [x % R for x in solved] for v in inputs)


# ------------------------------------------------------------ class 3: padded layouts
def test_matmul_junk_in_padding_columns_and_rows_rejected():
    """DIM1 = 3 (padded to 4): junk in A's padding column and B's padding row shifts
    every entry of C = A.B; the attacker proves the shifted C(u) and opens A and B
    against commitments of its junk matrices, in the commit-then-prove flow."""
    num, m, k, n = 1, 2, 3, 2
    rng = random.Random(5)
    A = ints(rng.randrange(-9, 9) for _ in range(m * k))
    B = ints(rng.randrange(-9, 9) for _ in range(k * n))
    MA = matrix_with_junk(A, (num, m, k), 4, [7])
    MB = matrix_with_junk(B, (num, k, n), 4, [5])
    coms = {"A": junk_commit(MA, (num, m, k), 4), "B": junk_commit(MB, (num, k, n), 4)}
    st0 = matmul.Statement(num, m, k, n, (), 0)
    u = rand_point(st0.c_vars, 6)
    C = np.array(A.to_signed()).reshape(m, k) @ np.array(B.to_signed()).reshape(k, n)
    C_true = matmul.claim_on_c(ints(C.reshape(-1)), num, m, n, u)
    # the padded tensors with junk, as the sumcheck tables
    st_p = matmul.Statement(num, 2, 4, 2, tuple(u), 0)
    au, bu = matmul.partial_evaluations(MA, MB, st_p)
    y_false = sum(x * y_ for x, y_ in zip(au.to_ints(), bu.to_ints())) % R
    assert y_false != C_true

    def absorb(t):
        for key in ("A", "B"):
            t.absorb("commitment/" + key, coms[key].to_bytes())

    tp = Transcript("flow")
    absorb(tp)
    st_ = matmul.Statement(num, m, k, n, tuple(u), y_false)
    tp.absorb("matmul/statement", matmul.PROTOCOL_ID.encode() + st_.to_bytes())
    proof, point, finals = sc.prove(tp, [au, bu], matmul.TERMS, y_false, [])
    tp.absorb_frs("matmul/evals", finals)
    claims = matmul._claims(st_, point, finals[0], finals[1])
    openings = [forged_open(tp, [MA if c.name == "A" else MB], [coms[c.name]], c.point, lie=False)[1]
                for c in claims]

    def verify():
        tv = Transcript("flow")
        absorb(tv)
        got = matmul.verify(tv, st_, sc.TwoEvalProof(proof, finals[0], finals[1]))  # the sumcheck passes
        assert [c.value for c in got] == finals
        H.verify_claims(tv, got, coms, openings)
        return got

    with pytest.raises(OpeningError):
        verify()
    with _unmasked_openings():  # format 1's opening accepted the false C(u)
        got = verify()
    # a commitment of the padded matrix (the format-1 flow) is refused for these claims
    flat = {"A": H.commit(MA, 4), "B": H.commit(MB, 4)}
    with pytest.raises(StatementMismatch):
        H.verify_claims(Transcript("x"), got, flat, openings)


def test_hadamard_dim3_junk_in_padding_rejected():
    """DIM = 3: junk in a's and b's padding slot makes c(u) = y_false provable by the
    sumcheck; the openings of a and b against their commitments reject it."""
    num, dim = 2, 3
    a, b = ints([1, 2, 3, 4, 5, 6]), ints([7, 8, 9, 10, 11, 12])
    Ma, Mb = matrix_with_junk(a, (num, dim), 4, [3, 4]), matrix_with_junk(b, (num, dim), 4, [5, 6])
    coms = {"a": junk_commit(Ma, (num, dim), 4), "b": junk_commit(Mb, (num, dim), 4)}
    u = rand_point(hadamard.num_vars(num, dim), 8)
    y_true = hadamard.claim_on_c(a, b, num, dim, u)
    y_false = (Ma * Mb).evaluate(u)
    assert y_false != y_true
    tp = Transcript("flow")
    st_ = hadamard.Statement(num, dim, tuple(u), y_false)
    tp.absorb("hadamard/statement", hadamard.PROTOCOL_ID.encode() + st_.to_bytes())
    proof, point, finals = sc.prove(tp, [Ma, Mb], hadamard.TERMS, y_false, u)
    tp.absorb_frs("hadamard/evals", finals)
    _, opening = forged_open(tp, [Ma, Mb], [coms["a"], coms["b"]], point, lie=False)

    def verify():
        tv = Transcript("flow")
        got = hadamard.verify(tv, st_, sc.TwoEvalProof(proof, finals[0], finals[1]))  # the sumcheck passes
        H.verify_claims(tv, got, coms, [opening])

    with pytest.raises(OpeningError):
        verify()
    with _unmasked_openings():  # format 1's opening accepted the false c(u)
        verify()


SHAPES = [(3,), (5,), (100,), (2, 3), (3, 5), (3, 2, 3), (5, 7)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHAPES), st.sampled_from([1, 2, 4, 8, 16, 64]),
       st.lists(st.integers(-3, 3), min_size=1, max_size=6), st.integers(0, 2), st.integers(0, 2**32),
       st.booleans())
def test_property_junk_in_padding_slots(shape, g, junk, extra, seed, lie):
    """Random small tensors with junk (possibly zero) in any slot outside the tensor,
    opened to the junk-inclusive value: accepted iff that value is the tensor's own
    (here: iff the junk is all zero)."""
    rng = random.Random(seed)
    t = ints(rng.randrange(-100, 100) for _ in range(math.prod(shape)))
    M = matrix_with_junk(t, shape, g, junk)
    com = junk_commit(M, shape, g)
    u = rand_point(H.layout_of(shape, g).nvars + extra, seed)
    vals, proof = forged_open(Transcript("p"), [M], [com], u, lie)
    true = vals[0] == pad_axes(t, shape).evaluate(u)
    try:
        H.verify_batch(Transcript("p"), [com], u, vals, proof)
        accepted = True
    except OpeningError:
        accepted = False
    if lie:
        assert accepted == true
    else:  # the format-1 prover's unmasked IPAs: never accepted for a false value
        assert true or not accepted


# ---------------------------------------------- class 4: standalone files bind nothing
def forged_inner_product_file(c: int, n: int = 3) -> bytes:
    """<a, b> = c with no vectors at all: round polynomials picked to pass, final
    evaluations picked to match; a and b could be chosen afterwards."""
    st_ = inner_product.Statement(n, c)
    t = inner_product.new_transcript()
    t.absorb("inner_product/statement", inner_product.PROTOCOL_ID.encode() + st_.to_bytes())
    sc._absorb_header(t, st_.num_vars, 2, c)
    claim, rounds = c, []
    for _ in range(st_.num_vars):
        s = (claim, 0, 0)
        rounds.append(s)
        t.absorb_frs("sumcheck/round", s)
        r = t.challenge("sumcheck/r")
        claim = sc.interpolate(s, r)
    proof = sc.TwoEvalProof(sc.SumcheckProof(tuple(rounds)), claim, 1)
    return inner_product.encode(st_, proof)


def test_inner_product_equals_5_on_uncommitted_vectors_not_accepted(capsys, tmp_path):
    data = forged_inner_product_file(5)
    pid, result = proof_file.verify_bytes(data)  # consistent ...
    assert [c.name for c in proof_file.remaining_claims(result)] == ["a", "b"]  # ... but binds nothing
    f = tmp_path / "ip5.zkp"
    f.write_bytes(data)
    assert cli_main(["verify", str(f)]) == 1
    out = capsys.readouterr().out
    assert "ACCEPTED" not in out and out.startswith("NOT BINDING") and "binds nothing on its own" in out


def test_tlookup_without_input_commitments_not_accepted(capsys, tmp_path):
    """A tlookup file that leaves the claim on its input to a caller is NOT BINDING; the
    same lookup with the input committed in the file is ACCEPTED."""
    table = Table.range(0, 16)
    x = ints([1, 5, 9])
    for coms, code, word in (((), 1, "NOT BINDING"), (tl.commit_inputs(x, None, 1, 3), 0, "ACCEPTED")):
        st_ = tl.make_statement(table, 1, 3, input_commitments=coms)
        st_, proof = tl.prove(tl.transcript_for_file(), table, x, statement=st_)
        f = tmp_path / "t.zkp"
        f.write_bytes(proof_file.encode(tl.PROTOCOL_ID, st_.to_bytes(), proof.to_bytes()))
        assert cli_main(["verify", str(f)]) == code
        assert capsys.readouterr().out.startswith(word)


# ------------------------------------------------------------------ class 5: hygiene
def test_tlookup_mismatched_gen_dims_rejected_typed():
    """Mapping inputs x and y committed with different GEN_DIMs: a typed rejection."""
    table = Table.range(0, 8, ints(range(8)))
    x = ints([1, 2, 3, 4, 5])
    cx = H.commit(x, 4, shape=(1, 5))
    cy = H.commit(x, 8, shape=(1, 5))
    with pytest.raises(ValueError, match="different gen_dims"):
        tl.make_statement(table, 1, 5, input_commitments=(cx, cy))
    st_ = tl.make_statement(table, 1, 5, input_commitments=(cx, H.commit(x, 4, shape=(1, 5))))
    good = st_.to_bytes()
    head = good[: len(good) - 2 - 2 * (8 + 48 * cx.num_rows)]
    w = Writer().raw(head).u8(2).u64(4).raw(cx.to_bytes()).u64(8).raw(cy.to_bytes()).u8(0).u8(0)
    data = proof_file.encode(tl.PROTOCOL_ID, w.bytes(), b"\x00" * 100)
    with pytest.raises(MalformedProof, match="gen_dim"):
        proof_file.verify_bytes(data)


def test_huge_gen_dim_in_tiny_file_refused_fast():
    """A 1-element tensor with GEN_DIM 2^20 in a file of a few hundred bytes: refused
    before any generator is derived."""
    com_rows = H.commit(ints([1]), 1).to_bytes()  # any valid point
    w = Writer().u64(1).u64(1 << 20).u8(1).u64(1).u8(0).u64(0).fr(1).raw(com_rows)
    t0 = time.perf_counter()
    with pytest.raises(MalformedProof, match="too large for a proof file"):
        proof_file.verify_bytes(proof_file.encode(H.PROTOCOL_ID, w.bytes(), b"\x00" * 600))
    st_ = tl.make_statement(Table.range(0, 4), 1, 2, gen_dim=1 << 20)
    with pytest.raises(MalformedProof, match="too large for a proof file"):
        proof_file.verify_bytes(proof_file.encode(tl.PROTOCOL_ID, st_.to_bytes(), b"\x00" * 600))
    assert time.perf_counter() - t0 < 5
    H.check_file_gen_dim(H.GEN_DIM_FREE, 10)  # the free allowance
    H.check_file_gen_dim(1 << 16, 1 << 16)


def test_format_1_files_refused_naming_the_version():
    data = bytearray(forged_inner_product_file(5))
    data[4:6] = (1).to_bytes(2, "little")
    with pytest.raises(MalformedProof, match="version 1"):
        proof_file.verify_bytes(bytes(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(proof_file.BUILTIN)), st.binary(max_size=300), st.binary(max_size=300))
def test_fuzz_every_protocol_only_verification_errors(entry, statement, proof):
    """Arbitrary statement and proof bytes under every built-in protocol id: a typed
    rejection (or, vanishingly unlikely, an acceptance), never another exception."""
    data = proof_file.encode(entry[0], statement, proof)
    try:
        proof_file.verify_bytes(data)
    except VerificationError:
        pass
