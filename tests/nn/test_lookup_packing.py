"""The graph's lookup phase: tensors cut into pieces (layout.real_boxes) packed into
input trees (graph._lookup_phase), completeness and soundness tests named after the
attack (a cheating prover that runs the honest code with one step changed). Tests marked
`whole` run with one piece per tensor (its whole padded layout, pads in its padding
slots: layout.MAX_BOXES = 1), the others with the default pieces too."""
from __future__ import annotations

import contextlib
import dataclasses

import numpy as np
import pytest

from zkproof import FrTensor
from zkproof.errors import VerificationError
from zkproof.field.scalar import R
from zkproof.lookup import tlookup
from zkproof.field.scalar import eq_eval
from zkproof.nn import graph as G
from zkproof.nn import layout as L
from zkproof.nn.nonlinear import RangeCheck

LOW, BITS = -8, 6  # pad value -8: a non-zero pad in every padding slot


@pytest.fixture(params=["pieces", "whole"])
def mode(request, monkeypatch):
    """pieces: the default boxes, cut however small the saving (these tensors are tiny);
    whole: one box per tensor (its padded layout)."""
    if request.param == "whole":
        monkeypatch.setattr(L, "MAX_BOXES", 1)
    else:
        monkeypatch.setattr(L, "MIN_CUT_SAVING", 0)
    return request.param


@pytest.fixture
def whole(monkeypatch):
    monkeypatch.setattr(L, "MAX_BOXES", 1)


def build():
    """Three tensors in one range table: a and b (3, 5), c (2, 3). Whole layouts: 32 + 32
    + 8 = 72 = 64 + 8 leaves, two input trees (a and b in the first, c in the second).
    Pieces: a and b are boxes of 8, 2, 4, 1 slots, c of 4 and 2: 36 = 32 + 4 leaves, the
    real slots only (first tree: a8, b8, a4, b4, c4, a2, b2; second: c2, a1, b1)."""
    g = G.Graph("packing")
    for n, shape in (("a", (3, 5)), ("b", (3, 5)), ("c", (2, 3))):
        g.add(RangeCheck(LOW, BITS), g.input(n, shape))
    return g


def witness(seed=0):
    rng = np.random.default_rng(seed)
    g = build()
    return g, g.forward({n: rng.integers(LOW, LOW + (1 << BITS), size=s)
                         for n, s in (("a", (3, 5)), ("b", (3, 5)), ("c", (2, 3)))})


def prove_and_verify(wit=None):
    g, w = witness() if wit is None else (build(), wit)
    st, proof = G.prove(g, w)
    G.verify(build(), st, proof)
    return st, proof


def rejected(wit):
    g = build()
    st, proof = G.prove(g, wit)
    with pytest.raises(VerificationError):
        G.verify(build(), st, proof)


@contextlib.contextmanager
def patched(obj, name, fn):
    saved = getattr(obj, name)
    setattr(obj, name, fn)
    try:
        yield saved
    finally:
        setattr(obj, name, saved)


def test_packing_layout_and_honest_proof(monkeypatch, mode):
    seen = []
    real = tlookup.prove_joint

    def spy(transcript, lookups, **kw):
        seen.extend([len(x) for x in xs] for _, xs, _, _ in lookups)
        return real(transcript, lookups, **kw)

    monkeypatch.setattr(tlookup, "prove_joint", spy)
    prove_and_verify()
    # whole: not 4 x 32 (the count rounded up to a power of two); pieces: no padding at all
    assert seen == ([[64, 8]] if mode == "whole" else [[32, 4]])


def _first_tree_point(seen: dict):
    """tlookup.prove_joint patched to record the first tree's point in seen["rho"]."""
    real = tlookup.prove_joint

    def spy(*args, **kw):
        out = real(*args, **kw)
        seen["rho"] = out[2][0].inputs[0][0]
        return out
    return patched(tlookup, "prove_joint", spy)


def _split_lie(change):
    """The prover's per-tensor split values changed by change(list of values) -> list."""
    saved = G._Context.message

    def message(self, label, n, compute):
        if self.is_prover and label == "nn/lookup-split":
            return saved(self, label, n, lambda: change(list(compute())))
        return saved(self, label, n, compute)
    return patched(G._Context, "message", message)


def test_lying_about_one_tensors_split_value_rejected(mode):
    _, w = witness()
    with _split_lie(lambda v: [v[0] + 1] + v[1:] if len(v) == (2 if mode == "whole" else 7) else v):
        rejected(w)


