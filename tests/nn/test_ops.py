"""Completeness, exactness and soundness of the fixed-point operations (zkproof.nn)."""
import math

import numpy as np
import pytest

from zkproof import claims_reduce
from zkproof.channel import ProverChannel, VerifierChannel
from zkproof.errors import OutOfTableError, VerificationError
from zkproof.nn import layout as L
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.nn.graph import Graph, commit_tensor, prove, verify
from zkproof.nn.linear import linear
from zkproof.nn.nonlinear import FUNCTIONS, elementwise
from zkproof.nn.rescale import rescale
from zkproof.nn.residual import add, product
from zkproof.transcript import Transcript

from nn_attacks import lenient_lookups


def mlp_graph(T=3, din=5, dout=7, k=8):
    g = Graph("mlp")
    x = g.input("x", (T, din))
    w = g.input("w", (din, dout))
    b = g.input("b", (dout,))
    y = linear(g, x, w, b, name="y")
    z = rescale(g, y, k, name="z")
    r = g.input("r", (T, dout), "public")
    s = add(g, z, r, name="s")
    p = product(g, s, z, name="p")
    g.set_kind(p, "public")
    return g


def mlp_inputs(T=3, din=5, dout=7, seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.integers(-300, 300, (T, din)), "w": rng.integers(-300, 300, (din, dout)),
            "b": rng.integers(-1000, 1000, (dout,)), "r": rng.integers(-50, 50, (T, dout))}


def prove_verify(build, inputs, tamper=None, external=()):
    """Forward, (tamper with the witness,) prove, verify. With a tamper the proof must
    come out and the VERIFIER must raise VerificationError."""
    g = build()
    wit = g.forward(inputs)
    if tamper:
        tamper(wit)
    coms = {n: commit_tensor(wit[n]) for n in external}
    st, proof = prove(g, wit, coms, debug=tamper is None)
    if tamper is None:
        verify(build(), st, proof)
    else:
        with pytest.raises(VerificationError):
            verify(build(), st, proof)
    return wit, st, proof


# ------------------------------------------------------------------ exactness
def test_forward_is_exact_integer_arithmetic():
    inp = mlp_inputs()
    wit = mlp_graph().forward(inp)
    y = inp["x"] @ inp["w"] + inp["b"]
    z = np.array([math.floor((int(v) + 128) / 256) for v in y.reshape(-1)]).reshape(y.shape)
    assert np.array_equal(wit["y"], y)
    assert np.array_equal(wit["z"], z)
    assert np.array_equal(wit["p"], (z + inp["r"]) * z)
    rem = y + 128 - 256 * z
    assert np.array_equal(wit["z.rem0"], rem) and rem.min() >= 0 and rem.max() < 256


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 5, 7), (4, 8, 2), (17, 3, 1)])
def test_mlp_completeness(shape):
    T, din, dout = shape
    prove_verify(lambda: mlp_graph(T, din, dout), mlp_inputs(T, din, dout), external=("w",))


@pytest.mark.parametrize("fn", sorted(FUNCTIONS))
def test_elementwise_matches_float(fn):
    """Completeness, and the table output within half an output unit of the float function."""
    low, bits, fi, fo = (1, 10, 6, 8) if fn == "rsqrt" else (-512, 10, 6, 8)
    rng = np.random.default_rng(1)
    x = rng.integers(low, low + (1 << bits), (5, 3))

    def build():
        g = Graph("nl")
        xi = g.input("x", (5, 3))
        y = elementwise(g, xi, fn, low, bits, fi, fo, name="y")
        g.set_kind(y, "public")
        return g

    wit, _, _ = prove_verify(build, {"x": x})
    ref = FUNCTIONS[fn](x / 2.0 ** fi)
    assert np.max(np.abs(dequantize(wit["y"], fo) - ref)) <= 2.0 ** -(fo + 1) + 1e-12


