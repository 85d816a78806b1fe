"""Helpers for soundness tests: a cheating prover that runs the honest proving code on
a tampered witness, with lookups that do not refuse out-of-table values."""
from __future__ import annotations

import contextlib

import numpy as np

from zkproof.lookup import tlookup


def _lenient_multiplicities(table, inputs, outputs=None):
    """Counts of the inputs that are in the (range) table; the others are skipped, as a
    cheating prover would do to get a proof out at all. (inputs: an FrTensor or, from
    the graph's integer leaves, an int64 array.)"""
    if isinstance(inputs, np.ndarray):
        x = inputs.astype(np.int64)
    else:
        x = _signed(inputs)
    counts = np.zeros(table.length, dtype=np.uint64)
    idx = x - table.low
    ok = (idx >= 0) & (idx < table.length)
    np.add.at(counts, idx[ok], 1)
    return counts


def _signed(inputs) -> np.ndarray:
    try:
        return inputs.to_signed()
    except ValueError:  # field elements beyond int64 (a fraction): never in a table
        from zkproof.field.scalar import R
        vals = [v - R if v > R // 2 else v for v in inputs.to_ints()]
        return np.array([v if abs(v) < 1 << 62 else -(1 << 62) for v in vals], dtype=np.int64)


@contextlib.contextmanager
def lenient_lookups():
    saved = tlookup.multiplicities, tlookup.multiplicities_ints
    tlookup.multiplicities = tlookup.multiplicities_ints = _lenient_multiplicities
    try:
        yield
    finally:
        tlookup.multiplicities, tlookup.multiplicities_ints = saved