def test_split_lies_that_add_up_rejected(mode):
    """a's (first piece's) value shifted by 1 and b's by -e_a / e_b (e_a, e_b: the eq
    weights of their blocks at the first tree's point), so that the recombination still
    holds: the claims on a and b are then false, and the openings reject."""
    seen = {}
    # whole: a and b are blocks 0 and 1 of 32 leaves in the 64-leaf tree; pieces: a8 and
    # b8 are blocks 0 and 1 of 8 leaves in the 32-leaf tree
    size, depth, n = (5, 6, 2) if mode == "whole" else (3, 5, 7)

    def compensate(v):
        if len(v) != n:
            return v
        top = seen["rho"][size:depth]
        e_a, e_b = eq_eval(top, [0] * len(top)), eq_eval(top, [1] + [0] * (len(top) - 1))
        return [(v[0] + 1) % R, (v[1] - e_a * pow(e_b, R - 2, R)) % R] + v[2:]

    g, w = witness()
    with _split_lie(compensate), _first_tree_point(seen):
        st, proof = G.prove(g, w)
    with pytest.raises(VerificationError) as e:
        G.verify(build(), st, proof)
    assert "do not add up" not in str(e.value)  # the recombination held; the lie is caught later


def test_pad_slot_holding_a_non_pad_value_rejected(whole):
    """c's padding slot (row 0, column 3) holds 5, an in-table value, instead of the pad
    -8: the LogUp holds for the leaves, but they are not c's layout with pads (c is the
    only tensor of the second tree, so its claim is derived from the tree's claim)."""
    real = G._tree_leaves

    def junk(ctx, depth, members, pieces, names, pad):
        t = real(ctx, depth, members, pieces, names, pad)  # the integer leaves
        if [names[pieces[p][0]] for p, _ in members] == ["c"]:
            t = t.copy()
            t[3] = 5
        return t

    _, w = witness()
    with patched(G, "_tree_leaves", junk):
        rejected(w)


def test_tensor_placed_in_another_block_rejected(whole):
    """a holds a value outside the table (witness tampered after the forward pass); the
    prover puts b's leaves in a's block too, so every leaf is in the table. The split
    values read off those leaves (b's value for a) recombine, but leave a false claim on
    a, which the claim reduction / openings reject; sending a's true value instead fails
    the recombination."""
    g, w = witness()
    w["a"] = w["a"].copy()
    w["a"][1, 2] = 1000
    real = G._tree_leaves

    def swap():
        return patched(G, "_tree_leaves", lambda ctx, depth, members, pieces, names, pad:
                       real(ctx, depth, members, pieces, ["b" if n == "a" else n for n in names], pad))

    with swap():
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError) as e:
        G.verify(build(), st, proof)
    assert "do not add up" not in str(e.value)
    saved = G._Context.message
    seen = {}

    def true_a(self, label, n, compute):
        if self.is_prover and label == "nn/lookup-split" and n == 2:
            return saved(self, label, n, lambda: [self.evaluate("a", seen["rho"][:5]), compute()[1]])
        return saved(self, label, n, compute)

    with swap(), patched(G._Context, "message", true_a), _first_tree_point(seen):
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError, match="do not add up"):
        G.verify(build(), st, proof)


# ------------------------------------------------------------ the m's, opened in the final multiopen
M_NAME = G._m_name("range[-8,+2^6)")


def _joint_spy(change):
    """tlookup.prove_joint with its result passed through change(result) -> result."""
    real = tlookup.prove_joint
    return patched(tlookup, "prove_joint", lambda *a, **kw: change(real(*a, **kw)))


def _move_one_count(counts):
    """A wrong m of the same total: one count moved from the first row that has one to the
    next row."""
    m = np.array(counts, dtype=np.int64).copy()
    i = int(np.flatnonzero(m)[0])
    m[i] -= 1
    m[(i + 1) % len(m)] += 1
    return m


def test_m_claims_opened_in_the_final_multiopen_only():
    """The lookup proof carries no m opening; the opening's claims include each table's m."""
    seen = {}
    real = G.multiopen.verify

    def spy(transcript, claims, commitments, proof):
        seen["names"] = [c.name for c in claims]
        seen["m"] = commitments[M_NAME]
        return real(transcript, claims, commitments, proof)

    g, w = witness()
    with _joint_spy(lambda out: seen.__setitem__("out", out) or out):
        st, proof = G.prove(g, w)
    _, jp, _, m_claims = seen["out"]
    assert jp.m_openings == [] and len(m_claims) == 1
    assert m_claims[0].commitment.shape == (64,) and len(m_claims[0].point) == 6
    with patched(G.multiopen, "verify", spy):
        G.verify(build(), st, proof)
    assert seen["names"].count(M_NAME) == 1 and seen["m"] == m_claims[0].commitment


def test_graph_tensor_name_reserved_for_m_refused():
    g = G.Graph("names")
    with pytest.raises(ValueError, match="reserved"):
        g.input(M_NAME, (2, 2))


def test_wrong_m_with_the_same_total_rejected_by_the_lookup():
    """(1) The prover commits and uses a wrong m (a count moved between two table rows,
    the total kept): the LogUp sums differ."""
    real = tlookup.multiplicities_ints  # the graph's leaves are integers
    _, w = witness()
    with patched(tlookup, "multiplicities_ints", lambda *a: _move_one_count(real(*a)).astype(np.uint64)):
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError, match="fraction sums differ"):
        G.verify(build(), st, proof)


