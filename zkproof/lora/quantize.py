"""Quantisation of LoRA adapters and activations, and the exact integer forward pass.

One adapted module (peft LoRA): A = lora_A (r x in), B = lora_B (out x r), scaling
s = alpha / r; the float update for an activation row x (length in) is

    delta = s * B (A x).

Number formats (all rounding is zkproof.nn.fixed_point's single rule, round half up:
round(y) = floor(y + 1/2)):

* activations: x_q = round(x * 2^FX), FX = 8 fractional bits, signed X_BITS = 16 bits
  (|x| < 128, resolution 2^-8 = 0.0039; an absolute error <= 2^-9 per entry).
  Out-of-range activations raise ValueError (never clamped).
* weights, signed WEIGHT_BITS = 4 bits with one scale per row (per rank row of A, per
  output row of B):  the integer scale SA_i = round(sA_i * 2^FS_A) with
  sA_i = max_j |A_ij| / 7 and FS_A chosen so that max_i SA_i lies in [2^11, 2^12)
  (SCALE_BITS = 12: scales are in [0, 2^12)); then
  A_q[i, j] = clip(round(A_ij * 2^FS_A / SA_i), -8, 7).   B likewise, with the LoRA
  scaling folded into its row scales: SB_o = round(s * sB_o * 2^FS_B).
  The weights' relative error is at most 1/14 of each row's largest entry.
* the hidden vector h = A x keeps FH = FS_A + FX - K fractional bits (K = REM_BITS = 12:
  the one rescale shifts by exactly K bits, its remainders looked up in [0, 2^K)); the
  output d is exact, with FD = FS_B + FH fractional bits (no second rescale: returning
  d at full precision costs the client nothing and spares the proof a range check of
  every output).

The integer forward pass (what the client gets and what is proved), per token t:

    z[t, i]  = sum_j A_q[i, j] x_q[t, j]
    h[t, i]  = floor((SA_i z[t, i] + 2^(K-1)) / 2^K),      R1 = SA_i z + 2^(K-1) - 2^K h  in [0, 2^K)
    d[t, o]  = SB_o sum_i B_q[o, i] h[t, i]                (exact, |d| < 2^48)

and delta ~= d / 2^FD. h must lie in [-2^(2K-1), 2^(2K-1)) (it is range-checked as two
K-bit digits); a pass that leaves this range raises ValueError.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..nn.fixed_point import check_bits, quantize, rescale

FX = 8
X_BITS = 16
WEIGHT_BITS = 4
SCALE_BITS = 12
REM_BITS = 12          # K
H_BITS = 2 * REM_BITS  # h is range-checked as two K-bit digits
MAX_FH = 20            # caps h's fractional bits (keeps |h| far below 2^(H_BITS-1))
MAX_FD = 62


def _frac_bits_for(max_scale: float) -> int:
    """FS with max_scale * 2^FS in [2^(SCALE_BITS-1), 2^SCALE_BITS)."""
    if max_scale <= 0 or not math.isfinite(max_scale):
        return SCALE_BITS - 1
    return SCALE_BITS - 1 - math.floor(math.log2(max_scale))


def _row_scales(M: np.ndarray, qmax: int, fs: int, mult: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(S, M_q): S_row = round(mult * max|row| / qmax * 2^fs) clipped to the scale range,
    M_q = clip(round(M * mult * 2^fs / S_row), -qmax-1, qmax) (rows with S = 0 are 0)."""
    srow = mult * np.abs(M).max(axis=1) / qmax
    S = quantize(srow, fs)
    S = np.clip(S, 0, (1 << SCALE_BITS) - 1)
    Mq = np.zeros(M.shape, dtype=np.int64)
    nz = S > 0
    if nz.any():
        ratio = M[nz] * mult * float(2.0 ** fs) / S[nz, None].astype(np.float64)
        Mq[nz] = np.clip(quantize(ratio, 0), -qmax - 1, qmax)
    return S.astype(np.int64), Mq


@dataclass(frozen=True)
class ModuleFormat:
    """The public number format of one adapted module (part of the adapter manifest)."""

    in_features: int
    out_features: int
    rank: int
    weight_bits: int
    fx: int
    fs_a: int
    fs_b: int
    fh: int
    fd: int
    rem_bits: int = REM_BITS

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: dict) -> "ModuleFormat":
        fields = ("in_features", "out_features", "rank", "weight_bits", "fx", "fs_a", "fs_b", "fh", "fd",
                  "rem_bits")
        if not isinstance(d, dict) or set(d) != set(fields):
            raise ValueError(f"module format must have exactly the fields {fields}")
        vals = {}
        for k in fields:
            v = d[k]
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < (1 << 20):
                raise ValueError(f"module format: {k} must be a small non-negative int, got {v!r}")
            vals[k] = v
        f = cls(**vals)
        f.check()
        return f

    def check(self) -> None:
        if min(self.in_features, self.out_features, self.rank) < 1:
            raise ValueError("in_features, out_features and rank must be >= 1")
        if self.in_features > 1 << 16 or self.out_features > 1 << 16 or self.rank > 1 << 10:
            raise ValueError("module too large (in, out <= 65536, rank <= 1024)")
        if not 2 <= self.weight_bits <= 16:
            raise ValueError(f"weight_bits must be in [2, 16], got {self.weight_bits}")
        if self.rem_bits != REM_BITS:
            raise ValueError(f"rem_bits must be {REM_BITS}")
        if self.fs_a != self.rem_bits + self.fh - self.fx or self.fd != self.fs_b + self.fh:
            raise ValueError("inconsistent module format: need fs_a = rem_bits + fh - fx and fd = fs_b + fh")
        if self.fd > MAX_FD:
            raise ValueError(f"fd must be at most {MAX_FD}")


