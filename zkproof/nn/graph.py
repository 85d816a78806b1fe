"""A graph of fixed-point operations: forward pass (the witness) and backward proof.

Build a `Graph` from shapes only (prover and verifier build the same one, usually with
the same code), run `graph.forward(inputs)` on integers to get every tensor (the
witness: exactly the integers that get proved), then `prove(graph, witness)` and
`verify(graph, statement, proof)`.

Tensors have a kind:
  "public"     the verifier knows the values (tokens, a public output);
  "committed"  Hyrax-committed before any challenge (inputs, weights, advice such as
               remainders/digits/shifts, lookup outputs, and every input of a lookup);
  "derived"    neither: a claim on it is passed to the operation that produced it.

Proof order (docs/nn.md):
 1. statement: the graph description, public values, every commitment -> transcript;
 2. backward: operations in reverse order. An operation asks `ctx.output_claim(name)`
    for each output: a derived output's claims (several are reduced to one point,
    zkproof.claims_reduce) or, for a committed/public output, a fresh random point
    whose value the prover sends (tying the commitment to what the operation computes);
    it turns that claim into claims on its inputs and advice (`ctx.claim`);
 3. lookups: every lookup that operations declared, one LogUp (tlookup) per table,
    all tensors that use the table packed into its input trees (_lookup_phase);
 4. openings: every claim on every committed tensor, and the lookups' multiplicity
    claims (each table's m, committed in the lookup proof), discharged at once
    (zkproof.commit.multiopen: row folds on the integers, one column sumcheck, one IPA).
    Commitments are shaped (zkproof.commit.hyrax): the padding of the layout is outside
    the commitment, so an opening is of the zero-padded layout whatever a dishonest
    prover puts there.
 Public tensors' claims are checked by the verifier directly.

Operations implement `backward(ctx)` ONCE for both sides: `ctx.message(label, n, fn)`
(the prover computes and sends, the verifier receives), `ctx.sumcheck(...)`,
`ctx.check(...)`. The verifier side never calls the `fn`s and never sees witness values.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import claims_reduce
from ..channel import ProverChannel, VerifierChannel, prove_sumcheck, verify_sumcheck
from ..commit import hyrax, multiopen
from ..errors import ClaimMismatch, MalformedProof
from ..field.scalar import R, centred, eq_eval
from ..field.tensor import FrTensor, evaluate_rows_ints
from ..lookup import tlookup
from ..lookup.tables import Table
from ..transcript import Transcript
from ..wire import Reader, Writer
from . import layout as L

log = logging.getLogger(__name__)

KINDS = ("public", "committed", "derived")
MAX_SIDE = 1 << 40
# names of this prefix are refused for tensors: the openings use them for the lookups' m
M_PREFIX = "lookup:"


def _m_name(key: str) -> str:
    """The openings' name of table `key`'s multiplicity vector m (M_PREFIX: never a tensor's)."""
    return f"{M_PREFIX}{key}:m"


def _reserved_name(name: str) -> ValueError:
    return ValueError(f"tensor {name!r}: names starting with {M_PREFIX!r} are reserved (the lookups' m)")


@dataclass
class TensorSpec:
    name: str
    shape: tuple
    kind: str
    producer: int | None = None  # index of the producing op in graph.ops

    @property
    def num_vars(self) -> int:
        return L.num_vars(self.shape)


@dataclass(frozen=True)
class LookupUse:
    """An operation's lookup: every entry of tensor `x` (and the pair (x, y) for a
    mapping) lies in the table. `key` identifies the table (tables with the same key
    must be identical); `table` builds it (public: prover and verifier build it)."""

    key: str
    table: Callable[[], Table]
    x: str
    y: str | None = None


class Op:
    """Base class. Subclasses set `name` (a short id) and implement:
    output_specs(input shapes) -> [(suffix, shape, kind)]  (outputs then advice);
    forward(*input arrays) -> arrays, one per output spec;
    backward(ctx); params() -> bytes (what goes into the statement);
    lookups() -> [LookupUse] over this op's tensor names (default none);
    committed_inputs -> indices of inputs that must be committed (lookup inputs)."""

    name = "op"
    committed_inputs: tuple = ()
    # True for layout changes (a bijection of entries: the input is the output rearranged)
    layout_only = False

    def __init__(self):
        self.inputs: list[str] = []
        self.outputs: list[str] = []

    def params(self) -> bytes:
        return b""

    def lookups(self) -> list[LookupUse]:
        return []

    def output_specs(self, shapes):
        raise NotImplementedError

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, ctx) -> None:
        raise NotImplementedError


