"""Inner-product argument (Bulletproofs-style) against eq(u), with a zero-knowledge variant.

Statement (public): generators G_0..G_{n-1} and Q (n = 2^k), a point u of k
coordinates, a value v and a commitment C (given to the verifier as MSM terms, so a
caller can fold its own MSM into the final check). The prover knows w (length n) with

    C = <w, G>      and      <w, b> = v,    b = eq(u) (u[0] binds the lowest index bit).

Protocol (the caller has absorbed C, u, v into the transcript). The folding stops at
m = min(n, FINAL_LEN) elements (k' = k - log2 m rounds): sending the last m scalars
is smaller than the log2 m rounds it replaces (32 m vs 96 log2 m + 32 bytes for m <= 8)
and saves their 2 log2 m MSMs.
    xi <- transcript;  Q' = xi Q;  P = C + v Q'
    for r = 0..k'-1 (each round binds the top remaining index bit; h = half length):
        L = <w_lo, G_hi> + <w_lo, b_hi> Q'       R = <w_hi, G_lo> + <w_hi, b_lo> Q'
        absorb L, R;  x <- transcript
        w <- x w_lo + x^-1 w_hi,  b <- x^-1 b_lo + x b_hi,  G <- x^-1 G_lo + x G_hi
        P <- x^2 L + P + x^-2 R
    the prover sends a = w (length m); the verifier accepts iff P = <a, G> + <a, b> Q'.

xi makes a commitment that hides a multiple of Q unable to shift v.

Masked variant (`mask`, a boolean vector of length n): b = eq(u) o mask, zero on the
masked-out positions, so that whatever w holds there does not count in v (Hyrax uses it
for the slots past a tensor's length). The protocol is the same; the verifier then folds
b explicitly (O(n) field operations) instead of using the product formula below.

The folded generators are G_fin[j] = sum_t coef[t] G[t m + j] with
coef[t] = prod_r (bit_{k'-1-r}(t) ? x_r : x_r^-1), and the folded b is
b_fin[j] = eq(u[:log2 m])[j] * prod_r (x_r^-1 (1 - u_{k-1-r}) + x_r u_{k-1-r}) (the
folded variables are the top ones), so the verifier's whole check is one MSM of size
n + 2k' + 1 (+ the caller's terms), the scalars of the G_k being coef (x) a:

    C + xi (v - <a, b_fin>) Q + sum_r (x_r^2 L_r + x_r^-2 R_r) - sum_k coef[k / m] a[k % m] G_k == identity.

The prover never folds points: the round-r generators are combinations of the original
ones, G_cur[j] = sum_t coef[t] G[t n_cur + j], so L and R are MSMs of size n/2 over the
original generators in the upper / lower half of each block, with scalars coef (x) w_lo
and coef (x) w_hi (outer products and strided gathers built with array ops, no
per-element Python): 2 k' MSMs of size n/2 + 1 in all.

Zero-knowledge variant (hiding commitments, C = <w, G> + beta H with H another
transparent generator): each L and R gets a fresh random multiple of H (l_r, r_r), so
the prover's blinding becomes beta_fin = beta + sum_r (x_r^2 l_r + x_r^-2 r_r) and
P_fin = <a, G_fin> + <a, b_fin> Q' + beta_fin H. Instead of a the prover sends a
Schnorr proof of knowledge of (a, beta_fin): random d (length m) and s,
A = <d, G_fin> + <d, b_fin> Q' + s H, c <- transcript, z = d + c a, z_h = s + c beta_fin;
the verifier checks A + c P_fin = <z, G_fin> + <z, b_fin> Q' + z_h H (still one MSM).
L, R, A are uniformly random group elements and z, z_h uniform scalars, so the proof
reveals nothing about w beyond v = <w, b>.

Proof: k' pairs (L, R) of compressed G1 points, then m field elements (a, or z):
96 k' + 32 m bytes; zero-knowledge: + A (48) and z_h (32). k' and m come from the
statement (n), never from the proof.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..field.device import xp
from ..errors import MalformedProof, OpeningError
from ..field.scalar import R, eq_table, inv
from .g1 import G1Point, G1Tensor, msm
from ..field.tensor import FrTensor
from ..transcript import Transcript
from ..wire import Reader, Writer

_L, _R, _X, _XI, _A, _C = "ipa/L", "ipa/R", "ipa/x", "ipa/xi", "ipa/A", "ipa/c"


def _rand() -> int:
    """A uniform blinding scalar from the OS's CSPRNG."""
    return secrets.randbelow(R)


