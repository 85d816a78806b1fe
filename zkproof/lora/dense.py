"""Dense mode, for comparison: the merged update W = s B A committed as one out x in matrix.

Also used to measure what proving the base model's own product W0 x would add (zkLoRA's
"base model as an external commitment" idea, measured by doing the opposite).

Quantisation: one scale per tensor, W_q = round(W * 2^FW) with FW chosen so that
max |W_q| lies in [2^11, 2^12) (12-bit weights, no per-row scales; the weights are not
range-checked here: dense mode exists to measure cost). Activations x_q as in
zkproof.lora.quantize (FX = 8). Output d = W_q x_q exactly (like the low-rank mode, no
output rescale), delta = d / 2^FD with FD = FW + FX.

Statement: the commitment of W_q (hiding, padded out' x in', rows of gen_dim_for), x_q
(T x in) and d (T x out). At a random point (rho_o, rho_t) from the transcript,
    d(rho_o, rho_t) = sum_{o, j} eq(rho_o, o) W[o, j] X_rho[j],   X_rho[j] = x(j, rho_t)
(a sumcheck over out' in' entries, degree 3), and the claim W(v_j, v_o) is opened.
Cost: O(out' in') per call, whatever the rank.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .commitment import gen_dim_for
from .prover import _eval_matrix, _lg, _pad2, _tile, _x_rho
from .quantize import FX
from ..commit import hyrax
from ..errors import MalformedProof
from ..field.tensor import FrTensor, next_pow2
from ..nn.fixed_point import quantize
from ..sumcheck import core as sc
from ..transcript import Transcript
from ..wire import Reader, Writer

TERMS = [(1, (0, 1))]
DENSE_BITS = 12


@dataclass
class DenseModule:
    """W_q (out x in int64), its format and, once committed, commitment and blinds."""

    W_q: np.ndarray
    fw: int
    fd: int
    tensor: FrTensor | None = None
    com: hyrax.Commitment | None = None
    blinds: list | None = None

    @property
    def shape(self):
        return self.W_q.shape


def quantize_dense(W) -> DenseModule:
    """Quantise a float out x in matrix (the merged s B A, or a base weight W0)."""
    W = np.asarray(W.detach().cpu().double().numpy() if hasattr(W, "detach") else W, dtype=np.float64)
    m = float(np.abs(W).max())
    fw = DENSE_BITS - 1 - (math.floor(math.log2(m)) if m > 0 else 0)
    Wq = np.clip(quantize(W, fw), -(1 << (DENSE_BITS - 1)), (1 << (DENSE_BITS - 1)) - 1)
    return DenseModule(Wq.astype(np.int64), fw, fw + FX)


def commit_dense(dm: DenseModule) -> DenseModule:
    o, i = dm.shape
    t = FrTensor.from_ints(_pad2(dm.W_q, next_pow2(o), next_pow2(i)).reshape(-1))
    dm.tensor = t
    dm.com, dm.blinds = hyrax.commit_hiding(t, gen_dim_for(len(t)))
    return dm


def forward_dense(dm: DenseModule, x_q: np.ndarray) -> np.ndarray:
    return x_q.astype(np.int64) @ dm.W_q.T


def _absorb(t: Transcript, com: hyrax.Commitment, shape, x_q, d) -> None:
    t.absorb("protocol", b"lora-dense/v1")
    t.absorb_int("dense/out", shape[0])
    t.absorb_int("dense/in", shape[1])
    t.absorb_g1("dense/W", com.to_bytes())
    t.absorb_int("dense/T", x_q.shape[0])
    t.absorb("dense/x", np.ascontiguousarray(x_q, dtype="<i8").tobytes())
    t.absorb("dense/d", np.ascontiguousarray(d, dtype="<i8").tobytes())


def prove_dense(dm: DenseModule, x_q: np.ndarray, d: np.ndarray, timings: dict | None = None) -> bytes:
    """Prove d = W_q x_q against dm.com. Returns proof bytes."""
    t0 = time.perf_counter()
    o, i = dm.shape
    T = x_q.shape[0]
    Tp, op, ip = next_pow2(T), next_pow2(o), next_pow2(i)
    if not np.array_equal(forward_dense(dm, x_q), d):
        raise ValueError("d is not the committed matrix's output")
    t = Transcript("zkproof/lora/dense/v1")
    _absorb(t, dm.com, dm.shape, x_q, d)
    lo = _lg(op)
    rho_o, rho_t = t.challenges("dense/rho_out", lo), t.challenges("dense/rho_tok", _lg(Tp))
    s = _eval_matrix(d, rho_o, rho_t)
    xr = _x_rho(x_q, rho_t, ip)
    proof, point, finals = sc.prove(t, [dm.tensor, _tile(xr, op)], TERMS, s, rho_o)
    t.absorb_fr("dense/W_eval", finals[0])
    t1 = time.perf_counter()
    _, op_ = hyrax.open_batch(t, [dm.tensor], [dm.com], point, [finals[0]], [dm.blinds])
    w = Writer()
    proof.write(w)
    w.fr(finals[0])
    op_.write(w)
    if timings is not None:
        timings.update(sumcheck_s=t1 - t0, open_s=time.perf_counter() - t1, total_s=time.perf_counter() - t0)
    return w.bytes()


def verify_dense(com: hyrax.Commitment, shape, x_q: np.ndarray, d: np.ndarray, proof: bytes) -> None:
    """Verifier of prove_dense; raises a VerificationError subclass on a bad proof."""
    o, i = shape
    T = x_q.shape[0]
    Tp, op, ip = next_pow2(T), next_pow2(o), next_pow2(i)
    if com.length != op * ip or d.shape != (T, o) or x_q.shape != (T, i):
        raise MalformedProof("dense statement sizes disagree")
    rd = Reader(proof)
    lo, li = _lg(op), _lg(ip)
    scp = sc.SumcheckProof.read(rd, lo + li, sc.degree_of(TERMS, lo))
    w_eval = rd.fr()
    ipa = hyrax.BatchOpening.read(rd, [com])
    rd.finish()
    t = Transcript("zkproof/lora/dense/v1")
    _absorb(t, com, shape, x_q, d)
    rho_o, rho_t = t.challenges("dense/rho_out", lo), t.challenges("dense/rho_tok", _lg(Tp))
    s = _eval_matrix(d, rho_o, rho_t)
    point, exp = sc.verify(t, lo + li, sc.degree_of(TERMS, lo), s, scp)
    xv = _x_rho(x_q, rho_t, ip).evaluate(list(point[:li]))
    sc.check_final(exp, TERMS, [w_eval, xv], point, rho_o)
    t.absorb_fr("dense/W_eval", w_eval)
    hyrax.verify_batch(t, [com], point, [w_eval], ipa)
