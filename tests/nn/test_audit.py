"""Attacker's audit of the nn verifiers: each test is a false statement built the way a
cheating prover would (a tampered witness, field elements where integers belong, a
statement the honest forward pass refuses) and must be rejected; plus fuzzing of the
zkattn/v2 decoder (only VerificationError may come out)."""
import contextlib

import numpy as np
import pytest

from zkproof.errors import StatementMismatch, VerificationError
from zkproof.field.scalar import R, inv
from zkproof.field.tensor import FrTensor
from zkproof.nn import graph as G
from zkproof.nn.embedding import embedding
from zkproof.nn.graph import Graph, prove, verify
from zkproof.nn.nonlinear import TableMap
from zkproof.nn.rescale import Rescale, rescale
from zkproof.nn.residual import add

from nn_attacks import lenient_lookups


@contextlib.contextmanager
def field_witness(overrides: dict):
    """The prover evaluates the named tensors as these FrTensors (padded layout): a
    cheating prover's derived tensors may hold any field element, not just integers."""
    saved = G._Context.fr

    def fr(self, name):
        if name in overrides:
            return overrides[name]
        return saved(self, name)
    G._Context.fr = fr
    try:
        yield
    finally:
        G._Context.fr = saved


# ---------------------------------------------------------------- fractional rescale
def _double_of_rescale(out_bits=None):
    def build():
        g = Graph("frac")
        x = g.input("x", (1,))
        kw = {} if out_bits is None else {"out_bits": out_bits}
        y = rescale(g, x, 1, name="y", **kw)
        o = add(g, y, y, name="o")
        g.set_kind(o, "public")
        return g
    return build


def test_attack_fractional_rescale_output():
    """x = 0: round(0 / 2) = 0, so o = 2 y = 0. Without a range check on y, the prover
    picks the remainder 0 instead of 1, which makes y the FIELD element 1/2 (the
    relation x = 2 y + rem - 1 holds in Fr) and o = 2 * 1/2 = 1: a false public output.
    The output chunks of Rescale bind y to an integer, so this is rejected."""
    build = _double_of_rescale()
    wit = build().forward({"x": np.array([0])})
    assert wit["o"].tolist() == [0] and wit["y.rem0"].tolist() == [1]
    wit = dict(wit)
    wit["y.rem0"] = np.array([0])
    wit["o"] = np.array([1])                       # the false statement
    half = FrTensor.from_ints([inv(2)])
    with field_witness({"y": half}), lenient_lookups():
        st, proof = prove(build(), wit)
    assert st.public["o"].tolist() == [1]
    with pytest.raises(VerificationError):
        verify(build(), st, proof)


def test_attack_fractional_rescale_output_chunks_as_fractions():
    """The same cheat, with the output chunks also made field elements that add up to
    1/2 (y0 = 1/2, y1 = 2^15): the chunks' range lookups reject them."""
    build = _double_of_rescale()
    wit = dict(build().forward({"x": np.array([0])}))
    wit["y.rem0"] = np.array([0])
    wit["o"] = np.array([1])
    over = {"y": FrTensor.from_ints([inv(2)]), "y.y0": FrTensor.from_ints([inv(2)]),
            "y.y1": FrTensor.from_ints([1 << 15])}
    with field_witness(over), lenient_lookups():
        st, proof = prove(build(), wit)
    with pytest.raises(VerificationError):
        verify(build(), st, proof)


def test_rescale_output_range_completeness_and_bound():
    build = _double_of_rescale(out_bits=8)
    wit = build().forward({"x": np.array([-255])})  # y = round(-127.5) = -127
    st, proof = prove(build(), wit, debug=True)
    verify(build(), st, proof)
    with pytest.raises(ValueError):
        build().forward({"x": np.array([260])})     # y = 130 >= 2^7


def test_attack_rescale_without_output_check_refused(monkeypatch):
    """out_bits = 0 (no output chunks) is only accepted where something else binds the
    output to integers (a public output, a lookup input). A prover that skips its own
    refusal and runs the fractional-output cheat is refused by the verifier."""
    build = _double_of_rescale(out_bits=0)
    wit = dict(build().forward({"x": np.array([0])}))
    with pytest.raises(ValueError):
        prove(build(), wit)
    orig = Rescale._check_unchecked_output
    monkeypatch.setattr(Rescale, "_check_unchecked_output",
                        lambda self, ctx: None if ctx.is_prover else orig(self, ctx))
    wit["y.rem0"] = np.array([0])
    wit["o"] = np.array([1])
    with field_witness({"y": FrTensor.from_ints([inv(2)])}), lenient_lookups():
        st, proof = prove(build(), wit)
    with pytest.raises(StatementMismatch):
        verify(build(), st, proof)


