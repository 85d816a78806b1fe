"""One LogUp for many tensors of power-of-two lengths (zkproof.lookup.tlookup underneath).

Parts P_0..P_{m-1} with |P_p| = 2^{s_p} are laid out in one flat input, largest first
(stable for equal sizes), so that each part starts at an offset off_p that is a multiple
of its own size. The flat input X (zero-padded to 2^a) then satisfies, for any point rho
of a coordinates (rho[0] binds the lowest index bit),

    X(rho) = sum_p eq(rho[s_p:], bits(off_p >> s_p)) * P_p(rho[:s_p]).

The prover runs tlookup on X (no input commitment: X is bound by what the caller absorbed
before), then sends v_p = P_p(rho[:s_p]) for every part; the verifier checks that the
v_p recombine into tlookup's input claim X(rho) and hands back the claims
(part index, rho[:s_p], v_p) for the caller to discharge (openings of committed parts,
or a sumcheck for parts the caller defines from other tensors). Parts of equal size
share their point rho[:s], so their openings batch into one.

The pad value of the flat input beyond the parts is the table's first entry (tlookup's
convention); tlookup's claim is already on the zero-padded layout.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..errors import ClaimMismatch, MalformedProof, VerificationError
from ..field.scalar import R, eq_eval
from ..field.tensor import FrTensor
from ..lookup import tlookup
from ..lookup.tables import Table
from ..transcript import Transcript
from ..wire import Reader, Writer


def _log2(n: int) -> int:
    if n < 1 or n & (n - 1):
        raise ValueError(f"part sizes must be powers of two, got {n}")
    return n.bit_length() - 1


def arrangement(sizes: Sequence[int]) -> tuple[list[int], list[int], int]:
    """(order, offsets, total): order lists part indices largest first (stable);
    offsets[p] is part p's offset; total the sum of sizes."""
    for s in sizes:
        _log2(s)
    order = sorted(range(len(sizes)), key=lambda p: -sizes[p])
    offsets = [0] * len(sizes)
    off = 0
    for p in order:
        offsets[p] = off
        off += sizes[p]
    return order, offsets, off


@dataclass
class PartsProof:
    """tlookup's proof for the flat input and the parts' values at their points."""

    lookup: tlookup.LookupProof
    values: tuple

    def write(self, w: Writer) -> None:
        w.blob(self.lookup.to_bytes())
        w.frs(self.values)

    @classmethod
    def read(cls, r: Reader, table: Table, sizes: Sequence[int]) -> "PartsProof":
        st = statement(table, sizes)
        lk = tlookup.LookupProof.from_bytes(r.blob("lookup proof", limit=1 << 28), st)
        vals = tuple(r.frs(len(sizes), "part values"))
        return cls(lk, vals)


def statement(table: Table, sizes: Sequence[int]) -> tlookup.LookupStatement:
    _, _, total = arrangement(sizes)
    if total < 1:
        raise ValueError("nothing to look up")
    return tlookup.make_statement(table, 1, total)


def prove_parts(transcript: Transcript, table: Table, parts: Sequence[FrTensor]):
    """Prove every entry of every part lies in `table`. Returns (PartsProof, claims) with
    claims[p] = (point, value) for part p. Raises OutOfTableError (before proving) when
    some entry is not in the table."""
    sizes = [len(p) for p in parts]
    order, _, _ = arrangement(sizes)
    flat = FrTensor.cat([parts[p] for p in order])
    st = statement(table, sizes)
    pre = transcript.fork()
    st, lk = tlookup.prove(transcript, table, flat, num=1, statement=st)
    # tlookup's prover does not return its input point rho; it is a function of the
    # transcript, so run the (logarithmic) verifier on a fork of the pre-proof state.
    rho = _input_point(pre, st, lk)
    vals, claims = [], []
    for p, part in enumerate(parts):
        s = _log2(sizes[p])
        pt = rho[:s]
        v = part.evaluate(pt)
        vals.append(v)
        claims.append((tuple(pt), v))
    transcript.absorb_frs("lora/part_values", vals)
    return PartsProof(lk, tuple(vals)), claims


def _input_point(pre: Transcript, st, lk) -> list:
    """tlookup's input point rho for a proof made from the transcript state `pre`.

    tlookup.prove does not return rho, but it is a function of the transcript: the
    verifier (on a fork) recomputes it. A prover that deviated (soundness tests build
    such provers) makes that verifier raise; then the transcript steps up to the
    fraction-tree proof are replayed to get rho all the same."""
    try:
        return list(tlookup.verify(pre.fork(), st, lk).input_point)
    except VerificationError:
        from ..lookup.fraction_gkr import verify as gkr_verify
        st.absorb(pre)
        pre.absorb_g1("tlookup/m_commitment", lk.m_commitment.to_bytes())
        if st.mapping:
            pre.challenge("tlookup/r")
        pre.challenge("tlookup/beta")
        _, (cs, _) = gkr_verify(pre, [st.a, st.b], lk.fractions)
        return list(cs.point)


def verify_parts(transcript: Transcript, table: Table, sizes: Sequence[int], proof: PartsProof):
    """Verify; returns [(point, value)] per part, to be discharged by the caller.
    Raises a VerificationError on a bad proof."""
    if len(proof.values) != len(sizes):
        raise MalformedProof("wrong number of part values")
    _, offsets, _ = arrangement(sizes)
    st = statement(table, sizes)
    lc = tlookup.verify(transcript, st, proof.lookup)
    rho = list(lc.input_point)
    a = len(rho)
    total = 0
    claims = []
    for p, size in enumerate(sizes):
        s = _log2(size)
        if s > a:
            raise MalformedProof("part larger than the lookup")
        hi = offsets[p] >> s
        bits = [(hi >> k) & 1 for k in range(a - s)]
        v = int(proof.values[p]) % R
        total = (total + eq_eval(rho[s:], bits) * v) % R
        claims.append((tuple(rho[:s]), v))
    if total != lc.input_values[0] % R:
        raise ClaimMismatch("the parts' values do not recombine into the lookup's input claim")
    transcript.absorb_frs("lora/part_values", [v for _, v in claims])
    return claims
