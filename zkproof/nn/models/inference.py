"""One proof per inference: public tokens and output, the model commitment, every stage proven.

The stages of a model (zkproof.nn.models.build: embeddings, one per layer, the head) are cut
into segments [c_0, c_1), [c_1, c_2), ... (c_0 = 0, c_k = number of stages). The tensor at
each interior cut (the hidden state "boundary.c", T x hidden) is committed first. Then:

    statement hash = SHA-256(model digest, T, tokens, cuts, output, boundary commitments)

and every segment is proved by zkproof.nn.graph.prove with its own transcript, labelled with
the statement hash and the segment, taking the weight commitments of the model commitment
and the boundary commitments as external commitments. So every boundary commitment is fixed
(absorbed) before any challenge of any segment, and segments can be proved independently, in
any order, on any machine (zkproof.nn.distributed). Each segment proves "committed output =
stages(committed input)"; chained through the commitments, the file proves
"output = model(tokens)" for the committed model.

File (a zkproof.wire.Envelope, protocol "nn-model/v2"):
  statement: model digest (32 bytes), T (u64), tokens (u64 each), k (u64), cuts (u64 each),
             output (T x hidden or T x vocab: u8 width w in {1, 2, 4, 8}, the smallest that
             holds every value, then w-byte little-endian signed values), the boundary commitments (rows of
             48 bytes; lengths and row sizes from the layout), then per segment the
             commitments the prover made (its committed tensors other than weights and
             boundaries, in graph order);
  proof:     per segment a length-prefixed graph proof.
Every size comes from the model commitment and T, which is capped by max_positions.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from ...commit import hyrax
from ...errors import MalformedProof, StatementMismatch
from ...progress import progress
from ...wire import Envelope, Reader, Writer
from .. import graph as G
from .. import layout as L
from ..model_commit import ModelCommitment
from .build import ModelGraph, QuantizedModel, build_graph, num_stages

log = logging.getLogger(__name__)

PROTOCOL_ID = "nn-model/v2"


def _gen_dim(shape) -> int:
    return G.default_gen_dim(L.num_vars(shape))


def _read_coms(r: Reader, shapes) -> list:
    """Commitments of tensors of these shapes in the layout's default rows (all points
    decoded in one call)."""
    try:
        return hyrax.Commitment.read_many(r, [(int(np.prod(s)), _gen_dim(s), tuple(s)) for s in shapes])
    except ValueError as e:
        raise MalformedProof(str(e)) from None


def _com_from_bytes(data: bytes, shape) -> hyrax.Commitment:
    """A commitment of a tensor of `shape` in the layout's default rows (what nn.graph makes)."""
    return hyrax.Commitment.from_bytes(data, int(np.prod(shape)), _gen_dim(shape), shape=tuple(shape))


_WIDTHS = (1, 2, 4, 8)


def _width(a: np.ndarray) -> int:
    lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
    return next(w for w in _WIDTHS if -(1 << (8 * w - 1)) <= lo and hi < 1 << (8 * w - 1))


def write_ints(w: Writer, a) -> None:
    """A signed integer array, compactly: u8 width (1, 2, 4 or 8 bytes: the smallest that
    holds every value), then the values as little-endian two's complement of that width."""
    a = np.asarray(a, dtype=np.int64).reshape(-1)
    width = _width(a)
    w.u8(width).raw(a.astype(f"<i{width}").tobytes())


def read_ints(r: Reader, n: int, what: str) -> np.ndarray:
    """Inverse of write_ints for n values (int64); MalformedProof on a width that is not
    one of 1, 2, 4, 8 or not the smallest (one encoding per array)."""
    width = r.u8(f"{what} width")
    if width not in _WIDTHS:
        raise MalformedProof(f"{what}: integer width {width} (expected 1, 2, 4 or 8)")
    a = np.frombuffer(r.raw(width * n, what), dtype=f"<i{width}").astype(np.int64)
    if _width(a) != width:
        raise MalformedProof(f"{what}: integers of width {width} that fit a smaller one (non-canonical)")
    return a


def segment_graph(mc: ModelCommitment, seq: int, start: int, end: int, label: str) -> ModelGraph:
    return build_graph(mc.config, mc.quant, mc.shifts, seq, start, end, label=label)


def own_commitments(mg: ModelGraph, weights) -> list[str]:
    """The committed tensors of a segment that the prover commits (not weights, not boundaries)."""
    return [n for n in mg.graph.committed() if n not in weights and not n.startswith("boundary.")]


