"""Model commitment files (.zkcom): everything a verifier needs to know about a model.

A model is quantised and its weights committed once (Hyrax, zkproof.nn.graph.commit_tensor,
in the padded layout of zkproof.nn.layout). The file holds:

    magic "ZKMC", format version (u16), a JSON header (blob) with
        family, config (zkproof.nn.models.spec.ModelConfig), quant (QuantConfig),
        norm_shifts (the calibrated variance shift of every norm), source (where the weights
        came from, informative), source_digest (SHA-256 of the float weights,
        ModelSpec.source_digest), weights: [[name, shape, gen_dim], ...] in name order;
    then, per weight in that order, its row commitments (48 bytes per row).

Sizes are checked against the configuration (zkproof.nn.models.build.weight_shapes) when the
file is read, so a file cannot make a verifier allocate more than its configuration says.
`digest()` (SHA-256 of the file's bytes) names the model inside inference proofs.
"""
from __future__ import annotations

import hashlib
import math
import json
import logging
import struct
from dataclasses import dataclass, field
from pathlib import Path

from ..commit import hyrax
from ..errors import MalformedProof
from ..wire import Reader, Writer
from .graph import commit_tensor
from .models.build import QuantizedModel, weight_shapes
from .models.quant import QuantConfig
from .models.spec import ModelConfig

log = logging.getLogger(__name__)

MAGIC = b"ZKMC"
VERSION = 1
MAX_HEADER = 1 << 20


@dataclass
class ModelCommitment:
    config: ModelConfig
    quant: QuantConfig
    shifts: dict
    source: str
    source_digest: str
    commitments: dict = field(default_factory=dict)   # weight name -> hyrax.Commitment

    def header(self) -> dict:
        names = sorted(self.commitments)
        return {"family": self.config.family, "config": self.config.to_dict(), "quant": self.quant.to_dict(),
                "norm_shifts": dict(sorted(self.shifts.items())), "source": self.source,
                "source_digest": self.source_digest,
                "weights": [[n, list(weight_shapes(self.config)[n]), self.commitments[n].gen_dim] for n in names]}

    def to_bytes(self) -> bytes:
        head = json.dumps(self.header(), sort_keys=True).encode()
        w = Writer().raw(MAGIC).raw(struct.pack("<H", VERSION)).blob(head)
        for n in sorted(self.commitments):
            w.raw(self.commitments[n].to_bytes())
        return w.bytes()

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ModelCommitment":
        r = Reader(data)
        if r.raw(4, "magic") != MAGIC:
            raise MalformedProof("not a zkproof model commitment file (bad magic)")
        (version,) = struct.unpack("<H", r.raw(2, "version"))
        if version != VERSION:
            raise MalformedProof(f"unsupported model commitment version {version} (this zkproof reads {VERSION})")
        try:
            head = json.loads(r.blob("header", limit=MAX_HEADER).decode())
            config = ModelConfig.from_dict(head["config"])
            quant = QuantConfig.from_dict(head["quant"])
            shifts = {str(k): int(v) for k, v in head["norm_shifts"].items()}
            entries = head["weights"]
            source, sdig = str(head["source"]), str(head["source_digest"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise MalformedProof(f"bad model commitment header: {e}") from None
        shapes = weight_shapes(config)
        if sorted(n for n, _, _ in entries) != sorted(shapes) or len(entries) != len(shapes):
            raise MalformedProof("the model commitment's weights do not match its configuration")
        coms = {}
        for n, shape, gen_dim in entries:
            if tuple(shape) != tuple(shapes[n]):
                raise MalformedProof(f"weight {n}: shape {shape}, the configuration says {shapes[n]}")
            shape = tuple(shapes[n])
            try:
                hyrax.check_file_gen_dim(int(gen_dim), len(data))
                coms[n] = hyrax.Commitment.read(r, int(math.prod(shape)), int(gen_dim), shape=shape)
            except ValueError as e:
                raise MalformedProof(f"weight {n}: {e}") from None
        r.finish()
        return cls(config, quant, shifts, source, sdig, coms)

    def save(self, path) -> int:
        data = self.to_bytes()
        Path(path).write_bytes(data)
        return len(data)

    @classmethod
    def load(cls, path) -> "ModelCommitment":
        return cls.from_bytes(Path(path).read_bytes())


def commit_model(qm: QuantizedModel, source: str = "", progress=None) -> ModelCommitment:
    """Commit every quantised weight of `qm` (progress: optional callable(name) per weight)."""
    coms = {}
    for n in sorted(qm.weights):
        if progress:
            progress(n)
        coms[n] = commit_tensor(qm.weights[n])
    log.info("committed %d weights of %s", len(coms), qm.config.name)
    return ModelCommitment(qm.config, qm.quant, qm.shifts, source or qm.config.name, qm.spec.source_digest(), coms)


def check_matches(mc: ModelCommitment, qm: QuantizedModel) -> None:
    """Raise ValueError unless qm is the model the commitment describes (config, quantisation,
    shifts and source weights)."""
    if mc.config != qm.config.__class__.from_dict({**qm.config.to_dict(), "name": mc.config.name}):
        raise ValueError("the model's configuration differs from the model commitment's")
    if mc.quant != qm.quant or mc.shifts != qm.shifts:
        raise ValueError("the model's quantisation differs from the model commitment's")
    if mc.source_digest != qm.spec.source_digest():
        raise ValueError("the model's weights differ from the committed ones (source digest mismatch)")
