"""Sums of fractions proved through GKR fraction trees (layered sumchecks).

A fraction tree over leaves (p_i, q_i), i < 2^d, has layers L_d (the leaves), ..., L_0
(the root). Layer k has 2^k entries; its parent i combines the children i and
i + 2^k of layer k+1 (the top index bit splits the halves, matching FrTensor.fold):

    p'_i = p_i q_{i+2^k} + p_{i+2^k} q_i,        q'_i = q_i q_{i+2^k},

so the root is (P, Q) with P / Q = sum_i p_i / q_i whenever every q_i is non-zero
(then Q = prod q_i != 0; conversely a verifier that sees Q != 0 knows no q_i is 0).

Proving a layer. With P_k, Q_k the multilinear extensions of layer k and
A = P_{k+1}(., 0), B = P_{k+1}(., 1), C = Q_{k+1}(., 0), D = Q_{k+1}(., 1) (the top
variable of layer k+1 is the left/right bit), a claim on P_k(rho), Q_k(rho) is

    c1 P_k(rho) + c2 Q_k(rho) = sum_{x in {0,1}^k} eq(rho, x) [c1 (A D + B C) + c2 C D](x)

for random c1, c2. One sumcheck (degree 3 per variable, variables bound top first)
reduces it to A, B, C, D at a random point r; a fresh challenge mu then gives claims
P_{k+1}(r, mu) = A(r) + mu (B(r) - A(r)) and the same for Q, at the point (r, mu) with
mu on the top variable. Several trees are proved together: at layer k every tree deeper
than k joins one sumcheck with its own powers of one challenge lambda
(tree t gets c1 = lambda^(2t), c2 = lambda^(2t+1)), all trees sharing the point.
A tree whose leaves are reached leaves with a claim on its leaves.

Round messages: the prover sends g(0), g(2), g(3) of the round polynomial g (degree 3);
the verifier takes g(1) = claim - g(0). The prover computes g from h(t) = g(t) /
(prefix * eq1(rho_v, t)) of degree 2 (Gruen's factoring), so its kernels compute only
h(0) and h's leading coefficient per round; h(1) follows from the claim. Per pair of
entries that is 5 Fr multiplications on the input side's leaves (p = 1) and 8
elsewhere, plus one per folded entry of each table.

Transcript, in order: for each tree (p_root, q_root); for each layer k = 0, 1, ...:
lambda; per round g(0), g(2), g(3) then the round challenge; the values
(A, B, C, D)(r) of each active tree; mu.

What the caller must check: the root relation its protocol needs (e.g. equal
fraction sums), that the roots' Q are non-zero, and the returned leaf claims.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .. import _native
from ..errors import MalformedProof, SumcheckError
from ..field.scalar import R, inv
from ..field.tensor import FrTensor
from ..transcript import Transcript
from ..wire import Reader, Writer

# Lagrange denominators for nodes 0..3: 1/(-6), 1/2, 1/(-2), 1/6
_L = [inv(-6 % R), inv(2), inv(-2 % R), inv(6)]


def cubic_eval(g: Sequence[int], x: int) -> int:
    """The polynomial of degree <= 3 with values g[0..3] at 0..3, evaluated at x."""
    x %= R
    d = [(x - j) % R for j in range(4)]
    out = 0
    for i in range(4):
        num = 1
        for j in range(4):
            if j != i:
                num = num * d[j] % R
        out += g[i] * num % R * _L[i]
    return out % R


def batch_inv(xs: Sequence[int]) -> list[int]:
    """[1/x for x in xs] with one field inversion (zeros map to zero)."""
    pre, acc = [], 1
    for x in xs:
        pre.append(acc)
        if x % R:
            acc = acc * x % R
    out = [0] * len(xs)
    a = inv(acc)
    for i in range(len(xs) - 1, -1, -1):
        x = xs[i] % R
        if x:
            out[i] = a * pre[i] % R
            a = a * x % R
    return out


def eq1(a: int, t: int) -> int:
    """eq(a, t) = a t + (1 - a)(1 - t)."""
    return (a * t + (1 - a) * (1 - t)) % R


# ----------------------------------------------------------------------------- trees
@dataclass
class FractionTree:
    """All layers of one fraction tree (prover side). p[d] is None when every leaf has
    p = 1 (the input side of a lookup); p[k], q[k] hold 2^k entries."""

    p: list
    q: list

    @property
    def depth(self) -> int:
        return len(self.q) - 1

    @property
    def leaf_p_one(self) -> bool:
        return self.p[-1] is None


def build_tree(q_leaves: FrTensor, p_leaves: FrTensor | None = None) -> FractionTree:
    """Build every layer from leaves (p_i, q_i) of a power-of-two length; p None: all 1."""
    n = len(q_leaves)
    if n == 0 or n & (n - 1):
        raise ValueError(f"q_leaves: length must be a power of two, got {n}")
    if p_leaves is not None and len(p_leaves) != n:
        raise ValueError(f"p_leaves: length {len(p_leaves)} differs from q_leaves' {n}")
    return FractionTree(*layers_above(q_leaves, p_leaves))


def layers_above(q: FrTensor, p: FrTensor | None = None) -> tuple[list, list]:
    """(ps, qs): the layers from the root (index 0) down to the given one (p, q) of a
    power-of-two length (p None: all 1), each pair of neighbours merged natively."""
    dev = q.device
    ps, qs = [p], [q]
    while len(qs[-1]) > 1:
        half = len(qs[-1]) // 2
        po, qo = FrTensor.empty(half, dev), FrTensor.empty(half, dev)
        _native.frac_layer(po.data, qo.data, None if ps[-1] is None else ps[-1].data, qs[-1].data)
        ps.append(po)
        qs.append(qo)
    ps.reverse()
    qs.reverse()
    return ps, qs


# ----------------------------------------------------------------------------- proof
@dataclass
class LayerProof:
    rounds: list      # k triples [g(0), g(2), g(3)]
    finals: list      # per active tree [A, B, C, D] at the sumcheck point


@dataclass
class FractionProof:
    roots: list       # per tree [P, Q]
    layers: list      # LayerProof for k = 0 .. max depth - 1

    def to_bytes(self) -> bytes:
        w = Writer()
        for pq in self.roots:
            w.frs(pq)
        for lp in self.layers:
            for g in lp.rounds:
                w.frs(g)
            for f in lp.finals:
                w.frs(f)
        return w.bytes()

    @classmethod
    def read(cls, r: Reader, depths: Sequence[int]) -> "FractionProof":
        """Decode for trees of the given depths (from the statement, never the proof)."""
        need = 32 * proof_elements(depths)
        if r.remaining() < need:
            raise MalformedProof(f"truncated: a fraction proof for depths {list(depths)} needs {need} bytes, "
                                 f"{r.remaining()} left")
        roots = [r.frs(2, "fraction root") for _ in depths]
        layers = []
        for k in range(max(depths, default=0)):
            rounds = [r.frs(3, "round polynomial") for _ in range(k)]
            finals = [r.frs(4, "layer values") for d in depths if d > k]
            layers.append(LayerProof(rounds, finals))
        return cls(roots, layers)


def proof_elements(depths: Sequence[int]) -> int:
    n = 2 * len(depths)
    for k in range(max(depths, default=0)):
        n += 3 * k + 4 * sum(1 for d in depths if d > k)
    return n


@dataclass(frozen=True)
class LeafClaim:
    """P(point) = p and Q(point) = q for the multilinear extensions of a tree's leaves."""

    point: tuple
    p: int
    q: int


