"""Inner-product argument (Bulletproofs-style, no zero knowledge) against eq(u).

Statement (public): generators G_0..G_{n-1} and Q (n = 2^k), a point u of k
coordinates, a value v and a commitment C (given to the verifier as MSM terms, so a
caller can fold its own MSM into the final check). The prover knows w (length n) with

    C = <w, G>      and      <w, b> = v,    b = eq(u) (u[0] binds the lowest index bit).

Protocol (the caller has absorbed C, u, v into the transcript):
    xi <- transcript;  Q' = xi Q;  P = C + v Q'
    for r = 0..k-1 (each round binds the top remaining index bit; h = half length):
        L = <w_lo, G_hi> + <w_lo, b_hi> Q'       R = <w_hi, G_lo> + <w_hi, b_lo> Q'
        absorb L, R;  x <- transcript
        w <- x w_lo + x^-1 w_hi,  b <- x^-1 b_lo + x b_hi,  G <- x^-1 G_lo + x G_hi
        P <- x^2 L + P + x^-2 R
    the prover sends a = w (length 1); the verifier accepts iff P = a G + a b Q'.

xi makes a commitment that hides a multiple of Q unable to shift v.

The folded generator is G_fin = sum_k s_k G_k with s_k = prod_r (bit_{k-1-r}(k) ? x_r : x_r^-1)
and the folded b is prod_r (x_r^-1 (1 - u_{k-1-r}) + x_r u_{k-1-r}) (O(k) work), so the
verifier's whole check is one MSM of size n + 2k + 1 (+ the caller's terms):

    C + xi (v - a b_fin) Q + sum_r (x_r^2 L_r + x_r^-2 R_r) - a G_fin == identity.

The prover never folds points: the round-r generators are combinations of the original
ones, G_cur[j] = sum_m coef[m] G[m n_cur + j], so L and R are MSMs of size n/2 over the
original generators in the upper / lower half of each block, with scalars coef (x) w_lo
and coef (x) w_hi (outer products and strided gathers built with array ops, no
per-element Python): 2 log n MSMs of size n/2 + 1 in all.

Proof: k pairs (L, R) of compressed G1 points and one field element a:
96 k + 32 bytes. The number of rounds comes from the statement (n), never the proof.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .device import xp
from .errors import MalformedProof, OpeningError
from .field import R, inv
from .g1 import G1Point, G1Tensor, msm
from .tensor import FrTensor
from .transcript import Transcript
from .wire import Reader, Writer

_L, _R, _X, _XI = "ipa/L", "ipa/R", "ipa/x", "ipa/xi"


@dataclass(frozen=True)
class IPAProof:
    """(L_r, R_r) for each round, then the final scalar a."""

    L: tuple[G1Point, ...]
    R: tuple[G1Point, ...]
    a: int

    @property
    def rounds(self) -> int:
        return len(self.L)

    def write(self, w: Writer) -> Writer:
        for lp, rp in zip(self.L, self.R):
            w.g1(lp.to_bytes()).g1(rp.to_bytes())
        return w.fr(self.a)

    def to_bytes(self) -> bytes:
        return self.write(Writer()).bytes()

    @classmethod
    def read(cls, r: Reader, rounds: int) -> "IPAProof":
        Ls, Rs = [], []
        for i in range(rounds):
            Ls.append(read_point(r, f"IPA L[{i}]"))
            Rs.append(read_point(r, f"IPA R[{i}]"))
        return cls(tuple(Ls), tuple(Rs), r.fr("IPA final scalar"))

    @classmethod
    def from_bytes(cls, data: bytes, rounds: int) -> "IPAProof":
        """Decode a proof of `rounds` rounds (from the statement); MalformedProof on any
        length mismatch, invalid point or non-canonical scalar."""
        r = Reader(data)
        p = cls.read(r, rounds)
        r.finish()
        return p

    @staticmethod
    def size(rounds: int) -> int:
        return 96 * rounds + 32


def read_point(r: Reader, what: str) -> G1Point:
    """A compressed G1 point from the reader; MalformedProof when it is not a valid
    point of the prime-order subgroup."""
    raw = r.g1(what)
    try:
        return G1Point.from_bytes(raw)
    except Exception as e:  # any decoding failure of the point library is a bad proof
        raise MalformedProof(f"{what} is not a valid G1 point: {e}") from None


def log2_exact(n: int, name: str) -> int:
    if not isinstance(n, int) or n < 1 or n & (n - 1):
        raise ValueError(f"{name} must be a power of two >= 1, got {n!r}")
    return n.bit_length() - 1


def _scalar_tensor(xs: Sequence[int], device: str) -> FrTensor:
    return FrTensor.from_ints([int(x) % R for x in xs], device)


def _interleave(coef: FrTensor, x: int, xinv: int) -> FrTensor:
    """coef_next[2m] = coef[m] x^-1, coef_next[2m+1] = coef[m] x."""
    lo, hi = coef * xinv, coef * x
    mod = xp(coef.device)
    return FrTensor(mod.ascontiguousarray(mod.stack([lo.data, hi.data], axis=1).reshape(-1, 4)))


def _outer(coef: FrTensor, block: FrTensor) -> FrTensor:
    """out[m len(block) + j] = coef[m] block[j]."""
    mod = xp(block.device)
    tiled = FrTensor(mod.ascontiguousarray(mod.tile(block.data, (len(coef), 1))))
    rep = FrTensor(mod.ascontiguousarray(mod.repeat(coef.data, len(block), axis=0)))
    return tiled * rep


def _half_points(gens: G1Tensor, blocks: int, n_cur: int, upper: bool) -> G1Tensor:
    """The original generators G[m n_cur + h + j] (upper) or G[m n_cur + j] (lower),
    m < blocks, j < h = n_cur / 2, in that order: a strided view of the point array."""
    d = gens.data.reshape(blocks, n_cur, -1)
    h = n_cur // 2
    sel = d[:, h:, :] if upper else d[:, :h, :]
    return G1Tensor(sel.reshape(blocks * h, d.shape[2]))


def _challenge(t: Transcript) -> tuple[int, int]:
    x = t.challenge(_X)
    if x == 0:  # probability 1/r; both sides see the same transcript
        raise OpeningError("IPA challenge is zero")
    return x, inv(x)


def prove(transcript: Transcript, w: FrTensor, u: Sequence[int], gens: G1Tensor, q: G1Point) -> IPAProof:
    """Prove <w, eq(u)> = v for C = <w, gens> (C, u, v absorbed by the caller).

    w: length n = 2^len(u) = len(gens), any device; u: Python ints. Costs 2 log n MSMs
    of size n/2 + 1."""
    n = len(w)
    k = log2_exact(n, "len(w)")
    if len(u) != k:
        raise ValueError(f"u has {len(u)} coordinates, len(w) = {n} needs {k}")
    if len(gens) != n:
        raise ValueError(f"{len(gens)} generators for a vector of length {n}")
    dev = w.device
    xi = transcript.challenge(_XI)
    b = FrTensor.eq(list(u), dev)
    qt = G1Tensor.from_points([q])
    coef = FrTensor.ones(1, dev)
    Ls, Rs = [], []
    while len(w) > 1:
        h = len(w) // 2
        w_lo, w_hi, b_lo, b_hi = w[:h], w[h:], b[:h], b[h:]
        cl = w_lo.inner(b_hi) * xi % R
        cr = w_hi.inner(b_lo) * xi % R
        sl = FrTensor.cat([_outer(coef, w_lo), _scalar_tensor([cl], dev)])
        sr = FrTensor.cat([_outer(coef, w_hi), _scalar_tensor([cr], dev)])
        Lp = msm(sl, G1Tensor.cat([_half_points(gens, len(coef), 2 * h, upper=True), qt]))
        Rp = msm(sr, G1Tensor.cat([_half_points(gens, len(coef), 2 * h, upper=False), qt]))
        transcript.absorb_g1(_L, Lp.to_bytes())
        transcript.absorb_g1(_R, Rp.to_bytes())
        x, xinv = _challenge(transcript)
        w = w_lo * x + w_hi * xinv
        b = b_lo * xinv + b_hi * x
        coef = _interleave(coef, x, xinv)
        Ls.append(Lp)
        Rs.append(Rp)
    a = w[0] if len(w) else 0
    return IPAProof(tuple(Ls), tuple(Rs), a)


def verify_terms(
    transcript: Transcript, u: Sequence[int], v: int, gens: G1Tensor, q: G1Point, proof: IPAProof
) -> tuple[FrTensor, G1Tensor]:
    """Replay the transcript and return (scalars, points) whose MSM, added to C, must
    be the identity. The caller appends C's own terms and runs one MSM.

    Sizes come from the statement: len(gens) = 2^len(u) and proof.rounds must equal
    len(u) (OpeningError otherwise)."""
    n = len(gens)
    k = log2_exact(n, "len(gens)")
    if len(u) != k:
        raise ValueError(f"u has {len(u)} coordinates, {n} generators need {k}")
    if proof.rounds != k or len(proof.R) != k:
        raise OpeningError(f"IPA proof has {proof.rounds} rounds, the statement needs {k}")
    xi = transcript.challenge(_XI)
    xs, xinvs = [], []
    for lp, rp in zip(proof.L, proof.R):
        transcript.absorb_g1(_L, lp.to_bytes())
        transcript.absorb_g1(_R, rp.to_bytes())
        x, xinv = _challenge(transcript)
        xs.append(x)
        xinvs.append(xinv)
    # round r binds variable k-1-r
    b_fin = 1
    for r in range(k):
        ur = u[k - 1 - r] % R
        b_fin = b_fin * (xinvs[r] * (1 - ur) + xs[r] * ur) % R
    coef = FrTensor.ones(1)
    for x, xinv in zip(xs, xinvs):
        coef = _interleave(coef, x, xinv)
    a = proof.a
    head = [xi * (v - a * b_fin) % R] + [x * x % R for x in xs] + [xv * xv % R for xv in xinvs]
    scalars = FrTensor.cat([_scalar_tensor(head, "cpu"), coef * ((R - a) % R)])
    points = G1Tensor.cat([G1Tensor.from_points([q, *proof.L, *proof.R]), gens])
    return scalars, points