class Graph:
    """Tensors and operations, in the order they were added (a topological order)."""

    def __init__(self, label: str = "model"):
        self.label = label
        self.tensors: dict[str, TensorSpec] = {}
        self.ops: list[Op] = []
        self.memo: dict = {}  # facts derived from the structure (rescale.integer_bound); reset on change

    # ------------------------------------------------------------------ building
    def _new(self, name: str, shape, kind: str, producer=None) -> str:
        if name in self.tensors:
            raise ValueError(f"tensor {name!r} exists already")
        if name.startswith(M_PREFIX):
            raise _reserved_name(name)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        shape = tuple(int(s) for s in shape)
        if not shape or any(s < 1 or s > MAX_SIDE for s in shape):
            raise ValueError(f"{name}: every dimension must be in [1, 2^40], got {shape}")
        self.tensors[name] = TensorSpec(name, shape, kind, producer)
        return name

    def input(self, name: str, shape, kind: str = "committed") -> str:
        """A graph input: "committed" (a weight, or an activation the prover commits)
        or "public"."""
        if kind == "derived":
            raise ValueError("an input is public or committed")
        return self._new(name, shape, kind)

    def add(self, op: Op, *inputs: str, name: str | None = None) -> list[str]:
        """Append an operation; returns the names of its outputs (then its advice).
        Lookup inputs are switched to committed."""
        for x in inputs:
            if x not in self.tensors:
                raise ValueError(f"unknown tensor {x!r}")
        base = name or f"{op.name}{len(self.ops)}"
        specs = op.output_specs([self.tensors[x].shape for x in inputs])
        op.inputs = list(inputs)
        op.outputs = [self._new(f"{base}.{suffix}" if suffix else base, shape, kind, len(self.ops))
                      for suffix, shape, kind in specs]
        for i in op.committed_inputs:
            spec = self.tensors[inputs[i]]
            if spec.kind == "derived":
                spec.kind = "committed"
        self.ops.append(op)
        self.memo.clear()
        return op.outputs

    def set_kind(self, name: str, kind: str) -> None:
        """Make a tensor public (e.g. a model output the verifier receives) or committed."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if kind == "derived" and self.tensors[name].producer is None:
            raise ValueError(f"{name!r} is a graph input: public or committed, never derived")
        self.tensors[name].kind = kind
        self.memo.clear()

    def describe(self) -> bytes:
        """The canonical bytes of the graph (part of every statement)."""
        w = Writer().blob(self.label.encode())
        w.u64(len(self.tensors))
        for t in self.tensors.values():
            w.blob(t.name.encode()).u8(KINDS.index(t.kind)).u64(len(t.shape))
            for s in t.shape:
                w.u64(s)
        w.u64(len(self.ops))
        for op in self.ops:
            w.blob(op.name.encode()).blob(op.params())
            w.u64(len(op.inputs))
            for x in op.inputs:
                w.blob(x.encode())
        return w.bytes()

    def committed(self) -> list[str]:
        return [n for n, t in self.tensors.items() if t.kind == "committed"]

    def public(self) -> list[str]:
        return [n for n, t in self.tensors.items() if t.kind == "public"]

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: dict) -> dict:
        """Run every operation on integers. inputs: name -> integer array of the input's
        shape. Returns name -> int64 array for every tensor (the witness)."""
        vals = {}
        for n, t in self.tensors.items():
            if t.producer is None:
                if n not in inputs:
                    raise ValueError(f"missing input {n!r}")
                a = np.asarray(inputs[n])
                if a.dtype.kind not in "iu":
                    raise TypeError(f"input {n!r}: expected integers, got dtype {a.dtype}")
                if a.shape != t.shape:
                    raise ValueError(f"input {n!r}: shape {a.shape}, the graph says {t.shape}")
                vals[n] = a.astype(np.int64)
        for op in self.ops:
            outs = op.forward(*[vals[x] for x in op.inputs])
            for n, a in zip(op.outputs, outs):
                a = np.asarray(a, dtype=np.int64)
                if a.shape != self.tensors[n].shape:
                    raise AssertionError(f"{op.name} produced {a.shape} for {n}, expected {self.tensors[n].shape}")
                vals[n] = a
        return vals


# ---------------------------------------------------------------------- statement
@dataclass
class Statement:
    """What the verifier holds: the public tensors' values and every commitment."""

    public: dict
    commitments: dict

    def absorb(self, t: Transcript, graph: Graph) -> None:
        t.absorb("nn/graph", graph.describe())
        for n in graph.public():
            if n not in self.public:
                raise MalformedProof(f"no value for the public tensor {n!r}")
            a = np.asarray(self.public[n])
            if a.dtype.kind not in "iu":
                raise MalformedProof(f"public tensor {n!r}: expected integers, got dtype {a.dtype}")
            if a.shape != graph.tensors[n].shape:
                raise MalformedProof(f"public tensor {n!r} has shape {a.shape}, the graph says {graph.tensors[n].shape}")
            t.absorb("nn/public", L.to_padded(a).to_bytes())
        for n in graph.committed():
            c = self.commitments.get(n)
            if not isinstance(c, hyrax.Commitment):
                raise MalformedProof(f"no commitment for {n!r}")
            if tuple(c.shape) != graph.tensors[n].shape:
                raise MalformedProof(f"the commitment of {n!r} has shape {tuple(c.shape)}, the graph says "
                                     f"{graph.tensors[n].shape}")
            c.absorb(t, "nn/commitment")


    def to_bytes(self, graph: Graph) -> bytes:
        """Public tensors (int64, graph order), then each commitment (gen_dim, rows)."""
        w = Writer()
        for n in graph.public():
            a = np.asarray(self.public[n], dtype=np.int64).reshape(-1)
            w.raw(a.astype("<i8").tobytes())
        for n in graph.committed():
            c = self.commitments[n]
            w.u64(c.gen_dim).raw(c.to_bytes())
        return w.bytes()

    @classmethod
    def read(cls, r: Reader, graph: Graph, file_bytes: int | None = None) -> "Statement":
        """Inverse of to_bytes; every size from the graph (MalformedProof on bad bytes).
        file_bytes: the size of the proof file it comes from (caps each gen_dim:
        hyrax.check_file_gen_dim)."""
        public, coms = {}, {}
        for n in graph.public():
            shape = graph.tensors[n].shape
            size = int(np.prod(shape))
            public[n] = np.frombuffer(r.raw(8 * size, f"public tensor {n}"), dtype="<i8").astype(np.int64).reshape(shape)
        for n in graph.committed():
            g = r.u64("gen_dim")
            if g < 1 or g & (g - 1) or g > hyrax.MAX_GEN_DIM:
                raise MalformedProof(f"commitment of {n!r}: gen_dim {g} is not a power of two <= {hyrax.MAX_GEN_DIM}")
            if file_bytes is not None:
                hyrax.check_file_gen_dim(g, file_bytes)
            shape = graph.tensors[n].shape
            coms[n] = hyrax.Commitment.read(r, int(np.prod(shape)), g, shape=shape)
        return cls(public, coms)


