"""RoPE, RMSNorm, LayerNorm, embedding, SwiGLU: completeness, accuracy against float
references, and false statements (wrong angles, tampered rsqrt, swapped embedding row,
a clamp that hides an out-of-range input)."""
import numpy as np
import pytest

from zkproof.errors import OutOfTableError, VerificationError
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.nn.graph import Graph, prove, verify
from zkproof.nn.embedding import embedding
from zkproof.nn.nonlinear import elementwise
from zkproof.nn.norm import layernorm, rmsnorm, suggest_k
from zkproof.nn.rescale import rescale
from zkproof.nn.rope import rope
from zkproof.nn.swiglu import swiglu

from nn_attacks import lenient_lookups

F = 8


def check(build, inputs, tamper=None):
    g = build()
    wit = g.forward(inputs)
    if tamper:
        tamper(wit)
    st, proof = prove(g, wit, debug=tamper is None)
    if tamper is None:
        verify(build(), st, proof)
    else:
        with pytest.raises(VerificationError):
            verify(build(), st, proof)
    return wit


# ------------------------------------------------------------------ RoPE
def rope_graph(shape, style, base=10000.0):
    def build():
        g = Graph("rope")
        x = g.input("x", shape)
        y = rope(g, x, base=base, style=style, name="y")
        o = rescale(g, y, 14, name="o")
        g.set_kind(o, "public")
        return g
    return build


