"""zkproof: sumcheck proofs for LLM tensor operations on BLS12-381 (CPU and CUDA)."""
from . import _native
from .device import cuda_available, default_device
from .errors import (
    ClaimMismatch,
    MalformedProof,
    OpeningError,
    OutOfTableError,
    StatementMismatch,
    SumcheckError,
    VerificationError,
)
from .field import R
from .g1 import G1Point, G1Tensor, generators, msm
from .tensor import FrTensor, next_pow2
from .transcript import Transcript

__all__ = [
    "FrTensor", "Transcript", "R", "next_pow2", "cuda_available", "default_device",
    "VerificationError", "MalformedProof", "SumcheckError", "ClaimMismatch", "OpeningError",
    "StatementMismatch", "OutOfTableError", "G1Point", "G1Tensor", "msm", "generators",
]
__version__ = "0.1.0"
