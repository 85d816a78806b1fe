"""Hyrax-style Pedersen commitments to tensors, with batched opening proofs.

Shapes and layout. A committed tensor has a row-major shape (d_0, .., d_{k-1}) (by
default one axis, (D,)), D = prod d_a >= 1 elements given in their natural order. Its
*padded layout* pads every axis to a power of two (zkproof.sumcheck.batch.pad_axes):
element (i_0, .., i_{k-1}) sits at the flat index f = sum_a i_a prod_{b > a} 2^{w_b},
w_a = ceil log2 d_a, so the last axis takes the lowest index bits; the layout has
n = sum w_a variables. For one axis this is t followed by zeros. The layout is read as
a matrix of gen_dim columns (gen_dim = 2^c a power of two): f = row * gen_dim + col.
Rows holding no element of the tensor are not committed (their commitment would be the
identity); the committed rows are the *stored rows* (`Layout`), ceil(D / gen_dim) of
them for one axis.

Commitment. C_r = sum_col T[r, col] G_col for each stored row r (one MSM per row), with
G = generators(gen_dim, GEN_LABEL): hash-to-curve from a domain-separated label, nobody
knows their discrete logs. Binding holds under discrete log. A Commitment records its
shape (hence its length D) and gen_dim; both are part of every statement it appears in.
Length 0 is refused.

Hiding. `commit` is deterministic and NOT hiding: for small or guessable tensors the
commitment reveals the tensor. `commit_hiding` adds beta_r H to each row (H from
H_LABEL, beta_r uniform from the OS CSPRNG) and returns the blinds, which the prover
must keep; openings that involve a hiding commitment use the zero-knowledge IPA.

Evaluation claims. A claim (C, u, v) says v = t(u): the multilinear extension of the
tensor's padded layout, zero-padded further to 2^len(u) entries, at u (FrTensor.evaluate's
meaning, u[0] binds the lowest index bit); it needs len(u) >= n. With u_col = u[:c]
(zero-extended when shorter), u_row = u[c:n] and scale = prod_{j >= max(n, c)} (1 - u_j),

    t(u) = scale * sum_{valid (r, col)} eq(u_row, r) eq(u_col, col) T[r, col]

where *valid* slots are those that hold an element of the tensor. Slots that are not
valid (padding of an axis, the tail of a partial last row, columns past 2^n) are
outside the commitment: the verifier gives them weight zero, so whatever a dishonest
committer put there does not move the opened value. This is what makes a commitment
bind its length: an opening proves an evaluation of exactly the committed tensor.

The valid set is a product over axes of {i_a < d_a}. Axes whose bits lie in the column
part give a column mask; axes in the row part give a row condition; at most one axis
straddles the two (its low s bits in the column, its high bits h in the row), and its
condition i < d is (h < q) or (h == q and low < rem) with q = d >> s, rem = d mod 2^s.
So an opening splits each tensor into a *main* part (rows with h < q, every column the
column mask allows) and, when rem > 0, a *tail* part (rows with h == q, columns with
low < rem too) — for one axis: the full rows and the partial last row. Each part has
row weights (verifier-computed, zero off the part) and a column mask.

Batched opening of claims (C_j, u, v_j), j < NUM, all at one point u and one gen_dim.
The statement (protocol id, gen_dim, shapes, hiding flags, row commitments, u, values)
is absorbed as its canonical bytes first; then rho <- transcript. The parts of all
tensors are grouped by column mask (in order of first appearance; one group when every
tensor is a multiple of gen_dim long); for group g

    W_g = sum_{(j, part) in g} rho^j scale_j sum_r e_part(r) T_j[r]           (prover)
    C_g = sum_{(j, part) in g} rho^j scale_j sum_r e_part(r) C_{j, r}         (verifier, one MSM)
    V_g = <W_g, eq(u_col) o mask_g>,      sum_g V_g = sum_j rho^j v_j

The prover sends V_g for every group but the last (the last follows from the sum) and
they are absorbed; then one inner-product argument per group (zkproof.commit.ipa, over
b = eq(u_col) o mask_g) proves C_g = <W_g, G>, <W_g, b> = V_g. The masked columns of b
are zero, which is why junk there cannot shift a value. A group is zero-knowledge iff
one of its commitments is hiding. The verifier's group work: one MSM per group of size
(rows in the group) + gen_dim + 2 log2(gen_dim) + 1; a masked group also folds b
explicitly (O(gen_dim) field operations).

Proof (`BatchOpening`): the V_g of all groups but the last (32 bytes each), then each
group's IPA proof: 96 k' + 256 bytes (k' = log2(gen_dim) - 3 when gen_dim >= 8;
zero-knowledge: + 80). Its shape follows from the commitments, never from the proof.

Zero-knowledge caveat: with more than one group (tensors whose length is not a multiple
of gen_dim, or padded axes in the column part) the group values V_g are revealed too;
each is one more linear combination of the committed entries. Tensors whose layouts
have no masked columns (lengths a multiple of gen_dim, power-of-two axes in the column
part) reveal only the claimed values.

What the caller must still check: that the commitments are the ones they expect (the
verifier only proves consistency with the commitments it is given) and that the values
are the claims their protocol produced, on the layout (shape) they committed
(`verify_claims` refuses a Claim whose shape differs from its commitment's).
"""
from __future__ import annotations

import functools
import operator
import secrets
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from . import ipa
from ..errors import MalformedProof, OpeningError, StatementMismatch
from ..field.scalar import R, eq_eval
from .g1 import G1Point, G1Tensor, generators, msm, msm_rows, msm_rows_u64
from .ipa import IPAProof, log2_exact
from ..field.tensor import FrTensor
from ..transcript import Transcript
from ..wire import Reader, Writer

GEN_LABEL = "zkproof/hyrax/v1/G"
Q_LABEL = "zkproof/hyrax/v1/Q"
H_LABEL = "zkproof/hyrax/v1/H"
PROTOCOL_ID = "hyrax-open/v2"

MAX_GEN_DIM = 1 << 20  # bounds the generators any statement can make a verifier derive
GEN_DIM_FREE = 1 << 12  # a proof file may ask for this many generators whatever its size
MAX_AXES = 8
MAX_ELEMENTS = 1 << 40


def row_generators(gen_dim: int) -> G1Tensor:
    """The gen_dim column generators shared by prover and verifier."""
    log2_exact(gen_dim, "gen_dim")
    return generators(gen_dim, GEN_LABEL)


