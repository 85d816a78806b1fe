"""Evaluation claims: what a protocol's verifier leaves to be discharged.

A Claim says "the multilinear extension of tensor `name` takes `value` at `point`"
(point in the FrTensor.evaluate convention: point[0] binds the lowest index bit). The
layout is the tensor's *padded layout* of `shape`: the tensor in its natural row-major
order, every axis zero-padded to a power of two (zkproof.sumcheck.batch.pad_axes; one
axis: zero-padded at the end), further zero-padded to 2^len(point). A protocol's claims
carry the shape of the tensor they are about, and a commitment made with that shape
(`zkproof.commit.commit(t, gen_dim, shape=claim.shape)`) binds exactly that layout:
its padding is outside the commitment. `zkproof.commit.verify_claims` discharges claims
against commitments (refusing a claim whose shape is not its commitment's);
`check_claims` checks them against the tensors themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

from .errors import ClaimMismatch
from .field.scalar import R


@dataclass(frozen=True)
class Claim:
    """name: which tensor; point, value: its MLE at point is value; shape: the tensor's
    natural shape, whose padded layout the MLE is over (None: unspecified, a flat
    tensor zero-padded at the end)."""

    name: str
    point: tuple
    value: int
    shape: tuple | None = None

    def __post_init__(self):
        object.__setattr__(self, "point", tuple(int(x) % R for x in self.point))
        object.__setattr__(self, "value", int(self.value) % R)
        if self.shape is not None:
            object.__setattr__(self, "shape", tuple(int(d) for d in self.shape))


def check_claims(claims, tensors: dict) -> None:
    """Check each claim against tensors[claim.name]: an FrTensor in natural order of
    the claim's shape (padded here), or already in the claim's padded layout; raises
    ClaimMismatch naming the first wrong claim."""
    from .sumcheck.batch import pad_axes

    for c in claims:
        t = tensors[c.name]
        if c.shape is not None and len(t) == prod(c.shape):
            t = pad_axes(t, c.shape, c.name)
        got = t.evaluate(list(c.point))
        if got != c.value:
            raise ClaimMismatch(f"claim on {c.name!r} does not match the tensor")
