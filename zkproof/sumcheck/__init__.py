"""Sumcheck protocols.

- `core`: the generic sumcheck over sums of products of multilinear tables (fused
  native round kernels), its proof type and verifier.
- `inner_product`, `hadamard`, `matmul`: the protocols built on it, each with its
  Statement, `prove`, `verify` and proof-file encoding.
- `batch`: the instance-major batch layout (NUM instances, padding to powers of two).

The core API is re-exported here (`zkproof.sumcheck.prove`, `zkproof.sumcheck.verify`, ...).
"""
from .core import (MAX_DEGREE, MAX_FACTORS, MAX_TABLES, MAX_TERMS, MulCounter, SumcheckProof,
                   TwoEvalProof, check_final, combine, degree_of, final_value, interpolate,
                   normalize_terms, prove, release_workspace, verify)
from . import hadamard, inner_product, matmul  # noqa: E402  (after core: they import it)

__all__ = [
    "MAX_DEGREE", "MAX_FACTORS", "MAX_TABLES", "MAX_TERMS", "MulCounter", "SumcheckProof",
    "TwoEvalProof", "check_final", "combine", "degree_of", "final_value", "interpolate",
    "normalize_terms", "prove", "release_workspace", "verify", "hadamard", "inner_product", "matmul",
]
