"""Lookup tables and multiplicities (the witness side of tlookup).

A table is either a range [low, low + length) (its entries computed by anyone, so a
verifier evaluates its multilinear extension in O(log length)) or an arbitrary tensor.
Either may be a *mapping* table: it then also holds outputs f(T_j), and a lookup proves
pairs (x, y) with y = f(x) (zkLLM's tLookupRangeMapping).

Padding (to 2^b entries, b = ceil(log2 length)): a range table continues low + j, so its
padded extension is low + sum_k 2^k u_k (field.range_mle); a tensor table and the
outputs are padded with zeros. Padded entries always get multiplicity 0.

`multiplicities` counts how often each table entry occurs in the input with a native
parallel histogram (a direct index for ranges, a binary search over the sorted table
otherwise) and raises OutOfTableError, before any proving, when some input is not in
the table, saying how many and the first index and value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _native
from ..field.device import xp
from ..errors import OutOfTableError
from ..field.scalar import R, centred, range_mle
from ..field.tensor import FrTensor, next_pow2

_I64 = 2**63


@dataclass(frozen=True, eq=False)
class Table:
    """A lookup table. Build it with Table.range(...) or Table.tensor(...).

    kind: "range" (entries low + j, j < length) or "tensor" (entries values[j]).
    outputs: for a mapping table, f(T_j) for each entry j (an FrTensor of `length`)."""

    kind: str
    length: int
    low: int = 0
    values: FrTensor | None = None
    outputs: FrTensor | None = None

    @classmethod
    def range(cls, low: int, length: int, outputs: FrTensor | None = None) -> "Table":
        """The range [low, low + length); low may be negative. With outputs: a mapping
        table x -> outputs[x - low]."""
        if not isinstance(low, (int, np.integer)) or isinstance(low, bool):
            raise TypeError(f"low must be an int, got {type(low).__name__}")
        if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
            raise ValueError(f"length must be a positive int, got {length!r}")
        low, length = int(low), int(length)
        if not (-_I64 <= low and low + next_pow2(length) <= _I64):
            raise ValueError(f"the range [{low}, {low} + {length}) (padded to {next_pow2(length)}) must fit in int64")
        _check_outputs(outputs, length)
        return cls("range", length, low=low, outputs=outputs)

    @classmethod
    def tensor(cls, values: FrTensor, outputs: FrTensor | None = None) -> "Table":
        """An arbitrary table (entries may repeat, except in a mapping table)."""
        if not isinstance(values, FrTensor):
            raise TypeError(f"values must be an FrTensor, got {type(values).__name__}")
        if len(values) < 1:
            raise ValueError("values: a table needs at least one entry")
        _check_outputs(outputs, len(values))
        return cls("tensor", len(values), values=values, outputs=outputs)

    @property
    def is_mapping(self) -> bool:
        return self.outputs is not None

    @property
    def num_vars(self) -> int:
        """b: the padded table has 2^b entries."""
        return (self.length - 1).bit_length()

    def pad_x(self) -> int:
        """T[0]: the value padded inputs take (it is in the table)."""
        return self.low % R if self.kind == "range" else self.values[0]

    def pad_y(self) -> int:
        return self.outputs[0] if self.is_mapping else 0

    def padded_x(self, device: str) -> FrTensor:
        """The table's entries padded to 2^b (ranges continue low + j, tensors with 0)."""
        n = 1 << self.num_vars
        if self.kind == "range":
            return FrTensor.arange(self.low, self.low + n, device=device)
        return self.values.to(device).pad(n)

    def padded_y(self, device: str) -> FrTensor:
        return self.outputs.to(device).pad(1 << self.num_vars)

    def x_mle(self, point) -> int | None:
        """The padded table's extension at point (range tables only; None otherwise)."""
        if self.kind != "range":
            return None
        return range_mle(self.low, point)


def _check_outputs(outputs, length) -> None:
    if outputs is None:
        return
    if not isinstance(outputs, FrTensor):
        raise TypeError(f"outputs must be an FrTensor, got {type(outputs).__name__}")
    if len(outputs) != length:
        raise ValueError(f"outputs: {len(outputs)} entries for a table of {length}")


