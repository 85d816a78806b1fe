"""tlookup: LogUp lookups of any size, proved through GKR fraction trees.

Statement. NUM instances of DIM inputs each (x, and y for a mapping table) all lie in
a table T (pairs (x, y) in {(T_j, f(T_j))} for a mapping table), with multiplicities m
committed by the prover (Hyrax, zkproof.commit). LogUp: for a random beta,

    sum_i 1 / (beta + S_i)  =  sum_j m_j / (beta + T_j)                         (*)

holds as an identity of rational functions iff S is a multiset over T with
multiplicities m (the field's characteristic exceeds any count); for beta drawn after
the statement (the table, a mapping's outputs, the input commitments) is absorbed and m
is committed, a false statement passes with probability at most about (D + |T|) / r. For a mapping table S_i = x_i + r y_i and
T_j = Tx_j + r f(Tx_j) with r random, which binds the pairs.

Layout and padding. Instance k's input is row k of a matrix of 2^n rows of 2^d columns
(d = ceil log2 DIM, n = ceil log2 NUM, a = d + n input variables; column bits are the
low variables, the batch is the top variables). Every slot outside the real inputs holds
the pad value T[0] (and f(T[0])), a statement element; m[0] is increased by the number of pads, so the padded
input still lies in the table and (*) stays true. The table is padded to 2^b entries
(b = ceil log2 length) with multiplicity 0 (range tables continue low + j, tensor
tables use 0). m is committed with shape (table_len,), so its entries past the table
are outside the commitment: the opening of m(rho_T) is the MLE of exactly the
table_len committed multiplicities, and no multiplicity can sit on a padded entry.
The claims handed back on the inputs are on their padded layout of shape (NUM, DIM)
(Claim.shape; zero padding): X0(rho) = Xpad(rho) - T[0] (1 - ind(rho)), ind the
indicator of real slots; input commitments are made with that shape (commit_inputs).

Proof. The prover commits m, then r (mapping) and beta come from the transcript. Two
fraction trees, input side (p = 1, q = beta + S) and table side (p = m,
q = beta + T), are proved by zkproof.fraction_gkr. Nothing of size D is committed and
nothing is inverted: the fraction tree replaces the D-sized inverse tensor 1/(beta + S)
altogether (which is also why no table-inverse gather is needed). Proving costs a
native histogram, the two trees (about 1 + 3 Fr multiplications per input) and one
sumcheck per tree layer (dominated by the two bottom layers, roughly 9 and 16 Fr
multiplications per pair of entries per round; see prover_muls).

Verification. The verifier checks the roots p_S q_T = p_T q_S with q_S, q_T non-zero,
p_S's leaf claim equal to 1, and gets
    S(rho_S) = q_S(rho_S) - beta,  m(rho_T) = p_T(rho_T),  T(rho_T) = q_T(rho_T) - beta.
T(rho_T) is computed by the verifier for range tables (field.range_mle); for a tensor
table it is a claim returned to the caller. m(rho_T) is opened against m's commitment
(prove_joint / verify_joint with open_m=False leave that opening to the caller as an
MClaim, which the graph discharges in its single multiopen: the lookup is sound only
with it).
The inputs' claims are opened against their commitments when the statement has them,
else returned (the caller must have bound the inputs in the transcript beforehand).
Likewise a tensor table (or a mapping's outputs) that the statement does not carry is a
returned claim on the table of shape (table_len,), which the caller must discharge
against a commitment bound before this proof.

Transcript: "tlookup/statement" (the protocol id and the whole LookupStatement's bytes:
header, input commitments, the table and outputs it carries), m's commitment, r
(mapping), beta, the fraction proof, the mapping split values, then the openings (the
caller's, after whatever it proves next, with open_m=False).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .. import _native
from ..commit import hyrax
from ..claims import Claim
from ..field.device import synchronize, xp
from ..errors import ClaimMismatch, MalformedProof, VerificationError
from ..field.scalar import R, inv, range_mle
from .fraction_gkr import FractionProof, build_tree
from .fraction_gkr import prove as gkr_prove
from .fraction_gkr import verify as gkr_verify
from ..commit.ipa import log2_exact
from .tables import Table, counts_tensor, multiplicities, multiplicities_ints
from ..field.tensor import FrTensor, evaluate_ints, next_pow2
from ..transcript import Transcript
from ..wire import Reader, Writer

PROTOCOL_ID = "tlookup/v2"
KINDS = ("range", "tensor")
TREES_MARK = 0xFF   # in a statement's bytes: input trees follow (see LookupStatement.to_bytes)
MAX_TREES = 40      # input trees of distinct depths < 40 (a verifier's work is linear in their number)


def _log2_ceil(n: int) -> int:
    return (int(n) - 1).bit_length()


def default_gen_dim(length: int) -> int:
    """A Hyrax row length of about 4 sqrt(length) (a power of two, at most the padded
    length): fewer, longer row MSMs for the commitment (each MSM call has a fixed cost),
    at the price of a slightly longer opening (measured best for 2^16 multiplicities)."""
    b = _log2_ceil(max(length, 1))
    return 1 << min(b, (b + 4) // 2)


def prefix_mle(count: int, point: Sequence[int]) -> int:
    """MLE at point of the indicator of [0, count) over 2^len(point) entries (O(len))."""
    k = len(point)
    if count >= 1 << k:
        return 1
    acc = 0  # value of the indicator restricted to the low j variables
    for j in range(k):
        bit = (count >> j) & 1
        u = point[j] % R
        # indicator of [0, count mod 2^(j+1)) over j+1 variables
        acc = ((1 - u) * 1 + u * acc) % R if bit else (1 - u) * acc % R
    return acc


def layout(x: FrTensor, num: int, dim: int, pad: int = 0, full: bool = False) -> FrTensor:
    """x (NUM * DIM entries, instance-major) as NUM rows of 2^d slots, pad elsewhere.
    full: also pad the rows to 2^n (length 2^a); otherwise length NUM * 2^d."""
    d = _log2_ceil(dim)
    rows = next_pow2(num) if full else num
    if (1 << d) == dim and rows == num:
        return x
    mod = xp(x.device)
    padv = FrTensor.full(1, pad, x.device).data[0]
    out = mod.empty((rows, 1 << d, 4), dtype=np.uint64)
    out[...] = padv
    out[:num, :dim] = x.data.reshape(num, dim, 4)
    return FrTensor(out.reshape(-1, 4))


def pack_trees(depths: Sequence[int]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Input trees for blocks of 2^depths[i] entries: the blocks laid out largest first
    (stable for equal sizes), each at an offset that is a multiple of its own size, and
    the whole cut into one tree per set bit of the total size, highest first. A cut
    never splits a block: every offset is a multiple of the block's size, which divides
    the next set bit's size, so the running total lands on each cut exactly. Returns
    [(tree depth, [(block index i, offset of block i in that tree)])]."""
    depths = [int(d) for d in depths]
    if not depths or any(d < 0 for d in depths):
        raise ValueError(f"depths: a non-empty list of non-negative ints, got {depths}")
    order = iter(sorted(range(len(depths)), key=lambda i: -depths[i]))
    total = sum(1 << d for d in depths)
    trees = []
    for bit in reversed(range(total.bit_length())):
        if total >> bit & 1:
            members, pos = [], 0
            while pos < 1 << bit:
                i = next(order)
                members.append((i, pos))
                pos += 1 << depths[i]
            if pos != 1 << bit:  # cannot happen (see above)
                raise AssertionError("a block straddles an input tree")
            trees.append((bit, members))
    return trees