WIDE_ROW_VARS = 12


def default_gen_dim(num_vars: int) -> int:
    """Hyrax row length for a padded layout of 2^num_vars entries: the whole layout up to
    2^WIDE_ROW_VARS (4096) columns. Wide rows make commitments small (2^num_vars / 4096
    rows of 48 bytes: they are carried in proofs) and the verifier's MSM short; the
    openings (zkproof.commit.multiopen) run one IPA over the widest row whatever the
    number of tensors, so its cost does not grow with the row length of each."""
    return 1 << min(num_vars, WIDE_ROW_VARS)


def commit_tensor(values, gen_dim: int | None = None) -> hyrax.Commitment:
    """The shaped Hyrax commitment of an integer array (e.g. model weights, made once and
    given to prove/verify as an external commitment). Its padding is outside the
    commitment (zkproof.commit.hyrax), so openings are of the zero-padded layout."""
    return commit_tensors([values], [gen_dim])[0]


def commit_tensors(arrays, gen_dims=None) -> list:
    """commit_tensor for several arrays at once (batched MSMs: hyrax.commit_int_tensors)."""
    arrays = [np.asarray(a) for a in arrays]
    arrays = [a if a.ndim else a.reshape(1) for a in arrays]
    gen_dims = gen_dims or [None] * len(arrays)
    gds = [g or default_gen_dim(L.num_vars(a.shape)) for a, g in zip(arrays, gen_dims)]
    return hyrax.commit_int_tensors(arrays, gds)


