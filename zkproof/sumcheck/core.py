"""The sumcheck core: prove and verify sums of products of multilinear tables.

Statement. For tables f_0..f_{K-1} (FrTensors of length 2^n), terms
[(c_t, (k_1, .., k_L)), ...] and an optional eq point u over the TOP e variables,

    claimed_sum = sum_{x in {0,1}^n} eq(u, x_top) * sum_t c_t * prod_{k in term t} f_k(x)

where x_top = (x_{n-e}, .., x_{n-1}) and eq(u, x_top) = prod_i (u_i x_{n-e+i} + (1-u_i)(1-x_{n-e+i}))
(e = 0: no eq factor; e = n: the usual eq(u, x)). The round degree is
d = max term length + (1 if e > 0 else 0); the verifier takes n and d from its statement.

Variable order. Round j binds the top remaining variable, n-1-j, to the challenge r_j
(the fold pairs index i with i + len/2, as FrTensor.fold does). The point returned by
prove and verify is in the FrTensor.evaluate convention: point[v] is the value bound
to variable v (bit v of the index), i.e. point = [r_{n-1}, .., r_1, r_0]. u is in the
same convention: u[i] belongs to variable n-e+i.

Transcript. Both sides absorb ("sumcheck/n" u64, "sumcheck/degree" u64,
"sumcheck/claim" Fr), then per round absorb the d+1 evaluations s_j(0..d)
("sumcheck/round") and draw r_j ("sumcheck/r"). The caller absorbs the rest of its
statement (including u and what the tables are) before calling.

What the caller must still check. verify returns (point, expected): the prover's
final claims f_k(point) (sent in the caller's proof) must satisfy
expected == eq(u, point_top) * sum_t c_t prod f_k(point): see `check_final`. Then the
claims f_k(point) must be discharged (openings, or another protocol).

Prover. One fused native pass per round (csrc/sumcheck_ops.inc): fold with the
previous challenge and accumulate the new round sums. The eq factor is never
materialised over all n variables: round j's polynomial is
    s_j(t) = C_j * eq1(u_v, t) * l_j(t),  l_j(t) = sum_i E(i) * P(t, i),
with C_j the product of eq1(u, r) over the variables already bound and E the eq table
of the eq variables below v. Only the largest E (2^(e-1) entries, one multiplication
each) is built up front; each round's pass also writes the next round's E by adding
the halves of its own (eq(u[0..k), x) = E_{k+1}[x] + E_{k+1}[x + 2^k]). l_j is
evaluated at t = 0..dP-1 and at infinity (its leading coefficient), and l_j(1) is
derived from the running claim instead of computed. Scratch buffers come from a
workspace kept between calls (`release_workspace()` frees it). `MulCounter` counts
the field multiplications performed (for the benchmarks' arithmetic floor).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Sequence

from .. import _native
from ..errors import MalformedProof, SumcheckError
from ..field.scalar import R, eq_eval, inv
from ..field.tensor import FrTensor
from ..transcript import Transcript
from ..wire import Reader, Writer

MAX_TABLES = 8
MAX_TERMS = 8
MAX_FACTORS = 8
MAX_DEGREE = 9

Term = tuple  # (coefficient: int, factors: tuple[int, ...])


_LAGRANGE_W: dict[int, list[int]] = {}
_FACT = [1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800]


def interpolate(evals: Sequence[int], x: int) -> int:
    """Value at x of the polynomial of degree < len(evals) taking evals[i] at i = 0, 1, ...
    (Lagrange over the nodes 0..d with cached barycentric weights: no inversion per call)."""
    n = len(evals)
    x %= R
    if x < n:
        return evals[x] % R
    w = _LAGRANGE_W.get(n)
    if w is None:
        w = []
        for i in range(n):
            den = 1
            for j in range(n):
                if j != i:
                    den = den * (i - j) % R
            w.append(inv(den))
        _LAGRANGE_W[n] = w
    pre = [1] * (n + 1)
    for j in range(n):
        pre[j + 1] = pre[j] * (x - j) % R
    total, suf = 0, 1
    for i in range(n - 1, -1, -1):
        total += evals[i] * w[i] % R * pre[i] % R * suf
        suf = suf * (x - i) % R
    return total % R


def _eq1(u: int, t: int) -> int:
    """eq(u, t) for one variable: u t + (1 - u)(1 - t)."""
    return (u * t + (1 - u) * (1 - t)) % R


def normalize_terms(terms, num_tables: int) -> list[tuple[int, tuple[int, ...]]]:
    """Check and canonicalise a term list [(coef, (k, ...)), ...]."""
    out = []
    terms = list(terms)
    if not 1 <= len(terms) <= MAX_TERMS:
        raise ValueError(f"terms: need 1 to {MAX_TERMS} terms, got {len(terms)}")
    for j, term in enumerate(terms):
        try:
            c, factors = term
            factors = tuple(int(k) for k in factors)
        except (TypeError, ValueError):
            raise TypeError(f"terms[{j}]: expected (coefficient, tuple of table indices)") from None
        if not isinstance(c, int):
            raise TypeError(f"terms[{j}]: coefficient must be an int")
        if not 1 <= len(factors) <= MAX_FACTORS:
            raise ValueError(f"terms[{j}]: need 1 to {MAX_FACTORS} factors, got {len(factors)}")
        for k in factors:
            if not 0 <= k < num_tables:
                raise ValueError(f"terms[{j}]: table index {k} out of range for {num_tables} tables")
        out.append((c % R, factors))
    return out


def degree_of(terms, eq_vars: int = 0) -> int:
    """Round degree of the sumcheck for these terms (+1 with an eq factor)."""
    return max(len(f) for _, f in terms) + (1 if eq_vars > 0 else 0)


def combine(terms, evals: Sequence[int]) -> int:
    """sum_t c_t prod_{k in t} evals[k]."""
    total = 0
    for c, factors in terms:
        p = c
        for k in factors:
            p = p * evals[k] % R
        total += p
    return total % R


def final_value(terms, evals: Sequence[int], point: Sequence[int], eq_point: Sequence[int] = ()) -> int:
    """The value the last round must reach if the tables evaluate to `evals` at `point`."""
    e = len(eq_point)
    scale = eq_eval(list(eq_point), list(point[len(point) - e:])) if e else 1
    return scale * combine(terms, evals) % R


def check_final(expected: int, terms, evals: Sequence[int], point: Sequence[int],
                eq_point: Sequence[int] = ()) -> None:
    """Raise SumcheckError unless the claimed final evaluations explain `expected`."""
    if final_value(terms, evals, point, eq_point) != expected % R:
        raise SumcheckError("sumcheck final check failed: claimed evaluations do not match the last round")


@dataclass(frozen=True)
class SumcheckProof:
    """The round polynomials, each as its evaluations at t = 0..degree."""

    rounds: tuple  # tuple of tuples of ints

    def write(self, w: Writer) -> None:
        for evals in self.rounds:
            w.frs(evals)

    @classmethod
    def read(cls, r: Reader, num_vars: int, degree: int) -> "SumcheckProof":
        """Decode num_vars rounds of degree+1 elements (both from the statement)."""
        return cls(tuple(tuple(r.frs(degree + 1, f"sumcheck round {j}")) for j in range(num_vars)))

    def to_bytes(self) -> bytes:
        w = Writer()
        self.write(w)
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes, num_vars: int, degree: int) -> "SumcheckProof":
        r = Reader(data)
        p = cls.read(r, num_vars, degree)
        r.finish()
        return p

    @staticmethod
    def size(num_vars: int, degree: int) -> int:
        return 32 * num_vars * (degree + 1)


@dataclass(frozen=True)
class TwoEvalProof:
    """A sumcheck over two tables followed by their final evaluations a(v), b(v): the
    proof of the inner-product, Hadamard and matmul protocols. The sumcheck's shape
    comes from the statement (`statement.sumcheck_shape` = (num_vars, degree))."""

    sumcheck: SumcheckProof
    a_eval: int
    b_eval: int

    def to_bytes(self) -> bytes:
        w = Writer()
        self.sumcheck.write(w)
        return w.fr(self.a_eval).fr(self.b_eval).bytes()

    @classmethod
    def from_bytes(cls, data: bytes, statement) -> "TwoEvalProof":
        r = Reader(data)
        num_vars, degree = statement.sumcheck_shape
        s = SumcheckProof.read(r, num_vars, degree)
        a, b = r.fr("first final evaluation"), r.fr("second final evaluation")
        r.finish()
        return cls(s, a, b)


class _Workspace:
    """Scratch buffers kept between proofs, so that repeated proofs do not pay the page
    faults (CPU) or allocations of fresh scratch every time. A buffer is checked out for
    the duration of one prove call (so concurrent or nested proofs never share one);
    `release_workspace()` frees them all."""

    MAX_KEPT = 8

    def __init__(self):
        self._lock = threading.Lock()
        self._free: dict[str, list] = {}

    def take(self, n: int, device: str):
        """An (n, 4) uint64 array view (contents undefined) and its base buffer."""
        with self._lock:
            pool = self._free.get(device, [])
            fits = [i for i, b in enumerate(pool) if b.shape[0] >= n]
            if fits:
                i = min(fits, key=lambda i: pool[i].shape[0])
                base = pool.pop(i)  # by position: arrays do not compare with ==
                return base[:n], base
        base = FrTensor.empty(max(n, 1), device).data
        return base[:n], base

    def give(self, bases, device: str) -> None:
        with self._lock:
            pool = self._free.setdefault(device, [])
            pool.extend(bases)
            pool.sort(key=lambda b: -b.shape[0])
            del pool[self.MAX_KEPT:]

    def release(self) -> None:
        with self._lock:
            self._free.clear()


_WORKSPACE = _Workspace()


def release_workspace() -> None:
    """Free the scratch buffers the prover keeps between calls."""
    _WORKSPACE.release()


def _absorb_header(transcript: Transcript, num_vars: int, degree: int, claimed_sum: int) -> None:
    transcript.absorb_int("sumcheck/n", num_vars)
    transcript.absorb_int("sumcheck/degree", degree)
    transcript.absorb_fr("sumcheck/claim", claimed_sum)


@dataclass(frozen=True)
class SumcheckRecord:
    """One core sumcheck proof as measured by MulCounter (benchmarks)."""
    num_vars: int
    degree: int
    tables: int
    muls: int
    seconds: float


class MulCounter:
    """Counts the field multiplications the provers perform (process-wide; for the
    arithmetic floor of the benchmarks: reset(), run a prover, read count). With
    `records` a list (reset(record=True)), every core sumcheck proof appends one
    SumcheckRecord: its own multiplications and seconds, for a per-sumcheck floor."""

    count = 0
    records: list | None = None

    @classmethod
    def reset(cls, record: bool = False) -> None:
        cls.count = 0
        cls.records = [] if record else None

    @classmethod
    def add(cls, n: int) -> None:
        cls.count += int(n)


def prove(transcript: Transcript, tables: Sequence[FrTensor], terms, claimed_sum: int,
          eq_point: Sequence[int] = ()):
    """Prove claimed_sum = sum_x eq(u, x_top) sum_t c_t prod f_k(x) (see the module doc).

    tables: K <= 8 FrTensors of one length 2^n on one device (not modified).
    terms: [(coef, (k, ...)), ...], at most 8 terms of at most 8 factors.
    eq_point: u over the top len(u) <= n variables (may be empty).
    Returns (SumcheckProof, point, final_evals): point in the evaluate convention,
    final_evals[k] = f_k(point). The caller sends the final evaluations it needs.
    """
    tables = list(tables)
    if not 1 <= len(tables) <= MAX_TABLES:
        raise ValueError(f"tables: need 1 to {MAX_TABLES} tables, got {len(tables)}")
    for k, t in enumerate(tables):
        if not isinstance(t, FrTensor):
            raise TypeError(f"tables[{k}] is not an FrTensor")
    size = len(tables[0])
    dev = tables[0].device
    if size == 0 or size & (size - 1):
        raise ValueError(f"tables: length must be a power of two, got {size} (pad first)")
    for k, t in enumerate(tables):
        if len(t) != size:
            raise ValueError(f"tables[{k}]: length {len(t)} differs from tables[0] ({size})")
        if t.device != dev:
            raise ValueError(f"tables[{k}] is on {t.device}, tables[0] on {dev}")
    n = size.bit_length() - 1
    terms = normalize_terms(terms, len(tables))
    u = [int(x) % R for x in eq_point]
    e = len(u)
    if e > n:
        raise ValueError(f"eq_point: {e} coordinates for {n} variables")
    deg = degree_of(terms, e)
    if deg > MAX_DEGREE:
        raise ValueError(f"degree {deg} exceeds {MAX_DEGREE}")
    claim = int(claimed_sum) % R
    _absorb_header(transcript, n, deg, claim)
    if n == 0:
        return SumcheckProof(()), [], [t[0] for t in tables]

    dP = deg - (1 if e else 0)  # degree of the product part l(t)
    taken = []
    muls0, t0 = MulCounter.count, time.perf_counter()
    try:
        return _prove_rounds(transcript, tables, terms, claim, u, n, e, deg, dP, taken)
    finally:
        _WORKSPACE.give(taken, dev)
        if MulCounter.records is not None:
            MulCounter.records.append(SumcheckRecord(n, deg, len(tables), MulCounter.count - muls0,
                                                     time.perf_counter() - t0))


def _prove_rounds(transcript, tables, terms, claim, u, n, e, deg, dP, taken):
    """The round loop of prove (scratch buffers from the workspace go into `taken`)."""
    K = len(tables)
    size = len(tables[0])
    dev = tables[0].device
    npts = dP + 1
    coefs = [c for c, _ in terms]
    factors = [list(f) for _, f in terms]
    mults_per_point = sum(len(f) - 1 + (c != 1) for c, f in terms)
    mults_at_inf = sum(len(f) - 1 + (c != 1) for c, f in terms if len(f) == dP)

    def scratch(count):
        view, base = _WORKSPACE.take(count, dev)
        taken.append(base)
        return view

    levels = None
    if e > 1:
        # level k = eq(u[0..k), .) at levels[2^k : 2^(k+1)]. Only the top level (k = e-1)
        # is computed here; each round that reads level k writes level k-1 in its pass.
        levels = scratch(1 << e)
        _native.sc_eq_levels(levels, u, True)
        MulCounter.add((1 << (e - 1)) + (1 << ((e - 1) // 2)) + (1 << (e - 1 - (e - 1) // 2)))
    src = [t.data for t in tables]
    dst = [scratch(size // 2) for _ in range(K)]
    C = 1
    rounds = []
    rs = []
    length = size
    r_prev = 0
    for j in range(n):
        fold = j > 0
        m = length // 2 if fold else length  # live length after this round's fold
        eq_round = j < e
        # weight: eq table of the eq variables below v, i.e. u[0 .. e-1-j), at bit n-e
        weight, wshift, kw, wnext = None, 0, 0, None
        if eq_round and e - 1 - j > 0:
            kw = e - 1 - j
            weight = levels[1 << kw: 1 << (kw + 1)]
            wshift = n - e
            if kw >= 2:
                wnext = levels[1 << (kw - 1): 1 << kw]
        uv = u[e - 1 - j] if eq_round else 0
        # derive l(1) from the claim when the division is possible (and l(1) is one of
        # the kernel's points: dP >= 2)
        skip1 = dP >= 2 and C != 0 and (uv != 0 if eq_round else True)
        out = _native.sc_round(dst if fold else src, src, m, fold, r_prev, factors, coefs,
                               weight, wshift, npts, skip1, wnext)
        half = m // 2
        wmul = 1 if weight is not None else 0
        MulCounter.add(half * ((2 * K if fold else 0)
                               + (dP - (1 if skip1 else 0)) * (mults_per_point + wmul)
                               + mults_at_inf + wmul))
        # out = [l(0), .., l(dP-1), leading coefficient of l]
        l = [int(x) for x in out[:dP]]
        lead = int(out[dP])
        if skip1:
            target = claim * inv(C) % R
            if eq_round:
                l[1] = (target - (1 - uv) * l[0]) * inv(uv) % R
            else:
                l[1] = (target - l[0]) % R
        # l(dP) = lead * dP! + (the degree dP-1 interpolant of l(0..dP-1)) at dP
        l.append((lead * _FACT[dP] + interpolate(l, dP)) % R)
        # extend l to 0..deg and scale into s
        if dP + 1 < deg + 1:
            l = l + [interpolate(l, t) for t in range(dP + 1, deg + 1)]
        if eq_round:
            s = [C * _eq1(uv, t) % R * l[t] % R for t in range(deg + 1)]
        else:
            s = [C * l[t] % R for t in range(deg + 1)]
        rounds.append(tuple(s))
        transcript.absorb_frs("sumcheck/round", s)
        r = transcript.challenge("sumcheck/r")
        rs.append(r)
        claim = interpolate(s, r)
        if eq_round:
            C = C * _eq1(uv, r) % R
        if fold:
            src = dst
        length = m
        r_prev = r
    # final fold to length 1 with the last challenge (scratch has room: size/2 >= 1)
    _native.sc_round(dst, src, 1, True, r_prev, [], [], None, 0, 0, False)
    MulCounter.add(K)
    finals = [FrTensor(d[:1]).to_ints()[0] for d in dst]
    point = rs[::-1]
    return SumcheckProof(tuple(rounds)), point, finals


def verify(transcript: Transcript, num_vars: int, degree: int, claimed_sum: int,
           proof: SumcheckProof):
    """Check every round of `proof` against the statement (num_vars, degree, claimed_sum).

    Returns (point, expected): the caller must check `expected` against its claimed
    final evaluations at `point` (check_final). Raises SumcheckError on a bad round and
    MalformedProof when the proof's shape disagrees with the statement.
    """
    if not isinstance(proof, SumcheckProof):
        raise MalformedProof("expected a SumcheckProof")
    if not isinstance(num_vars, int) or num_vars < 0:
        raise ValueError(f"num_vars must be a non-negative int, got {num_vars!r}")
    if not isinstance(degree, int) or not 1 <= degree <= MAX_DEGREE:
        raise ValueError(f"degree must be in 1..{MAX_DEGREE}, got {degree!r}")
    if not isinstance(proof.rounds, (tuple, list)) or len(proof.rounds) != num_vars:
        raise MalformedProof(f"sumcheck proof has {len(proof.rounds)} rounds, statement says {num_vars}")
    claim = int(claimed_sum) % R
    _absorb_header(transcript, num_vars, degree, claim)
    rs = []
    for j, s in enumerate(proof.rounds):
        if not isinstance(s, (tuple, list)) or len(s) != degree + 1:
            raise MalformedProof(f"sumcheck round {j} has {len(s)} evaluations, expected {degree + 1}")
        if any((not isinstance(x, int)) or not 0 <= x < R for x in s):
            raise MalformedProof(f"sumcheck round {j} holds a non-canonical element")
        if (s[0] + s[1]) % R != claim:
            raise SumcheckError(f"sumcheck round {j}: s(0) + s(1) does not equal the running claim")
        transcript.absorb_frs("sumcheck/round", s)
        r = transcript.challenge("sumcheck/r")
        rs.append(r)
        claim = interpolate(s, r)
    return rs[::-1], claim