def ipa_generator() -> G1Point:
    """Q, the IPA's value generator (independent of the column generators)."""
    return generators(1, Q_LABEL)[0]


def blinding_generator() -> G1Point:
    """H, the blinding generator of hiding commitments."""
    return generators(1, H_LABEL)[0]


def num_rows(length: int, gen_dim: int) -> int:
    """Stored rows of a one-axis tensor of `length` elements: ceil(length / gen_dim)."""
    return max(1, -(-length // gen_dim))


def check_file_gen_dim(gen_dim: int, file_bytes: int) -> None:
    """The cap on the generators a proof file may make its verifier derive (and run an
    MSM over): gen_dim <= max(GEN_DIM_FREE, file_bytes), besides gen_dim <= MAX_GEN_DIM.
    Deriving a generator costs about 40 us, so a file costs its verifier at most about
    40 us of generator work per byte it carries. MalformedProof otherwise."""
    if gen_dim > max(GEN_DIM_FREE, int(file_bytes)):
        raise MalformedProof(
            f"gen_dim {gen_dim} is too large for a proof file of {file_bytes} bytes (at most "
            f"max({GEN_DIM_FREE}, file size) generators; choose gen_dim near sqrt(length))")


def _as_shape(shape, length=None) -> tuple:
    if shape is None:
        if length is None:
            raise ValueError("a shape or a length is needed")
        shape = (length,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of ints, got {shape!r}") from None
    if not 1 <= len(shape) <= MAX_AXES:
        raise ValueError(f"shape must have 1 to {MAX_AXES} axes, got {shape}")
    total = 1
    for d in shape:
        if d < 1:
            raise ValueError(f"every dimension of a committed tensor must be >= 1 (length 0 is refused), got {shape}")
        total *= d
    if total > MAX_ELEMENTS:
        raise ValueError(f"shape {shape} has more than 2^40 elements")
    if length is not None and total != length:
        raise ValueError(f"shape {shape} holds {total} elements, the length is {length}")
    return shape


def _check_sizes(length, gen_dim) -> None:
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a positive int (a length-0 commitment is refused), got {length!r}")
    log2_exact(gen_dim, "gen_dim")
    if gen_dim > MAX_GEN_DIM:
        raise ValueError(f"gen_dim {gen_dim} exceeds {MAX_GEN_DIM}")


# ----------------------------------------------------------------------------- layout
@dataclass(frozen=True, eq=False)
class Layout:
    """Where a tensor of `shape` sits in the gen_dim-column matrix (module docstring).

    nvars: variables n of the padded layout; col_vars: c = log2 gen_dim; num_rows:
    stored rows; main_mask / tail_mask: the parts' column masks (bool arrays of gen_dim,
    main_mask None when every column is valid); tail: whether a tail part exists.
    row_conds: (bit offset, bits, bound) per axis in the row part (a stored row has
    every field below its bound); straddle: (bits of h, q) when a tail exists."""

    shape: tuple
    gen_dim: int
    nvars: int
    col_vars: int
    num_rows: int
    main_mask: np.ndarray | None
    tail_mask: np.ndarray | None
    row_conds: tuple
    straddle: tuple | None

    @property
    def row_vars(self) -> int:
        return max(0, self.nvars - self.col_vars)

    @property
    def tail(self) -> bool:
        return self.tail_mask is not None

    def stored_rows(self) -> np.ndarray:
        """The stored rows' indices in the padded row space (ascending, int64)."""
        return _stored_rows(self.shape, self.gen_dim)

    def tail_rows(self) -> np.ndarray:
        """Per stored row: whether it belongs to the tail part (bool)."""
        if self.straddle is None:
            return np.zeros(self.num_rows, dtype=bool)
        bits, q = self.straddle
        return (self.stored_rows() & ((1 << bits) - 1)) == q

    def part_keys(self) -> list:
        """(part, mask key) for each part: "main" always, "tail" when there is one."""
        out = [("main", _mask_key(self.main_mask))]
        if self.tail:
            out.append(("tail", _mask_key(self.tail_mask)))
        return out

    def mask(self, part: str):
        return self.main_mask if part == "main" else self.tail_mask


def _mask_key(mask) -> bytes | None:
    return None if mask is None else np.packbits(mask).tobytes()


@functools.lru_cache(maxsize=32)
def layout_of(shape: tuple, gen_dim: int) -> Layout:
    """The Layout of a tensor of `shape` in rows of gen_dim (cached)."""
    shape = _as_shape(shape)
    c = log2_exact(gen_dim, "gen_dim")
    widths = [(d - 1).bit_length() for d in shape]
    n = sum(widths)
    f = np.arange(gen_dim, dtype=np.int64)
    col_ok = f < (1 << n) if n < c else np.ones(gen_dim, dtype=bool)
    tail_mask = None
    row_conds, straddle = [], None
    lo = 0
    for d, w in zip(reversed(shape), reversed(widths)):
        if w == 0:
            continue
        if lo + w <= c:                      # the axis lies in the column bits
            col_ok &= ((f >> lo) & ((1 << w) - 1)) < d
        elif lo >= c:                        # the axis lies in the row bits
            row_conds.append((lo - c, w, d))
        else:                                # straddles: low s bits in the column
            s = c - lo
            q, rem = d >> s, d & ((1 << s) - 1)
            row_conds.append((0, w - s, q + (1 if rem else 0)))
            if rem:
                straddle = (w - s, q)
                tail_mask = col_ok & (((f >> lo) & ((1 << s) - 1)) < rem)
        lo += w
    rows = 1
    for _, _, bound in row_conds:
        rows *= bound
    main_mask = None if col_ok.all() else col_ok
    return Layout(shape, gen_dim, n, c, rows, main_mask, tail_mask, tuple(row_conds), straddle)


@functools.lru_cache(maxsize=64)
def _stored_rows(shape: tuple, gen_dim: int) -> np.ndarray:
    lay = layout_of(shape, gen_dim)
    rows = np.zeros(1, dtype=np.int64)
    for shift, _, bound in lay.row_conds:
        rows = (rows[:, None] + (np.arange(bound, dtype=np.int64) << shift)[None, :]).ravel()
    rows.sort()
    rows.setflags(write=False)
    return rows


def _mask_fr(mask, device: str = "cpu") -> FrTensor | None:
    """A column mask as a 0/1 field vector (None stays None)."""
    if mask is None:
        return None
    return FrTensor.from_ints(mask.astype(np.int64), device)


@dataclass(frozen=True)
class Commitment:
    """Row commitments of a tensor of `shape` (default (length,)) laid out in rows of
    gen_dim (see the module docstring); `length` = prod(shape) >= 1."""

    length: int
    gen_dim: int
    rows: G1Tensor
    hiding: bool = False
    shape: tuple | None = None

    def __post_init__(self):
        _check_sizes(self.length, self.gen_dim)
        object.__setattr__(self, "shape", _as_shape(self.shape, self.length))
        if not isinstance(self.rows, G1Tensor):
            raise TypeError(f"rows must be a G1Tensor, got {type(self.rows).__name__}")
        want = self.layout.num_rows
        if len(self.rows) != want:
            raise ValueError(
                f"{len(self.rows)} row commitments, shape {self.shape} / gen_dim {self.gen_dim} needs {want}")

    @property
    def layout(self) -> Layout:
        return layout_of(self.shape, self.gen_dim)

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def to_bytes(self) -> bytes:
        """The row points, 48 bytes each (sizes are part of the statement, not encoded).
        Computed once (a commitment is immutable; model weights are absorbed per proof)."""
        b = self.__dict__.get("_bytes")
        if b is None:
            b = self.rows.to_bytes()
            object.__setattr__(self, "_bytes", b)
        return b

    def statement_bytes(self) -> bytes:
        """The commitment with its sizes, canonically: u8 axes || u64 dims || u64 gen_dim
        || u8 hiding || the rows. What a flow absorbs when it binds this commitment."""
        w = Writer().u8(len(self.shape))
        for d in self.shape:
            w.u64(d)
        return w.u64(self.gen_dim).u8(int(self.hiding)).raw(self.to_bytes()).bytes()

    def absorb(self, transcript: Transcript, label: str) -> None:
        """Bind this commitment (statement_bytes) in a transcript, before any challenge
        that a claim on it depends on."""
        transcript.absorb(label, self.statement_bytes())

    @classmethod
    def read(cls, r: Reader, length: int, gen_dim: int, hiding: bool = False, shape=None) -> "Commitment":
        """Read the rows of a commitment whose sizes the statement gives; MalformedProof
        on bad sizes, too few bytes or an invalid point."""
        try:
            _check_sizes(length, gen_dim)
            shape = _as_shape(shape, length)
            n = layout_of(shape, gen_dim).num_rows
        except (ValueError, TypeError) as e:
            raise MalformedProof(f"bad commitment sizes: {e}") from None
        if r.remaining() < 48 * n:  # before decoding anything, so a huge claimed size fails fast
            raise MalformedProof(f"truncated: {n} row commitments need {48 * n} bytes, {r.remaining()} left")
        raw = r.raw(48 * n, "row commitments")
        try:
            pts = G1Tensor.from_bytes(raw)  # native, parallel; checks curve and subgroup
        except ValueError as e:
            raise MalformedProof(f"invalid row commitment: {e}") from None
        return cls(length, gen_dim, pts, bool(hiding), shape)

    @classmethod
    def read_many(cls, r: Reader, specs) -> list:
        """Read commitments one after the other, specs = [(length, gen_dim, shape)] (from
        the statement), decoding all their points in ONE native call (many small calls
        cost more than the decoding when the machine is busy). MalformedProof as read."""
        layouts = []
        for length, gen_dim, shape in specs:
            try:
                _check_sizes(length, gen_dim)
                shape = _as_shape(shape, length)
                layouts.append((length, gen_dim, shape, layout_of(shape, gen_dim).num_rows))
            except (ValueError, TypeError) as e:
                raise MalformedProof(f"bad commitment sizes: {e}") from None
        total = sum(n for *_, n in layouts)
        if r.remaining() < 48 * total:
            raise MalformedProof(f"truncated: {total} row commitments need {48 * total} bytes, {r.remaining()} left")
        try:
            pts = G1Tensor.from_bytes(r.raw(48 * total, "row commitments"))
        except ValueError as e:
            raise MalformedProof(f"invalid row commitment: {e}") from None
        out, pos = [], 0
        for length, gen_dim, shape, n in layouts:
            out.append(cls(length, gen_dim, G1Tensor(pts.data[pos:pos + n]), False, shape))
            pos += n
        return out

    @classmethod
    def from_bytes(cls, data: bytes, length: int, gen_dim: int, hiding: bool = False, shape=None) -> "Commitment":
        r = Reader(data)
        c = cls.read(r, length, gen_dim, hiding, shape)
        r.finish()
        return c

    def __eq__(self, other) -> bool:
        if not isinstance(other, Commitment):
            return NotImplemented
        same = (self.shape, self.gen_dim, self.hiding) == (other.shape, other.gen_dim, other.hiding)
        return same and self.to_bytes() == other.to_bytes()

    __hash__ = None


def commit(t: FrTensor, gen_dim: int, shape=None) -> Commitment:
    """Commit to t (its elements in their natural row-major order; `shape` default
    (len(t),)) row by row: C_r = MSM(row_r, G), one MSM per stored row of the padded
    layout (cheap for small-integer entries). t may be on any device; MSMs run on the
    CPU. Deterministic and not hiding (see commit_hiding)."""
    _check_tensor(t)
    shape = _as_shape(shape, len(t))
    return Commitment(len(t), gen_dim, _row_msms(t, gen_dim, shape), False, shape)


def commit_hiding(t: FrTensor, gen_dim: int, shape=None) -> tuple[Commitment, list[int]]:
    """C_r = MSM(row_r, G) + beta_r H with fresh uniform blinds beta_r (OS CSPRNG).
    Returns (commitment, blinds); pass the blinds to open_batch."""
    _check_tensor(t)
    shape = _as_shape(shape, len(t))
    rows = _row_msms(t, gen_dim, shape)
    H = blinding_generator()
    blinds = [secrets.randbelow(R) for _ in range(len(rows))]
    pts = G1Tensor.from_points([rows[i] + H * b for i, b in enumerate(blinds)])
    return Commitment(len(t), gen_dim, pts, True, shape), blinds


def padded_int_rows(a: np.ndarray, lay: Layout, rows=None) -> np.ndarray:
    """The padded layout of the integer tensor a (natural order, shape lay.shape) as an
    int64 matrix of gen_dim columns: every padded row (rows None; 2^(n-c), at least one) or
    the padded rows `rows` (an index array), zero outside the tensor."""
    G = lay.gen_dim
    shape = lay.shape
    if rows is None:
        padded = tuple(1 << (d - 1).bit_length() for d in shape)
        if padded == shape:
            flat = np.ascontiguousarray(a, dtype=np.int64).reshape(-1)
        else:
            buf = np.zeros(padded, dtype=np.int64)
            buf[tuple(slice(0, d) for d in shape)] = a
            flat = buf.reshape(-1)
        if len(flat) < G:
            flat = np.concatenate([flat, np.zeros(G - len(flat), dtype=np.int64)])
        return flat.reshape(-1, G)
    f = np.asarray(rows, dtype=np.int64)[:, None] * G + np.arange(G, dtype=np.int64)[None, :]
    valid = (f >> lay.nvars) == 0
    nat = np.zeros_like(f)
    stride, lo = 1, 0
    for d in reversed(shape):
        w = (d - 1).bit_length()
        i = (f >> lo) & ((1 << w) - 1)
        valid &= i < d
        nat += i * stride
        stride *= d
        lo += w
    flat = np.asarray(a).reshape(-1)
    return np.where(valid, flat[np.where(valid, nat, 0)], 0).astype(np.int64)


def commit_int_tensors(arrays: Sequence, gen_dims: Sequence[int], block_entries: int = 1 << 22) -> list:
    """The shaped commitments of integer arrays (each of its own shape, natural order):
    commit(FrTensor.from_ints(a.reshape(-1)), gen_dim, shape=a.shape) for each, the same
    group elements, computed from the integers. Every stored row of the padded layout
    (zeros in its padding) is a row of MSM scalars, and the rows of all the tensors of one
    gen_dim go through batched native MSMs (g1.msm_rows_u64 on the integers, about block_entries scalars per
    call). Negative entries: a tensor's rows are shifted by s = -min(a) (small non-negative
    scalars, cheap in the MSM) and one more column, generator -sum_j G_j with scalar s,
    takes the shift out again. Arrays whose entries span 62 bits or more are committed by
    `commit` (full-field scalars)."""
    out: list = [None] * len(arrays)
    groups: dict = {}
    for k, (a, g) in enumerate(zip(arrays, gen_dims)):
        a = np.asarray(a)
        if a.dtype.kind not in "iu":
            raise TypeError(f"arrays[{k}]: expected integers, got dtype {a.dtype}")
        shape = _as_shape(a.shape if a.ndim else (1,))
        _check_sizes(int(np.prod(shape)), g)
        lo, hi = int(a.min()), int(a.max())
        shift = -lo if lo < 0 else 0
        if hi + shift >= 1 << 62:
            out[k] = commit(FrTensor.from_ints(a.reshape(-1)), g, shape=shape)
            continue
        groups.setdefault(g, []).append((k, a.reshape(shape), shift))
    for g, members in groups.items():
        G = row_generators(g)
        pts = G1Tensor.cat([G, G1Tensor.from_points([-msm(FrTensor.ones(g), G)])])
        batch, count = [], 0

        def flush():
            nonlocal batch, count
            if not batch:
                return
            mats = []
            for _, lay, a, shift in batch:
                rows = padded_int_rows(a, lay)
                stored = lay.stored_rows()
                if len(stored) != len(rows):
                    rows = rows[stored]
                m = np.empty((len(rows), g + 1), dtype=np.int64)
                np.add(rows, shift, out=m[:, :g])
                m[:, g] = shift
                mats.append(m)
            res = msm_rows_u64(np.concatenate(mats).reshape(-1), pts)
            pos = 0
            for (k, lay, _, _), m in zip(batch, mats):
                n = len(m)
                out[k] = Commitment(int(np.prod(lay.shape)), g, G1Tensor(res.data[pos:pos + n]), False, lay.shape)
                pos += n
            batch, count = [], 0

        for k, a, shift in members:
            lay = layout_of(a.shape, g)
            batch.append((k, lay, a, shift))
            count += lay.num_rows * (g + 1)
            if count >= block_entries:
                flush()
        flush()
    return out


def _check_tensor(t) -> None:
    if not isinstance(t, FrTensor):
        raise TypeError(f"t must be an FrTensor, got {type(t).__name__}")


def _padded_matrix(t: FrTensor, lay: Layout) -> FrTensor:
    """The padded layout of t (length 2^n; one axis: t itself, the zeros being implicit)."""
    if len(lay.shape) == 1:
        return t
    from ..sumcheck.batch import pad_axes  # the one definition of the padded layout

    return pad_axes(t, lay.shape, "t")


def _row_msms(t: FrTensor, gen_dim: int, shape: tuple) -> G1Tensor:
    _check_tensor(t)
    _check_sizes(len(t), gen_dim)
    lay = layout_of(shape, gen_dim)
    t = _padded_matrix(t.to("cpu"), lay)
    G = row_generators(gen_dim)
    D = len(t)
    # Negative small integers are field elements near r (255-bit scalars, the MSM's worst
    # case). Shift them to small non-negative ones and subtract shift * sum_j G_j:
    # C_i = MSM(row_i + shift, G) - shift * sum_{j < len(row_i)} G_j (padding included).
    shift = _negative_shift(t)
    if shift:
        t = t + shift
    rows = np.asarray(lay.stored_rows(), dtype=np.int64)
    if len(rows) == 0:
        return G1Tensor.empty(0)
    # One batched native MSM (g1.msm_rows) for every full stored row, one msm for a
    # shorter last row: the same group elements as one msm per row.
    full_rows = D // gen_dim
    nfull = int(np.searchsorted(rows, full_rows))
    parts = []
    if nfull:
        mat = t.data[: full_rows * gen_dim].reshape(full_rows, gen_dim, 4)
        idx = rows[:nfull]
        if idx[-1] - idx[0] == nfull - 1:  # contiguous
            sel = mat[idx[0] : idx[0] + nfull]
        else:
            sel = mat[idx]
        sc = FrTensor(np.ascontiguousarray(sel.reshape(-1, 4)))
        full = msm_rows(sc, G)
        if shift:
            corr = msm(FrTensor.ones(gen_dim), G) * shift
            full = G1Tensor.from_points([c - corr for c in full])
        parts.append(full)
    for i in rows[nfull:].tolist():  # at most the one row that is cut short
        row = t[i * gen_dim : min(D, (i + 1) * gen_dim)]
        n = len(row)
        c = msm(row, G[:n])
        if shift:
            c = c - msm(FrTensor.ones(n), G[:n]) * shift
        parts.append(G1Tensor.from_points([c]))
    return G1Tensor.cat(parts)


def _negative_shift(t: FrTensor) -> int:
    """-min(t) when t holds small signed integers some of which are negative (so that
    t - min(t) is small and non-negative), else 0."""
    if len(t) == 0:
        return 0
    try:
        x = t.to_signed()
    except ValueError:  # not all small: nothing to gain
        return 0
    lo, hi = int(x.min()), int(x.max())
    if lo >= 0 or hi - lo >= 1 << 62:
        return 0
    return -lo


# ----------------------------------------------------------------------------- claims
def _split_point(u: Sequence[int], lay: Layout):
    """(u_col, u_row, scale) for a tensor of this layout at u (module docstring)."""
    c, n = lay.col_vars, lay.nvars
    if len(u) < n:
        raise ValueError(f"a tensor of shape {lay.shape} needs a point of at least {n} coordinates, got {len(u)}")
    u = [int(x) % R for x in u]
    u_col = (u[:c] + [0] * c)[:c]
    u_row = u[c:n]
    scale = 1
    for x in u[max(n, c):]:
        scale = scale * (1 - x) % R
    return u_col, u_row, scale


def _row_weights(lay: Layout, u_row: Sequence[int], part: str) -> FrTensor:
    """e(r) = eq(u_row, r) for the stored rows r of `part`, 0 on the other stored rows
    (length num_rows, on the CPU)."""
    if lay.row_vars == 0:
        e = FrTensor.ones(1)
    else:
        rows = lay.stored_rows()
        full = FrTensor.eq(list(u_row))
        if rows[-1] == len(rows) - 1:  # contiguous (one axis)
            e = full[: len(rows)]
        else:
            e = FrTensor(np.ascontiguousarray(full.data[rows]))
    if not lay.tail:
        return e
    off = ~lay.tail_rows() if part == "tail" else lay.tail_rows()
    data = np.array(e.data)
    data[off] = 0  # zero is the all-zero limbs (no field product for a 0/1 selection)
    return FrTensor(data)


def _check_point(u) -> list[int]:
    try:
        pts = list(u)
    except TypeError:
        raise TypeError("point must be a sequence of ints") from None
    out = []
    for i, x in enumerate(pts):
        if isinstance(x, bool):
            raise TypeError(f"point[{i}] is a bool, expected an int")
        try:
            out.append(operator.index(x) % R)
        except TypeError:
            raise TypeError(f"point[{i}] is {type(x).__name__}, expected an int") from None
    return out


def _write_shapes(w: Writer, commitments) -> None:
    for c in commitments:
        w.u8(len(c.shape))
        for d in c.shape:
            w.u64(d)
        w.u8(int(c.hiding))


def _statement_bytes(commitments: Sequence[Commitment], point, values) -> bytes:
    """The canonical bytes of a batched-opening statement (OpeningStatement's encoding):
    u64 num || u64 gen_dim || num x (u8 axes || u64 dims.. || u8 hiding) || u64 len(point)
    || point (Fr each) || values (num Fr) || the row commitments (48 bytes each)."""
    w = Writer().u64(len(commitments)).u64(commitments[0].gen_dim)
    _write_shapes(w, commitments)
    w.u64(len(point)).frs(point).frs(values)
    for c in commitments:
        w.raw(c.to_bytes())
    return w.bytes()


def _absorb_statement(t: Transcript, commitments: Sequence[Commitment], point, values) -> None:
    t.absorb(b"hyrax/statement", PROTOCOL_ID.encode() + _statement_bytes(commitments, point, values))


def _check_batch(commitments) -> int:
    if not commitments:
        raise ValueError("nothing to open: no commitments")
    for i, c in enumerate(commitments):
        if not isinstance(c, Commitment):
            raise TypeError(f"commitments[{i}] is {type(c).__name__}, expected a Commitment")
    g = commitments[0].gen_dim
    for i, c in enumerate(commitments):
        if c.gen_dim != g:
            raise ValueError(f"commitments[{i}] has gen_dim {c.gen_dim}, commitments[0] has {g}")
    return g


def _groups(commitments: Sequence[Commitment]) -> list[tuple]:
    """The IPA groups of a batch: [(mask, [(j, part), ...]), ...] in order of first
    appearance (module docstring). Depends on the shapes and gen_dim only."""
    groups: dict = {}
    for j, c in enumerate(commitments):
        lay = c.layout
        for part, key in lay.part_keys():
            groups.setdefault(key, (lay.mask(part), []))[1].append((j, part))
    return list(groups.values())


def _group_zk(commitments, members) -> bool:
    return any(commitments[j].hiding for j, _ in members)


def _powers(rho: int, n: int) -> list[int]:
    out, acc = [], 1
    for _ in range(n):
        out.append(acc)
        acc = acc * rho % R
    return out


@dataclass(frozen=True)
class BatchOpening:
    """The proof of a batched opening: the values V_g of every IPA group but the last,
    then one IPA proof per group (module docstring). Its shape comes from the
    commitments (`read`), never from the bytes."""

    group_values: tuple
    ipas: tuple

    def write(self, w: Writer) -> Writer:
        w.frs(self.group_values)
        for p in self.ipas:
            p.write(w)
        return w

    def to_bytes(self) -> bytes:
        return self.write(Writer()).bytes()

    @classmethod
    def read(cls, r: Reader, commitments: Sequence[Commitment]) -> "BatchOpening":
        gen_dim = _check_batch(list(commitments))
        groups = _groups(commitments)
        vals = tuple(r.frs(len(groups) - 1, "opening group values"))
        ipas = tuple(IPAProof.read(r, gen_dim, _group_zk(commitments, m)) for _, m in groups)
        return cls(vals, ipas)

    @classmethod
    def from_bytes(cls, data: bytes, commitments: Sequence[Commitment]) -> "BatchOpening":
        r = Reader(data)
        p = cls.read(r, commitments)
        r.finish()
        return p

    @staticmethod
    def size(commitments: Sequence[Commitment]) -> int:
        groups = _groups(commitments)
        g = commitments[0].gen_dim
        return 32 * (len(groups) - 1) + sum(IPAProof.size(g, _group_zk(commitments, m)) for _, m in groups)


@dataclass(frozen=True)
class RowFold:
    """One tensor's share of an opening at a point: per part, w_part = scale *
    sum_r e_part(r) row_r (length gen_dim, on the CPU), and the tensor's value
    t(u) = sum_parts <w_part, eq(u_col) o mask_part>."""

    length: int
    gen_dim: int
    point: tuple
    parts: tuple  # ((part, FrTensor w), ...) in Layout.part_keys order
    value: int
    shape: tuple = ()


def _part_value(w: FrTensor, u_col, mask) -> int:
    b = FrTensor.eq(u_col)
    m = _mask_fr(mask)
    return w.inner(b if m is None else b * m)


def fold_rows(t: FrTensor, point: Sequence[int], gen_dim: int, shape=None) -> RowFold:
    """The prover's pass over one tensor (natural order, `shape` as committed) for an
    opening at `point` (partial evaluations on t's device). Tensors can be folded one at
    a time (and dropped) before open_folded, so a batch never needs all its tensors in
    memory at once."""
    _check_tensor(t)
    shape = _as_shape(shape, len(t))
    lay = layout_of(shape, gen_dim)
    u = _check_point(point)
    u_col, u_row, scale = _split_point(u, lay)
    c, n = lay.col_vars, lay.nvars
    parts = {}
    if n <= c:  # one row
        parts["main"] = _padded_matrix(t, lay).pad(gen_dim)
    elif len(shape) == 1:  # full rows, then the partial last row alone (no padded copy)
        D = len(t)
        full = D // gen_dim
        main = (t[: full * gen_dim].partial_eval(u_row, full, gen_dim, axis=0) if full
                else FrTensor.zeros(gen_dim, t.device))
        parts["main"] = main  # n > c, so full >= 1
        if lay.tail:
            bits = [(full >> k) & 1 for k in range(len(u_row))]
            parts["tail"] = t[full * gen_dim:].pad(gen_dim) * eq_eval(u_row, bits)
    else:
        from .. import _native

        T = _padded_matrix(t, lay)
        rows = 1 << lay.row_vars
        e = FrTensor.eq(u_row, t.device)
        sel = np.zeros(rows, dtype=bool)
        sel[lay.stored_rows()] = True
        tail = np.zeros(rows, dtype=bool)
        tail[lay.stored_rows()[lay.tail_rows()]] = True
        for part, rows_sel in (("main", sel & ~tail), ("tail", tail)):
            if part == "tail" and not lay.tail:
                continue
            wts = e * FrTensor.from_ints(rows_sel.astype(np.int64), t.device)
            out = FrTensor.empty(gen_dim, t.device)
            _native.fr_partial_eval(out.data, T.data, rows, gen_dim, wts.data, 0)
            parts[part] = out
    folded = []
    value = 0
    for part, _ in lay.part_keys():
        w = parts[part]
        if scale != 1:
            w = w * scale
        w = w.to("cpu")
        folded.append((part, w))
        value = (value + _part_value(w, u_col, lay.mask(part))) % R
    return RowFold(len(t), gen_dim, tuple(u), tuple(folded), value, shape)


def open_batch(
    transcript: Transcript,
    tensors: Sequence[FrTensor],
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int] | None = None,
    blinds: Sequence[Sequence[int] | None] | None = None,
) -> tuple[list[int], BatchOpening]:
    """Prove t_j(point) = v_j for every j (t_j in natural order, of commitments[j]'s
    shape). Returns (values, proof).

    `values`, if given, are checked against the tensors (ValueError on a mismatch, so
    a prover never emits a proof of a false claim by accident). `blinds[j]` are the
    row blinds commit_hiding returned for a hiding commitment (None for the others).
    Equivalent to open_folded(..., [fold_rows(t, point, gen_dim, c.shape) ...], ...)."""
    gen_dim = _check_batch(commitments)
    if len(tensors) != len(commitments):
        raise ValueError(f"{len(tensors)} tensors but {len(commitments)} commitments")
    for j, (t, c) in enumerate(zip(tensors, commitments)):
        if not isinstance(t, FrTensor):
            raise TypeError(f"tensors[{j}] is {type(t).__name__}, expected an FrTensor")
        if len(t) != c.length:
            raise ValueError(f"tensors[{j}] has length {len(t)}, its commitment is for {c.length}")
    u = _check_point(point)
    folds = [fold_rows(t, u, gen_dim, c.shape) for t, c in zip(tensors, commitments)]
    return open_folded(transcript, folds, commitments, u, values, blinds)


def open_folded(
    transcript: Transcript,
    folds: Sequence[RowFold],
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int] | None = None,
    blinds: Sequence[Sequence[int] | None] | None = None,
) -> tuple[list[int], BatchOpening]:
    """open_batch from the tensors' RowFolds (fold_rows at the same point)."""
    gen_dim = _check_batch(commitments)
    u = _check_point(point)
    if len(folds) != len(commitments):
        raise ValueError(f"{len(folds)} folds but {len(commitments)} commitments")
    for j, (f, c) in enumerate(zip(folds, commitments)):
        if not isinstance(f, RowFold):
            raise TypeError(f"folds[{j}] is {type(f).__name__}, expected a RowFold")
        if (f.shape, f.gen_dim) != (c.shape, c.gen_dim) or list(f.point) != u:
            raise ValueError(f"folds[{j}] is for another tensor shape or point than commitments[{j}]")
    blinds = list(blinds) if blinds is not None else [None] * len(commitments)
    if len(blinds) != len(commitments):
        raise ValueError(f"{len(blinds)} blinds entries for {len(commitments)} commitments")
    for j, (b, c) in enumerate(zip(blinds, commitments)):
        if c.hiding and (b is None or len(b) != c.num_rows):
            raise ValueError(f"blinds[{j}] must hold the {c.num_rows} row blinds of the hiding commitment {j}")
        if not c.hiding and b is not None:
            raise ValueError(f"blinds[{j}] given for a commitment that is not hiding")
    vals = [f.value for f in folds]
    if values is not None:
        given = [int(v) % R for v in values]
        if len(given) != len(vals):
            raise ValueError(f"{len(given)} values for {len(vals)} tensors")
        if given != vals:
            bad = next(i for i, (a, b) in enumerate(zip(given, vals)) if a != b)
            raise ValueError(f"values[{bad}] is not tensors[{bad}] evaluated at the point")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    pw = _powers(rho, len(folds))
    u_col = _split_point(u, commitments[0].layout)[0]  # the same for every tensor of the batch
    groups = _groups(commitments)
    ws, gvals = [], []
    for mask, members in groups:
        w = None
        for j, part in members:
            term = dict(folds[j].parts)[part]
            term = term * pw[j] if pw[j] != 1 else term
            w = term if w is None else w + term
        ws.append(w)
        gvals.append(_part_value(w, u_col, mask))
    if len(groups) > 1:
        transcript.absorb_frs("hyrax/group_values", gvals[:-1])
    proofs = []
    for (mask, members), w in zip(groups, ws):
        hiding = None
        if _group_zk(commitments, members):
            beta = 0
            for j, part in members:
                c = commitments[j]
                if c.hiding:
                    _, u_row, scale = _split_point(u, c.layout)
                    e = _row_weights(c.layout, u_row, part)
                    bl = FrTensor.from_ints([int(x) % R for x in blinds[j]])
                    beta = (beta + pw[j] * scale % R * e.inner(bl)) % R
            hiding = (blinding_generator(), beta)
        proofs.append(ipa.prove(transcript, w, u_col, row_generators(gen_dim), ipa_generator(), hiding, mask))
    return vals, BatchOpening(tuple(gvals[:-1]), tuple(proofs))


def verify_batch(
    transcript: Transcript,
    commitments: Sequence[Commitment],
    point: Sequence[int],
    values: Sequence[int],
    proof: BatchOpening | bytes,
) -> None:
    """Accept (return None) iff the proof shows t_j(point) = values[j] for the tensors
    committed in `commitments` (each the MLE of exactly the committed tensor, in its
    padded layout); raise OpeningError / MalformedProof otherwise.

    Sizes (gen_dim, shapes, groups, IPA rounds) come from the commitments and the
    point, never from the proof. Group work: one MSM per IPA group (module docstring)."""
    gen_dim = _check_batch(commitments)
    u = _check_point(point)
    vals = [int(v) % R for v in values]
    if len(vals) != len(commitments):
        raise ValueError(f"{len(vals)} values for {len(commitments)} commitments")
    splits = [_split_point(u, c.layout) for c in commitments]  # ValueError on a point too short
    # (u_col depends only on u and gen_dim, so it is the same in every split)
    if isinstance(proof, (bytes, bytearray, memoryview)):
        proof = BatchOpening.from_bytes(bytes(proof), commitments)
    if not isinstance(proof, BatchOpening):
        raise TypeError(f"proof must be a BatchOpening or bytes, got {type(proof).__name__}")
    groups = _groups(commitments)
    if len(proof.ipas) != len(groups) or len(proof.group_values) != len(groups) - 1:
        raise OpeningError(f"opening proof has {len(proof.ipas)} IPAs and {len(proof.group_values)} group values, "
                           f"the statement needs {len(groups)} and {len(groups) - 1}")
    _absorb_statement(transcript, commitments, u, vals)
    rho = transcript.challenge("hyrax/rho")
    pw = _powers(rho, len(commitments))
    v_comb = sum(v * p for v, p in zip(vals, pw)) % R
    gvals = [int(x) % R for x in proof.group_values]
    gvals.append((v_comb - sum(gvals)) % R)
    if len(groups) > 1:
        transcript.absorb_frs("hyrax/group_values", gvals[:-1])
    u_col = splits[0][0]
    zk_h = blinding_generator()
    for (mask, members), vg, p in zip(groups, gvals, proof.ipas):
        zk = _group_zk(commitments, members)
        m, scalars, points = ipa.verify_terms(
            transcript, u_col, vg, row_generators(gen_dim), ipa_generator(), p, zk_h if zk else None, mask)
        weights, rows = [], []
        for j, part in members:
            c = commitments[j]
            _, u_row, scale = splits[j]
            weights.append(_row_weights(c.layout, u_row, part) * (pw[j] * scale % R * m % R))
            rows.append(c.rows)
        total = msm(FrTensor.cat([*weights, scalars]), G1Tensor.cat([*rows, points]))
        if total != G1Point.identity():
            raise OpeningError("opening proof does not verify")


# ------------------------------------------------------------------- single openings
def prove_opening(
    transcript: Transcript, t: FrTensor, commitment: Commitment, point: Sequence[int], blinds=None
) -> tuple[int, BatchOpening]:
    """Prove t(point) = v for one committed tensor; returns (v, proof). `blinds`: the
    row blinds of a hiding commitment."""
    vals, proof = open_batch(transcript, [t], [commitment], point, blinds=[blinds])
    return vals[0], proof


def verify_opening(transcript: Transcript, commitment: Commitment, point: Sequence[int], value: int, proof) -> None:
    """Verifier of `prove_opening`; raises OpeningError / MalformedProof."""
    verify_batch(transcript, [commitment], point, [value], proof)


# --------------------------------------------------------------------- claim lists
def _claim_groups(claims, commitments: Mapping[str, Commitment]) -> list[tuple[list[int], list[int]]]:
    """Claims grouped by (point, gen_dim), in order of first appearance:
    [(point, [claim indices])]. Each group is discharged by one batched opening.
    A claim that states its layout (a `shape`) must be on a commitment of that shape:
    StatementMismatch otherwise (the claim would be about another layout than the one
    committed, e.g. a padded one whose padding nothing binds)."""
    groups: dict[tuple, tuple[list[int], list[int]]] = {}
    for i, c in enumerate(claims):
        for attr in ("name", "point", "value"):
            if not hasattr(c, attr):
                raise TypeError(f"claims[{i}] has no {attr!r} (expected zkproof.claims.Claim-like objects)")
        if c.name not in commitments:
            raise ValueError(f"claims[{i}] is on {c.name!r}, which has no commitment")
        com = commitments[c.name]
        shape = getattr(c, "shape", None)
        if shape is not None and tuple(shape) != com.shape:
            raise StatementMismatch(f"claims[{i}] is on {c.name!r} in the layout of shape {tuple(shape)}, "
                                    f"its commitment is of shape {com.shape}")
        pt = _check_point(c.point)
        key = (tuple(pt), commitments[c.name].gen_dim)
        groups.setdefault(key, (pt, []))[1].append(i)
    if not groups:
        raise ValueError("no claims to discharge")
    return list(groups.values())


def prove_claims(
    transcript: Transcript,
    claims: Sequence,
    tensors: Mapping[str, FrTensor],
    commitments: Mapping[str, Commitment],
    blinds: Mapping[str, Sequence[int]] | None = None,
) -> list[BatchOpening]:
    """Discharge evaluation claims (objects with .name, .point, .value, such as
    zkproof.claims.Claim: the MLE of the tensor called `name`, in the padded layout of
    its commitment's shape, zero-padded to 2^len(point), equals `value` at `point`)
    against committed tensors.

    tensors[name] is the tensor (natural order) committed as commitments[name] (blinds[name] its row
    blinds when that commitment is hiding). Claims that share a point and gen_dim are
    discharged by one batched opening; the result holds one proof per group, in the
    order of the groups' first claims. Claims at many distinct points cost one IPA
    each (a reduction of several points to one is not provided here). ValueError if a
    claim is false."""
    blinds = blinds or {}
    proofs = []
    for point, idx in _claim_groups(claims, commitments):
        names = [claims[i].name for i in idx]
        _, proof = open_batch(
            transcript,
            [tensors[n] for n in names],
            [commitments[n] for n in names],
            point,
            [claims[i].value for i in idx],
            [blinds.get(n) if commitments[n].hiding else None for n in names],
        )
        proofs.append(proof)
    return proofs


def verify_claims(
    transcript: Transcript, claims: Sequence, commitments: Mapping[str, Commitment], proofs
) -> None:
    """Verifier of prove_claims. `proofs`: the list of BatchOpenings, or the bytes of
    claims_proof_bytes(proofs). Raises OpeningError / MalformedProof, StatementMismatch
    when a claim's shape is not its commitment's."""
    groups = _claim_groups(claims, commitments)
    if isinstance(proofs, (bytes, bytearray, memoryview)):
        proofs = read_claims_proofs(bytes(proofs), claims, commitments)
    proofs = list(proofs)
    if len(proofs) != len(groups):
        raise OpeningError(f"{len(proofs)} opening proofs for {len(groups)} groups of claims")
    for (point, idx), proof in zip(groups, proofs):
        names = [claims[i].name for i in idx]
        verify_batch(transcript, [commitments[n] for n in names], point, [claims[i].value for i in idx], proof)


def claims_proof_bytes(proofs: Sequence[BatchOpening]) -> bytes:
    """The proofs of prove_claims, concatenated (sizes follow from the claims)."""
    w = Writer()
    for p in proofs:
        p.write(w)
    return w.bytes()


def read_claims_proofs(data: bytes, claims: Sequence, commitments: Mapping[str, Commitment]) -> list[BatchOpening]:
    """Inverse of claims_proof_bytes for these claims; MalformedProof on a bad length."""
    r = Reader(data)
    out = []
    for _, idx in _claim_groups(claims, commitments):
        coms = [commitments[claims[i].name] for i in idx]
        out.append(BatchOpening.read(r, coms))
    r.finish()
    return out


# -------------------------------------------------------------------- proof files
@dataclass(frozen=True)
class OpeningStatement:
    """What a batched-opening proof file states: gen_dim, the commitments (with their
    shapes and hiding flags), the point and the values. Encoding: `_statement_bytes`."""

    commitments: tuple[Commitment, ...]
    point: tuple[int, ...]
    values: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return _statement_bytes(self.commitments, self.point, self.values)

    @classmethod
    def from_bytes(cls, data: bytes, file_bytes: int | None = None) -> "OpeningStatement":
        """Decode; MalformedProof on anything malformed. file_bytes: the size of the
        proof file the statement comes from, to apply check_file_gen_dim before any
        work that grows with gen_dim."""
        r = Reader(data)
        num = r.u64("number of commitments")
        gen_dim = r.u64("gen_dim")
        if num == 0:
            raise MalformedProof("statement opens no commitments")
        if gen_dim == 0 or gen_dim & (gen_dim - 1) or gen_dim > MAX_GEN_DIM:
            raise MalformedProof(f"gen_dim {gen_dim} is not a power of two <= {MAX_GEN_DIM}")
        if file_bytes is not None:
            check_file_gen_dim(gen_dim, file_bytes)
        if r.remaining() < 58 * num:  # each commitment: >= 10 bytes of sizes and 48 of rows
            raise MalformedProof(f"truncated: {num} commitments do not fit in {r.remaining()} bytes")
        shapes, flags = [], []
        for _ in range(num):
            axes = r.u8("number of axes")
            if not 1 <= axes <= MAX_AXES:
                raise MalformedProof(f"a commitment with {axes} axes (1 to {MAX_AXES})")
            shapes.append(tuple(r.u64("dimension") for _ in range(axes)))
            flag = r.u8("hiding flag")
            if flag > 1:
                raise MalformedProof(f"hiding flag {flag} is not 0 or 1")
            flags.append(bool(flag))
        nvars = r.u64("point length")
        if nvars > 64 or r.remaining() < 32 * (nvars + num):
            raise MalformedProof(f"point of {nvars} coordinates and {num} values do not fit the statement")
        point = r.frs(nvars, "point")
        values = r.frs(num, "values")
        coms = []
        for j, (shape, f) in enumerate(zip(shapes, flags)):
            try:
                lay = layout_of(_as_shape(shape), gen_dim)
            except (ValueError, TypeError) as e:
                raise MalformedProof(f"commitment {j}: {e}") from None
            if lay.nvars > nvars:
                raise MalformedProof(f"tensor {j} of shape {shape} does not fit a point of {nvars} coordinates")
            coms.append(Commitment.read(r, int(np.prod(shape, dtype=object)), gen_dim, f, shape))
        r.finish()
        return cls(tuple(coms), tuple(point), tuple(values))


def transcript_for_file() -> Transcript:
    """The transcript of proof files (and com_bm): domain "zkproof/hyrax-open/v2"."""
    return Transcript("zkproof/" + PROTOCOL_ID)


def verify_bytes(statement: bytes, proof: bytes) -> OpeningStatement:
    """Verify a (statement, proof) pair as stored in a proof file Envelope with
    protocol id PROTOCOL_ID; returns the decoded statement (nothing remains to be
    checked except that its commitments, point and values are the ones expected).
    The file's gen_dim is capped by its size (check_file_gen_dim)."""
    st = OpeningStatement.from_bytes(statement, len(statement) + len(proof))
    verify_batch(transcript_for_file(), st.commitments, st.point, st.values, proof)
    return st
