"""tlookup with input trees (prove_joint, pack_trees): the layout, completeness, the
statement's encoding, and soundness tests named after the attack."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from zkproof import FrTensor, Transcript
from zkproof.commit import hyrax, multiopen
from zkproof.errors import MalformedProof, OutOfTableError, VerificationError
from zkproof.field.scalar import R
from zkproof.lookup import tlookup as tl
from zkproof.lookup.tables import Table

RNG = np.random.default_rng(77)


def ints(v):
    return FrTensor.from_ints([int(x) for x in v])


def prove_trees(transcript, table, xs, ys=None, statement=None):
    """One lookup through prove_joint: (statement, proof, claims)."""
    sts, proof, claims = tl.prove_joint(transcript, [(table, xs, ys, statement)])
    return sts[0], proof, claims[0]


# ----------------------------------------------------------------------------- layout
@pytest.mark.parametrize("depths", [[0], [3], [5, 5, 5], [6, 2, 6, 0, 3, 3], [1, 1, 1, 1, 1, 1, 1],
                                    [17, 11, 17, 17, 17], list(RNG.integers(0, 9, size=40))])
def test_pack_trees_aligns_every_block_and_covers_the_total(depths):
    trees = tl.pack_trees(depths)
    total = sum(1 << int(d) for d in depths)
    sizes = [t for t, _ in trees]
    assert sum(1 << t for t in sizes) == total
    assert sizes == sorted(set(sizes), reverse=True)            # one tree per set bit
    assert sorted(i for _, ms in trees for i, _ in ms) == list(range(len(depths)))
    for t, members in trees:
        pos = 0
        for i, off in members:
            assert off == pos and off % (1 << depths[i]) == 0     # contiguous and aligned
            pos += 1 << depths[i]
        assert pos == 1 << t


def test_pack_trees_refuses_nothing_to_pack():
    with pytest.raises(ValueError):
        tl.pack_trees([])


# ----------------------------------------------------------------------------- completeness
def _trees(table, depths, seed, mapping_fn=None):
    rng = np.random.default_rng(seed)
    xs = [rng.integers(table.low, table.low + table.length, size=1 << d) for d in depths]
    ys = [mapping_fn(x) for x in xs] if mapping_fn else None
    return [ints(x) for x in xs], ([ints(y) for y in ys] if ys else None), xs


@pytest.mark.parametrize("depths", [[4], [5, 2], [6, 3, 0]])
def test_range_trees_complete_and_claims_are_the_leaves(depths):
    table = Table.range(-8, 32)
    xs, _, _ = _trees(table, depths, 1)
    st, proof, claims = prove_trees(Transcript("t"), table, xs)
    assert st.trees == tuple(depths) and st.dim == sum(1 << d for d in depths)
    got = tl.verify(Transcript("t"), st, proof.to_bytes())
    assert got.inputs == claims.inputs and got.table_point == claims.table_point
    for x, (point, vals) in zip(xs, got.inputs):
        assert vals == (x.evaluate(list(point)),)
    names = [f"x[{i}]" for i in range(len(depths))] if len(depths) > 1 else ["x"]
    assert [c.name for c in got.remaining()] == names


def test_mapping_trees_complete():
    f = [(3 * j + 1) % 50 for j in range(64)]
    table = Table.range(0, 64, ints(f))
    xs, ys, _ = _trees(table, [5, 3, 3], 2, lambda x: [f[v] for v in x])
    st = tl.make_statement(table, 1, 48, include_table=True, trees=[5, 3, 3])
    st, proof, claims = prove_trees(Transcript("t"), table, xs, ys, statement=st)
    got = tl.verify(Transcript("t"), st, proof.to_bytes())
    assert got.inputs == claims.inputs
    for x, y, (point, vals) in zip(xs, ys, got.inputs):
        assert vals == (x.evaluate(list(point)), y.evaluate(list(point)))
    assert [c.name for c in got.remaining()] == ["x[0]", "y[0]", "x[1]", "y[1]", "x[2]", "y[2]"]


def test_tensor_mapping_trees_complete():
    vals = [5, 9, 2, 7, 11]
    outs = [v * v for v in vals]
    table = Table.tensor(ints(vals), ints(outs))
    xs = [ints([9, 2, 2, 5]), ints([11, 7])]
    ys = [ints([81, 4, 4, 25]), ints([121, 49])]
    st, proof, claims = prove_trees(Transcript("t"), table, xs, ys)
    got = tl.verify(Transcript("t"), st, proof.to_bytes())
    assert got.inputs == claims.inputs and got.table_values == claims.table_values


def test_statement_with_trees_roundtrips_and_differs_from_one_tree():
    table = Table.range(0, 16)
    st = tl.make_statement(table, 1, 40, trees=[5, 3])
    assert tl.LookupStatement.from_bytes(st.to_bytes()) == st
    one = tl.make_statement(table, 1, 40)
    assert one.to_bytes() != st.to_bytes()
    for bad in ([5, 2], [6], [5, 3, 3]):  # sizes that are not the total
        with pytest.raises(ValueError):
            tl.make_statement(table, 1, 40, trees=bad)


def test_misuse_errors():
    table = Table.range(0, 16)
    with pytest.raises(ValueError, match="power-of-two"):
        prove_trees(Transcript("t"), table, [ints([1, 2, 3])])
    with pytest.raises(ValueError, match="mapping"):
        prove_trees(Transcript("t"), table, [ints([1, 2])], [ints([1, 2])])
    with pytest.raises(OutOfTableError):
        prove_trees(Transcript("t"), table, [ints([1, 2]), ints([16])])
    st = tl.make_statement(table, 1, 6, trees=[2, 1])
    with pytest.raises(ValueError, match="statement"):
        prove_trees(Transcript("t"), table, [ints([1, 2]), ints([1, 2, 3, 4])], statement=st)


# ----------------------------------------------------------------------------- soundness
def test_out_of_table_leaf_in_a_small_tree_rejected(monkeypatch):
    """17 is not in [0, 16); the prover counts it as 1 (in the second, smaller tree)."""
    table = Table.range(0, 16)

    def forged(table_, inputs, outputs=None):
        v = np.array(inputs.to_signed())
        v[v == 17] = 1
        return np.bincount(v, minlength=16).astype(np.uint64)

    monkeypatch.setattr(tl, "multiplicities", forged)
    st, proof, _ = prove_trees(Transcript("t"), table, [ints(range(8)), ints([3, 17])])
    monkeypatch.undo()
    with pytest.raises(VerificationError):
        tl.verify(Transcript("t"), st, proof.to_bytes())


def test_proof_under_other_trees_rejected():
    """The same leaves claimed as other trees (one tree of 8 and one of 2 proved; the
    statement says 4 + 4 + 2 or 8 + 1 + 1): the verifier reads the proof with the
    statement's depths and rejects."""
    table = Table.range(0, 16)
    st, proof, _ = prove_trees(Transcript("t"), table, [ints(range(8)), ints([3, 4])])
    for trees in ([2, 2, 1], [3, 0, 0]):
        other = tl.make_statement(table, 1, 10, trees=trees)
        with pytest.raises(VerificationError):
            tl.verify(Transcript("t"), other, proof.to_bytes())


