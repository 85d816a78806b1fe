"""The scalar field Fr of BLS12-381 and tensors over it.

- `scalar`: Fr as plain Python integers, for verifiers (their work is logarithmic):
  inverses, canonical bytes, eq tables, multilinear evaluation, interpolation.
- `tensor`: `FrTensor`, a tensor of Fr elements in native memory (CPU or GPU) that
  calls the native kernels; the prover's workhorse.
- `device`: device placement (`"cpu"` / `"cuda"`), CuPy access, synchronisation.
"""
from .scalar import (FR_BYTES, R, eq_eval, eq_table, from_bytes, interpolate_eval, inv, mle_eval,
                     range_mle, to_bytes)
from .device import check_device, cuda_available, default_device, synchronize
from .tensor import FrTensor, next_pow2

__all__ = [
    "R", "FR_BYTES", "inv", "to_bytes", "from_bytes", "eq_eval", "eq_table", "mle_eval",
    "interpolate_eval", "range_mle", "cuda_available", "default_device", "check_device",
    "synchronize", "FrTensor", "next_pow2",
]
