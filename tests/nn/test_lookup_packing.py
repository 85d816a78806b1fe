"""The graph's lookup phase: tensors packed into input trees (graph._lookup_phase),
completeness and soundness tests named after the attack (a cheating prover that runs
the honest code with one step changed)."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

from zkproof.errors import VerificationError
from zkproof.field.scalar import R
from zkproof.lookup import tlookup
from zkproof.nn import graph as G
from zkproof.nn.nonlinear import RangeCheck

LOW, BITS = -8, 6  # pad value -8: a non-zero pad in every padding slot


def build():
    """Three tensors in one range table: a and b (3, 5) -> 32 leaves each, c (2, 3) -> 8:
    72 = 64 + 8 leaves, two input trees (a and b in the first, c in the second)."""
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


def test_packing_layout_and_honest_proof(monkeypatch):
    seen = []
    real = tlookup.prove_joint

    def spy(transcript, lookups):
        seen.extend([len(x) for x in xs] for _, xs, _, _ in lookups)
        return real(transcript, lookups)

    monkeypatch.setattr(tlookup, "prove_joint", spy)
    prove_and_verify()
    assert seen == [[64, 8]]  # not 4 x 32 (the count rounded up to a power of two)


def _split_lie(change):
    """The prover's per-tensor split values changed by change(list of values) -> list."""
    saved = G._Context.message

    def message(self, label, n, compute):
        if self.is_prover and label == "nn/lookup-split":
            return saved(self, label, n, lambda: change(list(compute())))
        return saved(self, label, n, compute)
    return patched(G._Context, "message", message)


def test_lying_about_one_tensors_split_value_rejected():
    _, w = witness()
    with _split_lie(lambda v: [v[0] + 1] + v[1:] if len(v) == 2 else v):
        rejected(w)


def test_split_lies_that_add_up_rejected():
    """a's value shifted by 1 and b's by -e_a / e_b (e_a, e_b: the eq weights of their
    blocks at the first tree's point), so that the recombination still holds: the
    claims on a and b are then false, and the claim reduction / openings reject."""
    seen = {}
    real_joint = tlookup.prove_joint

    def spy(*args, **kw):
        out = real_joint(*args, **kw)
        seen["rho"] = out[2][0].inputs[0][0]
        return out

    def compensate(v):
        if len(v) != 2:
            return v
        rho5 = seen["rho"][5]  # a is block 0, b block 1 of the 64-leaf tree
        e_a, e_b = (1 - rho5) % R, rho5 % R
        return [(v[0] + 1) % R, (v[1] - e_a * pow(e_b, R - 2, R)) % R]

    g, w = witness()
    with _split_lie(compensate), patched(tlookup, "prove_joint", spy):
        st, proof = G.prove(g, w)
    with pytest.raises(VerificationError) as e:
        G.verify(build(), st, proof)
    assert "do not add up" not in str(e.value)  # the recombination held; the lie is caught later


def test_pad_slot_holding_a_non_pad_value_rejected():
    """c's padding slot (row 0, column 3) holds 5, an in-table value, instead of the pad
    -8: the LogUp holds for the leaves, but they are not c's layout with pads (c is the
    only tensor of the second tree, so its claim is derived from the tree's claim)."""
    real = G._tree_leaves

    def junk(ctx, depth, members, names, pad):
        t = real(ctx, depth, members, names, pad)
        if [names[j] for j, _ in members] == ["c"]:
            v = t.to_ints()
            v[3] = 5
            t = type(t).from_ints(v)
        return t

    _, w = witness()
    with patched(G, "_tree_leaves", junk):
        rejected(w)


def test_tensor_placed_in_another_block_rejected():
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
        return patched(G, "_tree_leaves", lambda ctx, depth, members, names, pad:
                       real(ctx, depth, members, ["b" if n == "a" else n for n in names], pad))

    with swap():
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError) as e:
        G.verify(build(), st, proof)
    assert "do not add up" not in str(e.value)
    saved = G._Context.message
    seen = {}
    real_joint = tlookup.prove_joint

    def spy(*args, **kw):
        out = real_joint(*args, **kw)
        seen["rho"] = out[2][0].inputs[0][0]
        return out

    def true_a(self, label, n, compute):
        if self.is_prover and label == "nn/lookup-split" and n == 2:
            return saved(self, label, n, lambda: [self.evaluate("a", seen["rho"][:5]), compute()[1]])
        return saved(self, label, n, compute)

    with swap(), patched(G._Context, "message", true_a), patched(tlookup, "prove_joint", spy):
        st, proof = G.prove(build(), w)
    with pytest.raises(VerificationError, match="do not add up"):
        G.verify(build(), st, proof)