def test_tree_root_swapped_rejected():
    """The input trees' roots exchanged (their fraction sum is unchanged, but the layer
    claims are not)."""
    table = Table.range(0, 16)
    st, proof, _ = prove_trees(Transcript("t"), table, [ints(range(8)), ints([3, 4, 5, 6, 7, 8, 9, 1])])
    proof.fractions.roots[0], proof.fractions.roots[1] = proof.fractions.roots[1], proof.fractions.roots[0]
    with pytest.raises(VerificationError):
        tl.verify(Transcript("t"), st, proof.to_bytes())


def test_leaf_numerator_not_one_rejected():
    """An input tree whose leaves carry numerator 2 (each input counted twice on the
    input side) with m doubled accordingly: the sums match, the numerator check rejects."""
    from zkproof.lookup import fraction_gkr as fg
    from zkproof.commit import hyrax as H
    from zkproof.lookup.tables import counts_tensor
    table = Table.range(0, 16)
    xs = [ints([1, 2, 3, 4]), ints([5, 6])]
    st = tl.make_statement(table, 1, 6, trees=[2, 1])
    counts = np.zeros(16, dtype=np.uint64)
    for v in [1, 2, 3, 4, 5, 6]:
        counts[v] += 2
    m = counts_tensor(counts)
    t = Transcript("t")
    st.absorb(t)
    com = H.commit(m, st.gen_dim)
    t.absorb_g1("tlookup/m_commitment", com.to_bytes())
    beta = t.challenge("tlookup/beta")
    trees = [fg.build_tree(x + beta, FrTensor.full(len(x), 2)) for x in xs]
    trees.append(fg.build_tree(table.padded_x("cpu") + beta, m.pad(16)))
    frac, leaves = fg.prove(t, trees)
    _, m_open = H.open_batch(t, [m], [com], list(leaves[-1].point), [leaves[-1].p])
    proof = tl.LookupProof(com, frac, None, None, m_open, None)
    with pytest.raises(VerificationError, match="numerators"):
        tl.verify(Transcript("t"), st, proof.to_bytes())