# ---------------------------------------------------------------------- context
class _Context:
    """What an operation's backward sees (shared by both sides)."""

    def __init__(self, graph: Graph, ch, prover: bool, witness=None, public=None):
        self.graph = graph
        self.ch = ch
        self.is_prover = prover
        self._witness = witness
        self._public = public or {}
        self._fr: dict[str, FrTensor] = {}
        self._tables: dict[tuple, FrTensor] = {}  # public field tables several ops use (fr_table)
        self.pending: dict[str, list] = {n: [] for n in graph.tensors}
        # the lookups' m claims, opened with the tensors' claims: _m_name(key) -> tlookup.MClaim
        self.m_claims: dict[str, tlookup.MClaim] = {}
        self.debug = False
        self.eq_cache = claims_reduce.EqCache()

    # values (prover only)
    def value(self, name: str) -> np.ndarray:
        if not self.is_prover:
            raise RuntimeError("the verifier has no witness values")
        return self._witness[name]

    def fr(self, name: str) -> FrTensor:
        """The tensor in the padded layout (prover only; cached)."""
        if name not in self._fr:
            self._fr[name] = L.to_padded(self.value(name))
        return self._fr[name]

    def fr_once(self, name: str) -> FrTensor:
        """ctx.fr without caching a new copy (for a caller that copies it right away)."""
        return self._fr[name] if name in self._fr else L.to_padded(self.value(name))

    def fr_table(self, key: tuple, build: Callable[[], FrTensor]) -> FrTensor:
        """A field table that is not a graph tensor (e.g. zkAttn's public mask U), built
        once per key and shared by the ops that use it (prover; dropped with the field
        copies)."""
        if key not in self._tables:
            self._tables[key] = build()
        return self._tables[key]

    def release_field_copies(self) -> None:
        """Drop the cached field copies, shared tables and eq tables (prover; rebuilt when
        asked again)."""
        self._fr.clear()
        self._tables.clear()
        self.eq_cache = claims_reduce.EqCache()

    def evaluate(self, name: str, point) -> int:
        """The prover's value of tensor `name` at point: from its cached field copy (eq
        tables shared per point), else folded natively from the integers."""
        if name in self._fr:
            return self.eq_cache.evaluate(self._fr[name], point)
        return L.evaluate_ints(self.value(name), point)

    def shape(self, name: str) -> tuple:
        return self.graph.tensors[name].shape

    # messages
    def message(self, label: str, n: int, compute: Callable[[], Sequence[int]]) -> list[int]:
        if self.is_prover:
            vals = list(compute())
            if len(vals) != n:
                raise AssertionError(f"{label}: computed {len(vals)} values, expected {n}")
            return self.ch.send(label, vals)
        return self.ch.receive(label, n)

    def challenges(self, label: str, n: int) -> list[int]:
        return self.ch.challenges(label, n)

    def sumcheck(self, num_vars: int, num_tables: int, terms, claim: int, eq_point=(),
                 tables: Callable[[], list] | None = None):
        if self.is_prover:
            return prove_sumcheck(self.ch, tables(), terms, claim, eq_point)
        return verify_sumcheck(self.ch, num_vars, num_tables, terms, claim, eq_point)

    def check(self, ok: bool, what: str) -> None:
        """The verifier's check (ClaimMismatch); on the prover side only in debug mode,
        as an AssertionError (an honest prover never fails it)."""
        if ok:
            return
        if not self.is_prover:
            raise ClaimMismatch(what)
        if self.debug:
            raise AssertionError(f"prover: {what}")

    # claims
    def claim(self, name: str, point, value: int) -> None:
        """A claim on tensor `name` (padded layout) at point."""
        spec = self.graph.tensors[name]
        point = [int(x) % R for x in point]
        if len(point) != spec.num_vars:
            raise AssertionError(f"claim on {name}: {len(point)} coordinates, {spec.num_vars} variables")
        value = int(value) % R
        if self.debug and self.is_prover and self.fr(name).evaluate(point) != value:
            raise AssertionError(f"the prover made a false claim on {name!r}")
        if spec.kind == "public" and not self.is_prover:
            got = L.to_padded(np.asarray(self._public[name])).evaluate(point)
            self.check(got == value, f"claim on the public tensor {name!r} is wrong")
            return
        self.pending[name].append((point, value))

    def claim_rows(self, name: str, rows, weights, point, value: int) -> None:
        """A claim sum_k weights[k] E_(rows[k])(point) = value on the committed 2-D tensor
        `name` (E_i its row i, last axis in the padded layout): discharged by the openings
        (zkproof.commit.multiopen.RowsClaim), which read only those rows."""
        spec = self.graph.tensors[name]
        if spec.kind != "committed" or len(spec.shape) != 2:
            raise AssertionError(f"a rows claim needs a committed 2-D tensor, {name!r} is {spec.kind} {spec.shape}")
        point = [int(x) % R for x in point]
        if len(point) != L.axis_vars(spec.shape[1:])[0]:
            raise AssertionError(f"rows claim on {name}: {len(point)} coordinates for rows of {spec.shape[1]}")
        weights = [int(w) % R for w in weights]
        value = int(value) % R
        if self.debug and self.is_prover:
            a = self.value(name)
            got = sum(w * L.to_padded(a[int(i)]).evaluate(point) for i, w in zip(rows, weights)) % R
            if got != value:
                raise AssertionError(f"the prover made a false rows claim on {name!r}")
        self.pending[name].append(multiopen.RowsClaim(name, tuple(int(i) for i in rows), tuple(weights),
                                                      tuple(point), value))

    def output_claim(self, name: str):
        """The single claim (point, value) the producing op must prove, or None when
        nothing depends on this derived tensor."""
        spec = self.graph.tensors[name]
        if spec.kind == "derived":
            claims = self.pending[name]
            if not claims:
                return None
            if self.is_prover:
                pt, v = claims_reduce.prove(self.ch, self.fr(name), claims)
            else:
                pt, v = claims_reduce.verify(self.ch, spec.num_vars, claims)
            self.pending[name] = []
            return pt, v
        point = self.challenges("nn/anchor", spec.num_vars)
        (v,) = self.message("nn/anchor-value", 1, lambda: [self.evaluate(name, point)])
        self.claim(name, point, v)
        return point, v