def test_elementwise_refuses_inputs_outside_the_table():
    g = Graph("nl")
    xi = g.input("x", (2, 2))
    elementwise(g, xi, "gelu", -8, 4, 2, 2)
    with pytest.raises(OutOfTableError, match="2 inputs outside"):
        g.forward({"x": np.array([[0, 9], [-9, 1]])})


def test_quantised_gelu_close_to_torch():
    torch = pytest.importorskip("torch")
    xf = torch.linspace(-4, 4, 101, dtype=torch.float64)
    q = quantize(xf, 6)
    g = Graph("gelu")
    xi = g.input("x", (101,))
    y = elementwise(g, xi, "gelu", -512, 10, 6, 8, name="y")
    out = dequantize(g.forward({"x": q})[y], 8)
    # input quantisation (2^-7 times |gelu'| <= 1.13) plus output rounding (2^-9)
    assert np.max(np.abs(out - torch.nn.functional.gelu(xf).numpy())) <= 1.13 * 2 ** -7 + 2 ** -9


# ------------------------------------------------------------------ soundness
def test_wrong_output_claim_rejected():
    g = mlp_graph()
    wit = g.forward(mlp_inputs())
    st, proof = prove(g, wit)
    st.public["p"] = st.public["p"].copy()
    st.public["p"][0, 0] += 1
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof)


def test_wrong_matmul_result_rejected():
    def tamper(w):
        w["y"][1, 2] += 256  # a wrong product, rescaled consistently downstream
        w["z"][1, 2] += 1
        w["s"][1, 2] += 1
        w["p"][...] = w["s"] * w["z"]
    prove_verify(mlp_graph, mlp_inputs(), tamper)


def test_rescale_remainder_off_by_one_rejected():
    def tamper(w):
        w["z.rem0"][0, 0] = (w["z.rem0"][0, 0] + 1) % 256
    prove_verify(mlp_graph, mlp_inputs(), tamper)


def test_wrong_rescale_with_out_of_range_remainder_rejected():
    def tamper(w):  # Y one too small, remainder 2^k too large: X = 2^k Y + R - 2^(k-1) still holds
        w["z"][2, 3] -= 1
        w["z.rem0"][2, 3] += 256
        w["s"][...] = w["z"] + w["r"]
        w["p"][...] = w["s"] * w["z"]
    with lenient_lookups():
        prove_verify(mlp_graph, mlp_inputs(), tamper)


def test_input_not_the_committed_one_rejected():
    g = mlp_graph()
    wit = g.forward(mlp_inputs())
    st, proof = prove(g, wit)
    other = mlp_graph().forward(mlp_inputs(seed=1))
    st.commitments["x"] = commit_tensor(other["x"])
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof)


def test_weight_other_than_the_committed_one_rejected():
    """The prover proves with a weight W' (one entry changed) against the commitment of W:
    the claim on the weight (opened directly, it has one claim) is W'(u), not W(u)."""
    g = mlp_graph()
    wit = g.forward(mlp_inputs())
    coms = {"w": commit_tensor(wit["w"])}
    bad = dict(wit)
    bad["w"] = wit["w"].copy()
    bad["w"][1, 2] += 1
    bad.update(mlp_graph().forward({**mlp_inputs(), "w": bad["w"]}))
    st, proof = prove(g, bad, coms)
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof)


def test_commitments_swapped_between_tensors_rejected():
    """Two committed tensors of one shape (z's output chunks y0, y1) with their
    commitments swapped in the statement."""
    g = mlp_graph()
    st, proof = prove(g, g.forward(mlp_inputs()))
    verify(mlp_graph(), st, proof)
    st.commitments["z.y0"], st.commitments["z.y1"] = st.commitments["z.y1"], st.commitments["z.y0"]
    assert st.commitments["z.y0"] != st.commitments["z.y1"]
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof)