def _powers(x: int, n: int) -> list[int]:
    out, acc = [], 1
    for _ in range(n):
        out.append(acc)
        acc = acc * x % R
    return out


def _absorb_roots(t: Transcript, roots) -> None:
    t.absorb_int("frac/trees", len(roots))
    for p, q in roots:
        t.absorb_frs("frac/root", [p, q])


# ----------------------------------------------------------------------------- prover
def round_message(transcript: Transcript, acc, want1: bool, hclaim: int, rv: int, rv_inv: int,
                  pref: int) -> tuple[list[int], int, int, int]:
    """One prover round of a layer's sumcheck, from the kernel's sums `acc`.

    The kernel returns h(0), the leading coefficient of the quadratic h and, when the
    round's rho coordinate is 0 (`want1`), h(1); otherwise h(1) follows from the claim:
    hclaim = (1 - rv) h(0) + rv h(1). The round message is g(X) = pref * eq1(rv, X) * h(X)
    at X = 0, 2, 3 (g(1) is implied), absorbed before the challenge r is drawn.
    Returns (g, r, the next claim h(r), the next eq prefix)."""
    hv0, lead = acc[0] % R, acc[1] % R
    hv1 = acc[2] % R if want1 else (hclaim - (1 - rv) * hv0) % R * rv_inv % R
    lin = (hv1 - hv0 - lead) % R
    hv2 = (hv0 + 2 * lin + 4 * lead) % R
    hv3 = (hv0 + 3 * lin + 9 * lead) % R
    g = [pref * eq1(rv, x) % R * hv % R for x, hv in ((0, hv0), (2, hv2), (3, hv3))]
    transcript.absorb_frs("frac/round", g)
    r = transcript.challenge("frac/r")
    return g, r, (hv0 + lin * r + lead * r * r) % R, pref * eq1(rv, r) % R