def check_cuts(cuts, n_stages: int) -> list[int]:
    cuts = [int(c) for c in cuts]
    if len(cuts) < 2 or cuts[0] != 0 or cuts[-1] != n_stages or any(a >= b for a, b in zip(cuts, cuts[1:])):
        raise ValueError(f"cuts must rise strictly from 0 to {n_stages}, got {cuts}")
    return cuts


@dataclass
class InferenceStatement:
    model_digest: bytes
    tokens: np.ndarray
    cuts: list
    output: np.ndarray
    boundaries: dict                     # "boundary.c" -> Commitment
    segment_commitments: list = field(default_factory=list)   # per segment: name -> Commitment

    def global_bytes(self) -> bytes:
        w = Writer().raw(self.model_digest).u64(len(self.tokens))
        for t in self.tokens:
            w.u64(int(t))
        w.u64(len(self.cuts))
        for c in self.cuts:
            w.u64(c)
        write_ints(w, self.output)
        for c in self.cuts[1:-1]:
            w.raw(self.boundaries[f"boundary.{c}"].to_bytes())
        return w.bytes()

    def hash(self) -> str:
        return hashlib.sha256(b"zkproof/nn-model/v2\0" + self.global_bytes()).hexdigest()

    def to_bytes(self) -> bytes:
        w = Writer().raw(self.global_bytes())
        for coms in self.segment_commitments:
            for n in coms:
                w.raw(coms[n].to_bytes())
        return w.bytes()


def label_for(mc: ModelCommitment, stmt_hash: str, start: int, end: int) -> str:
    return f"{mc.config.family}-model:{stmt_hash}:stages[{start},{end})"


def output_shape(mc: ModelCommitment, seq: int) -> tuple:
    c = mc.config
    return (seq, c.hidden) if c.output == "embeddings" else (1, c.vocab)  # decoders: the last position


def parse_statement(data: bytes, mc: ModelCommitment):
    """(InferenceStatement, per-segment graphs) from statement bytes; sizes from mc and T."""
    r = Reader(data)
    digest = r.raw(32, "model digest")
    T = r.u64("number of tokens")
    if not 1 <= T <= mc.config.max_positions:
        raise MalformedProof(f"{T} tokens: outside [1, {mc.config.max_positions}]")
    tokens = np.array([r.u64("token") for _ in range(T)], dtype=np.int64)
    if tokens.max() >= mc.config.vocab:
        raise MalformedProof(f"a token id is outside the vocabulary ({mc.config.vocab})")
    n_st = num_stages(mc.config)
    k = r.u64("number of cuts")
    if not 2 <= k <= n_st + 1:
        raise MalformedProof(f"{k} cuts for {n_st} stages")
    try:
        cuts = check_cuts([r.u64("cut") for _ in range(k)], n_st)
    except ValueError as e:
        raise MalformedProof(str(e)) from None
    shape = output_shape(mc, T)
    output = read_ints(r, shape[0] * shape[1], "output").reshape(shape)
    bounds = dict(zip([f"boundary.{c}" for c in cuts[1:-1]],
                      _read_coms(r, [(T, mc.config.hidden)] * (len(cuts) - 2))))
    st = InferenceStatement(digest, tokens, cuts, output, bounds)
    h = st.hash()
    graphs = [segment_graph(mc, T, a, b, label_for(mc, h, a, b)) for a, b in zip(cuts, cuts[1:])]
    names = [own_commitments(mg, mc.commitments) for mg in graphs]
    coms = iter(_read_coms(r, [mg.graph.tensors[n].shape for mg, ns in zip(graphs, names) for n in ns]))
    st.segment_commitments = [{n: next(coms) for n in ns} for ns in names]
    r.finish()
    return st, graphs


# ------------------------------------------------------------------------------ prover
@dataclass
class SegmentJob:
    """Everything needed to prove one segment (picklable: sent to Ray workers as is)."""

    qm: QuantizedModel
    model_commitment: bytes
    tokens: np.ndarray
    start: int
    end: int
    label: str
    boundary_in: np.ndarray | None
    boundary_coms: dict                    # name -> commitment bytes
    profile: bool = False
    witness: dict | None = None            # the segment's forward pass when already run (local proofs)


def _writer_len(ch) -> int:
    try:
        return sum(map(len, ch._w._parts))
    except AttributeError:
        return 0


