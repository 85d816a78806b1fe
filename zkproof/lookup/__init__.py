"""Lookup arguments.

- `tables`: lookup tables (ranges and mappings) and multiplicity counting.
- `fraction_gkr`: the GKR protocol for sums of fractions (LogUp's engine), so the
  lookup never commits a full-field inverse tensor.
- `tlookup`: zkLLM's tlookup, a LogUp lookup of committed inputs into a public table.
"""
from .tables import Table, counts_tensor, multiplicities
from . import fraction_gkr, tlookup

__all__ = ["Table", "counts_tensor", "multiplicities", "fraction_gkr", "tlookup"]