@dataclass
class QuantizedModule:
    """A quantised adapted module: integer weights, integer row scales and its format.
    A_q: (r, in) int64 in the signed weight_bits range; B_q: (out, r); SA: (r,); SB: (out,)."""

    fmt: ModuleFormat
    A_q: np.ndarray
    B_q: np.ndarray
    SA: np.ndarray
    SB: np.ndarray

    def check(self) -> None:
        f = self.fmt
        if self.A_q.shape != (f.rank, f.in_features) or self.B_q.shape != (f.out_features, f.rank):
            raise ValueError("weight shapes do not match the format")
        if self.SA.shape != (f.rank,) or self.SB.shape != (f.out_features,):
            raise ValueError("scale shapes do not match the format")


def quantize_module(A, B, scaling: float, weight_bits: int = WEIGHT_BITS) -> QuantizedModule:
    """Quantise one peft LoRA module: A = lora_A.weight (r x in), B = lora_B.weight
    (out x r), scaling = alpha / r (NumPy or PyTorch floats). See the module doc."""
    A = np.asarray(A.detach().cpu().double().numpy() if hasattr(A, "detach") else A, dtype=np.float64)
    B = np.asarray(B.detach().cpu().double().numpy() if hasattr(B, "detach") else B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or B.shape[1] != A.shape[0]:
        raise ValueError(f"need A (r x in) and B (out x r), got {A.shape} and {B.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B)) and math.isfinite(scaling)):
        raise ValueError("non-finite adapter weights or scaling")
    r, n_in = A.shape
    n_out = B.shape[0]
    qmax = (1 << (weight_bits - 1)) - 1
    fs_a = _frac_bits_for(float(np.abs(A).max()) / qmax)
    fh = fs_a + FX - REM_BITS
    if fh > MAX_FH:
        fh = MAX_FH
    if fh < 0:
        raise ValueError("adapter A too large for the fixed-point format (|A| entries must be < 2^8)")
    fs_a = REM_BITS + fh - FX
    fs_b = _frac_bits_for(abs(scaling) * float(np.abs(B).max()) / qmax)
    fd = fs_b + fh
    if fd > MAX_FD or fs_b < 0:
        raise ValueError("adapter B out of the fixed-point format's range")
    SA, A_q = _row_scales(A, qmax, fs_a)
    if scaling < 0:  # a negative scaling goes into the weights; scales stay non-negative
        B, scaling = -B, -scaling
    SB, B_q = _row_scales(B, qmax, fs_b, mult=scaling)
    fmt = ModuleFormat(n_in, n_out, r, weight_bits, FX, fs_a, fs_b, fh, fd)
    fmt.check()
    return QuantizedModule(fmt, A_q, B_q, SA, SB)


def dequantized_update(qm: QuantizedModule) -> np.ndarray:
    """The float update matrix the quantised module represents, (out x in):
    diag(SB / 2^FS_B) B_q diag(SA / 2^FS_A) A_q (for accuracy reports)."""
    f = qm.fmt
    a = qm.A_q * (qm.SA[:, None] / 2.0 ** f.fs_a)
    b = qm.B_q * (qm.SB[:, None] / 2.0 ** f.fs_b)
    return b @ a


def quantize_activations(x, fx: int = FX, bits: int = X_BITS) -> np.ndarray:
    """x_q = round(x * 2^fx) as int64, shape (T, in); ValueError outside signed `bits`."""
    q = quantize(x, fx, bits, name="activations")
    if q.ndim == 1:
        q = q[None, :]
    if q.ndim != 2:
        raise ValueError(f"activations must be (tokens, features), got shape {q.shape}")
    return q


@dataclass
class Witness:
    """The integer forward pass of one call (see the module doc). Shapes (T, r) for
    h, R1 and (T, out) for d."""

    h: np.ndarray
    R1: np.ndarray
    d: np.ndarray


def forward(qm: QuantizedModule, x_q: np.ndarray) -> Witness:
    """The exact integer pass d = SB * (B_q rescale(SA * (A_q x), K)) for x_q (T x in)."""
    f = qm.fmt
    x_q = np.asarray(x_q)
    if x_q.dtype.kind not in "iu" or x_q.ndim != 2 or x_q.shape[1] != f.in_features:
        raise ValueError(f"x_q must be integer (T, {f.in_features}), got {x_q.dtype} {x_q.shape}")
    check_bits(x_q.astype(np.int64), X_BITS, "activations")
    z = x_q.astype(np.int64) @ qm.A_q.T                  # (T, r), |z| < 2^(15+3+16)
    h, R1 = rescale(z * qm.SA[None, :], f.rem_bits)
    check_bits(h, H_BITS, "hidden vector h (activations too large for the format)")
    g = h @ qm.B_q.T                                      # (T, out)
    d = g * qm.SB[None, :]
    return Witness(h, R1, d)