# ----------------------------------------------------------------------------- statement
@dataclass(frozen=True)
class LookupStatement:
    """What a tlookup proof states (everything the verifier's sizes come from).

    kind/low/table_len: the table ("range": [low, low + table_len); "tensor": a table
    of table_len entries the verifier may not know). mapping: pairs (x, y) are looked up.
    pad_x, pad_y: T[0] and f(T[0]) (the padding value). gen_dim: Hyrax row length of m's
    commitment. input_commitments: () or the commitments of x (and y) with shape
    (num, dim) and one gen_dim (commit_inputs); with them the verifier opens the input
    claims itself.
    table / outputs: a tensor table's values and a mapping table's outputs, when the
    verifier knows them (then it checks the table claims itself)."""

    num: int
    dim: int
    kind: str
    table_len: int
    low: int = 0
    mapping: bool = False
    pad_x: int = 0
    pad_y: int = 0
    gen_dim: int = 1
    input_commitments: tuple = ()
    table: FrTensor | None = field(default=None, compare=False)
    outputs: FrTensor | None = field(default=None, compare=False)
    trees: tuple = ()

    def __post_init__(self):
        for name in ("num", "dim", "table_len"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v < 2**40:
                raise ValueError(f"{name} must be an int in [1, 2^40), got {v!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "range" and self.pad_x != self.low % R:
            raise ValueError("a range table pads with low")
        log2_exact(self.gen_dim, "gen_dim")
        if len(self.input_commitments) not in (0, 2 if self.mapping else 1):
            raise ValueError("input_commitments: none, or one per looked-up tensor (x, and y for a mapping)")
        for c in self.input_commitments:
            if not isinstance(c, hyrax.Commitment) or c.shape != (self.num, self.dim):
                raise ValueError(f"input commitments must be Commitments of shape (num, dim) = {(self.num, self.dim)}")
            if c.hiding:
                raise ValueError("hiding input commitments are not supported by tlookup yet")
            if c.gen_dim != self.input_commitments[0].gen_dim:
                raise ValueError(f"input commitments have different gen_dims ({self.input_commitments[0].gen_dim} "
                                 f"and {c.gen_dim}); they are opened together")
        if self.table is not None and len(self.table) != self.table_len:
            raise ValueError("table: length differs from table_len")
        if self.outputs is not None and len(self.outputs) != self.table_len:
            raise ValueError("outputs: length differs from table_len")
        if self.trees:
            if not isinstance(self.trees, tuple) or len(self.trees) > MAX_TREES or \
                    any(not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < 40 for t in self.trees):
                raise ValueError(f"trees: a tuple of at most {MAX_TREES} depths in [0, 40), got {self.trees!r}")
            if self.num != 1 or self.dim != sum(1 << t for t in self.trees) or self.input_commitments:
                raise ValueError("a statement with input trees has num = 1, dim = the trees' total size and "
                                 "no input commitments")

    @property
    def d(self) -> int:
        return _log2_ceil(self.dim)

    @property
    def a(self) -> int:
        """Input variables: d + ceil log2 NUM."""
        return self.d + _log2_ceil(self.num)

    @property
    def b(self) -> int:
        """Table variables."""
        return _log2_ceil(self.table_len)

    @property
    def input_depths(self) -> tuple:
        """The input side's fraction trees: the given trees, else one of depth a."""
        return self.trees or (self.a,)

    def absorb(self, t: Transcript) -> None:
        """The whole statement, as its canonical bytes (to_bytes: the header, the input
        commitments, the table and outputs when carried), before any challenge."""
        t.absorb("tlookup/statement", self.to_bytes())

    def header_bytes(self) -> bytes:
        return (Writer().raw(PROTOCOL_ID.encode()).u8(KINDS.index(self.kind)).u8(int(self.mapping))
                .u64(self.num).u64(self.dim).i64(self.low).u64(self.table_len)
                .fr(self.pad_x).fr(self.pad_y).u64(self.gen_dim).bytes())

    def to_bytes(self) -> bytes:
        """Statement encoding for proof files (header, [input trees,] input commitments,
        known tables). Input trees are marked by the byte TREES_MARK where the number of
        input commitments (at most 2) stands otherwise."""
        w = Writer().raw(self.header_bytes())
        if self.trees:
            w.u8(TREES_MARK).u8(len(self.trees))
            for t in self.trees:
                w.u8(t)
        w.u8(len(self.input_commitments))
        for c in self.input_commitments:
            w.u64(c.gen_dim).raw(c.to_bytes())
        w.u8(int(self.table is not None))
        if self.table is not None:
            w.raw(self.table.to_bytes())
        w.u8(int(self.outputs is not None))
        if self.outputs is not None:
            w.raw(self.outputs.to_bytes())
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes, file_bytes: int | None = None) -> "LookupStatement":
        """Decode; MalformedProof on anything malformed. file_bytes: the size of the
        proof file, to cap every gen_dim (hyrax.check_file_gen_dim) as it is read."""
        r = Reader(data)
        if r.raw(len(PROTOCOL_ID), "protocol id") != PROTOCOL_ID.encode():
            raise MalformedProof("not a tlookup statement")
        kind = r.u8("table kind")
        mapping = r.u8("mapping flag")
        if kind >= len(KINDS) or mapping > 1:
            raise MalformedProof("bad table kind or mapping flag")
        num, dim, low, tlen = r.u64("num"), r.u64("dim"), r.i64("low"), r.u64("table length")
        pad_x, pad_y, gen_dim = r.fr("pad x"), r.fr("pad y"), r.u64("gen_dim")
        if not (1 <= num < 2**40 and 1 <= dim < 2**40 and 1 <= tlen < 2**40) or num * dim >= 2**40:
            raise MalformedProof("statement sizes out of range")
        if gen_dim < 1 or gen_dim & (gen_dim - 1) or gen_dim > hyrax.MAX_GEN_DIM:
            raise MalformedProof(f"gen_dim {gen_dim} is not a power of two <= {hyrax.MAX_GEN_DIM}")
        if file_bytes is not None:
            hyrax.check_file_gen_dim(gen_dim, file_bytes)
        ncom = r.u8("number of input commitments")
        trees = ()
        if ncom == TREES_MARK:
            nt = r.u8("number of input trees")
            trees = tuple(r.u8("tree depth") for _ in range(nt))
            if nt == 0 or nt > MAX_TREES or any(t >= 40 for t in trees) or \
                    num != 1 or dim != sum(1 << t for t in trees):
                raise MalformedProof("bad input trees")
            ncom = r.u8("number of input commitments")
            if ncom:
                raise MalformedProof("a statement with input trees has no input commitments")
        if ncom not in (0, 2 if mapping else 1):
            raise MalformedProof("wrong number of input commitments")
        coms = []
        for _ in range(ncom):
            g = r.u64("input gen_dim")
            if g < 1 or g & (g - 1) or g > hyrax.MAX_GEN_DIM:
                raise MalformedProof(f"input gen_dim {g} is not a power of two <= {hyrax.MAX_GEN_DIM}")
            if file_bytes is not None:
                hyrax.check_file_gen_dim(g, file_bytes)
            coms.append(hyrax.Commitment.read(r, num * dim, g, shape=(num, dim)))
        tables = []
        for what in ("table", "outputs"):
            if r.u8(f"{what} flag"):
                if r.remaining() < 32 * tlen:
                    raise MalformedProof(f"truncated: {what} needs {32 * tlen} bytes")
                try:
                    tables.append(FrTensor.from_bytes(r.raw(32 * tlen, what)))
                except ValueError as e:
                    raise MalformedProof(f"{what}: {e}") from None
            else:
                tables.append(None)
        r.finish()
        try:
            return cls(num, dim, KINDS[kind], tlen, low, bool(mapping), pad_x, pad_y, gen_dim, tuple(coms),
                       tables[0], tables[1], trees)
        except ValueError as e:
            raise MalformedProof(f"inconsistent statement: {e}") from None


# ----------------------------------------------------------------------------- proof
@dataclass
class LookupProof:
    m_commitment: hyrax.Commitment
    fractions: FractionProof
    x_value: int | tuple | None  # mapping: Xpad at the input point (a tuple, one per tree, with input trees)
    tx_value: int | None         # tensor mapping table: Tx(rho_T)
    m_opening: hyrax.BatchOpening
    input_opening: hyrax.BatchOpening | None

    def x_values(self) -> tuple:
        """The mapping's input values, one per input tree (() without a mapping)."""
        if self.x_value is None:
            return ()
        return tuple(self.x_value) if isinstance(self.x_value, (tuple, list)) else (self.x_value,)

    def to_bytes(self) -> bytes:
        w = Writer().raw(self.m_commitment.to_bytes()).raw(self.fractions.to_bytes())
        for v in self.x_values():
            w.fr(v)
        if self.tx_value is not None:
            w.fr(self.tx_value)
        self.m_opening.write(w)
        if self.input_opening is not None:
            self.input_opening.write(w)
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes, st: LookupStatement) -> "LookupProof":
        """Decode with every size taken from the statement; MalformedProof otherwise."""
        r = Reader(data)
        com = hyrax.Commitment.read(r, st.table_len, st.gen_dim)
        fr_ = FractionProof.read(r, list(st.input_depths) + [st.b])
        xv = None
        if st.mapping:
            xs = tuple(r.fr("mapping x value") for _ in st.input_depths)
            xv = xs if st.trees else xs[0]
        txv = r.fr("mapping table value") if st.mapping and st.kind == "tensor" else None
        mo = hyrax.BatchOpening.read(r, [com])
        io = hyrax.BatchOpening.read(r, list(st.input_commitments)) if st.input_commitments else None
        r.finish()
        return cls(com, fr_, xv, txv, mo, io)