# ---------------------------------------------------------------------- driver
def _lookup_groups(graph: Graph):
    groups: dict[str, list[LookupUse]] = {}
    for op in graph.ops:
        for use in op.lookups():
            for n in (use.x, use.y):
                if n is not None and graph.tensors[n].kind == "derived":
                    raise AssertionError(f"lookup tensor {n!r} must be committed or public")
            groups.setdefault(use.key, []).append(use)
    return groups


def _pad_value(table: Table, which: str) -> int:
    return table.pad_x() if which == "x" else table.pad_y()


def _tree_leaves(ctx: _Context, depth: int, members, pieces, names, pad: int) -> np.ndarray:
    """One input tree's leaves (int64): 2^depth entries, each member piece (tensor
    names[j], box) at its offset with the pad value in the box's padding slots, the pad
    elsewhere."""
    pad = centred(pad)
    if abs(pad) >= 1 << 62:
        raise AssertionError("a lookup table's pad value does not fit int64")
    leaves = np.full(1 << depth, pad, dtype=np.int64)
    for p, off in members:
        j, box = pieces[p]
        leaves[off:off + (1 << L.box_vars(box))] = L.box_ints(ctx.value(names[j]), box, pad)
    return leaves


def _block_values(leaves: np.ndarray, members, sizes, rho) -> list[int]:
    """Each member block's multilinear extension at rho[:sizes[p]], read off the tree's
    (integer) leaves (pad-filled boxes): one evaluation per run of equal-size blocks
    (pack_trees places them contiguously, largest first)."""
    out: list[int] = []
    i = 0
    while i < len(members):
        n = sizes[members[i][0]]
        k = i
        while k < len(members) and sizes[members[k][0]] == n:
            k += 1
        start = members[i][1]
        out += evaluate_rows_ints(leaves[start:start + ((k - i) << n)].reshape(k - i, 1 << n), rho[:n])
        i = k
    return out