def prove_segment(job: SegmentJob, on_stage=None):
    """(proof bytes, {name: commitment bytes} of the segment's own commitments, profile rows).
    on_stage (optional callable): called once per stage whose backward proof pass is done."""
    mc = ModelCommitment.from_bytes(job.model_commitment)
    qm = job.qm
    T = len(job.tokens)
    mg = segment_graph(mc, T, job.start, job.end, job.label)
    witness = job.witness if job.witness is not None else mg.graph.forward(qm.inputs(mg, job.tokens, job.boundary_in))
    coms = {n: mc.commitments[n] for n in mg.graph.tensors if n in mc.commitments}
    for n, b in job.boundary_coms.items():
        if n in mg.graph.tensors:
            coms[n] = _com_from_bytes(b, mg.graph.tensors[n].shape)
    rows = {}
    if job.profile:
        _instrument(mg.graph, rows)
    if on_stage is not None:
        _track_stages(mg.graph, on_stage)
    timings: dict = {}
    st, proof = G.prove(mg.graph, witness, coms, timings=timings)
    if on_stage is not None:
        on_stage("lookups and openings")
    if job.profile or on_stage is not None:
        _uninstrument(mg.graph)
        for k in ("commit_s", "lookups_s", "openings_s"):
            rows.setdefault(k[:-2], [0.0, 0])[0] += timings.get(k, 0.0)
    own = {n: st.commitments[n].to_bytes() for n in own_commitments(mg, mc.commitments)}
    return proof, own, rows


def _instrument(graph, rows: dict) -> None:
    """Wrap every op's backward to add its time and proof bytes to rows[op name]."""
    for op in graph.ops:
        orig = op.backward

        def timed(ctx, orig=orig, name=op.name):
            b0, t0 = _writer_len(ctx.ch), time.perf_counter()
            orig(ctx)
            row = rows.setdefault(name, [0.0, 0])
            row[0] += time.perf_counter() - t0
            row[1] += _writer_len(ctx.ch) - b0
        op.backward = timed


def _stage_of(op) -> str:
    name = (op.outputs or op.inputs or [""])[0]
    if name.startswith("layers."):
        return ".".join(name.split(".")[:2])
    return "embed" if name.startswith("embed.") else "head"


def _track_stages(graph, on_stage) -> None:
    """Wrap every op's backward (ops run in reverse) to call on_stage when a stage is done."""
    state = {"stage": None}
    for op in graph.ops:
        orig = op.__dict__.get("backward", op.backward)

        def tracked(ctx, orig=orig, stage=_stage_of(op)):
            if state["stage"] is not None and stage != state["stage"]:
                on_stage(state["stage"])
            state["stage"] = stage
            orig(ctx)
        op.backward = tracked


def _uninstrument(graph) -> None:
    for op in graph.ops:
        op.__dict__.pop("backward", None)


def boundaries_and_output(qm: QuantizedModel, tokens, cuts, witnesses: list | None = None):
    """Run the stages segment by segment: ({"boundary.c": ints}, output ints). witnesses
    (optional list): receives each segment's whole forward pass (its witness)."""
    bounds, x = {}, None
    for a, b in zip(cuts, cuts[1:]):
        w = qm.forward(tokens, a, b, boundary=x)
        if witnesses is not None:
            witnesses.append(w)
        name = "output" if b == cuts[-1] else f"boundary.{b}"
        x = w[name]
        if name != "output":
            bounds[name] = x
    return bounds, x


def default_cuts(qm: QuantizedModel, segments: int = 1) -> list[int]:
    n = num_stages(qm.config)
    segments = max(1, min(int(segments), n))
    return sorted({round(i * n / segments) for i in range(segments + 1)})


def prepare(qm: QuantizedModel, mc: ModelCommitment, tokens, cuts, keep_witness: bool = False):
    """Forward pass, boundary commitments, statement hash, and one SegmentJob per segment.
    keep_witness: the jobs carry their segment's forward pass (for a local prover, which
    then does not run it again; not for jobs sent to other processes)."""
    tokens = np.asarray(tokens, dtype=np.int64).reshape(-1)
    cuts = check_cuts(cuts, num_stages(qm.config))
    witnesses: list = []
    bounds, out = boundaries_and_output(qm, tokens, cuts, witnesses if keep_witness else None)
    bcoms = {n: G.commit_tensor(v, _gen_dim(v.shape)) for n, v in bounds.items()}
    st = InferenceStatement(bytes.fromhex(mc.digest()), tokens, cuts, out, bcoms)
    h = st.hash()
    mcb = mc.to_bytes()
    bbytes = {n: c.to_bytes() for n, c in bcoms.items()}
    from .build import stage_weights

    jobs = [SegmentJob(qm.subset([n for st_ in range(a, b) for n in stage_weights(qm.config, st_)]), mcb, tokens,
                       a, b, label_for(mc, h, a, b), None if a == 0 else bounds[f"boundary.{a}"], bbytes)
            for a, b in zip(cuts, cuts[1:])]
    for job, w in zip(jobs, witnesses):
        job.witness = w
    return st, jobs