@dataclass(frozen=True)
class LookupClaims:
    """What a verified lookup leaves to the caller (each an MLE evaluation on a
    zero-padded tensor). inputs: per input tree (point, (X0(point)[, Y0(point)])), on the
    input layout (NUM, DIM) for a statement without trees (discharged already when the
    statement has input commitments), on the tree's leaves as given for one with trees.
    table: (point, Tx(point)[, f(point)]) on the padded table; None parts are verified
    already (range x, or a table the statement carries)."""

    inputs: tuple
    inputs_opened: bool
    table_point: tuple
    table_values: tuple      # entries None when already checked
    m_value: int
    input_shapes: tuple = ()  # per input tree: (num, dim), or (2^depth,) for input trees
    table_shape: tuple | None = None   # (table_len,)

    @property
    def input_point(self) -> tuple:
        """The (first) input tree's point."""
        return self.inputs[0][0]

    @property
    def input_values(self) -> tuple:
        return self.inputs[0][1]

    def remaining(self) -> list:
        """The claims still to be discharged, as zkproof.claims.Claim: "x" and "y" on
        the zero-padded input layout (unless opened already; "x[i]", "y[i]" on input
        tree i's leaves when there are several), "table" and "outputs" on the
        zero-padded table (unless already checked)."""
        out = []
        if not self.inputs_opened:
            for i, ((point, vals), shape) in enumerate(zip(self.inputs, self.input_shapes)):
                for name, v in zip(("x", "y"), vals):
                    out.append(Claim(name if len(self.inputs) == 1 else f"{name}[{i}]", point, v, shape))
        for name, v in zip(("table", "outputs"), self.table_values):
            if v is not None:
                out.append(Claim(name, self.table_point, v, self.table_shape))
        return out