FINAL_LEN = 8


def shape(n: int, final_len: int = FINAL_LEN) -> tuple[int, int]:
    """(rounds, final length) of the argument for vectors of length n = 2^k that stops
    at final_len elements (a power of two; a caller whose prover time matters more than
    32 bytes per element may pick more than FINAL_LEN: each round saved is two MSMs of
    size n/2)."""
    k = log2_exact(n, "n")
    m = min(n, 1 << log2_exact(final_len, "final_len"))
    return k - (m.bit_length() - 1), m


@dataclass(frozen=True)
class IPAProof:
    """(L_r, R_r) for each round, then the final vector a. In the zero-knowledge variant
    also A (the Schnorr commitment of the last step) and z_h (its blinding response);
    then `a` holds the response z = d + c a."""

    L: tuple[G1Point, ...]
    R: tuple[G1Point, ...]
    a: tuple[int, ...]
    A: G1Point | None = None
    z_h: int | None = None

    @property
    def rounds(self) -> int:
        return len(self.L)

    @property
    def zk(self) -> bool:
        return self.A is not None

    def write(self, w: Writer) -> Writer:
        for lp, rp in zip(self.L, self.R):
            w.g1(lp.to_bytes()).g1(rp.to_bytes())
        if self.zk:
            w.g1(self.A.to_bytes())
        w.frs(self.a)
        if self.zk:
            w.fr(self.z_h)
        return w

    def to_bytes(self) -> bytes:
        return self.write(Writer()).bytes()

    @classmethod
    def read(cls, r: Reader, n: int, zk: bool = False, final_len: int = FINAL_LEN) -> "IPAProof":
        """Read the proof for vectors of length n (from the statement, as are zk and
        final_len)."""
        rounds, m = shape(n, final_len)
        Ls, Rs = [], []
        for i in range(rounds):
            Ls.append(read_point(r, f"IPA L[{i}]"))
            Rs.append(read_point(r, f"IPA R[{i}]"))
        if not zk:
            return cls(tuple(Ls), tuple(Rs), tuple(r.frs(m, "IPA final vector")))
        A = read_point(r, "IPA A")
        return cls(tuple(Ls), tuple(Rs), tuple(r.frs(m, "IPA z")), A, r.fr("IPA z_h"))

    @classmethod
    def from_bytes(cls, data: bytes, n: int, zk: bool = False, final_len: int = FINAL_LEN) -> "IPAProof":
        """Decode a proof for vectors of length n; MalformedProof on any length
        mismatch, invalid point or non-canonical scalar."""
        r = Reader(data)
        p = cls.read(r, n, zk, final_len)
        r.finish()
        return p

    @staticmethod
    def size(n: int, zk: bool = False, final_len: int = FINAL_LEN) -> int:
        rounds, m = shape(n, final_len)
        return 96 * rounds + 32 * m + (48 + 32 if zk else 0)


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