def _sorted_keys(table: Table, device: str):
    """The table's canonical values sorted (ties by index) and their indices."""
    limbs = np.frombuffer(table.values.to_bytes(), dtype="<u8").reshape(-1, 4)
    order = np.lexsort((np.arange(len(limbs)), limbs[:, 0], limbs[:, 1], limbs[:, 2], limbs[:, 3]))
    keys = np.ascontiguousarray(limbs[order])
    if table.is_mapping:
        dup = np.flatnonzero((keys[1:] == keys[:-1]).all(axis=1))
        if len(dup):
            j = int(order[dup[0] + 1])
            raise ValueError(f"a mapping table needs distinct inputs; values[{j}] repeats an earlier entry")
    mod = xp(device)
    return mod.asarray(keys), mod.asarray(order.astype(np.uint64))


def multiplicities(table: Table, inputs: FrTensor, outputs: FrTensor | None = None) -> np.ndarray:
    """counts[j] = #{i : inputs[i] = T_j} (uint64, length table.length; for repeated
    entries of a tensor table the first one counts). For a mapping table `outputs` is
    required and each pair (inputs[i], outputs[i]) must be (T_j, f(T_j)) for some j.
    Raises OutOfTableError naming how many inputs are not in the table, the first index
    and its value."""
    if not isinstance(table, Table):
        raise TypeError(f"table must be a Table, got {type(table).__name__}")
    if not isinstance(inputs, FrTensor):
        raise TypeError(f"inputs must be an FrTensor, got {type(inputs).__name__}")
    if table.is_mapping != (outputs is not None):
        raise ValueError("outputs must be given exactly when the table is a mapping table")
    dev = inputs.device
    ys = tf = None
    if outputs is not None:
        if not isinstance(outputs, FrTensor):
            raise TypeError(f"outputs must be an FrTensor, got {type(outputs).__name__}")
        if len(outputs) != len(inputs):
            raise ValueError(f"outputs: {len(outputs)} entries for {len(inputs)} inputs")
        ys, tf = outputs.to(dev).data, table.outputs.to(dev).data
    mod = xp(dev)
    counts = mod.zeros(table.length, dtype=np.uint64)
    bad = mod.asarray(np.array([0, 2**64 - 1], dtype=np.uint64))
    if table.kind == "range":
        _native.lookup_range_hist(inputs.data, table.low, table.length, ys, tf, counts, bad)
    else:
        keys, pos = _sorted_keys(table, dev)
        _native.lookup_sorted_hist(inputs.data, keys, pos, ys, tf, counts, bad)
    bad = bad if isinstance(bad, np.ndarray) else bad.get()
    if int(bad[0]):
        i = int(bad[1])
        what = f"inputs[{i}] = {centred(inputs[i])}"
        if outputs is not None:
            what += f" with outputs[{i}] = {centred(outputs[i])}"
        kind = (f"the range [{table.low}, {table.low + table.length})" if table.kind == "range"
                else f"the table of {table.length} entries")
        pairs = "input/output pairs" if outputs is not None else "input values"
        raise OutOfTableError(f"{int(bad[0])} {pairs} are not in {kind}; the first is {what}")
    return counts if isinstance(counts, np.ndarray) else counts.get()


def multiplicities_ints(table: Table, inputs: np.ndarray, outputs: np.ndarray | None = None) -> np.ndarray:
    """multiplicities for integer inputs (and outputs): an int64 histogram for a range
    table (no field conversion), the field path otherwise. Same result and errors."""
    x = np.asarray(inputs).reshape(-1)
    y = None if outputs is None else np.asarray(outputs).reshape(-1)
    if x.dtype.kind not in "iu" or (y is not None and y.dtype.kind not in "iu"):
        raise TypeError("multiplicities_ints: integer arrays expected")
    if table.kind != "range" or table.is_mapping != (y is not None) or (y is not None and len(y) != len(x)):
        return multiplicities(table, FrTensor.from_ints(x), None if y is None else FrTensor.from_ints(y))
    idx = x.astype(np.int64) - table.low
    bad = (idx < 0) | (idx >= table.length)
    if y is not None:
        want = table.outputs.to_signed()[np.where(bad, 0, idx)]
        bad |= y != want
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = f"inputs[{i}] = {int(x[i])}" + (f" with outputs[{i}] = {int(y[i])}" if y is not None else "")
        pairs = "input/output pairs" if y is not None else "input values"
        raise OutOfTableError(f"{int(bad.sum())} {pairs} are not in the range [{table.low}, "
                              f"{table.low + table.length}); the first is {what}")
    return np.bincount(idx, minlength=table.length).astype(np.uint64)


def counts_tensor(counts, device: str = "cpu") -> FrTensor:
    """The multiplicities as field elements."""
    c = xp(device).ascontiguousarray(xp(device).asarray(counts, dtype=np.uint64))
    out = FrTensor.empty(len(c), device)
    _native.counts_to_fr(out.data, c)
    return out