def _leaf_claims(transcript: Transcript, st: LookupStatement, r: int, beta: int, roots, leaves, x_values,
                 tx_value, check: bool) -> LookupClaims:
    """From the fraction trees' roots and leaf claims (input trees first, the table's
    last) to the lookup's claims; absorbs the mapping values. check: the verifier's
    checks (roots, numerators, the table's leaves), raising a VerificationError; the
    prover skips them (its values are right by construction or its proof is rejected)."""
    *in_roots, (p_t, q_t) = roots
    *in_leaves, ct = leaves
    if check:
        if q_t == 0 or any(q == 0 for _, q in in_roots):
            raise ClaimMismatch("a fraction-tree root has denominator zero")
        lhs = sum(p * inv(q) for p, q in in_roots) % R
        if lhs != p_t * inv(q_t) % R:
            raise ClaimMismatch("the input and table fraction sums differ (some input is not in the table)")
        if any(cs.p != 1 for cs in in_leaves):
            raise ClaimMismatch("the input side's numerators are not all one")
    if st.mapping:
        if r == 0:
            raise VerificationError("degenerate mapping challenge r = 0")
        x_values = tuple(v % R for v in x_values)
        for v in x_values:
            transcript.absorb_fr("tlookup/x_value", v)
    inputs = []
    for i, cs in enumerate(in_leaves):
        s_val = (cs.q - beta) % R
        # without input trees: the layout's pad slots hold (pad_x, pad_y); the claims are on zero padding
        ind = 1 if st.trees else prefix_mle(st.dim, cs.point[: st.d]) * prefix_mle(st.num, cs.point[st.d:]) % R
        if st.mapping:
            x_val = x_values[i]
            y_val = (s_val - x_val) * inv(r) % R
            vals = ((x_val - st.pad_x * (1 - ind)) % R, (y_val - st.pad_y * (1 - ind)) % R)
        else:
            vals = ((s_val - st.pad_x * (1 - ind)) % R,)
        inputs.append((tuple(cs.point), vals))

    t_val = (ct.q - beta) % R
    if st.kind == "range":
        tx = range_mle(st.low, ct.point)
    elif st.mapping:
        tx = tx_value % R
        transcript.absorb_fr("tlookup/tx_value", tx)
    else:
        tx = t_val
    ty = (t_val - tx) * inv(r) % R if st.mapping else None
    if check and not st.mapping and st.kind == "range" and t_val != tx:
        raise ClaimMismatch("the table side's leaves are not the range table")
    tab = [None if st.kind == "range" else tx] + ([ty] if st.mapping else [])
    if st.kind == "tensor" and st.table is not None:
        if check and st.table.evaluate(list(ct.point)) != tx:
            raise ClaimMismatch("the table side's leaves are not the statement's table")
        tab[0] = None
    if st.mapping and st.outputs is not None:
        if check and st.outputs.evaluate(list(ct.point)) != ty:
            raise ClaimMismatch("the table side's outputs are not the statement's outputs")
        tab[1] = None
    shapes = tuple((1 << t,) for t in st.trees) if st.trees else ((st.num, st.dim),)
    return LookupClaims(tuple(inputs), bool(st.input_commitments), tuple(ct.point), tuple(tab), ct.p, shapes,
                        (st.table_len,))


