"""SwiGLU: SiLU(gate) ∘ up, then the rescale, from proven steps.

gate, up of one shape at 2^f. SiLU(gate) by lookup (nonlinear.Elementwise, table over
[low, low + 2^bits) at 2^f -> 2^f), the product by the element-wise product sumcheck
(residual.Product), then Rescale(f) back to 2^f. The gate is committed (a lookup input).
"""
from __future__ import annotations

from .nonlinear import elementwise
from .rescale import rescale
from .residual import product


def swiglu(graph, gate: str, up: str, *, frac: int, low: int, bits: int, name: str = "swiglu") -> str:
    s = elementwise(graph, gate, "silu", low, bits, frac, frac, name=f"{name}.silu")
    p = product(graph, s, up, name=f"{name}.prod")
    return rescale(graph, p, frac, name=name)
