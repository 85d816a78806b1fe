"""zkproof: sumcheck proofs for LLM tensor operations on BLS12-381 (CPU and CUDA).

Subpackages, bottom up: `field` (Fr, FrTensor, devices), `commit` (G1, MSM, Hyrax,
IPA), `sumcheck` (core, inner product, Hadamard, matmul), `lookup` (tables, fraction
GKR, tlookup), `nn` and `lora` (applications). Plumbing shared by all lives at the top:
`transcript`, `wire`, `proof_file`, `claims`, `errors`, `cli`.
"""
from . import _native
from .errors import (
    ClaimMismatch,
    MalformedProof,
    OpeningError,
    OutOfTableError,
    StatementMismatch,
    SumcheckError,
    VerificationError,
)
from .field import R, FrTensor, cuda_available, default_device, next_pow2
from .field import device, scalar, tensor
from .transcript import Transcript
from .commit import G1Point, G1Tensor, generators, msm
from .commit import g1, hyrax, ipa
from . import commit, sumcheck, lookup, proof_file
from .sumcheck import batch, hadamard, inner_product, matmul
from .lookup import fraction_gkr, tlookup
from .lookup import tables as lookup_tables

__all__ = [
    "FrTensor", "Transcript", "R", "next_pow2", "cuda_available", "default_device",
    "VerificationError", "MalformedProof", "SumcheckError", "ClaimMismatch", "OpeningError",
    "StatementMismatch", "OutOfTableError", "G1Point", "G1Tensor", "msm", "generators",
]
__version__ = "0.1.0"