# ----------------------------------------------------------------------------- prover
def _now(device: str) -> float:
    synchronize(device)
    return time.perf_counter()


def make_statement(table: Table, num: int, dim: int, gen_dim: int | None = None,
                   input_commitments: Sequence = (), include_table: bool = False,
                   trees: Sequence[int] = ()) -> LookupStatement:
    """The statement for looking up NUM x DIM inputs in `table`. include_table puts a
    tensor table's values (and a mapping's outputs) in the statement for the verifier.
    trees: the input is one fraction tree per depth given, of 2^depth leaves each, laid
    out by the caller (then num = 1 and dim = their total size; see prove_joint)."""
    if not isinstance(table, Table):
        raise TypeError(f"table must be a Table, got {type(table).__name__}")
    return LookupStatement(
        num=num, dim=dim, kind=table.kind, table_len=table.length, low=table.low,
        mapping=table.is_mapping, pad_x=table.pad_x(), pad_y=table.pad_y(),
        gen_dim=gen_dim or default_gen_dim(table.length), input_commitments=tuple(input_commitments),
        table=table.values if include_table and table.kind == "tensor" else None,
        outputs=table.outputs if include_table and table.is_mapping else None,
        trees=tuple(int(t) for t in trees),
    )


def commit_inputs(x: FrTensor, y: FrTensor | None, num: int, dim: int, gen_dim: int | None = None) -> tuple:
    """Hyrax commitments of the inputs x (and y for a mapping), NUM x DIM in natural
    order, with shape (num, dim): the claims' padded layout, padding outside the
    commitment. gen_dim: default about 4 sqrt(num * 2^d)."""
    ts = [x] + ([y] if y is not None else [])
    g = gen_dim or default_gen_dim(num << _log2_ceil(dim))
    return tuple(hyrax.commit(t, g, shape=(num, dim)) for t in ts)


def _flat_inputs(inputs, name: str) -> FrTensor:
    if isinstance(inputs, FrTensor):
        return inputs
    if isinstance(inputs, (list, tuple)) and inputs and all(isinstance(t, FrTensor) for t in inputs):
        return FrTensor.cat(inputs)
    raise TypeError(f"{name} must be an FrTensor or a non-empty list of FrTensors")


def _denominators(x: FrTensor, y: FrTensor | None, r: int, beta: int) -> FrTensor:
    """beta + x (+ r y): the fraction tree's leaf denominators, in one buffer."""
    q = FrTensor.empty(len(x), x.device)
    if y is None:
        _native.fr_add_scalar(q.data, x.data, beta)
    else:
        _native.fr_mul_scalar(q.data, y.data, r)
        _native.fr_add(q.data, q.data, x.data)
        _native.fr_add_scalar(q.data, q.data, beta)
    return q


def _leaves(x) -> FrTensor:
    """Input-tree leaves as field elements (integer arrays are converted)."""
    return x if isinstance(x, FrTensor) else FrTensor.from_ints(np.asarray(x, dtype=np.int64))


def _leaf_value(x, point) -> int:
    """The leaves' extension at point (integer leaves folded natively)."""
    return x.evaluate(list(point)) if isinstance(x, FrTensor) else evaluate_ints(x, point)


def _prove_core(transcript: Transcript, items: Sequence[tuple], timings: dict):
    """Everything between the statements and the openings, for one or several lookups
    proved together. items: (table, statement, m, counts, xs, ys) with m the counts as
    field elements (counts: int64, committed from the integers) and the input trees'
    leaves xs (and ys; FrTensors or int64 arrays) laid out and padded already.
    Transcript: each statement and m's
    commitment, then each lookup's r (mapping) and beta, ONE fraction proof of every
    tree (each lookup's input trees, then its table tree), then each lookup's mapping
    values (for one lookup exactly tlookup's order). Returns (m's commitments, the
    fraction proof, per lookup (x values, tx value, LookupClaims))."""
    t0 = _now(items[0][2].device)
    coms = hyrax.commit_int_tensors([counts for _, _, _, counts, _, _ in items],
                                    [st.gen_dim for _, st, _, _, _, _ in items])
    timings["commit_s"] = timings.get("commit_s", 0.0) + _now(items[0][2].device) - t0
    for (_, st, _, _, _, _), com in zip(items, coms):
        st.absorb(transcript)
        transcript.absorb_g1("tlookup/m_commitment", com.to_bytes())
    chals = [(transcript.challenge("tlookup/r") if st.mapping else 0, transcript.challenge("tlookup/beta"))
             for _, st, _, _, _, _ in items]
    trees, spans = [], []
    for (table, st, m, _, xs, ys), (r, beta) in zip(items, chals):
        dev = m.device
        first = len(trees)
        trees += [build_tree(_denominators(_leaves(x), None if y is None else _leaves(y), r, beta))
                  for x, y in zip(xs, ys or [None] * len(xs))]
        trees.append(build_tree(_denominators(table.padded_x(dev), table.padded_y(dev) if st.mapping else None,
                                              r, beta), m.pad(1 << st.b)))
        spans.append((first, len(trees)))
    frac, leaves = gkr_prove(transcript, trees)
    del trees
    out = []
    for (table, st, m, _, xs, ys), (r, beta), (a, b) in zip(items, chals, spans):
        lv = leaves[a:b]
        x_values = tuple(_leaf_value(x, c.point) for x, c in zip(xs, lv)) if st.mapping else ()
        tx_value = table.padded_x(m.device).evaluate(list(lv[-1].point)) \
            if st.mapping and st.kind == "tensor" else None
        out.append((x_values, tx_value,
                    _leaf_claims(transcript, st, r, beta, frac.roots[a:b], lv, x_values, tx_value, check=False)))
    return coms, frac, out