def _lookup_phase(ctx: _Context, timings: dict) -> None:
    """One LogUp per table over every tensor looked up in it, all tables proved together
    (tlookup.prove_joint: one fraction proof; each table's m is committed there, before
    the lookups' challenges, and its claim m(rho_T) is opened later with the other claims,
    _opening_phase), each table's tensors cut into pieces packed into input trees.

    Pieces: tensor j's real slots are covered by aligned boxes of its padded layout
    (layout.real_boxes: each axis cut at the set bits of its extent, so a (12, 128, 128)
    tensor is two pieces of 8 and 4 heads, not 16 heads of which 4 are padding); a box
    fixes the top variables of each axis, so its entries are tensor j's extension with
    those variables fixed. Pieces (2^b_p leaves each, the table's pad value T[0] (f(T[0])
    for outputs) in any padding slot left inside a box) go into trees by
    tlookup.pack_trees: each at an offset o_p that is a multiple of 2^b_p, one tree per
    set bit of the total size, so nothing is proved beyond the pieces. tlookup leaves a
    claim X(rho) on each tree's leaves at its point rho (of the tree's depth), and
        X(rho) = sum_p eq(rho[b_p:], bits of o_p / 2^b_p) [x_p(rho[:b_p]) + T0 (1 - ind_p(rho[:b_p]))],
    x_p piece p's zero-padded entries, ind_p the extension of its real-slot indicator
    (layout.box_indicator). A tree of one piece gives its claim x_p(rho) = X(rho) -
    T0 (1 - ind_p(rho)) directly; for a tree of several, the prover sends every
    x_p(rho[:b_p]) and the verifier checks that they recombine into X(rho). Each x_p is a
    claim on tensor j at layout.box_point (rho's coordinates, then the box's fixed bits),
    discharged with the other claims on committed tensors. Padding slots outside the boxes
    are not looked up: a committed tensor's padding is zero in every opening (its
    commitment is shaped) and a public one's is the verifier's own."""
    g = ctx.graph
    t0 = time.perf_counter()
    lookups = []  # (key, table, which_names, pieces, packing, statement)
    for key, uses in _lookup_groups(g).items():
        table = uses[0].table()
        which_names = [("x", [u.x for u in uses])] + ([("y", [u.y for u in uses])] if table.is_mapping else [])
        shapes = [g.tensors[nm].shape for nm in which_names[0][1]]
        for _, names in which_names[1:]:
            if [g.tensors[nm].shape for nm in names] != shapes:
                raise AssertionError(f"lookup {key}: outputs shaped unlike their inputs")
        pieces = [(j, box) for j, shape in enumerate(shapes) for box in L.real_boxes(shape)]
        packing = tlookup.pack_trees([L.box_vars(box) for _, box in pieces])
        depths = [d for d, _ in packing]
        st = tlookup.make_statement(table, 1, sum(1 << d for d in depths), include_table=True, trees=depths)
        ctx.ch.transcript.absorb("nn/lookup-table", key.encode())
        lookups.append((key, table, which_names, pieces, packing, st))
    if not lookups:
        return
    sts = [lk[-1] for lk in lookups]
    if ctx.is_prover:
        # the operations' field copies and eq tables are not needed any more (the trees are
        # built from the integers and the openings work on them): freeing them here keeps
        # them out of the lookups' peak memory
        ctx.release_field_copies()
        leaves = [{which: [_tree_leaves(ctx, d, members, pieces, names, _pad_value(table, which))
                           for d, members in packing] for which, names in which_names}
                  for _, table, which_names, pieces, packing, _ in lookups]
        _, proof, results, m_claims = tlookup.prove_joint(ctx.ch.transcript, [
            (table, lv["x"], lv.get("y"), st) for (_, table, _, _, _, st), lv in zip(lookups, leaves)],
            open_m=False)
        ctx.ch.send_blob(proof.to_bytes())
    else:
        results, m_claims = tlookup.verify_joint(ctx.ch.transcript, sts, ctx.ch.receive_blob("lookup proof"),
                                                 open_m=False)
    for (key, *_), mc in zip(lookups, m_claims):
        if _m_name(key) in g.tensors:  # a tensor renamed past Graph._new's check
            raise _reserved_name(_m_name(key))
        ctx.m_claims[_m_name(key)] = mc
    for i, ((key, table, which_names, pieces, packing, _), res) in enumerate(zip(lookups, results)):
        sizes = [L.box_vars(box) for _, box in pieces]
        for t, ((depth, members), (rho, totals)) in enumerate(zip(packing, res.inputs)):
            for (which, names), total in zip(which_names, totals):
                pad = _pad_value(table, which)
                where = [(names[pieces[p][0]], g.tensors[names[pieces[p][0]]].shape, pieces[p][1], sizes[p])
                         for p, _ in members]
                outside = [pad * (1 - L.box_indicator(shape, box, rho[:b])) % R for _, shape, box, b in where]
                if len(members) == 1:
                    name, shape, box, _ = where[0]
                    ctx.claim(name, L.box_point(shape, box, rho), (total - outside[0]) % R)
                    continue
                vals = ctx.message("nn/lookup-split", len(members), lambda: [
                    (b - o) % R for b, o in zip(_block_values(leaves[i][which][t], members, sizes, rho), outside)])
                acc = 0
                for (_, off), (name, shape, box, b), v, o in zip(members, where, vals, outside):
                    block = off >> b
                    acc += eq_eval(rho[b:], [(block >> bit) & 1 for bit in range(depth - b)]) * (v + o)
                    ctx.claim(name, L.box_point(shape, box, rho[:b]), v)
                ctx.check(acc % R == total % R, f"lookup {key}: the per-piece claims do not add up")
    timings["lookups_s"] = timings.get("lookups_s", 0.0) + time.perf_counter() - t0