def prove(
    transcript: Transcript,
    w: FrTensor,
    u: Sequence[int],
    gens: G1Tensor,
    q: G1Point,
    hiding: tuple[G1Point, int] | None = None,
    mask=None,
    final_len: int = FINAL_LEN,
) -> IPAProof:
    """Prove <w, b> = v, b = eq(u) (o mask when a boolean mask of length n is given),
    for C = <w, gens> (C, u, v and the mask's origin absorbed by the caller).

    w: length n = 2^len(u) = len(gens), any device; u: Python ints. Costs 2 k' MSMs
    of size n/2 + 1 (k' = shape(n, final_len)[0]). With hiding = (H, beta), C = <w, gens> + beta H
    and the proof is zero-knowledge (see the module docstring); one more MSM of size n."""
    n = len(w)
    k = log2_exact(n, "len(w)")
    if len(u) != k:
        raise ValueError(f"u has {len(u)} coordinates, len(w) = {n} needs {k}")
    if len(gens) != n:
        raise ValueError(f"{len(gens)} generators for a vector of length {n}")
    _, m = shape(n, final_len)
    dev = w.device
    xi = transcript.challenge(_XI)
    b = FrTensor.eq(list(u), dev)
    if mask is not None:
        b = b * _mask_tensor(mask, n, dev)
    zk = hiding is not None
    qt = G1Tensor.from_points([q, hiding[0]] if zk else [q])
    beta = hiding[1] % R if zk else 0
    coef = FrTensor.ones(1, dev)
    Ls, Rs = [], []
    while len(w) > m:
        h = len(w) // 2
        w_lo, w_hi, b_lo, b_hi = w[:h], w[h:], b[:h], b[h:]
        cl = w_lo.inner(b_hi) * xi % R
        cr = w_hi.inner(b_lo) * xi % R
        bl, br = (_rand(), _rand()) if zk else (None, None)
        sl = FrTensor.cat([_outer(coef, w_lo), _scalar_tensor([cl, bl] if zk else [cl], dev)])
        sr = FrTensor.cat([_outer(coef, w_hi), _scalar_tensor([cr, br] if zk else [cr], dev)])
        Lp = msm(sl, G1Tensor.cat([_half_points(gens, len(coef), 2 * h, upper=True), qt]))
        Rp = msm(sr, G1Tensor.cat([_half_points(gens, len(coef), 2 * h, upper=False), qt]))
        transcript.absorb_g1(_L, Lp.to_bytes())
        transcript.absorb_g1(_R, Rp.to_bytes())
        x, xinv = _challenge(transcript)
        w = w_lo * x + w_hi * xinv
        b = b_lo * xinv + b_hi * x
        coef = _interleave(coef, x, xinv)
        if zk:
            beta = (beta + x * x * bl + xinv * xinv * br) % R
        Ls.append(Lp)
        Rs.append(Rp)
    a = w.to_ints()
    if not zk:
        return IPAProof(tuple(Ls), tuple(Rs), tuple(a))
    # Schnorr proof of knowledge of (a, beta) with P_fin = <a, G_fin> + <a, b_fin> xi Q + beta H
    d = [_rand() for _ in range(m)]
    s = _rand()
    b_fin = b.to_ints()
    A = msm(
        FrTensor.cat([_outer(coef.to("cpu"), FrTensor.from_ints(d)), FrTensor.from_ints([_dot(d, b_fin) * xi, s])]),
        G1Tensor.cat([gens, qt]),
    )
    transcript.absorb_g1(_A, A.to_bytes())
    c = transcript.challenge(_C)
    z = tuple((di + c * ai) % R for di, ai in zip(d, a))
    return IPAProof(tuple(Ls), tuple(Rs), z, A, (s + c * beta) % R)