def _verify_core(transcript: Transcript, sts: Sequence[LookupStatement], coms, fractions: FractionProof,
                 x_values: Sequence[tuple], tx_values: Sequence) -> list:
    """The verifier's side of _prove_core: per lookup its LookupClaims (checked: roots,
    numerators, the tables' leaves), the openings still to do."""
    for st, com in zip(sts, coms):
        st.absorb(transcript)
        transcript.absorb_g1("tlookup/m_commitment", com.to_bytes())
    chals = [(transcript.challenge("tlookup/r") if st.mapping else 0, transcript.challenge("tlookup/beta"))
             for st in sts]
    depths = [d for st in sts for d in list(st.input_depths) + [st.b]]
    roots, leaves = gkr_verify(transcript, depths, fractions)
    out, a = [], 0
    for st, (r, beta), xv, txv in zip(sts, chals, x_values, tx_values):
        b = a + len(st.input_depths) + 1
        out.append(_leaf_claims(transcript, st, r, beta, roots[a:b], leaves[a:b], xv, txv, check=True))
        a = b
    return out


def _m_groups(sts: Sequence[LookupStatement]) -> list[list[int]]:
    """The lookups whose m are opened together: equal table length and gen_dim, and
    table trees of equal depth (so their claims share the fraction proof's point), in
    order of first appearance."""
    groups: dict = {}
    for i, st in enumerate(sts):
        groups.setdefault((st.table_len, st.gen_dim), []).append(i)
    return list(groups.values())


def prove(transcript: Transcript, table: Table, inputs, outputs=None, num: int | None = None,
          statement: LookupStatement | None = None, timings: dict | None = None
          ) -> tuple[LookupStatement, LookupProof]:
    """Prove that every input (NUM instances of DIM, instance-major, or a list of NUM
    equal-length tensors) lies in `table` (for a mapping table: every (input, output)
    pair). Raises OutOfTableError before any proving when some do not.

    statement: from make_statement (with input commitments when the inputs are to be
    opened here); by default one without input commitments, whose input claim the
    caller must discharge. Returns (statement, proof).

    timings, if given, receives "commit_s" (committing m) and "open_s" (the openings),
    device-synchronised, for benchmarks."""
    if isinstance(inputs, (list, tuple)) and num is None:
        num = len(inputs)
    x = _flat_inputs(inputs, "inputs")
    y = _flat_inputs(outputs, "outputs") if outputs is not None else None
    num = 1 if num is None else num
    if not isinstance(num, int) or num < 1 or len(x) % num or len(x) == 0:
        raise ValueError(f"inputs: {len(x)} values do not split into num = {num} non-empty instances")
    dim = len(x) // num
    counts = multiplicities(table, x, y)  # raises OutOfTableError
    st = statement or make_statement(table, num, dim)
    if (st.num, st.dim, st.kind, st.table_len, st.mapping) != (num, dim, table.kind, table.length, table.is_mapping) \
            or st.trees:
        raise ValueError("statement does not describe these inputs and this table")
    dev = x.device
    counts[0] += (1 << st.a) - num * dim  # the pads are T[0]
    m = counts_tensor(counts, dev)
    x_pad = layout(x, num, dim, st.pad_x, full=True)
    y_pad = [layout(y, num, dim, st.pad_y, full=True)] if st.mapping else None
    tm: dict = {}
    (com_m,), frac, ((x_values, tx_value, claims),) = _prove_core(
        transcript, [(table, st, m, np.asarray(counts, dtype=np.int64), [x_pad], y_pad)], tm)

    t2 = _now(dev)
    _, m_open = hyrax.open_batch(transcript, [m], [com_m], list(claims.table_point), [claims.m_value])
    in_open = None
    if st.input_commitments:
        tens = [x] + ([y] if st.mapping else [])
        _, in_open = hyrax.open_batch(transcript, tens, list(st.input_commitments), list(claims.input_point))
    if timings is not None:
        timings["commit_s"] = tm["commit_s"]
        timings["open_s"] = _now(dev) - t2
    x_value = x_values[0] if st.mapping else None
    return st, LookupProof(com_m, frac, x_value, tx_value, m_open, in_open)


@dataclass(frozen=True)
class MClaim:
    """A lookup's multiplicity claim left to the caller (prove_joint / verify_joint with
    open_m=False): m(point) = value, m committed as `commitment` (shape (table_len,), the
    statement's gen_dim; absorbed before the lookup's challenges), point the table tree's
    b coordinates (LookupClaims.table_point), value LookupClaims.m_value. counts: the
    prover's m exactly as committed (int64, length table_len, the input trees' pads
    counted in); None on the verifier's side. The caller must open it (e.g. as a
    zkproof.commit.multiopen.PointClaim) after the lookup proof."""

    commitment: hyrax.Commitment
    point: tuple
    value: int
    counts: np.ndarray | None = None


def _m_claims(coms: Sequence, claims: Sequence[LookupClaims], counts: Sequence | None = None) -> list[MClaim]:
    counts = counts if counts is not None else [None] * len(coms)
    return [MClaim(c, tuple(cl.table_point), cl.m_value, n) for c, cl, n in zip(coms, claims, counts)]