# ---------------------------------------------------------------- lookup key collision
def _two_tables():
    ident = np.arange(4)
    zeros = np.zeros(4, dtype=np.int64)

    def build():
        g = Graph("keys")
        x = g.input("x", (4,))
        y1 = g.add(TableMap("f", 0, ident), x, name="y1")[0]
        y2 = g.add(TableMap("f", 0, zeros), x, name="y2")[0]
        g.set_kind(y1, "public")
        g.set_kind(y2, "public")
        return g
    return build


def test_attack_lookup_key_collision():
    """Two TableMaps under one key but with different tables: the verifier built each
    LogUp's table from the group's first use only, so y2 = T1(x) passed as y2 = T2(x).
    The shared LogUp is keyed by the table's contents now."""
    build = _two_tables()
    x = np.array([0, 1, 2, 3])
    wit = build().forward({"x": x})
    assert wit["y2"].tolist() == [0, 0, 0, 0]
    st, proof = prove(build(), wit, debug=True)     # completeness (failed before the fix)
    verify(build(), st, proof)
    wit = dict(wit)
    wit["y2"] = x.copy()                           # T1(x), not T2(x)
    with lenient_lookups():
        st, proof = prove(build(), wit)
    with pytest.raises(VerificationError):
        verify(build(), st, proof)


# ---------------------------------------------------------------- embedding tokens
def test_attack_embedding_token_out_of_range():
    """A public token -1 (or >= V) was read modulo 2^lv by the verifier: with V = 5 the
    token -1 selects padding row 7, so "X = E[-1] = 0" was accepted. Refused now."""
    V, d = 5, 2

    def build():
        g = Graph("emb")
        tok = g.input("tok", (1,), kind="public")
        e = g.input("e", (V, d))
        x = embedding(g, tok, e, name="x")
        g.set_kind(x, "public")
        return g
    E = np.arange(V * d).reshape(V, d) + 1
    wit = dict(build().forward({"tok": np.array([0]), "e": E}))
    wit["tok"] = np.array([-1])
    wit["x"] = np.zeros((1, d), dtype=np.int64)
    st, proof = prove(build(), wit)
    with pytest.raises(StatementMismatch):
        verify(build(), st, proof)


# ---------------------------------------------------------------- zkattn decoder
def test_attack_zkattn_config_noncanonical_causal_flag():
    from zkproof.errors import MalformedProof
    from zkproof.nn.zkattn import ZkAttnConfig
    from zkproof.wire import Reader
    raw = bytearray(ZkAttnConfig().to_bytes())
    ZkAttnConfig.read(Reader(bytes(raw)))
    raw[-9] = 2                                    # the causal byte (before y_rescale_bits)
    with pytest.raises(MalformedProof):
        ZkAttnConfig.read(Reader(bytes(raw)))


@pytest.fixture(scope="module")
def zkattn_parts():
    from zkproof.nn import zkattn
    from zkproof.wire import Envelope
    cfg = zkattn.PRESETS["default"]
    H, T, d = 1, 2, 2
    rng = np.random.default_rng(5)
    q, k, v = (rng.integers(-200, 200, size=(H, T, d)) for _ in range(3))
    g = zkattn.attention_graph(H, T, d, cfg)
    wit = g.forward({"q": q, "k": k, "v": v})
    st, proof = prove(g, wit)
    env = Envelope.from_bytes(zkattn.encode(H, T, d, cfg, st, proof))
    zkattn.verify_bytes(env.statement, env.proof)
    return env.statement, env.proof


def test_zkattn_decoder_fuzz(zkattn_parts):
    """Corrupted or truncated zkattn/v2 statements and proofs: the registered verifier
    (called directly, not through proof_file's safety net) raises only VerificationError."""
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings, strategies as st
    from zkproof.nn import zkattn
    statement, proof = zkattn_parts

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.booleans(), st.integers(0, 1 << 30), st.integers(1, 255), st.booleans(), st.integers(0, 1 << 30))
    def run(in_statement, pos, xor, truncate, cut):
        parts = [bytearray(statement), bytearray(proof)]
        b = parts[0 if in_statement else 1]
        if truncate:
            del b[cut % (len(b) + 1):]
        else:
            b[pos % len(b)] ^= xor
        if bytes(parts[0]) == statement and bytes(parts[1]) == proof:
            return
        try:
            zkattn.verify_bytes(bytes(parts[0]), bytes(parts[1]))
        except VerificationError:
            return
        raise AssertionError("a corrupted zkattn file was accepted")
    run()


