"""The adapter commitment: hiding Hyrax commitments of every adapted module's quantised
weights and row scales, with the weights' 4-bit range proven once, at commitment time.

Committed tensors of module m (padded layouts, every axis to a power of two, row-major,
the last axis in the low index bits; the padding is zero for an honest committer):
    A_q  r' x in'   (lora_A, signed weight_bits)     SA  r' x in'  (A's row scales, broadcast along rows)
    B_q  out' x r'  (lora_B, signed weight_bits)     SB  out' x r' (B's row scales, scaling folded in)
The scales are committed broadcast, in the layout of their weights, so that the delta
proof's claims on a scale and on its weights fall at the same point and share one opening.
Each is committed with `hyrax.commit_hiding` (rows of gen_dim(len) = 2^ceil(log2(len)/2)),
so the commitments reveal nothing about the adapter; the blinds stay with the contributor.

Range proof (`AdapterManifest.range_proof`): over a transcript that has absorbed the
manifest's statement (every module's name, kind, format and commitments), one LogUp
(zkproof.lora.batched_lookup) shows that every entry of every A_q and B_q lies in the
table [-2^(b-1), 2^(b-1)) of 2^b entries (b = weight_bits: 16 entries for 4 bits), and a
second that every scale lies in [0, 2^SCALE_BITS). Then the broadcast structure: for
random (rho_c, rho'_c, rho_r), the prover sends S(rho_c, rho_r) and S(rho'_c, rho_r) for
S = SA and SB and the verifier checks they are equal (a multilinear S is independent of
its column variables iff every row is constant). All these claims are discharged by
zero-knowledge openings of the hiding commitments. Junk in padding is
harmless by construction of the per-call proof (padding of `in` meets the client's zero
padding, padding of `out` reaches only discarded outputs, rank padding is multiplied by
the indicator of i < r), and it must still pass the range proof.

The manifest is JSON (canonical: sorted keys, no whitespace); `digest()` (SHA-256 of the
statement part, hex) is what a client pins before inference and what every per-call
proof absorbs.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from . import batched_lookup
from .quantize import SCALE_BITS, ModuleFormat, QuantizedModule
from ..commit import hyrax
from ..errors import ClaimMismatch, MalformedProof, VerificationError
from ..field.tensor import FrTensor, next_pow2
from ..lookup.tables import Table
from ..transcript import Transcript
from ..wire import Reader, Writer

log = logging.getLogger(__name__)

MANIFEST_VERSION = 1
TENSORS = ("A", "B", "SA", "SB")
KINDS = ("linear", "conv1d")


class _CachedCommitment(hyrax.Commitment):
    """A hyrax.Commitment whose compressed bytes are computed once (the adapter's
    commitments are absorbed by every opening that involves them; compressing hundreds of
    row points each time cost more than the openings' own MSMs)."""

    def to_bytes(self) -> bytes:
        b = self.__dict__.get("_bytes")
        if b is None:
            b = super().to_bytes()
            object.__setattr__(self, "_bytes", b)
        return b


def cached(c: hyrax.Commitment, raw: bytes | None = None) -> hyrax.Commitment:
    out = _CachedCommitment(c.length, c.gen_dim, c.rows, c.hiding, c.shape)
    if raw is not None:
        object.__setattr__(out, "_bytes", bytes(raw))
    return out


def gen_dim_for(length: int) -> int:
    """The Hyrax row length for a tensor of `length` = 2^k: 2^(ceil(k/2) - 1), half the
    square root (measured: the prover's zero-knowledge IPAs get 25 % cheaper than at the
    square root and the verifier's MSMs, rows + gen_dim, no slower)."""
    k = (next_pow2(length) - 1).bit_length()
    return 1 << max(0, (k + 1) // 2 - 1)


def h_gen_dim(length: int) -> int:
    """Row length for the per-call commitments of h's digits: 4 times gen_dim_for (a
    quarter of the rows: the verifier decompresses every row point of every call, which
    costs more than the longer opening)."""
    return min(gen_dim_for(length) * 4, max(1, next_pow2(length)))


def padded_shapes(fmt: ModuleFormat) -> dict:
    r, i, o = next_pow2(fmt.rank), next_pow2(fmt.in_features), next_pow2(fmt.out_features)
    return {"A": (r, i), "B": (o, r), "SA": (r, i), "SB": (o, r)}


def tensor_length(fmt: ModuleFormat, name: str) -> int:
    return int(np.prod(padded_shapes(fmt)[name]))


def _pad_to(a: np.ndarray, shape) -> np.ndarray:
    out = np.zeros(shape, dtype=np.int64)
    out[tuple(slice(0, s) for s in a.shape)] = a
    return out


def padded_tensors(qm: QuantizedModule) -> dict:
    """The four committed tensors of a module as FrTensors (padded layouts)."""
    shp = padded_shapes(qm.fmt)
    src = {"A": qm.A_q, "B": qm.B_q,
           "SA": np.repeat(_pad_to(qm.SA, shp["SA"][:1])[:, None], shp["SA"][1], axis=1),
           "SB": np.repeat(_pad_to(qm.SB, shp["SB"][:1])[:, None], shp["SB"][1], axis=1)}
    return {k: FrTensor.from_ints(_pad_to(src[k], shp[k]).reshape(-1)) for k in TENSORS}


def weight_table(bits: int) -> Table:
    return Table.range(-(1 << (bits - 1)), 1 << bits)


def scale_table() -> Table:
    return Table.range(0, 1 << SCALE_BITS)


@dataclass
class ModuleCommitment:
    name: str
    kind: str
    fmt: ModuleFormat
    scaling: float                 # informative (folded into SB); not part of the proof
    coms: dict                     # tensor name -> hyrax.Commitment (hiding)

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "format": self.fmt.to_json(), "scaling": self.scaling,
                "commitments": {k: self.coms[k].to_bytes().hex() for k in TENSORS}}

    @classmethod
    def from_json(cls, d: dict) -> "ModuleCommitment":
        if not isinstance(d, dict):
            raise ValueError("module entry must be an object")
        name, kind = d.get("name"), d.get("kind")
        if not isinstance(name, str) or not 0 < len(name) <= 256:
            raise ValueError("module name must be a non-empty string of at most 256 characters")
        if kind not in KINDS:
            raise ValueError(f"module kind must be one of {KINDS}")
        fmt = ModuleFormat.from_json(d.get("format"))
        coms = {}
        hx = d.get("commitments")
        if not isinstance(hx, dict) or set(hx) != set(TENSORS):
            raise ValueError(f"commitments must name exactly {TENSORS}")
        for k in TENSORS:
            n = tensor_length(fmt, k)
            try:
                raw = bytes.fromhex(hx[k])
                coms[k] = cached(hyrax.Commitment.from_bytes(raw, n, gen_dim_for(n), hiding=True), raw)
            except (ValueError, TypeError, MalformedProof) as e:
                raise ValueError(f"module {name}: commitment {k}: {e}") from None
        scaling = d.get("scaling", 0.0)
        if not isinstance(scaling, (int, float)):
            raise ValueError("scaling must be a number")
        return cls(name, kind, fmt, float(scaling), coms)


@dataclass
class AdapterManifest:
    """What a client pins: the adapter's public description and its commitments, plus
    the commitment-time range proof."""

    adapter_id: str
    base_model: str
    modules: dict                   # name -> ModuleCommitment (insertion order = canonical order)
    range_proof: bytes = b""

    def statement_json(self) -> dict:
        return {"version": MANIFEST_VERSION, "adapter_id": self.adapter_id, "base_model": self.base_model,
                "modules": [m.to_json() for m in self.modules.values()]}

    def statement_bytes(self) -> bytes:
        return json.dumps(self.statement_json(), sort_keys=True, separators=(",", ":")).encode()

    def digest(self) -> str:
        """SHA-256 of statement_bytes(), hex (cached: compressing every commitment's points
        is not free; a manifest's statement is not meant to change after construction)."""
        key = (self.adapter_id, self.base_model, tuple(self.modules))
        cached = self.__dict__.get("_digest")
        if cached is None or cached[0] != key:
            cached = (key, hashlib.sha256(self.statement_bytes()).hexdigest())
            self.__dict__["_digest"] = cached
        return cached[1]

    def to_json(self) -> dict:
        d = self.statement_json()
        d["range_proof"] = base64.b64encode(self.range_proof).decode()
        return d

    @classmethod
    def from_json(cls, d: dict) -> "AdapterManifest":
        """Parse (ValueError on anything malformed; the range proof is not verified here:
        call `verify_manifest`)."""
        if not isinstance(d, dict) or d.get("version") != MANIFEST_VERSION:
            raise ValueError(f"not a version-{MANIFEST_VERSION} adapter manifest")
        aid, base = d.get("adapter_id"), d.get("base_model")
        if not isinstance(aid, str) or not isinstance(base, str):
            raise ValueError("adapter_id and base_model must be strings")
        mods = d.get("modules")
        if not isinstance(mods, list) or not 1 <= len(mods) <= 1024:
            raise ValueError("modules must be a list of 1 to 1024 entries")
        out = {}
        for m in mods:
            mc = ModuleCommitment.from_json(m)
            if mc.name in out:
                raise ValueError(f"module {mc.name} listed twice")
            out[mc.name] = mc
        try:
            rp = base64.b64decode(d.get("range_proof", ""), validate=True)
        except (ValueError, TypeError):
            raise ValueError("range_proof is not base64") from None
        return cls(aid, base, out, rp)


@dataclass
class AdapterSecret:
    """The contributor's side: quantised modules, the committed tensors and their blinds."""

    modules: dict                          # name -> QuantizedModule
    tensors: dict = field(default_factory=dict)   # name -> {tensor name: FrTensor}
    blinds: dict = field(default_factory=dict)    # name -> {tensor name: [int]}


def _range_transcript(manifest: AdapterManifest) -> Transcript:
    t = Transcript("zkproof/lora/adapter-range/v1")
    t.absorb("lora/manifest", manifest.statement_bytes())
    return t


def _groups(keys_points):
    """Group (key, point) pairs by (point, gen_dim): {(point, gen_dim): [key, ...]} in order."""
    out: dict = {}
    for key, pt, g in keys_points:
        out.setdefault((tuple(pt), g), []).append(key)
    return out


def _range_parts(manifest: AdapterManifest):
    """[(module, tensor name)] for the weight lookup and for the scale lookup."""
    w = [(n, k) for n in manifest.modules for k in ("A", "B")]
    s = [(n, k) for n in manifest.modules for k in ("SA", "SB")]
    return w, s


def _weight_bits(manifest: AdapterManifest) -> int:
    bits = {m.fmt.weight_bits for m in manifest.modules.values()}
    if len(bits) != 1:
        raise ValueError("all modules of one adapter must share weight_bits")
    return bits.pop()


def commit_adapter(modules: Mapping[str, tuple], adapter_id: str, base_model: str):
    """Commit an adapter. modules: name -> (kind, QuantizedModule, scaling). Returns
    (AdapterManifest with its range proof, AdapterSecret). Raises OutOfTableError when a
    weight lies outside its signed range (a false range statement cannot be proved)."""
    if not modules:
        raise ValueError("an adapter needs at least one module")
    mc, sec = {}, AdapterSecret({})
    for name, (kind, qm, scaling) in modules.items():
        if kind not in KINDS:
            raise ValueError(f"module {name}: kind must be one of {KINDS}")
        qm.check()
        ts = padded_tensors(qm)
        coms, blinds = {}, {}
        for k in TENSORS:
            com, blinds[k] = hyrax.commit_hiding(ts[k], gen_dim_for(len(ts[k])))
            coms[k] = cached(com)
        mc[name] = ModuleCommitment(name, kind, qm.fmt, float(scaling), coms)
        sec.modules[name], sec.tensors[name], sec.blinds[name] = qm, ts, blinds
    manifest = AdapterManifest(adapter_id, base_model, mc)
    manifest.range_proof = prove_range(manifest, sec)
    return manifest, sec


def prove_range(manifest: AdapterManifest, sec: AdapterSecret) -> bytes:
    """The commitment-time range proof (see the module doc), as bytes."""
    t = _range_transcript(manifest)
    wparts, sparts = _range_parts(manifest)
    w = Writer()
    claims = []
    for parts, table in ((wparts, weight_table(_weight_bits(manifest))), (sparts, scale_table())):
        pp, cl = batched_lookup.prove_parts(t, table, [sec.tensors[n][k] for n, k in parts])
        pp.write(w)
        claims += [((n, k), pt, v) for (n, k), (pt, v) in zip(parts, cl)]
    bvals = []
    for (n, k), p1, p2 in _broadcast_points(t, manifest):
        v1, v2 = sec.tensors[n][k].evaluate(p1), sec.tensors[n][k].evaluate(p2)
        bvals += [v1, v2]
        claims += [((n, k), p1, v1), ((n, k), p2, v2)]
    w.frs(bvals)
    t.absorb_frs("lora/broadcast", bvals)
    for (pt, g), keys in _groups([(key, pt, manifest.modules[key[0]].coms[key[1]].gen_dim)
                                  for key, pt, _ in claims]).items():
        _, proof = hyrax.open_batch(t, [sec.tensors[n][k] for n, k in keys],
                                    [manifest.modules[n].coms[k] for n, k in keys], list(pt),
                                    blinds=[sec.blinds[n][k] for n, k in keys])
        proof.write(w)
    return w.bytes()


def _broadcast_points(t: Transcript, manifest: AdapterManifest):
    """[((module, tensor), point 1, point 2)] for the broadcast checks of SA and SB: the
    same random row coordinates, two random column points (drawn per distinct shape)."""
    out, cache = [], {}
    for n, m in manifest.modules.items():
        for k in ("SA", "SB"):
            rows, cols = padded_shapes(m.fmt)[k]
            lc, lrow = _lg2(cols), _lg2(rows)
            if (lc, lrow) not in cache:
                cache[(lc, lrow)] = (t.challenges("lora/bcast_col1", lc), t.challenges("lora/bcast_col2", lc),
                                     t.challenges("lora/bcast_row", lrow))
            c1, c2, rr = cache[(lc, lrow)]
            out.append(((n, k), tuple(c1 + rr), tuple(c2 + rr)))
    return out


def _lg2(n: int) -> int:
    return (n - 1).bit_length()


def verify_manifest(manifest: AdapterManifest) -> None:
    """Verify the commitment-time range proof: every committed weight is a signed
    weight_bits integer and every scale lies in [0, 2^SCALE_BITS). Raises
    VerificationError (MalformedProof for bad bytes)."""
    t = _range_transcript(manifest)
    wparts, sparts = _range_parts(manifest)
    r = Reader(manifest.range_proof)
    try:
        bits = _weight_bits(manifest)
    except ValueError as e:
        raise MalformedProof(str(e)) from None
    claims = []
    for parts, table in ((wparts, weight_table(bits)), (sparts, scale_table())):
        sizes = [manifest.modules[n].coms[k].length for n, k in parts]
        pp = batched_lookup.PartsProof.read(r, table, sizes)
        cl = batched_lookup.verify_parts(t, table, sizes, pp)
        claims += [((n, k), pt, v) for (n, k), (pt, v) in zip(parts, cl)]
    bpts = _broadcast_points(t, manifest)
    bvals = r.frs(2 * len(bpts), "broadcast values")
    for j, (key, p1, p2) in enumerate(bpts):
        if bvals[2 * j] != bvals[2 * j + 1]:
            raise ClaimMismatch(f"module {key[0]}: the committed {key[1]} is not a broadcast of row scales")
        claims += [(key, p1, bvals[2 * j]), (key, p2, bvals[2 * j + 1])]
    t.absorb_frs("lora/broadcast", bvals)
    values = {(key, tuple(pt)): v for key, pt, v in claims}
    groups = _groups([(key, pt, manifest.modules[key[0]].coms[key[1]].gen_dim) for key, pt, _ in claims])
    proofs = [hyrax.BatchOpening.read(r, [manifest.modules[n].coms[k] for n, k in keys])
              for keys in groups.values()]
    r.finish()
    for ((pt, g), keys), proof in zip(groups.items(), proofs):
        hyrax.verify_batch(t, [manifest.modules[n].coms[k] for n, k in keys], list(pt),
                           [values[(key, tuple(pt))] for key in keys], proof)
    log.debug("adapter %s: range proof verified (%d modules)", manifest.adapter_id, len(manifest.modules))


__all__ = ["AdapterManifest", "AdapterSecret", "ModuleCommitment", "commit_adapter", "verify_manifest",
           "prove_range", "gen_dim_for", "padded_shapes", "padded_tensors", "VerificationError"]
