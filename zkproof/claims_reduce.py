"""Several evaluation claims on one tensor reduced to one point (and padding proven zero).

Statement: claims t(u_i) = v_i, i < k, on the multilinear extension of a table t of
2^n entries and, optionally, "t is zero wherever the public 0/1 mask `outside` is one"
(the padding slots of a layout). For challenges alpha and r drawn after the claims are
absorbed, the prover runs one sumcheck (degree 3 with the mask, else 2) of

    sum_i alpha^i v_i = sum_x t(x) W(x) + alpha^k sum_x t(x) eq(r, x) outside(x),
    W = sum_i alpha^i eq(u_i, .),

ending at a random point v with claims t(v), W(v), eq(r, v), outside(v). The verifier
computes the last three itself (k + 1 eq evaluations and outside's extension at v,
which the caller supplies as a function: O(n) for a padding mask) and keeps the single
claim t(v). A false claim or a
non-zero entry under the mask survives with probability about (k + 2 + 2n) / r.

Transcript: "reduce/n", "reduce/claims" (the points and values), "reduce/alpha",
"reduce/r", the sumcheck and its final evaluations. With one claim and no mask the
claim is returned as it is and nothing is sent.
"""
from __future__ import annotations

from typing import Callable, Sequence

from .errors import ClaimMismatch
from .field.scalar import R, eq_eval
from .field.tensor import FrTensor

TERMS = [(1, (0, 1))]


def _terms(k: int, alpha: int, masked: bool):
    """tables: 0 = t, 1 = W, 2 = eq(r, .), 3 = outside."""
    if not masked:
        return TERMS
    return ([(1, (0, 1))] if k else []) + [(pow(alpha, k, R), (0, 2, 3))]


def _absorb(ch, n: int, claims) -> tuple[int, list[int]]:
    ch.transcript.absorb_int("reduce/n", n)
    for point, value in claims:
        if len(point) != n:
            raise ValueError(f"a claim has {len(point)} coordinates, the tensor {n} variables")
        ch.transcript.absorb_frs("reduce/claims", list(point) + [value])
    return ch.challenge("reduce/alpha"), ch.challenges("reduce/r", n)


def _weights_value(claims, alpha: int, point) -> int:
    acc, p = 0, 1
    for u, _ in claims:
        acc += p * eq_eval(list(u), point)
        p = p * alpha % R
    return acc % R


def _claimed(claims, alpha: int) -> int:
    acc, p = 0, 1
    for _, v in claims:
        acc += p * v
        p = p * alpha % R
    return acc % R


def prove(ch, t: FrTensor, claims: Sequence[tuple], outside: FrTensor | None = None):
    """Reduce claims [(point, value)] on t (length 2^n) to one (point, value).
    outside: the 0/1 mask of slots that must be zero (None: no check).
    ch: a zkproof.nn.channel.ProverChannel (or anything with transcript, challenge(s))."""
    from .channel import prove_sumcheck
    n = len(t).bit_length() - 1
    if len(t) != 1 << n:
        raise ValueError(f"t: length {len(t)} is not a power of two")
    claims = [(list(p), int(v) % R) for p, v in claims]
    if outside is None and len(claims) == 1:
        return claims[0]
    if not claims and outside is None:
        raise ValueError("nothing to reduce")
    alpha, r = _absorb(ch, n, claims)
    W = FrTensor.zeros(len(t), t.device)
    p = 1
    for u, _ in claims:
        W = W + FrTensor.eq(u, t.device) * p
        p = p * alpha % R
    tables = [t, W]
    if outside is not None:
        if len(outside) != len(t):
            raise ValueError(f"outside: length {len(outside)}, t has {len(t)}")
        tables += [FrTensor.eq(r, t.device), outside]
    terms = _terms(len(claims), alpha, outside is not None)
    point, finals = prove_sumcheck(ch, tables, terms, _claimed(claims, alpha))
    return point, finals[0]


def verify(ch, n: int, claims: Sequence[tuple], outside_mle: Callable | None = None):
    """Verifier of `prove`: returns the single claim (point, value) on t; raises
    ClaimMismatch / SumcheckError when the reduction does not check out."""
    from .channel import verify_sumcheck
    claims = [(list(p), int(v) % R) for p, v in claims]
    if outside_mle is None and len(claims) == 1:
        return claims[0]
    if not claims and outside_mle is None:
        raise ValueError("nothing to reduce")
    alpha, r = _absorb(ch, n, claims)
    masked = outside_mle is not None
    terms = _terms(len(claims), alpha, masked)
    point, finals = verify_sumcheck(ch, n, 4 if masked else 2, terms, _claimed(claims, alpha))
    if finals[1] != _weights_value(claims, alpha, point):
        raise ClaimMismatch("claim reduction: the weight table's evaluation is wrong")
    if masked and (finals[2] != eq_eval(r, point) or finals[3] != outside_mle(point) % R):
        raise ClaimMismatch("claim reduction: the padding mask's evaluation is wrong")
    return point, finals[0]


# ----------------------------------------------------------------------------- helpers
class EqCache:
    """eq(u, .) tables by point (several tensors are evaluated, or weighted, at one
    point: build its table once). Keeps the `keep` most recent tables."""

    def __init__(self, device: str = "cpu", keep: int = 8):
        self.device, self.keep = device, keep
        self._tables: dict[tuple, FrTensor] = {}

    def table(self, point) -> FrTensor:
        key = tuple(int(x) % R for x in point)
        t = self._tables.pop(key, None)
        if t is None:
            t = FrTensor.eq(list(key), self.device)
        self._tables[key] = t
        while len(self._tables) > self.keep:
            self._tables.pop(next(iter(self._tables)))
        return t

    def get(self, point) -> FrTensor | None:
        """The cached eq(point, .) table, or None (nothing is built or evicted)."""
        return self._tables.get(tuple(int(x) % R for x in point))

    def evaluate(self, t: FrTensor, point) -> int:
        """t(point) for a table of exactly 2^len(point) entries."""
        if len(t) != 1 << len(point):
            return t.evaluate(list(point))
        return t.inner(self.table(point))


def prefix_eq_eq(count: int, r: Sequence[int], v: Sequence[int]) -> int:
    """sum_{x < count} eq(r, x) eq(v, x) over 2^len(r) indices, in O(len(r)): the
    extension at v of the table eq(r, .) restricted to [0, count). (With r = v's
    role taken by the indicator this is tlookup.prefix_mle.)"""
    k = len(r)
    acc, full = 0, 1  # acc: the sum over [0, count mod 2^j); full: the sum over all 2^j
    for j in range(k):
        w0 = (1 - r[j]) * (1 - v[j]) % R
        w1 = r[j] * v[j] % R
        if (count >> j) & 1:
            acc = (w0 * full + w1 * acc) % R
        else:
            acc = w0 * acc % R
        full = full * (w0 + w1) % R
    return full if count >= 1 << k else acc