def assemble(st: InferenceStatement, jobs, results, mc: ModelCommitment) -> bytes:
    proof = Writer()
    st.segment_commitments = []
    for job, (pf, own, _) in zip(jobs, results):
        mg = segment_graph(mc, len(st.tokens), job.start, job.end, job.label)
        names = own_commitments(mg, mc.commitments)
        st.segment_commitments.append({n: _com_from_bytes(own[n], mg.graph.tensors[n].shape) for n in names})
        proof.blob(pf)
    return Envelope(PROTOCOL_ID, st.to_bytes(), proof.bytes()).to_bytes()


def prove(qm: QuantizedModel, mc: ModelCommitment, tokens, cuts=None, profile: dict | None = None) -> bytes:
    """The proof file of one inference (bytes). cuts: segment boundaries (default: one segment
    per stage, so that progress shows per layer). profile (optional dict): op name ->
    [seconds, proof bytes], plus 'forward' and the commitment/lookup/opening phases."""
    from ..model_commit import check_matches

    check_matches(mc, qm)
    t0 = time.perf_counter()
    cuts = cuts or default_cuts(qm, num_stages(qm.config))
    st, jobs = prepare(qm, mc, tokens, cuts, keep_witness=True)
    if profile is not None:
        profile.setdefault("forward+boundaries", [0.0, 0])[0] += time.perf_counter() - t0
        for job in jobs:
            job.profile = True
    results = []
    bar = iter(progress(range(num_stages(qm.config)), desc="proving (per layer)", unit="layer", min_total=1))
    for job in jobs:
        results.append(prove_segment(job, on_stage=lambda _s: next(bar, None)))
        job.witness = None  # (memory: a segment's witness is not needed once it is proved)
        if profile is not None:
            for k, (t, b) in results[-1][2].items():
                row = profile.setdefault(k, [0.0, 0])
                row[0] += t
                row[1] += b
    return assemble(st, jobs, results, mc)


# ------------------------------------------------------------------------------ verifier
@dataclass
class Verified:
    tokens: np.ndarray
    output: np.ndarray            # ints at 2^act_frac
    output_float: np.ndarray
    segments: int


def verify(data: bytes, mc: ModelCommitment) -> Verified:
    """Accept (return what was proved) or raise a VerificationError."""
    env = Envelope.from_bytes(data)
    if env.protocol != PROTOCOL_ID:
        raise StatementMismatch(f"expected a {PROTOCOL_ID} proof, got {env.protocol!r}")
    st, graphs = parse_statement(env.statement, mc)
    if st.model_digest.hex() != mc.digest():
        raise StatementMismatch("the proof is for another model commitment (digest mismatch)")
    r = Reader(env.proof)
    proofs = [r.blob("segment proof") for _ in graphs]
    r.finish()  # a truncated or extended file is refused before any verification work
    for (a, b), mg, own, pf in zip(zip(st.cuts, st.cuts[1:]), graphs, st.segment_commitments, proofs):
        public = mg.public_inputs(st.tokens)
        if b == st.cuts[-1]:
            public["output"] = st.output
        coms = {n: mc.commitments[n] for n in mg.graph.tensors if n in mc.commitments}
        coms.update({n: st.boundaries[n] for n in mg.graph.tensors if n.startswith("boundary.")})
        coms.update(own)
        G.verify(mg.graph, G.Statement(public, coms), pf)
    from ..fixed_point import dequantize

    return Verified(st.tokens, st.output, dequantize(st.output, mc.quant.act_frac), len(graphs))


def verify_standalone(statement: bytes, proof: bytes):
    """An inference proof needs its model commitment: refuse (never ACCEPTED) without it."""
    raise StatementMismatch("an inference proof is verified against its model commitment: "
                            "zkproof verify FILE --model MODEL.zkcom")