def test_trees_statement_decoder_rejects_bad_trees():
    table = Table.range(0, 16)
    good = tl.make_statement(table, 1, 40, trees=[5, 3]).to_bytes()
    hdr = len(tl.make_statement(table, 1, 40).header_bytes())
    assert good[hdr] == tl.TREES_MARK
    for pos, val in ((hdr + 1, 0), (hdr + 2, 4), (hdr + 3, 45), (hdr + 4, 1)):
        b = bytearray(good)
        b[pos] = val
        with pytest.raises(MalformedProof):
            tl.LookupStatement.from_bytes(bytes(b))


# ----------------------------------------------------------------------------- joint
def _joint_items():
    f = [(5 * j + 2) % 97 for j in range(16)]
    r16 = Table.range(0, 16)
    m16 = Table.range(0, 16, ints(f))
    r64 = Table.range(-32, 64)
    rng = np.random.default_rng(9)
    a = [ints(rng.integers(0, 16, size=8)), ints(rng.integers(0, 16, size=2))]
    bx = [ints(rng.integers(0, 16, size=4))]
    by = [ints([f[v] for v in bx[0].to_ints()])]
    c = [ints(rng.integers(-32, 32, size=16))]
    return [(r16, a, None, tl.make_statement(r16, 1, 10, trees=[3, 1])),
            (m16, bx, by, tl.make_statement(m16, 1, 4, include_table=True, trees=[2])),
            (r64, c, None, tl.make_statement(r64, 1, 16, trees=[4]))]


def test_joint_lookups_complete_and_share_points():
    items = _joint_items()
    sts, proof, claims = tl.prove_joint(Transcript("j"), items)
    got = tl.verify_joint(Transcript("j"), sts, proof.to_bytes())
    assert [c.inputs for c in got] == [c.inputs for c in claims]
    for (table, xs, ys, _), c in zip(items, got):
        for i, (point, vals) in enumerate(c.inputs):
            assert vals[0] == xs[i].evaluate(list(point))
            if ys:
                assert vals[1] == ys[i].evaluate(list(point))
    # trees of one depth end at one point: the two 16-entry tables' m open in one batch
    assert got[0].table_point == got[1].table_point and len(proof.m_openings) == 2
    assert got[0].inputs[1][0] != got[1].inputs[0][0]  # depths 1 and 2


def test_joint_proof_of_one_lookup_is_a_lookup_proof():
    items = _joint_items()[:1]
    sts, proof, claims = tl.prove_joint(Transcript("j"), items)
    got = tl.verify(Transcript("j"), sts[0], proof.to_bytes())
    assert got.inputs == claims[0].inputs


def test_joint_statements_reordered_or_dropped_rejected():
    items = _joint_items()
    sts, proof, _ = tl.prove_joint(Transcript("j"), items)
    data = proof.to_bytes()
    for bad in ([sts[1], sts[0], sts[2]], sts[:2], [sts[0], sts[2], sts[1]]):
        with pytest.raises(VerificationError):
            tl.verify_joint(Transcript("j"), bad, data)


