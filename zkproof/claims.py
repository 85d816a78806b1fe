"""Evaluation claims: what a protocol's verifier leaves to be discharged.

A Claim says "the multilinear extension of tensor `name` (in the layout its protocol
documents) takes `value` at `point`" (point in the FrTensor.evaluate convention:
point[0] binds the lowest index bit). Until commitments exist, callers check claims
against the tensors themselves (`check_claims`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ClaimMismatch
from .field.scalar import R


@dataclass(frozen=True)
class Claim:
    name: str
    point: tuple
    value: int

    def __post_init__(self):
        object.__setattr__(self, "point", tuple(int(x) % R for x in self.point))
        object.__setattr__(self, "value", int(self.value) % R)


def check_claims(claims, tensors: dict) -> None:
    """Check each claim against tensors[claim.name] (an FrTensor in the claim's layout);
    raises ClaimMismatch naming the first wrong claim."""
    for c in claims:
        t = tensors[c.name]
        got = t.evaluate(list(c.point))
        if got != c.value:
            raise ClaimMismatch(f"claim on {c.name!r} does not match the tensor")