def test_tampered_proof_bytes_rejected():
    g = mlp_graph()
    st, proof = prove(g, g.forward(mlp_inputs()))
    for pos in (0, len(proof) // 2, len(proof) - 1):
        bad = bytearray(proof)
        bad[pos] ^= 1
        with pytest.raises(VerificationError):
            verify(mlp_graph(), st, bytes(bad))
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof + b"\0")


def test_junk_in_padding_slots_rejected():
    """A committed tensor with a non-zero padding slot fails the claim reduction."""
    shape = (3, 5)
    t = L.to_padded(np.arange(15).reshape(shape))
    junk = t + L.to_padded(np.zeros(shape, dtype=np.int64)).pad(len(t))  # copy
    data = junk.to_ints()
    data[7] = 42  # row 0, column 7: a padding column
    junk = type(t).from_ints(data)
    pts = [[3, 1, 4, 1, 5]]
    claims = [(p, junk.evaluate(p)) for p in pts]
    ch = ProverChannel(Transcript("pad"))
    claims_reduce.prove(ch, junk, claims, 1 - L.indicator(shape))
    with pytest.raises(VerificationError):
        claims_reduce.verify(VerifierChannel(Transcript("pad"), ch.bytes()), 5, claims,
                             lambda p: (1 - L.indicator_mle(shape, p)) % L._R)
    # the honest tensor passes
    ch = ProverChannel(Transcript("pad"))
    claims = [(p, t.evaluate(p)) for p in pts]
    out = claims_reduce.prove(ch, t, claims, 1 - L.indicator(shape))
    got = claims_reduce.verify(VerifierChannel(Transcript("pad"), ch.bytes()), 5, claims,
                               lambda p: (1 - L.indicator_mle(shape, p)) % L._R)
    assert got == out and t.evaluate(out[0]) == out[1]


def test_lenient_lookups_accept_an_honest_witness():
    """The attack helper changes nothing for an honest witness (so the attacks above
    are rejected for their tampering, not for the helper)."""
    with lenient_lookups():
        prove_verify(mlp_graph, mlp_inputs())


def test_outside_eq_mle_matches_the_table():
    from zkproof.claims_reduce import prefix_eq_eq
    from zkproof.field.tensor import FrTensor
    rng = np.random.default_rng(3)
    for shape in [(3, 5), (1,), (5, 3, 3), (4, 2)]:
        n = L.num_vars(shape)
        r, v = ([int(x) for x in rng.integers(1, 10**9, n)] for _ in range(2))
        table = FrTensor.eq(r) * (1 - L.indicator(shape))
        assert table.evaluate(v) == L.outside_eq_mle(shape, r, v)
    for count in range(0, 9):
        r, v = [5, 7, 11], [13, 17, 19]
        ind = FrTensor.from_ints([1] * count + [0] * (8 - count))
        assert (FrTensor.eq(r) * ind).evaluate(v) == prefix_eq_eq(count, r, v)


@pytest.mark.parametrize("axes", [(1, 0, 2), (2, 0, 1), (0, 2, 1)])
def test_permute_and_heads(axes):
    from zkproof.nn.reshape import Permute, merge_heads, split_heads

    def build():
        g = Graph("perm")
        x = g.input("x", (3, 5, 6))
        (p,) = g.add(Permute(axes), x, name="p")
        s = product(g, p, p, name="sq")
        g.set_kind(s, "public")
        y = g.input("y", (5, 12))
        m = merge_heads(g, split_heads(g, y, 3, name="h"), name="m")
        g.set_kind(add(g, m, m, name="m2"), "public")
        return g
    rng = np.random.default_rng(0)
    x, y = rng.integers(-9, 9, (3, 5, 6)), rng.integers(-9, 9, (5, 12))
    wit, _, _ = prove_verify(build, {"x": x, "y": y})
    assert np.array_equal(wit["p"], np.transpose(x, axes)) and np.array_equal(wit["m"], y)
    wit["sq"] = wit["sq"] + 1

    def tamper(w):
        w["p"] = w["p"].copy()
        w["p"][0, 0, 0] += 1
        w["sq"] = w["p"] * w["p"]
    prove_verify(build, {"x": x, "y": y}, tamper)