@dataclass
class JointProof:
    """Several lookups proved together (prove_joint): each m's commitment, one fraction
    proof of all their trees, each lookup's mapping values, and the openings of the m's
    (one batch per group of _m_groups; none, an empty list, when the caller opens the
    m's itself: open_m=False)."""

    m_commitments: list
    fractions: FractionProof
    x_values: list       # per lookup: a tuple, one value per input tree (mapping), else ()
    tx_values: list      # per lookup: Tx(rho_T) (tensor mapping table) or None
    m_openings: list

    def to_bytes(self) -> bytes:
        w = Writer()
        for c in self.m_commitments:
            w.raw(c.to_bytes())
        w.raw(self.fractions.to_bytes())
        for xv, txv in zip(self.x_values, self.tx_values):
            for v in xv:
                w.fr(v)
            if txv is not None:
                w.fr(txv)
        for o in self.m_openings:
            o.write(w)
        return w.bytes()

    @classmethod
    def from_bytes(cls, data: bytes, sts: Sequence[LookupStatement], open_m: bool = True) -> "JointProof":
        """Decode with every size taken from the statements (and open_m: whether the
        m openings are in the proof, as prove_joint was told); MalformedProof otherwise."""
        r = Reader(data)
        coms = [hyrax.Commitment.read(r, st.table_len, st.gen_dim) for st in sts]
        frac = FractionProof.read(r, [d for st in sts for d in list(st.input_depths) + [st.b]])
        xs, txs = [], []
        for st in sts:
            xs.append(tuple(r.fr("mapping x value") for _ in st.input_depths) if st.mapping else ())
            txs.append(r.fr("mapping table value") if st.mapping and st.kind == "tensor" else None)
        opens = [hyrax.BatchOpening.read(r, [coms[i] for i in g]) for g in _m_groups(sts)] if open_m else []
        r.finish()
        return cls(coms, frac, xs, txs, opens)


def prove_joint(transcript: Transcript, lookups: Sequence[tuple], open_m: bool = True) -> tuple:
    """Prove several lookups at once. lookups: (table, xs, ys, statement) each: every leaf
    of the input trees xs[i] (length 2^depth each, padded by the caller with table
    values; FrTensors, or int64 arrays (xs and ys of one kind), which are histogrammed,
    evaluated and converted from the integers) lies in the table (for a mapping: every pair (xs[i][j], ys[i][j])), so inputs
    of any total size cost their size, not the next power of two; statement:
    make_statement(table, 1, total, trees=depths, ...) or None (one without the table).
    All trees are proved by one fraction proof (trees of one depth share its point, so
    claims on them batch), and the m of tables of one length are opened together.

    Returns (statements, proof, claims): claims[l].inputs[i] is on the leaves of lookup
    l's xs[i] (and ys[i]) exactly as given, for the caller to discharge. Raises
    OutOfTableError before any proving when a leaf is not in its table.

    open_m=False: the m's are not opened here (the proof has no m openings; decode it
    with JointProof.from_bytes(..., open_m=False), verify with verify_joint(...,
    open_m=False)), and a fourth value is returned: m_claims, one MClaim per lookup
    (with the prover's counts), which the caller must open after this proof, e.g. in
    one multiopen with its other claims (zkproof.nn.graph)."""
    items, all_counts = [], []
    for table, xs, ys, st in lookups:
        xs = list(xs)
        ys = list(ys) if ys is not None else None
        depths = []
        for x in xs:
            n = len(x)
            if n < 1 or n & (n - 1):
                raise ValueError(f"xs: every input tree needs a power-of-two length, got {n}")
            depths.append(n.bit_length() - 1)
        if not xs or (ys is not None and [len(y) for y in ys] != [len(x) for x in xs]):
            raise ValueError("xs: at least one tree; ys: one per tree, of the same lengths")
        if (ys is not None) != table.is_mapping:
            raise ValueError("ys are given exactly for a mapping table")
        counts = None  # the histogram of every leaf, the caller's pads included: m as committed
        for i, x in enumerate(xs):
            y = ys[i] if ys is not None else None
            if y is not None and isinstance(x, FrTensor) != isinstance(y, FrTensor):
                raise TypeError("xs[i] and ys[i]: both FrTensors or both integer arrays")
            count = multiplicities if isinstance(x, FrTensor) else multiplicities_ints
            c = count(table, x, y)  # raises OutOfTableError
            counts = c if counts is None else counts + c
        counts = counts.astype(np.int64)
        st = st or make_statement(table, 1, sum(1 << d for d in depths), trees=depths)
        if st.trees != tuple(depths) or (st.kind, st.table_len, st.mapping) != (table.kind, table.length,
                                                                                table.is_mapping):
            raise ValueError("statement does not describe these input trees and this table")
        dev = xs[0].device if isinstance(xs[0], FrTensor) else "cpu"
        items.append((table, st, counts_tensor(counts, dev), counts, xs, ys))
        all_counts.append(counts)
    if not items:
        raise ValueError("lookups: nothing to prove")
    coms, frac, res = _prove_core(transcript, items, {})
    sts = [it[1] for it in items]
    claims = [c for _, _, c in res]
    opens = []
    for g in _m_groups(sts) if open_m else ():
        _, o = hyrax.open_batch(transcript, [items[i][2] for i in g], [coms[i] for i in g],
                                list(claims[g[0]].table_point), [claims[i].m_value for i in g])
        opens.append(o)
    proof = JointProof(coms, frac, [x for x, _, _ in res], [tx for _, tx, _ in res], opens)
    if open_m:
        return sts, proof, claims
    return sts, proof, claims, _m_claims(coms, claims, all_counts)