def _opening_phase(ctx: _Context, commitments: dict, timings: dict) -> None:
    """Every claim on a committed tensor (points from the operations and the lookups, row
    claims such as the embedding's) and every lookup's m claim (m(rho_T) on its
    commitment from the lookup proof, the integer counts on the prover's side; names
    _m_name(key)) discharged at once by zkproof.commit.multiopen: the provers fold each
    tensor's rows by the claim's row weights natively on the integers, one column
    sumcheck combines the folds, one IPA opens the combination. No reduction of several
    claims to one point is needed, and a tensor is never converted to field elements
    here. The commitments are shaped: padding slots weigh zero in every opening."""
    g = ctx.graph
    t0 = time.perf_counter()
    claims = []
    for n in g.committed():
        for c in ctx.pending[n]:
            claims.append(c if isinstance(c, multiopen.RowsClaim) else multiopen.PointClaim(n, tuple(c[0]), c[1]))
        ctx.pending[n] = []
    claims += [multiopen.PointClaim(n, mc.point, mc.value) for n, mc in ctx.m_claims.items()]
    coms = {**commitments, **{n: mc.commitment for n, mc in ctx.m_claims.items()}}
    if claims:
        if ctx.is_prover:
            def tensors(n):
                return ctx.m_claims[n].counts if n in ctx.m_claims else ctx.value(n)
            proof = multiopen.prove(ctx.ch.transcript, claims, tensors, coms, check=ctx.debug)
            ctx.ch.send_blob(proof.to_bytes())
        else:
            multiopen.verify(ctx.ch.transcript, claims, coms, ctx.ch.receive_blob("opening"))
    timings["openings_s"] = time.perf_counter() - t0