def test_zkattn_statement_size_fields_fuzz(zkattn_parts):
    """H, T, d overwritten with arbitrary u64s: refused (MalformedProof) before any work."""
    pytest.importorskip("hypothesis")
    import struct
    from hypothesis import given, settings, strategies as st
    from zkproof.nn import zkattn
    statement, proof = zkattn_parts

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.integers(0, 2), st.integers(0, (1 << 64) - 1))
    def run(which, value):
        b = bytearray(statement)
        if struct.unpack_from("<Q", b, 8 * which)[0] == value:
            return
        struct.pack_into("<Q", b, 8 * which, value)
        with pytest.raises(VerificationError):
            zkattn.verify_bytes(bytes(b), proof)
    run()


def test_statement_missing_or_float_public_value_is_malformed():
    from zkproof.errors import MalformedProof
    build = _double_of_rescale()
    g = build()
    st, proof = prove(g, g.forward({"x": np.array([4])}))
    verify(build(), st, proof)
    for bad in ({}, {"o": np.array([4.0])}):
        with pytest.raises(MalformedProof):
            verify(build(), G.Statement(bad, st.commitments), proof)


def test_graph_input_cannot_be_made_derived():
    g = Graph("k")
    x = g.input("x", (2,))
    with pytest.raises(ValueError):
        g.set_kind(x, "derived")


@pytest.mark.parametrize("T", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("causal", [True, False])
def test_zkattn_mask_extension_in_linear_time_matches_table(T, causal):
    """The verifier's O(T) mask extension equals the (T, T) table's, and its O(T) row
    check refuses exactly the key masks masked_slots refuses."""
    from zkproof.nn import layout as L
    from zkproof.nn.zkattn import ZkAttnConfig, check_rows_keep_a_key, mask_mle, masked_slots
    cfg = ZkAttnConfig(causal=causal)
    rng = np.random.default_rng(T)
    lt = L.axis_vars((T,))[0]
    for km in [None] + [rng.integers(0, 2, size=T) for _ in range(4)]:
        try:
            m = masked_slots(cfg, T, km)
        except ValueError:
            with pytest.raises(ValueError):
                check_rows_keep_a_key(cfg, T, km)
            continue
        check_rows_keep_a_key(cfg, T, km)
        r = [int(x) for x in rng.integers(1, 1 << 62, size=2 * lt)]
        assert mask_mle(cfg, T, km, r[:lt], r[lt:]) == L.to_padded(m).evaluate(r) % R


def _mixed_graph():
    """Embedding -> LayerNorm -> linear + bias -> rescale -> clamped GELU -> add -> public."""
    from zkproof.nn.linear import linear
    from zkproof.nn.nonlinear import elementwise
    from zkproof.nn.norm import layernorm

    def build():
        g = Graph("mixed")
        tok = g.input("tok", (3,), kind="public")
        e = g.input("e", (5, 4))
        x = embedding(g, tok, e, name="x")
        gam, bet = g.input("gam", (4,)), g.input("bet", (4,))
        h = layernorm(g, x, gam, bet, in_frac=8, k=12, name="ln")
        w, b = g.input("w", (4, 2)), g.input("b", (2,))
        z = rescale(g, linear(g, h, w, b, name="mm"), 8, name="z")
        a = elementwise(g, z, "gelu", -512, 10, 8, 8, name="act", clamp_diff_bits=20)
        o = add(g, a, z, name="o")
        g.set_kind(o, "public")
        return g
    rng = np.random.default_rng(9)
    inputs = {"tok": np.array([0, 4, 2]), "e": rng.integers(-300, 300, size=(5, 4)),
              "gam": rng.integers(200, 300, size=4), "bet": rng.integers(-1000, 1000, size=4),
              "w": rng.integers(-256, 256, size=(4, 2)), "b": rng.integers(-1 << 12, 1 << 12, size=2)}
    return build, inputs


@pytest.fixture(scope="module")
def mixed_proof():
    build, inputs = _mixed_graph()
    wit = build().forward(inputs)
    st, proof = prove(build(), wit, debug=True)
    verify(build(), st, proof)
    return build, st, proof


def test_graph_proof_decoder_fuzz(mixed_proof):
    """Corrupted or truncated proofs of a graph with most ops (embedding, LayerNorm,
    linear with bias, rescale, clamp, GELU, add): only VerificationError comes out."""
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings, strategies as st
    build, statement, proof = mixed_proof

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.integers(0, 1 << 30), st.integers(1, 255), st.booleans(), st.integers(0, 1 << 30))
    def run(pos, xor, truncate, cut):
        b = bytearray(proof)
        if truncate:
            del b[cut % len(b):]
        else:
            b[pos % len(b)] ^= xor
        try:
            verify(build(), statement, bytes(b))
        except VerificationError:
            return
        raise AssertionError("a corrupted graph proof was accepted")
    run()