def verify_joint(transcript: Transcript, sts: Sequence[LookupStatement], proof: JointProof | bytes,
                 open_m: bool = True):
    """Verify prove_joint's proof against the statements. Returns each lookup's
    LookupClaims (the m openings checked); raises a VerificationError subclass.

    open_m=False (the proof made with open_m=False): the m's are not opened here, and
    (claims, m_claims) is returned, m_claims one MClaim per lookup (no counts) that the
    caller must verify an opening of: the lookup is sound only with it."""
    sts = list(sts)
    if not sts or any(not isinstance(st, LookupStatement) or not st.trees for st in sts):
        raise TypeError("statements must be LookupStatements with input trees")
    if isinstance(proof, (bytes, bytearray, memoryview)):
        proof = JointProof.from_bytes(bytes(proof), sts, open_m)
    if not isinstance(proof, JointProof):
        raise TypeError(f"proof must be a JointProof or bytes, got {type(proof).__name__}")
    groups = _m_groups(sts) if open_m else []
    if len(proof.m_commitments) != len(sts) or len(proof.m_openings) != len(groups) or \
            [len(x) for x in proof.x_values] != [len(st.trees) if st.mapping else 0 for st in sts] or \
            [t is not None for t in proof.tx_values] != [st.mapping and st.kind == "tensor" for st in sts]:
        raise MalformedProof("proof parts do not match the statements")
    for st, c in zip(sts, proof.m_commitments):
        if c.length != st.table_len or c.gen_dim != st.gen_dim:
            raise MalformedProof("an m commitment does not match its statement's sizes")
    claims = _verify_core(transcript, sts, proof.m_commitments, proof.fractions, proof.x_values, proof.tx_values)
    for g, o in zip(groups, proof.m_openings):
        hyrax.verify_batch(transcript, [proof.m_commitments[i] for i in g], list(claims[g[0]].table_point),
                           [claims[i].m_value for i in g], o)
    return claims if open_m else (claims, _m_claims(proof.m_commitments, claims))


# ----------------------------------------------------------------------------- verifier
def verify(transcript: Transcript, st: LookupStatement, proof: LookupProof | bytes) -> LookupClaims:
    """Verify a tlookup proof against the statement. Returns the claims left to the
    caller (see LookupClaims); raises a VerificationError subclass on a bad proof."""
    if not isinstance(st, LookupStatement):
        raise TypeError(f"statement must be a LookupStatement, got {type(st).__name__}")
    if isinstance(proof, (bytes, bytearray, memoryview)):
        proof = LookupProof.from_bytes(bytes(proof), st)
    if not isinstance(proof, LookupProof):
        raise TypeError(f"proof must be a LookupProof or bytes, got {type(proof).__name__}")
    if proof.m_commitment.length != st.table_len or proof.m_commitment.gen_dim != st.gen_dim:
        raise MalformedProof("m's commitment does not match the statement's sizes")
    if len(proof.x_values()) != (len(st.input_depths) if st.mapping else 0) or \
            (proof.tx_value is not None) != (st.mapping and st.kind == "tensor") or \
            (proof.input_opening is not None) != bool(st.input_commitments):
        raise MalformedProof("proof parts do not match the statement")

    (claims,) = _verify_core(transcript, [st], [proof.m_commitment], proof.fractions, [proof.x_values()],
                             [proof.tx_value])

    hyrax.verify_batch(transcript, [proof.m_commitment], list(claims.table_point), [claims.m_value],
                       proof.m_opening)
    if st.input_commitments:
        hyrax.verify_batch(transcript, list(st.input_commitments), list(claims.input_point),
                           list(claims.input_values), proof.input_opening)
    return claims


# ----------------------------------------------------------------------------- files
def transcript_for_file() -> Transcript:
    return Transcript("zkproof/" + PROTOCOL_ID)


def verify_bytes(statement: bytes, proof: bytes) -> list:
    """Verify a (statement, proof) pair as stored in a proof-file Envelope (the
    verifier registered for "tlookup/v2" in zkproof.proof_file). The gen_dims are
    capped by the file's size (hyrax.check_file_gen_dim)."""
    st = LookupStatement.from_bytes(statement, len(statement) + len(proof))
    return verify(transcript_for_file(), st, proof).remaining()


# ----------------------------------------------------------------------------- cost model
def prover_muls(st: LookupStatement) -> int:
    """Fr multiplications of the prover's field work for a statement (what the native
    kernels do; excludes the histogram, additions and the commitment/opening):
    mapping combination, both trees' layers, and every layer sumcheck (evaluations at
    0 and 2, the folds, the eq tables) plus the claims' evaluations."""
    a, b = st.a, st.b
    n = 0
    if st.mapping:
        n += (1 << a) + (1 << b)                       # y r and f r
    n += (1 << (a - 1)) if a else 0                    # input leaves: q' = qL qR only
    n += 3 * max(0, (1 << max(a - 1, 0)) - 1)          # the input tree above its leaves
    n += 3 * max(0, (1 << b) - 1)                      # the table tree
    for depth, p_one_leaves in ((a, True), (b, False)):
        for k in range(1, depth):
            one = p_one_leaves and k == depth - 1
            ev, fold = (5, 2) if one else (8, 4)       # per pair: h(0) and the lead; per entry folded
            n += ev * (1 << (k - 1))                   # round 0
            for j in range(1, k):
                n += (1 << (k - j)) * fold + ev * (1 << (k - 1 - j))
            n += 2 * fold // 2 + (1 << max(k - 1, 0))  # last fold, eq table
    if st.mapping:
        n += 2 * (1 << a)                              # X(rho_S): eq table + inner product
    return n
