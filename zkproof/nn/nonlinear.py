"""Element-wise non-linear functions by mapping lookup: GELU (erf, tanh), SiLU, exp, rsqrt.

A function f on fixed-point numbers, input at scale 2^in_frac, output at scale 2^out_frac,
is the public mapping table over the inputs [low, low + 2^bits):

    T(x) = round(f(x / 2^in_frac) * 2^out_frac)       (zkproof.nn.fixed_point.quantize)

The operation Y = T(X) commits X and Y (lookup inputs are committed: graph.add switches
X to committed, and the tie between the committed X and its producer is a claim at a
fresh random point) and proves every pair (X_i, Y_i) in the table by one LogUp shared
with every other use of the same table (zkproof.nn.graph). An input outside the table's
range is refused by the forward pass (OutOfTableError naming how many and the first);
choose `low`/`bits` from the input's range, or rescale first.

What the table's outputs are is part of the statement (the verifier rebuilds the table
from the function's name and parameters), so a tampered output (e.g. a wrong rsqrt) is a
pair outside the table and is rejected.
"""
from __future__ import annotations

import hashlib
import math

import numpy as np

from ..errors import OutOfTableError
from ..field.tensor import FrTensor
from ..lookup.tables import Table
from ..wire import Writer
from .fixed_point import quantize
from .graph import LookupUse, Op

MAX_TABLE_BITS = 24


def _gelu_erf(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _silu(x):
    return x / (1.0 + np.exp(-x))


def _exp(x):
    return np.exp(x)


def _rsqrt(x):
    """1/sqrt(x) for x > 0; inputs <= 0 map to 0 (document: feed variances + eps > 0)."""
    out = np.zeros_like(x, dtype=np.float64)
    pos = x > 0
    out[pos] = 1.0 / np.sqrt(x[pos])
    return out


FUNCTIONS = {"gelu": _gelu_erf, "gelu_tanh": _gelu_tanh, "silu": _silu, "exp": _exp, "rsqrt": _rsqrt}


def table_outputs(fn: str, low: int, bits: int, in_frac: int, out_frac: int) -> np.ndarray:
    """The integer outputs of the table for inputs low .. low + 2^bits - 1."""
    if fn not in FUNCTIONS:
        raise ValueError(f"unknown function {fn!r}; one of {sorted(FUNCTIONS)}")
    if not 1 <= bits <= MAX_TABLE_BITS:
        raise ValueError(f"bits must be in [1, {MAX_TABLE_BITS}], got {bits}")
    x = (low + np.arange(1 << bits, dtype=np.float64)) / float(1 << in_frac)
    return quantize(FUNCTIONS[fn](x), out_frac, 62, name=f"{fn} table")


def range_use(low: int, bits: int, x: str) -> LookupUse:
    """x lies in [low, low + 2^bits) (every use of one range shares its LogUp)."""
    low, bits = int(low), int(bits)
    return LookupUse(f"range[{low},+2^{bits})", lambda: Table.range(low, 1 << bits), x)


class TableMap(Op):
    """Y = T(X) for a public mapping table over the inputs [low, low + len(outputs)):
    X and Y committed, every pair proved by the table's shared LogUp."""

    name = "tablemap"
    committed_inputs = (0,)

    def __init__(self, key: str, low: int, outputs: np.ndarray):
        super().__init__()
        self.key, self.low = key, int(low)
        self._outs = np.asarray(outputs, dtype=np.int64)
        self._digest = hashlib.sha256(self._outs.astype("<i8").tobytes()).digest()

    def params(self) -> bytes:
        """The key, the range and a hash of every output: the table is in the statement."""
        return Writer().blob(self.key.encode()).i64(self.low).u64(len(self._outs)).raw(self._digest).bytes()

    def lookup_key(self) -> str:
        """The shared LogUp's key: the caller's key AND the table's range and outputs, so two
        TableMaps with one key but different tables never share a LogUp (the verifier builds
        a group's table from its first use only)."""
        return f"{self.key}#{self.low}+{len(self._outs)}:{self._digest.hex()}"

    def table(self) -> Table:
        return Table.range(self.low, len(self._outs), outputs=FrTensor.from_ints(self._outs))

    def output_specs(self, shapes):
        (shape,) = shapes
        return [("", shape, "committed")]

    def forward(self, x):
        idx = x - self.low
        bad = np.flatnonzero((idx < 0) | (idx >= len(self._outs)))
        if bad.size:
            i = int(bad[0])
            raise OutOfTableError(f"{self.key}: {bad.size} inputs outside [{self.low}, {self.low + len(self._outs)}); "
                                  f"the first at flat index {i} is {int(x.reshape(-1)[i])}")
        return [self._outs[idx]]

    def lookups(self):
        return [LookupUse(self.lookup_key(), self.table, self.inputs[0], self.outputs[0])]

    def backward(self, ctx) -> None:
        pass  # the output is committed; the lookup (at the end) ties it to the input


class Elementwise(TableMap):
    """A named function (FUNCTIONS) as a TableMap."""

    name = "elementwise"

    def __init__(self, fn: str, low: int, bits: int, in_frac: int, out_frac: int):
        key = f"{fn}[{int(low)},+2^{int(bits)}):{int(in_frac)}->{int(out_frac)}"
        super().__init__(key, low, table_outputs(fn, int(low), int(bits), int(in_frac), int(out_frac)))
        self.fn = fn


class RangeCheck(Op):
    """Proves every entry of X (committed) lies in [low, low + 2^bits); no output."""

    name = "rangecheck"
    committed_inputs = (0,)

    def __init__(self, low: int, bits: int):
        super().__init__()
        self.low, self.bits = int(low), int(bits)

    def params(self) -> bytes:
        return Writer().i64(self.low).u64(self.bits).bytes()

    def output_specs(self, shapes):
        return []

    def forward(self, x):
        bad = np.flatnonzero((x < self.low) | (x >= self.low + (1 << self.bits)))
        if bad.size:
            raise ValueError(f"range check: {bad.size} entries outside [{self.low}, {self.low + (1 << self.bits)}), "
                             f"first at flat index {int(bad[0])}")
        return []

    def lookups(self):
        return [range_use(self.low, self.bits, self.inputs[0])]

    def backward(self, ctx) -> None:
        pass


def elementwise(graph, x: str, fn: str, low: int, bits: int, in_frac: int, out_frac: int,
                name: str | None = None, clamp_diff_bits: int | None = None) -> str:
    """Y = fn(X) by its table over [low, low + 2^bits). With clamp_diff_bits, X is first
    clamped to the table's range by a proven Clamp (|X - clamp(X)| < 2^clamp_diff_bits);
    without, inputs outside the range are refused by the forward pass."""
    if clamp_diff_bits:
        from .clamp import clamp
        x = clamp(graph, x, low, bits, clamp_diff_bits, name=f"{name}.clamp" if name else None)
    return graph.add(Elementwise(fn, low, bits, in_frac, out_frac), x, name=name)[0]