def test_random_corruptions_raise_verification_errors_only():
    """Flipped bytes, truncations and extensions anywhere in a proof: always a
    VerificationError, never another exception."""
    g = mlp_graph(2, 3, 3)
    st, proof = prove(g, g.forward(mlp_inputs(2, 3, 3)))
    rng = np.random.default_rng(7)
    for trial in range(40):
        bad = bytearray(proof)
        kind = trial % 4
        if kind == 0:
            pos = int(rng.integers(len(bad)))
            bad[pos] ^= 1 << int(rng.integers(8))
        elif kind == 1:
            bad = bad[: int(rng.integers(len(bad)))]
        elif kind == 2:
            bad += bytes(rng.integers(0, 256, int(rng.integers(1, 40)), dtype=np.uint8))
        else:
            pos = int(rng.integers(len(bad) - 32))
            bad[pos:pos + 32] = b"\xff" * 32  # a non-canonical field element
        with pytest.raises(VerificationError):
            verify(mlp_graph(2, 3, 3), st, bytes(bad))


def test_junk_in_padding_slots_of_the_witness_rejected(monkeypatch):
    """A prover whose tensors carry junk in the padding slots of their layout (the
    commitments are shaped, so the junk is outside them) is rejected: here junk in the
    rows the openings fold (the operations' own evaluations of a junk layout are caught
    by their checks and the lookups)."""
    from zkproof.commit import multiopen
    real_rows = multiopen.padded_int_rows

    def junky_rows(a, lay, rows=None):
        out = real_rows(a, lay, rows)
        if lay.shape == (3, 5) and rows is None:  # x's layout (4, 8): slot 5 of row 0 is padding
            out.reshape(-1)[5] = 12345
        return out
    g = mlp_graph()
    wit = g.forward(mlp_inputs())
    monkeypatch.setattr(multiopen, "padded_int_rows", junky_rows)
    st, proof = prove(g, wit)
    monkeypatch.undo()
    with pytest.raises(VerificationError):
        verify(mlp_graph(), st, proof)


def _take_row_graph(T: int, d: int, index: int):
    from zkproof.nn.reshape import take_row

    def build():
        g = Graph("take-row")
        x = g.input("x", (T, d), "committed")
        w = g.input("w", (d, 2), "committed")
        y = take_row(g, x, index, name="row")
        z = linear(g, y, w, name="z")
        g.set_kind(z, "public")
        return g
    return build


@pytest.mark.parametrize("T,index", [(5, 4), (5, 0), (8, 7), (1, 0)])
def test_take_row_completeness(T, index):
    rng = np.random.default_rng(T + index)
    build = _take_row_graph(T, 3, index)
    wit = build().forward({"x": rng.integers(-50, 50, (T, 3)), "w": rng.integers(-9, 9, (3, 2))})
    assert np.array_equal(wit["row"], wit["x"][index:index + 1])
    st, proof = prove(build(), wit)
    verify(build(), st, proof)


def test_take_row_of_another_row_rejected():
    """The public output computed from row 0 while the graph takes row 4 (a decoder's
    logits from the wrong position): the claim lands on row 4 of the committed x."""
    rng = np.random.default_rng(7)
    build = _take_row_graph(5, 3, 4)
    x, w = rng.integers(-50, 50, (5, 3)), rng.integers(-9, 9, (3, 2))
    wit = dict(build().forward({"x": x, "w": w}))
    wit["row"] = x[0:1].copy()
    wit["z"] = wit["row"] @ w
    assert not np.array_equal(wit["z"], x[4:5] @ w)
    st, proof = prove(build(), wit)
    with pytest.raises(VerificationError):
        verify(build(), st, proof)


def test_take_row_outside_the_tensor_refused():
    with pytest.raises(ValueError, match="TakeRow"):
        _take_row_graph(4, 3, 4)()