def _backward(ctx: _Context, timings: dict) -> None:
    t0 = time.perf_counter()
    for op in reversed(ctx.graph.ops):
        t1 = time.perf_counter()
        op.backward(ctx)
        key = f"op_{op.name}_s"
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - t1
    for name, spec in ctx.graph.tensors.items():
        if spec.kind == "derived" and ctx.pending[name]:
            raise AssertionError(f"claims on {name!r} were never passed to its producer")
    timings["backward_s"] = time.perf_counter() - t0


def _transcript(graph: Graph) -> Transcript:
    return Transcript("zkproof/nn/" + graph.label)


def prove(graph: Graph, witness: dict, commitments: dict | None = None, timings: dict | None = None,
          debug: bool = False):
    """Prove that `witness` (from graph.forward) is the graph's computation.

    commitments: external commitments (e.g. model weights committed once with
    commit_tensor); every other committed tensor is committed here. Returns
    (Statement, proof bytes). timings (optional dict) receives the phase times.
    debug: check every claim the prover makes against the witness (slow; for tests)."""
    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    coms = dict(commitments or {})
    ctx = _Context(graph, None, True, witness)
    ctx.debug = debug
    own = [n for n in graph.committed() if n not in coms]
    coms.update(zip(own, commit_tensors([witness[n] for n in own])))
    timings["commit_s"] = time.perf_counter() - t0
    st = Statement({n: witness[n] for n in graph.public()}, coms)
    transcript = _transcript(graph)
    st.absorb(transcript, graph)
    ctx.ch = ProverChannel(transcript)
    _backward(ctx, timings)
    _lookup_phase(ctx, timings)
    _opening_phase(ctx, coms, timings)
    timings["prove_total_s"] = time.perf_counter() - t0
    proof = ctx.ch.bytes()
    log.debug("proved graph %s: %d ops, %d committed tensors, %d proof bytes, %s", graph.label, len(graph.ops),
              len(coms), len(proof), {k: round(v, 3) for k, v in timings.items()})
    return st, proof


def verify(graph: Graph, statement: Statement, proof: bytes) -> None:
    """Accept (return None) or raise a VerificationError. The verifier needs the graph
    (built from shapes) and the statement: public values and commitments (external
    ones, such as weights, are the caller's to trust)."""
    transcript = _transcript(graph)
    statement.absorb(transcript, graph)
    ctx = _Context(graph, VerifierChannel(transcript, proof), False, public=statement.public)
    timings: dict = {}
    _backward(ctx, timings)
    _lookup_phase(ctx, timings)
    _opening_phase(ctx, statement.commitments, timings)
    ctx.ch.finish()