def _mask_tensor(mask, n: int, device: str) -> FrTensor:
    """The 0/1 field vector of a boolean mask of length n."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"mask must be a boolean vector of length {n}, got shape {mask.shape}")
    return FrTensor.from_ints(mask.astype(np.int64), device)


def _dot(xs: Sequence[int], ys: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(xs, ys)) % R


def verify_terms(
    transcript: Transcript,
    u: Sequence[int],
    v: int,
    gens: G1Tensor,
    q: G1Point,
    proof: IPAProof,
    h: G1Point | None = None,
    mask=None,
    final_len: int = FINAL_LEN,
) -> tuple[int, FrTensor, G1Tensor]:
    """Replay the transcript and return (mult, scalars, points) such that the proof is
    valid iff mult C + MSM(scalars, points) is the identity. The caller scales its own
    terms for C by mult (1 without hiding, the Schnorr challenge c with it) and runs
    one MSM.

    Sizes come from the statement: len(gens) = 2^len(u) fixes the rounds and the final
    length (shape, with the caller's final_len), and the zero-knowledge variant is used iff h (the blinding
    generator) is given; a proof of another shape raises OpeningError. mask: as for
    prove (b = eq(u) o mask)."""
    n = len(gens)
    k = log2_exact(n, "len(gens)")
    if len(u) != k:
        raise ValueError(f"u has {len(u)} coordinates, {n} generators need {k}")
    rounds, m = shape(n, final_len)
    if proof.rounds != rounds or len(proof.R) != rounds or len(proof.a) != m:
        raise OpeningError(
            f"IPA proof has {proof.rounds} rounds and a final vector of {len(proof.a)}, "
            f"the statement needs {rounds} and {m}"
        )
    if proof.zk != (h is not None):
        raise OpeningError("IPA proof variant (zero-knowledge or not) does not match the statement")
    xi = transcript.challenge(_XI)
    xs, xinvs = [], []
    for lp, rp in zip(proof.L, proof.R):
        transcript.absorb_g1(_L, lp.to_bytes())
        transcript.absorb_g1(_R, rp.to_bytes())
        x, xinv = _challenge(transcript)
        xs.append(x)
        xinvs.append(xinv)
    if mask is None:
        # round r binds variable k-1-r; the m lowest variables stay in b_fin = eq(u_low) * top
        top = 1
        for r in range(rounds):
            ur = u[k - 1 - r] % R
            top = top * (xinvs[r] * (1 - ur) + xs[r] * ur) % R
        ab = _dot(proof.a, eq_table(u[: k - rounds])) * top % R  # <a, b_fin>
    else:
        b = FrTensor.eq(list(u)) * _mask_tensor(mask, n, "cpu")
        for x, xinv in zip(xs, xinvs):
            h_ = len(b) // 2
            b = b[:h_] * xinv + b[h_:] * x
        ab = _dot(proof.a, b.to_ints())
    coef = FrTensor.ones(1)
    for x, xinv in zip(xs, xinvs):
        coef = _interleave(coef, x, xinv)
    g_scalars = _outer(coef, FrTensor.from_ints([(R - ai) % R for ai in proof.a]))  # -coef (x) a
    if h is None:
        # C + xi (v - <a, b_fin>) Q + sum(x^2 L + x^-2 R) - sum coef (x) a G
        head = [xi * (v - ab) % R] + [x * x % R for x in xs] + [xv * xv % R for xv in xinvs]
        scalars = FrTensor.cat([_scalar_tensor(head, "cpu"), g_scalars])
        points = G1Tensor.cat([G1Tensor.from_points([q, *proof.L, *proof.R]), gens])
        return 1, scalars, points
    # A + c P_fin - <z, G_fin> - <z, b_fin> xi Q - z_h H,  P_fin = C + xi v Q + sum(x^2 L + x^-2 R)
    transcript.absorb_g1(_A, proof.A.to_bytes())
    c = transcript.challenge(_C)
    head = (
        [xi * (c * v - ab) % R, 1, (R - proof.z_h) % R]
        + [c * x * x % R for x in xs]
        + [c * xv * xv % R for xv in xinvs]
    )
    scalars = FrTensor.cat([_scalar_tensor(head, "cpu"), g_scalars])
    points = G1Tensor.cat([G1Tensor.from_points([q, proof.A, h, *proof.L, *proof.R]), gens])
    return c, scalars, points