def round_sums(src, dst, E: FrTensor, h: int, j: int, v: int, prev_r: int, lam: int, p_one, coef,
               want1: bool) -> list[int]:
    """Round j of a layer's sumcheck over the trees' tables (src: the layer's halves;
    dst: the folded tables): the fused kernel's sums, weighted by coef[2a], summed over
    the trees. The kernel folds by the previous challenge `prev_r` (rounds after the
    first) in the same pass; the first tree's call also forms the eq table of rho[:v]
    in place, as the sum of the halves of rho[:v+1]'s."""
    acc = [0, 0, 0]
    for a in range(len(src)):
        sa = src[a] if j <= 1 else dst[a]
        halve = j > 0 and a == 0
        e = E.data[: (2 << v) if halve else (1 << v)]
        out = _native.frac_round(dst[a], sa, h >> max(j - 1, 0), prev_r, j > 0, e, halve, lam, p_one[a], want1)
        for t in range(len(out)):
            acc[t] += out[t] * coef[2 * a]
    return acc


def layer_finals(src, dst, k: int, last_r: int, lam: int, p_one, device: str) -> list[list[int]]:
    """After a layer's k rounds: each tree's (A, B, C, D) at the bound point (the last
    fold by `last_r` done here; layer 0 has no rounds and reads its single entries)."""
    finals = []
    for a in range(len(src)):
        if k == 0:
            vals = [(FrTensor(x)[0] if x is not None else 1) for x in src[a]]
        else:
            sa = src[a] if k == 1 else dst[a]
            _native.frac_round(dst[a], sa, 2, last_r, True, FrTensor.ones(1, device).data, False, lam,
                               p_one[a], False)
            vals = [(FrTensor(x[:1])[0] if x is not None else 1) for x in dst[a]]
        finals.append(vals)
    return finals