def float_rope(x, style, base=10000.0):
    T, d = x.shape[-2:]
    j = np.arange(d)
    if style == "interleaved":
        theta = base ** (-2.0 * (j // 2) / d)
        ang = np.arange(T)[:, None] * theta
        partner = x[..., j ^ 1] * np.where(j % 2 == 0, -1, 1)
    else:
        theta = base ** (-2.0 * (j % (d // 2)) / d)
        ang = np.arange(T)[:, None] * theta
        partner = np.concatenate([-x[..., d // 2:], x[..., :d // 2]], axis=-1)
    return x * np.cos(ang) + partner * np.sin(ang)


@pytest.mark.parametrize("shape,style", [((3, 6), "interleaved"), ((2, 5, 4), "interleaved"),
                                         ((17, 8), "half"), ((3, 1, 4), "half")])
def test_rope(shape, style):
    rng = np.random.default_rng(0)
    xf = rng.normal(0, 1, shape)
    wit = check(rope_graph(shape, style), {"x": quantize(xf, F)})
    # input rounding 2^-9 (x2: two terms) plus table and output rounding
    assert np.max(np.abs(dequantize(wit["o"], F) - float_rope(dequantize(quantize(xf, F), F), style))) < 2 ** -7


def test_rope_matches_hf_rotate_half():
    torch = pytest.importorskip("torch")
    T, d = 5, 8
    x = torch.randn(T, d, dtype=torch.float64)
    inv_freq = 1.0 / (10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    rot = torch.cat([-x[:, d // 2:], x[:, :d // 2]], dim=-1)
    ref = (x * emb.cos() + rot * emb.sin()).numpy()
    wit = rope_graph((T, d), "half")().forward({"x": quantize(x, F)})
    assert np.max(np.abs(dequantize(wit["o"], F) - ref)) < 2 ** -6


def test_rope_with_wrong_angles_rejected():
    shape = (4, 6)
    g = rope_graph(shape, "interleaved", base=500.0)()
    st, proof = prove(g, g.forward({"x": quantize(np.random.default_rng(1).normal(0, 1, shape), F)}))
    with pytest.raises(VerificationError):
        verify(rope_graph(shape, "interleaved", base=10000.0)(), st, proof)


# ------------------------------------------------------------------ norms
def norm_graph(kind, rows, d, k):
    def build():
        g = Graph(kind)
        x = g.input("x", (rows, d))
        w = g.input("g", (d,))
        if kind == "rms":
            o = rmsnorm(g, x, w, in_frac=F, k=k, name="o")
        else:
            b = g.input("b", (d,))
            o = layernorm(g, x, w, b, in_frac=F, k=k, name="o")
        g.set_kind(o, "public")
        return g
    return build


@pytest.mark.parametrize("rows,d", [(1, 4), (3, 5), (4, 16)])
def test_rmsnorm_close_to_torch(rows, d):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, w = rng.normal(0, 1, (rows, d)), rng.normal(1, 0.1, d)
    xq, wq = quantize(x, F), quantize(w, 8)
    k = suggest_k(int((xq.astype(np.int64) ** 2).sum(1).max()), 16)
    wit = check(norm_graph("rms", rows, d, k), {"x": xq, "g": wq})
    xt = torch.tensor(dequantize(xq, F))
    ref = (xt * torch.rsqrt(xt.pow(2).mean(-1, keepdim=True) + 1e-6) * torch.tensor(dequantize(wq, 8))).numpy()
    assert np.max(np.abs(dequantize(wit["o"], F) - ref)) < 0.02


@pytest.mark.parametrize("rows,d", [(1, 4), (3, 5), (2, 16)])
def test_layernorm_close_to_torch(rows, d):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(0.5, 1, (rows, d)), rng.normal(1, 0.1, d), rng.normal(0, 0.1, d)
    xq, wq = quantize(x, F), quantize(w, 8)
    bq = quantize(b, F + 20 + 8)
    xc = d * xq - xq.sum(1, keepdims=True)
    k = suggest_k(int((xc.astype(np.int64) ** 2).sum(1).max()), 16)
    wit = check(norm_graph("ln", rows, d, k), {"x": xq, "g": wq, "b": bq})
    ref = torch.nn.functional.layer_norm(torch.tensor(dequantize(xq, F)), (d,), torch.tensor(dequantize(wq, 8)),
                                         torch.tensor(dequantize(bq, F + 28)), 1e-5).numpy()
    assert np.max(np.abs(dequantize(wit["o"], F) - ref)) < 0.02


def test_tampered_rsqrt_rejected():
    rows, d = 3, 5
    rng = np.random.default_rng(4)
    xq, wq = quantize(rng.normal(0, 1, (rows, d)), F), quantize(rng.normal(1, 0.1, d), 8)
    k = suggest_k(int((xq ** 2).sum(1).max()), 16)

    def tamper(w):
        w["o.rsqrt"] = w["o.rsqrt"].copy()
        w["o.rsqrt"][1] += 7  # a larger 1/sqrt(var): the output scaled up
        y = w["x"] * w["o.rsqrt"][:, None] * w["g"][None, :]
        w["o.scaled"] = y
        o = (y + (1 << 19)) >> 20
        rem = y + (1 << 19) - (o << 20)
        w["o"], w["o.rem0"], w["o.rem1"] = o, rem & 0xFFFF, rem >> 16
    with lenient_lookups():
        check(norm_graph("rms", rows, d, k), {"x": xq, "g": wq}, tamper)


# ------------------------------------------------------------------ embedding
def emb_graph(T, V, d):
    def build():
        g = Graph("emb")
        t = g.input("tok", (T,), "public")
        e = g.input("E", (V, d))
        x = embedding(g, t, e, name="x")
        g.set_kind(x, "public")
        return g
    return build


@pytest.mark.parametrize("T,V,d", [(1, 1, 1), (3, 5, 7), (8, 16, 4)])
def test_embedding(T, V, d):
    rng = np.random.default_rng(5)
    tok, E = rng.integers(0, V, T), rng.integers(-100, 100, (V, d))
    wit = check(emb_graph(T, V, d), {"tok": tok, "E": E})
    assert np.array_equal(wit["x"], E[tok])


def test_swapped_embedding_row_rejected():
    T, V, d = 3, 5, 4
    rng = np.random.default_rng(6)
    tok, E = np.array([1, 3, 3]), rng.integers(-100, 100, (V, d))

    def tamper(w):
        w["x"] = w["x"].copy()
        w["x"][0] = E[2]
    check(emb_graph(T, V, d), {"tok": tok, "E": E}, tamper)


# ------------------------------------------------------------------ SwiGLU, clamps
def test_swiglu():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    gate, up = rng.normal(0, 1.5, (3, 5)), rng.normal(0, 1, (3, 5))

    def build():
        g = Graph("swiglu")
        a, b = g.input("gate", (3, 5)), g.input("up", (3, 5))
        o = swiglu(g, a, b, frac=F, low=-2048, bits=12, name="o")
        g.set_kind(o, "public")
        return g
    gq, uq = quantize(gate, F), quantize(up, F)
    wit = check(build, {"gate": gq, "up": uq})
    ref = (torch.nn.functional.silu(torch.tensor(dequantize(gq, F))) * torch.tensor(dequantize(uq, F))).numpy()
    assert np.max(np.abs(dequantize(wit["o"], F) - ref)) < 2 ** -6


def test_clamp_hiding_an_out_of_range_input_rejected():
    """The table covers [-512, 512) at 2^-6; an input of 700 is refused by the forward
    pass, and a prover that feeds the lookup a clamped 511 instead is caught by the tie
    between the committed lookup input and the rescale that produced it."""
    def build():
        g = Graph("clamp")
        x = g.input("x", (2, 2))
        y = rescale(g, x, 2, name="y")
        z = elementwise(g, y, "gelu", -512, 10, 6, 6, name="z")
        g.set_kind(z, "public")
        return g
    x = np.array([[4 * 700, 0], [4, -4]])
    with pytest.raises(OutOfTableError):
        build().forward({"x": x})
    xs = x.copy()
    xs[0, 0] = 4 * 511
    honest_clamped = build().forward({"x": xs})

    def tamper(w):
        w["x"] = x  # the real input, committed as is
        w["y.rem0"] = np.zeros_like(x)
    g = build()
    wit = dict(honest_clamped)
    tamper(wit)
    st, proof = prove(g, wit)
    with pytest.raises(VerificationError):
        verify(build(), st, proof)


def clamp_graph():
    g = Graph("clamp")
    x = g.input("x", (2, 3))
    y = rescale(g, x, 2, name="y")
    z = elementwise(g, y, "gelu", -512, 10, 6, 6, name="z", clamp_diff_bits=20)
    g.set_kind(z, "public")
    return g


CLAMP_X = np.array([[4 * 700, 0, -4 * 3000], [4, -4, 4 * 511]])


def test_proven_clamp_completeness():
    wit = check(clamp_graph, {"x": CLAMP_X})
    assert wit["z.clamp"].tolist() == [[511, 0, -512], [1, -1, 511]]
    ref = FUNCTIONS_GELU(np.clip(np.array([[700, 0, -3000], [1, -1, 511]]), -512, 511) / 64.0)
    assert np.max(np.abs(dequantize(wit["z"], 6) - ref)) <= 2 ** -7


@pytest.mark.parametrize("case", ["in_range_moved", "out_of_range_not_at_bound"])
def test_clamp_that_hides_an_input_rejected(case):
    def tamper(w):
        c, p, n = w["z.clamp"].copy(), w["z.clamp.p0"].copy(), w["z.clamp.n0"].copy()
        if case == "in_range_moved":      # x = 1 claimed clamped to 511 (n = 510)
            c[1, 0], n[1, 0] = 511, 510
        else:                             # x = 700 claimed clamped to 300 (p = 400)
            c[0, 0], p[0, 0] = 300, 400
        w["z.clamp"], w["z.clamp.p0"], w["z.clamp.n0"] = c, p, n
        w["z.clamp.p1"] = w["z.clamp.p1"].copy()
        from zkproof.nn.nonlinear import table_outputs
        w["z"] = table_outputs("gelu", -512, 10, 6, 6)[c + 512]
    check(clamp_graph, {"x": CLAMP_X}, tamper)


def FUNCTIONS_GELU(x):
    from zkproof.nn.nonlinear import FUNCTIONS
    return FUNCTIONS["gelu"](x)
