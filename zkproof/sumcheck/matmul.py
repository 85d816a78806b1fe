"""Batched matrix product: C_s = A_s B_s for NUM instances, A_s of m x k, B_s of k x n.

Layout (zkproof.batch): A holds NUM row-major m x k matrices back to back, B NUM k x n,
C NUM m x n. Every axis is zero-padded to a power of two (padding keeps C = A B true):
    A[s, i, l] at (s * m' + i) * k' + l,  B[s, l, j] at (s * k' + l) * n' + j,
    C[s, i, j] at (s * m' + i) * n' + j,          m' = next_pow2(m), ...
so a point on C is (u_n, u_m, u_b) (lowest variables first), on A (v_k, u_m, v_b), on B
(u_n, v_k, v_b).

Statement: NUM, m, k, n and a claim C(u) = y with u = (u_n, u_m, u_b). Since
    C(u_n, u_m, u_b) = sum_{s, l} eq(u_b, s) A(l, u_m, s) B(u_n, l, s)
(with A(l, u_m, s) the row-evaluation of A_s at u_m, B(u_n, l, s) likewise), the prover
computes the partial evaluations A_u[s, l] = A_s(u_m, l) and B_u[s, l] = B_s(l, u_n)
(one batched kernel each, no loop over instances) and runs one sumcheck over (l, s):
    y = sum_{l, s} eq(u_b, s) A_u(l, s) B_u(l, s)     (degree 3 when NUM > 1, else 2).
The final evaluations give the claims A(v_k, u_m, v_b) = alpha, B(u_n, v_k, v_b) = beta.

The claims carry the shapes (NUM, m, k) and (NUM, k, n) (Claim.shape): the caller
discharges them against commitments made with those shapes (`commit(A, gen_dim,
shape=(num, m, k))`: the padding is outside the commitment) that were bound in the
transcript before this proof, or checks them against the tensors. A standalone proof
file has no commitments, so it binds nothing on its own.

Transcript: "matmul/statement" (the protocol id and the Statement's bytes), the
sumcheck, then "matmul/evals".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _native
from . import core as sc
from .batch import log2_pow2, pad_axes
from ..claims import Claim
from ..errors import MalformedProof
from ..field.scalar import R
from ..field.tensor import FrTensor
from .. import proof_file
from ..transcript import Transcript
from ..wire import Reader, Writer

PROTOCOL_ID = "matmul/v2"
TERMS = [(1, (0, 1))]
MAX_ELEMENTS = 1 << 40


@dataclass(frozen=True)
class Statement:
    num: int
    m: int
    k: int
    n: int
    u: tuple
    y: int

    @property
    def logs(self):
        """(log2 n', log2 m', log2 k', log2 NUM')."""
        return log2_pow2(self.n), log2_pow2(self.m), log2_pow2(self.k), log2_pow2(self.num)

    @property
    def c_vars(self) -> int:
        ln, lm, _, lb = self.logs
        return ln + lm + lb

    @property
    def sumcheck_vars(self) -> int:
        _, _, lk, lb = self.logs
        return lk + lb

    @property
    def degree(self) -> int:
        return sc.degree_of(TERMS, self.logs[3])

    @property
    def sumcheck_shape(self) -> tuple[int, int]:
        return self.sumcheck_vars, self.degree

    def to_bytes(self) -> bytes:
        return (Writer().u64(self.num).u64(self.m).u64(self.k).u64(self.n)
                .frs(self.u).fr(self.y).bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> "Statement":
        r = Reader(data)
        num, m, k, n = r.u64("num"), r.u64("m"), r.u64("k"), r.u64("n")
        for name, v in (("num", num), ("m", m), ("k", k), ("n", n)):
            if not 1 <= v <= MAX_ELEMENTS:
                raise MalformedProof(f"matmul statement: {name}={v} out of range")
        if num * max(m * k, k * n, m * n) > MAX_ELEMENTS:
            raise MalformedProof("matmul statement: sizes out of range")
        st = cls(num, m, k, n, (), 0)
        u = tuple(r.frs(st.c_vars, "u"))
        y = r.fr("y")
        r.finish()
        return cls(num, m, k, n, u, y)


Proof = sc.TwoEvalProof


def _absorb_statement(t: Transcript, st: Statement) -> None:
    t.absorb("matmul/statement", PROTOCOL_ID.encode() + st.to_bytes())


def new_transcript() -> Transcript:
    """The transcript a standalone (proof-file) matmul proof starts from."""
    return Transcript(PROTOCOL_ID)


def padded_a(A: FrTensor, num: int, m: int, k: int) -> FrTensor:
    return pad_axes(A, (num, m, k), "A")


def padded_b(B: FrTensor, num: int, k: int, n: int) -> FrTensor:
    return pad_axes(B, (num, k, n), "B")


def padded_c(C: FrTensor, num: int, m: int, n: int) -> FrTensor:
    return pad_axes(C, (num, m, n), "C")


def _split(st: Statement, u):
    ln, lm, _, lb = st.logs
    return list(u[:ln]), list(u[ln:ln + lm]), list(u[ln + lm:ln + lm + lb])


def _claims(st: Statement, point, a_eval: int, b_eval: int) -> list[Claim]:
    _, _, lk, _ = st.logs
    u_n, u_m, _ = _split(st, st.u)
    v_k, v_b = list(point[:lk]), list(point[lk:])
    return [Claim("A", v_k + u_m + v_b, a_eval, (st.num, st.m, st.k)),
            Claim("B", u_n + v_k + v_b, b_eval, (st.num, st.k, st.n))]


def partial_evaluations(A: FrTensor, B: FrTensor, st: Statement):
    """A_u[s, l] = A_s(u_m, l) and B_u[s, l] = B_s(l, u_n), padded to NUM' x k' (the
    sumcheck tables). Costs NUM * k * (m + n) multiplications."""
    u_n, u_m, _ = _split(st, st.u)
    dev = A.device
    e_m = FrTensor.eq(u_m, dev)[: st.m]
    e_n = FrTensor.eq(u_n, dev)[: st.n]
    au = FrTensor.empty(st.num * st.k, dev)
    bu = FrTensor.empty(st.num * st.k, dev)
    _native.batched_partial_eval(au.data, A.data, st.num, st.m, st.k, e_m.data, 0)
    _native.batched_partial_eval(bu.data, B.data, st.num, st.k, st.n, e_n.data, 1)
    sc.MulCounter.add(st.num * st.k * (st.m + st.n) + len(e_m) + len(e_n))
    return pad_axes(au, (st.num, st.k), "A_u"), pad_axes(bu, (st.num, st.k), "B_u")


def partial_evaluations_ints(A: np.ndarray, B: np.ndarray, st: Statement, b_nk: bool = False):
    """partial_evaluations from signed 64-bit integer matrices, never converted to the
    field (native row folds, zkproof.commit.multiopen's kernel): A (num, m, k) and B
    (num, k, n), or B (num, n, k) with b_nk (a transposed operand, e.g. K in Q K^T)."""
    u_n, u_m, _ = _split(st, st.u)
    e_m = FrTensor.eq(u_m)[: st.m]
    e_n = FrTensor.eq(u_n)[: st.n]
    A = np.ascontiguousarray(A, dtype=np.int64).reshape(st.num, st.m, st.k)
    B = np.ascontiguousarray(B if b_nk else np.swapaxes(B, -1, -2), dtype=np.int64).reshape(st.num, st.n, st.k)
    au = FrTensor.zeros(st.num * st.k)
    bu = FrTensor.zeros(st.num * st.k)
    for s in range(st.num):
        _native.fr_fold_rows_i64(au.data[s * st.k:(s + 1) * st.k], A[s].reshape(-1), st.m, st.k, e_m.data)
        _native.fr_fold_rows_i64(bu.data[s * st.k:(s + 1) * st.k], B[s].reshape(-1), st.n, st.k, e_n.data)
    sc.MulCounter.add(st.num * st.k * (st.m + st.n) + len(e_m) + len(e_n))
    return pad_axes(au, (st.num, st.k), "A_u"), pad_axes(bu, (st.num, st.k), "B_u")


def prove(transcript: Transcript, A, B, num: int, m: int, k: int, n: int, u, y: int, b_nk: bool = False):
    """Prove the claim C(u) = y for C_s = A_s B_s (see the module doc for layouts).

    A: num * m * k elements, B: num * k * n elements (unpadded, row-major, on one device):
    FrTensors, or both signed 64-bit integer NumPy arrays (CPU; then b_nk: B given as
    (num, n, k)). u: c_vars coordinates (u_n, u_m, u_b). y: the claimed C(u) (from the
    caller's pipeline, or `claim_on_c`). Returns (Statement, Proof, claims on the padded A, B)."""
    ints = isinstance(A, np.ndarray) and isinstance(B, np.ndarray)
    for name, t, want in (("A", A, num * m * k), ("B", B, num * k * n)):
        if not ints and not isinstance(t, FrTensor):
            raise TypeError(f"{name} must be an FrTensor (or both integer arrays)")
        if ints and t.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected an integer array, got dtype {t.dtype}")
        if (t.size if ints else len(t)) != want:
            raise ValueError(f"{name}: expected {want} elements, got {t.size if ints else len(t)}")
    if b_nk and not ints:
        raise ValueError("b_nk applies to integer arrays only")
    if not ints and A.device != B.device:
        raise ValueError(f"A is on {A.device}, B on {B.device}")
    st = Statement(int(num), int(m), int(k), int(n), tuple(int(x) % R for x in u), int(y) % R)
    if len(st.u) != st.c_vars:
        raise ValueError(f"u: expected {st.c_vars} coordinates, got {len(st.u)}")
    _absorb_statement(transcript, st)
    au, bu = partial_evaluations_ints(A, B, st, b_nk) if ints else partial_evaluations(A, B, st)
    _, _, u_b = _split(st, st.u)
    proof, point, finals = sc.prove(transcript, [au, bu], TERMS, st.y, u_b)
    transcript.absorb_frs("matmul/evals", finals)
    return st, Proof(proof, finals[0], finals[1]), _claims(st, point, finals[0], finals[1])


def verify(transcript: Transcript, st: Statement, proof: Proof) -> list[Claim]:
    """Verify; returns the claims on the padded A and B, or raises a VerificationError."""
    if len(st.u) != st.c_vars:
        raise MalformedProof("matmul statement: u has the wrong length")
    _absorb_statement(transcript, st)
    point, expected = sc.verify(transcript, st.sumcheck_vars, st.degree, st.y, proof.sumcheck)
    _, _, u_b = _split(st, st.u)
    sc.check_final(expected, TERMS, [proof.a_eval, proof.b_eval], point, u_b)
    transcript.absorb_frs("matmul/evals", [proof.a_eval, proof.b_eval])
    return _claims(st, point, proof.a_eval, proof.b_eval)


def verify_bytes(statement: bytes, proof: bytes) -> list[Claim]:
    st = Statement.from_bytes(statement)
    return verify(new_transcript(), st, Proof.from_bytes(proof, st))


def claim_on_c(C: FrTensor, num: int, m: int, n: int, u) -> int:
    """y = C(u) on the padded layout (statement preparation from a known product C)."""
    return padded_c(C, num, m, n).evaluate(list(u))


def encode(st: Statement, proof: Proof) -> bytes:
    """The self-describing proof file bytes (zkproof.wire.Envelope: magic, version,
    protocol id, statement, proof); `python -m zkproof verify` reads them."""
    return proof_file.encode(PROTOCOL_ID, st.to_bytes(), proof.to_bytes())


def decode(data: bytes) -> tuple[Statement, Proof]:
    """Inverse of encode: consumes every byte; MalformedProof or StatementMismatch."""
    return proof_file.decode_as(data, PROTOCOL_ID, Statement, Proof)