def test_zkattn_file_report_names_its_config(zkattn_parts):
    """The config is statement, not a constant: the accepted report must say which one
    (a file under a loose tolerance must not read like one under the default)."""
    from zkproof.nn import zkattn
    msg = zkattn.verify_bytes(*zkattn_parts)
    assert "preset 'default'" in msg and "2^-6" in msg


# ---------------------------------------------------------------- rescale chains

def _chain(first_bits: int, second_bits: int, second_consumers: int = 1, first_consumers: int = 1):
    """x -> y1 = rescale(x, 1, out_bits=first_bits) -> y2 = rescale(y1, 1, second_bits)
    -> o = y2 + y2 (public); extra consumers of y1 / y2 are adds into public outputs."""
    def build():
        g = Graph("chain")
        x = g.input("x", (1,))
        y1 = rescale(g, x, 1, name="y1", out_bits=first_bits)
        y2 = rescale(g, y1, 1, name="y2", out_bits=second_bits)
        o = add(g, y2, y2, name="o")
        g.set_kind(o, "public")
        for i in range(first_consumers - 1):
            g.set_kind(add(g, y1, y1, name=f"p{i}"), "public")
        for i in range(second_consumers - 1):
            g.set_kind(add(g, y2, y2, name=f"q{i}"), "public")
        return g
    return build


def test_rescale_feeding_a_checked_rescale_needs_no_output_chunks():
    """y1 is bound by y2's chunks and remainder: out_bits = 0 is accepted and proves."""
    from zkproof.nn.rescale import integer_bound
    build = _chain(0, 8)
    assert integer_bound(build(), "y1")
    wit = build().forward({"x": np.array([-7])})
    st, proof = prove(build(), wit)
    verify(build(), st, proof)


@pytest.mark.parametrize("chain", [_chain(0, 0), _chain(0, 8, first_consumers=2)])
def test_rescale_chain_that_does_not_bind_refused(chain, monkeypatch):
    """y1 unbound: y2 unchecked too (only an add after it), or y1 also feeds an add. The
    prover refuses; a prover that skips the refusal is refused by the verifier."""
    wit = chain().forward({"x": np.array([5])})
    with pytest.raises(ValueError, match="out_bits = 0"):
        prove(chain(), wit)
    orig = Rescale._check_unchecked_output
    monkeypatch.setattr(Rescale, "_check_unchecked_output",
                        lambda self, ctx: None if ctx.is_prover else orig(self, ctx))
    st, proof = prove(chain(), wit)
    with pytest.raises(StatementMismatch):
        verify(chain(), st, proof)


def test_attack_fractional_output_inside_a_rescale_chain():
    """The fractional-output cheat on the unchecked first rescale of a bound chain: x = 0,
    rem1 = 0 instead of 1 makes y1 the field element 1/2, and the prover claims o = 2
    (y2 = 1). y2's chunks and remainder fix y1 = 2 y2 + rem2 - 1 to an integer, so the
    claim on x cannot match its commitment."""
    build = _chain(0, 8)
    wit = dict(build().forward({"x": np.array([0])}))
    assert wit["y1.rem0"].tolist() == [1] and wit["o"].tolist() == [0]
    wit["y1.rem0"] = np.array([0])
    wit["y2"], wit["y2.rem0"] = np.array([1]), np.array([0])     # y1 = 2 * 1 + 0 - 1 = 1 claimed
    wit["y2.y0"] = np.array([1 + 128])
    wit["o"] = np.array([2])
    with field_witness({"y1": FrTensor.from_ints([inv(2)])}), lenient_lookups():
        st, proof = prove(build(), wit)
    assert st.public["o"].tolist() == [2]
    with pytest.raises(VerificationError):
        verify(build(), st, proof)
