"""Hyrax commitments of integer tensors, row block by row block, within a memory budget.

`commit_ints(x, gen_dim)` equals `hyrax.commit(FrTensor.from_ints(x), gen_dim)` point
for point, but never holds more than one block of rows as field elements: the tensor
stays a small-integer array (int16/int32) and each block of rows is expanded and
committed with one batched MSM (g1.msm_rows: all rows of the block against the same
generators, on the CPU or the GPU).

Negative entries: as in hyrax.commit, rows are shifted by s = -min(x) so the MSM
scalars are small and non-negative; the correction -s * sum_j G_j enters as one more
column (generator -sum_j G_j with scalar s), so each row is still one MSM of small
scalars and no per-row group arithmetic happens in Python.
"""
from __future__ import annotations

import logging

import numpy as np

from ..field.device import xp
from ..field.tensor import FrTensor
from ..stream import FR_BYTES, RESERVE, require
from . import hyrax
from .g1 import G1Tensor, msm, msm_rows

log = logging.getLogger(__name__)

# Field elements, the int64 copy and the MSM's digit/sort scratch per entry of a block.
_BYTES_PER_ENTRY = FR_BYTES + 8 + 64


def block_rows(gen_dim: int, limit: int | None, rows: int) -> int:
    """Rows per block for a budget (None: 2^22 entries per block)."""
    per_row = _BYTES_PER_ENTRY * (gen_dim + 1)
    if limit is None:
        return max(1, min(rows, (1 << 22) // (gen_dim + 1)))
    avail = limit - RESERVE
    require("commit (streamed)", f"rows of {gen_dim}", RESERVE + per_row, limit)
    return max(1, min(rows, avail // per_row))


def commit_ints(x_int, gen_dim: int, device: str = "cpu", limit: int | None = None) -> hyrax.Commitment:
    """hyrax.commit(FrTensor.from_ints(x_int), gen_dim), block of rows by block of rows.
    x_int: a 1-D NumPy or CuPy integer array (any signed or unsigned width up to 62 bits)."""
    mod = xp(device)
    x = mod.asarray(x_int).reshape(-1)
    if x.dtype.kind not in "iu":
        raise TypeError(f"x_int must be an integer array, got dtype {x.dtype}")
    D = len(x)
    hyrax._check_sizes(D, gen_dim)
    G = hyrax.row_generators(gen_dim)
    lo = int(x.min()) if D else 0
    hi = int(x.max()) if D else 0
    if hi - min(lo, 0) >= 1 << 62:
        raise ValueError(f"x_int: entries span [{lo}, {hi}], more than 62 bits")
    shift = -lo if lo < 0 else 0
    rows = hyrax.num_rows(D, gen_dim)
    full = D // gen_dim
    out = np.zeros((rows, 12), dtype=np.uint64)
    if shift:
        neg_sum = -msm(FrTensor.ones(gen_dim), G)
        pts = G1Tensor.cat([G, G1Tensor.from_points([neg_sum])])
    else:
        pts = G
    blk = block_rows(gen_dim, limit, max(full, 1))
    log.debug("commit_ints: %d rows of %d, %d rows per block, shift %d", rows, gen_dim, blk, shift)
    for r0 in range(0, full, blk):
        r1 = min(full, r0 + blk)
        vals = x[r0 * gen_dim: r1 * gen_dim].astype(np.int64).reshape(r1 - r0, gen_dim)
        if shift:
            vals = mod.concatenate([vals + shift, mod.full((r1 - r0, 1), shift, dtype=np.int64)], axis=1)
        t = FrTensor.from_ints(mod.ascontiguousarray(vals).reshape(-1), device)
        del vals
        out[r0:r1] = msm_rows(t, pts).data
    if full < rows:  # a last, partial row: as hyrax.commit does it
        tail = x[full * gen_dim:].astype(np.int64)
        n = len(tail)
        c = msm(FrTensor.from_ints(tail + shift, device), G[:n])
        if shift:
            c = c - msm(FrTensor.ones(n), G[:n]) * shift
        out[full] = np.frombuffer(c._raw, dtype="<u8")
    return hyrax.Commitment(D, gen_dim, G1Tensor(out))


def commit_bytes_needed(gen_dim: int) -> int:
    """The least memory commit_ints needs (one row per block)."""
    return RESERVE + _BYTES_PER_ENTRY * (gen_dim + 1)