def test_committed_m_other_than_the_lookups_m_rejected_by_the_opening(monkeypatch):
    """(1') The fraction tree uses the true m (the LogUp holds), but the commitment is of a
    wrong m, and the prover opens that committed m: the opening rejects."""
    from zkproof.commit import hyrax
    real_commit = hyrax.commit

    def wrong_m_commit(t, gd, shape=None):  # tlookup commits m unshaped; the graph's tensors have shapes
        return real_commit(FrTensor.from_ints(_move_one_count(t.to_ints()).tolist()) if shape is None else t,
                           gd, shape)

    monkeypatch.setattr(hyrax, "commit", wrong_m_commit)
    _, w = witness()
    with _joint_spy(lambda out: out[:3] + ([dataclasses.replace(mc, counts=_move_one_count(mc.counts))
                                            for mc in out[3]],)):
        st, proof = G.prove(build(), w)
    monkeypatch.undo()
    with pytest.raises(VerificationError) as e:
        G.verify(build(), st, proof)
    assert "fraction sums differ" not in str(e.value)


def test_m_claim_value_changed_rejected_by_the_opening():
    """(2) The m claim's value changed: by the prover in its opening, or on the verifier's
    side (which shows the verifier's opening really checks it)."""
    def plus_one(mcs):
        return [dataclasses.replace(mc, value=(mc.value + 1) % R) for mc in mcs]

    _, w = witness()
    with _joint_spy(lambda out: out[:3] + (plus_one(out[3]),)):
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError):
        G.verify(build(), st, proof)

    st, proof = G.prove(build(), w)
    real = tlookup.verify_joint
    with patched(tlookup, "verify_joint", lambda *a, **kw: (lambda c, m: (c, plus_one(m)))(*real(*a, **kw))):
        with pytest.raises(VerificationError):
            G.verify(build(), st, proof)


def build_two_tables():
    """Two range tables of the same length 64 ([-8, 56) and [0, 64)): a in one, b in the other."""
    g = G.Graph("two-tables")
    g.add(RangeCheck(LOW, BITS), g.input("a", (3, 5)))
    g.add(RangeCheck(0, BITS), g.input("b", (4, 4)))
    return g


def test_m_commitments_swapped_between_equal_length_tables_rejected():
    """(3) The prover commits table B's m as table A's and A's as B's (and opens them so);
    the fraction trees use the true m's. The opening rejects."""
    from zkproof.commit import hyrax
    rng = np.random.default_rng(3)
    w = build_two_tables().forward({"a": rng.integers(LOW, LOW + 64, size=(3, 5)),
                                    "b": rng.integers(0, 64, size=(4, 4))})
    seen = {}
    with _joint_spy(lambda out: seen.__setitem__("m", [mc.counts for mc in out[3]]) or out):
        G.prove(build_two_tables(), w)
    m_a, m_b = seen["m"]
    assert m_a.tolist() != m_b.tolist()
    real_commit = hyrax.commit

    def swapped_commit(t, gd, shape=None):
        v = t.to_ints()
        other = {tuple(m_a.tolist()): m_b, tuple(m_b.tolist()): m_a}.get(tuple(v))
        return real_commit(FrTensor.from_ints(other.tolist()) if other is not None else t, gd, shape)

    def swap_counts(out):
        mcs = out[3]
        return out[:3] + ([dataclasses.replace(mcs[0], counts=mcs[1].counts),
                           dataclasses.replace(mcs[1], counts=mcs[0].counts)] + mcs[2:],)

    with patched(hyrax, "commit", swapped_commit), _joint_spy(swap_counts):
        st, proof = G.prove(build_two_tables(), w)
    with pytest.raises(VerificationError) as e:
        G.verify(build_two_tables(), st, proof)
    assert "fraction sums differ" not in str(e.value)
    st, proof = G.prove(build_two_tables(), w)  # the honest proof of the same witness verifies
    G.verify(build_two_tables(), st, proof)


@pytest.mark.parametrize("where", ["m commitment", "fraction proof", "last byte", "truncated"])
def test_lookup_proof_bytes_tampered_rejected(where):
    """(4) The joint lookup proof's bytes changed inside an honest graph proof."""
    seen = {}
    g, w = witness()
    with _joint_spy(lambda out: seen.__setitem__("blob", out[1].to_bytes()) or out):
        st, proof = G.prove(g, w)
    blob = seen["blob"]
    at = proof.find(blob)
    assert at > 0 and proof.count(blob) == 1
    bad = bytearray(proof)
    if where == "truncated":  # one byte fewer, the length prefix adjusted
        n = int.from_bytes(proof[at - 8:at], "little")
        assert n == len(blob)
        bad[at - 8:at] = (n - 1).to_bytes(8, "little")
        del bad[at + n - 1]
    else:
        pos = {"m commitment": 5, "fraction proof": len(blob) // 2, "last byte": len(blob) - 1}[where]
        bad[at + pos] ^= 1
    with pytest.raises(VerificationError):
        G.verify(build(), st, bytes(bad))