def test_joint_m_commitments_swapped_rejected():
    """The two 16-entry tables' m commitments exchanged (their openings are one batch)."""
    items = _joint_items()
    sts, proof, _ = tl.prove_joint(Transcript("j"), items)
    proof.m_commitments[0], proof.m_commitments[1] = proof.m_commitments[1], proof.m_commitments[0]
    with pytest.raises(VerificationError):
        tl.verify_joint(Transcript("j"), sts, proof.to_bytes())


def test_joint_out_of_table_in_one_lookup_rejected(monkeypatch):
    """40 is outside [-32, 32) of the third table; the prover counts it as -32."""
    items = _joint_items()
    table, c, _, st = items[2]
    v = c[0].to_ints()
    v[5] = 40
    items[2] = (table, [ints([x if x < R // 2 else x - R for x in v])], None, st)
    real = tl.multiplicities

    def forged(table_, inputs, outputs=None):
        if table_.length != 64:
            return real(table_, inputs, outputs)
        x = np.array(inputs.to_signed())
        x[x == 40] = -32
        return np.bincount(x + 32, minlength=64).astype(np.uint64)

    monkeypatch.setattr(tl, "multiplicities", forged)
    sts, proof, _ = tl.prove_joint(Transcript("j"), items)
    monkeypatch.undo()
    with pytest.raises(VerificationError):
        tl.verify_joint(Transcript("j"), sts, proof.to_bytes())


def test_fraction_prover_leaves_the_callers_leaves_unchanged():
    """fraction_gkr.prove folds the layers it built in place but never the leaves (the
    graph hands it tensors' padded layouts without a copy)."""
    from zkproof.lookup import fraction_gkr as fg
    q = FrTensor.random(64, seed=5)
    p = FrTensor.random(64, seed=6)
    before = (q.to_ints(), p.to_ints())
    fg.prove(Transcript("l"), [fg.build_tree(q), fg.build_tree(q, p)])
    assert (q.to_ints(), p.to_ints()) == before


# ----------------------------------------------------------------------------- m opened by the caller
def _m_point_claims(m_claims):
    """The caller's side of open_m=False: each MClaim as a multiopen PointClaim on "m<l>"."""
    claims = [multiopen.PointClaim(f"m{l}", mc.point, mc.value) for l, mc in enumerate(m_claims)]
    return claims, {f"m{l}": mc.commitment for l, mc in enumerate(m_claims)}


def test_joint_without_m_openings_complete_and_m_claims_open():
    items = _joint_items()
    tp = Transcript("j")
    sts, proof, claims, m_claims = tl.prove_joint(tp, items, open_m=False)
    assert proof.m_openings == []
    for (table, xs, _, st), c, mc in zip(items, claims, m_claims):
        # m exactly as committed: the histogram of every leaf, as int64
        want = sum(np.bincount(np.asarray(x.to_signed()) - table.low, minlength=table.length) for x in xs)
        assert mc.counts.dtype == np.int64 and mc.counts.tolist() == want.tolist()
        assert mc.commitment.shape == (st.table_len,) and mc.commitment == hyrax.commit(ints(want), st.gen_dim)
        assert len(mc.point) == st.b and mc.point == c.table_point
        assert mc.value == c.m_value == ints(want).evaluate(list(mc.point))
    pc, coms = _m_point_claims(m_claims)
    opening = multiopen.prove(tp, pc, {f"m{l}": mc.counts for l, mc in enumerate(m_claims)}, coms, check=True)

    tv = Transcript("j")
    got, vm = tl.verify_joint(tv, sts, proof.to_bytes(), open_m=False)
    assert [c.inputs for c in got] == [c.inputs for c in claims]
    assert [(m.commitment, m.point, m.value) for m in vm] == [(m.commitment, m.point, m.value) for m in m_claims]
    assert all(m.counts is None for m in vm)
    multiopen.verify(tv, *_m_point_claims(vm), opening.to_bytes())


def test_joint_proof_without_m_openings_is_the_prefix_of_the_default_one():
    """open_m only drops the openings at the end: the default proof (other callers' bytes)
    is unchanged, and the transcripts agree up to the openings."""
    items = _joint_items()
    _, full, _ = tl.prove_joint(Transcript("j"), items)
    _, bare, _, _ = tl.prove_joint(Transcript("j"), items, open_m=False)
    assert len(full.m_openings) == 2 and full.to_bytes().startswith(bare.to_bytes())
    assert len(bare.to_bytes()) < len(full.to_bytes())


def test_joint_proof_read_with_the_other_open_m_rejected():
    items = _joint_items()
    sts, full, _ = tl.prove_joint(Transcript("j"), items)
    _, bare, _, _ = tl.prove_joint(Transcript("j"), items, open_m=False)
    for proof, open_m in ((full, False), (bare, True)):
        with pytest.raises(MalformedProof):  # bytes left over / missing
            tl.verify_joint(Transcript("j"), sts, proof.to_bytes(), open_m=open_m)
        with pytest.raises(MalformedProof):  # openings present / absent in the object
            tl.verify_joint(Transcript("j"), sts, proof, open_m=open_m)


def test_joint_without_m_openings_wrong_m_claim_value_rejected_by_the_opening():
    """The lookup itself no longer checks m: an m claim with another value (or on the
    other equal-length table's commitment) is caught by the caller's opening."""
    items = _joint_items()
    tp = Transcript("j")
    sts, proof, _, m_claims = tl.prove_joint(tp, items, open_m=False)
    pc, coms = _m_point_claims(m_claims)
    opening = multiopen.prove(tp, pc, {f"m{l}": mc.counts for l, mc in enumerate(m_claims)}, coms)
    for bad in (lambda vm: [dataclasses.replace(vm[0], value=(vm[0].value + 1) % R)] + vm[1:],
                lambda vm: [dataclasses.replace(vm[0], commitment=vm[1].commitment),
                            dataclasses.replace(vm[1], commitment=vm[0].commitment)] + vm[2:]):
        tv = Transcript("j")
        _, vm = tl.verify_joint(tv, sts, proof.to_bytes(), open_m=False)
        with pytest.raises(VerificationError):
            multiopen.verify(tv, *_m_point_claims(bad(vm)), opening.to_bytes())


# ------------------------------------------------------------------ integer leaves
@pytest.mark.parametrize("mapping", [False, True])
def test_integer_leaves_give_the_same_proof_as_field_leaves(mapping):
    """prove_joint on int64 leaves (the graph's path: histogram, evaluations and the m
    commitment from the integers) produces the very bytes of the field-leaf proof."""
    low = -5
    outs = np.arange(16, dtype=np.int64) * 3 - 7
    table = Table.range(low, 16, ints(outs) if mapping else None)
    xs = [RNG.integers(low, low + 16, size=n) for n in (32, 8)]
    ys = [outs[x - low] for x in xs] if mapping else None
    as_fr = tl.prove_joint(Transcript("i"), [(table, [ints(x) for x in xs], [ints(y) for y in ys] if mapping
                                              else None, None)])
    as_int = tl.prove_joint(Transcript("i"), [(table, xs, ys, None)])
    assert as_int[1].to_bytes() == as_fr[1].to_bytes()
    tl.verify_joint(Transcript("i"), as_int[0], as_int[1].to_bytes())


def test_integer_leaves_refuse_what_is_not_in_the_table():
    from zkproof.lookup.tables import multiplicities, multiplicities_ints
    outs = np.arange(8, dtype=np.int64) ** 2
    table = Table.range(0, 8, ints(outs))
    x = np.array([1, 2, 7, 3])
    assert multiplicities_ints(table, x, outs[x]).tolist() == multiplicities(table, ints(x), ints(outs[x])).tolist()
    with pytest.raises(OutOfTableError, match="1 input/output pairs .* inputs\\[2\\] = 8"):
        multiplicities_ints(table, np.array([1, 2, 8, 3]), np.array([1, 4, 64, 9]))
    with pytest.raises(OutOfTableError, match="inputs\\[0\\] = 1 with outputs\\[0\\] = 2"):
        multiplicities_ints(table, np.array([1]), np.array([2]))
    with pytest.raises(TypeError, match="both FrTensors or both integer arrays"):
        tl.prove_joint(Transcript("i"), [(table, [np.array([1, 2])], [ints([1, 4])], None)])