def prove(transcript: Transcript, trees: Sequence[FractionTree]) -> tuple[FractionProof, list[LeafClaim]]:
    """Prove the roots of several fraction trees (layers from build_tree). Returns the
    proof and, per tree, the claim on its leaves that the caller must discharge. The
    trees are used up: their layers above the leaves are folded in place (no fresh
    memory per layer); the leaves, the caller's tensors, are left unchanged."""
    roots = [[int(tr.p[0][0]) if tr.p[0] is not None else 1, int(tr.q[0][0])] for tr in trees]
    _absorb_roots(transcript, roots)
    depths = [tr.depth for tr in trees]
    claims: list = [None] * len(trees)
    for i, d in enumerate(depths):
        if d == 0:
            claims[i] = LeafClaim((), roots[i][0], roots[i][1])
    rho: list[int] = []
    cur = [list(rt) for rt in roots]  # claimed (P, Q) of each tree at rho on layer k
    layers = []
    for k in range(max(depths, default=0)):
        active = [i for i, d in enumerate(depths) if d > k]
        lam = transcript.challenge("frac/lambda")
        coef = _powers(lam, 2 * len(active))
        claim = sum(coef[2 * a] * cur[i][0] + coef[2 * a + 1] * cur[i][1] for a, i in enumerate(active)) % R
        # tables: A, B, C, D of each active tree on layer k+1, split by the top bit
        src, dst, p_one = [], [], []
        h = 1 << k
        for i in active:
            tr = trees[i]
            P, Q = tr.p[k + 1], tr.q[k + 1]
            one = P is None
            p_one.append(one)
            s = [None, None] if one else [P.data[:h], P.data[h:]]
            src.append(s + [Q.data[:h], Q.data[h:]])
            if k + 1 < tr.depth:  # a layer build_tree made: folded in place (the tree is used up)
                dst.append(src[-1])
                continue
            wl = max(h // 2, 1)  # the caller's leaves are left as they are
            dev = Q.device
            dst.append([None if one else FrTensor.empty(wl, dev).data for _ in range(2)]
                       + [FrTensor.empty(wl, dev).data for _ in range(2)])
        E = FrTensor.eq(rho[: max(k - 1, 0)], trees[active[0]].q[0].device) if k else None
        rs: list[int] = []
        rounds = []
        # pref = prod eq1(rho_u, r_u) over the bound variables; hclaim = claim / pref is
        # h of the previous round at its challenge (no division by pref needed)
        pref, hclaim = 1, claim
        rho_inv = batch_inv(rho)
        for j in range(k):
            v = k - 1 - j
            rv = rho[v]
            want1 = rv == 0
            acc = round_sums(src, dst, E, h, j, v, rs[-1] if j else 0, lam, p_one, coef, want1)
            g, r, hclaim, pref = round_message(transcript, acc, want1, hclaim, rv,
                                              rho_inv[v] if not want1 else 0, pref)
            rounds.append(g)
            rs.append(r)
        finals = layer_finals(src, dst, k, rs[-1] if k else 0, lam, p_one, trees[active[0]].q[0].device)
        for f in finals:
            transcript.absorb_frs("frac/values", f)
        layers.append(LayerProof(rounds, finals))
        mu = transcript.challenge("frac/mu")
        rho = list(reversed(rs)) + [mu]
        for (A, B, C, D), i in zip(finals, active):
            cur[i] = [(A + mu * (B - A)) % R, (C + mu * (D - C)) % R]
            if depths[i] == k + 1:
                claims[i] = LeafClaim(tuple(rho), cur[i][0], cur[i][1])
    return FractionProof(roots, layers), claims


# ----------------------------------------------------------------------------- verifier
def verify(transcript: Transcript, depths: Sequence[int], proof: FractionProof) -> tuple[list, list[LeafClaim]]:
    """Check the layered sumchecks of trees of the given depths. Returns (roots, claims):
    roots[i] = (P, Q) of tree i (the caller checks its root relation and Q != 0) and the
    claim on tree i's leaves that the caller must discharge. Raises SumcheckError."""
    depths = [int(d) for d in depths]
    if not isinstance(proof, FractionProof) or len(proof.roots) != len(depths) \
            or len(proof.layers) != max(depths, default=0):
        raise MalformedProof("fraction proof does not match the statement's tree depths")
    roots = [[int(x) % R for x in pq] for pq in proof.roots]
    _absorb_roots(transcript, roots)
    claims: list = [None] * len(depths)
    for i, d in enumerate(depths):
        if d == 0:
            claims[i] = LeafClaim((), roots[i][0], roots[i][1])
    cur = [list(rt) for rt in roots]
    rho: list[int] = []
    for k, lp in enumerate(proof.layers):
        active = [i for i, d in enumerate(depths) if d > k]
        if len(lp.rounds) != k or len(lp.finals) != len(active):
            raise MalformedProof(f"layer {k}: wrong number of rounds or values")
        lam = transcript.challenge("frac/lambda")
        coef = _powers(lam, 2 * len(active))
        claim = sum(coef[2 * a] * cur[i][0] + coef[2 * a + 1] * cur[i][1] for a, i in enumerate(active)) % R
        rs = []
        for g in lp.rounds:
            g0, g2, g3 = (int(x) % R for x in g)
            transcript.absorb_frs("frac/round", [g0, g2, g3])
            r = transcript.challenge("frac/r")
            claim = cubic_eval([g0, (claim - g0) % R, g2, g3], r)
            rs.append(r)
        point = list(reversed(rs))
        e = 1
        for a_, b_ in zip(rho, point):
            e = e * eq1(a_, b_) % R
        expect = 0
        for a, f in enumerate(lp.finals):
            A, B, C, D = (int(x) % R for x in f)
            expect += coef[2 * a] * (A * D + B * C) + coef[2 * a + 1] * (C * D)
        if claim != e * expect % R:
            raise SumcheckError(f"fraction layer {k}: final sumcheck check fails")
        for f in lp.finals:
            transcript.absorb_frs("frac/values", [int(x) % R for x in f])
        mu = transcript.challenge("frac/mu")
        rho = point + [mu]
        for f, i in zip(lp.finals, active):
            A, B, C, D = (int(x) % R for x in f)
            cur[i] = [(A + mu * (B - A)) % R, (C + mu * (D - C)) % R]
            if depths[i] == k + 1:
                claims[i] = LeafClaim(tuple(rho), cur[i][0], cur[i][1])
    return roots, claims
