"""Transformer operations at a GPT-2 layer's sizes, each proved and verified on its own:
ops_bm.py [--seq 128] [--d-model 768] [--d-ff 3072] [--heads 12] [--vocab 4096].

Each row is one graph (zkproof.nn.graph): its inputs committed (weights through an
external commitment made once, not timed as proving), every step proven. Prints the
prover time without and with the commitments, the verify time, the proof size and the
output's maximum error against the float operation. Activations N(0, 1) at 2^-8,
weights N(0, 0.02) at 2^-8 (GPT-2's initialisation scale). Exit status 1 if a proof
does not verify.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from common import base_parser, machine_info, print_table, resolve_device, write_json

from zkproof.nn import norm
from zkproof.nn.embedding import embedding
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.nn.graph import Graph, commit_tensor, prove, verify
from zkproof.nn.linear import linear
from zkproof.nn.nonlinear import FUNCTIONS, elementwise
from zkproof.nn.rescale import rescale
from zkproof.nn.residual import add
from zkproof.nn.rope import rope

F = 8


def run(name, build, inputs, external, reference, out):
    g = build()
    wit = g.forward(inputs)
    coms = {n: commit_tensor(wit[n]) for n in external}
    tm: dict = {}
    st, proof = prove(g, wit, coms, timings=tm)
    t0 = time.perf_counter()
    ok = True
    try:
        verify(build(), st, proof)
    except Exception as e:
        print(f"{name}: REJECTED {type(e).__name__}: {e}")
        ok = False
    err = float(np.max(np.abs(dequantize(wit[out], F) - reference))) if reference is not None else 0.0
    return {"op": name, "prove_s": tm["prove_total_s"] - tm["commit_s"], "total_s": tm["prove_total_s"],
            "verify_s": time.perf_counter() - t0, "proof_bytes": len(proof), "max_err": err, "verified": ok}


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--d-model", type=int, default=768)
    p.add_argument("--d-ff", type=int, default=3072)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--only", help="comma-separated op names")
    args = p.parse_args(argv)
    dev = resolve_device(args)
    rng = np.random.default_rng(args.seed)
    T, d, ff, H = args.seq, args.d_model, args.d_ff, args.heads
    x = quantize(rng.standard_normal((T, d)), F)
    xf = dequantize(x, F)
    w1 = quantize(rng.normal(0, 0.02, (d, ff)), F)
    rows = []
    only = set(args.only.split(",")) if args.only else None

    def want(n):
        return only is None or n in only

    if want("linear+gelu"):
        def build():
            g = Graph("ops")
            xi, wi = g.input("x", (T, d)), g.input("w", (d, ff))
            h = rescale(g, linear(g, xi, wi), F, name="h")
            o = elementwise(g, h, "gelu", -(1 << 13), 14, F, F, name="o")
            g.set_kind(o, "public")
            return g
        hf = dequantize(np.floor((x @ w1) / 2 ** F + 0.5), F)
        rows.append(run(f"linear {d}x{ff} + gelu", build, {"x": x, "w": w1}, ["w"], FUNCTIONS["gelu"](hf), "o"))
    if want("layernorm"):
        g_w, b_w = quantize(np.ones(d), F), quantize(np.zeros(d), F + 28)
        xc = d * x - x.sum(1, keepdims=True)
        k = norm.suggest_k(int((xc.astype(np.int64) ** 2).sum(1).max()), 16)

        def build():
            g = Graph("ops")
            xi, gi, bi = g.input("x", (T, d)), g.input("g", (d,)), g.input("b", (d,))
            o = norm.layernorm(g, xi, gi, bi, in_frac=F, k=k, name="o")
            g.set_kind(o, "public")
            return g
        ref = (xf - xf.mean(1, keepdims=True)) / np.sqrt(xf.var(1, keepdims=True) + 1e-5)
        rows.append(run(f"layernorm {T}x{d}", build, {"x": x, "g": g_w, "b": b_w}, ["g", "b"], ref, "o"))
    if want("residual"):
        def build():
            g = Graph("ops")
            a, b = g.input("a", (T, d)), g.input("b", (T, d))
            o = add(g, a, b, name="o")
            g.set_kind(o, "public")
            return g
        rows.append(run(f"residual {T}x{d}", build, {"a": x, "b": x}, [], 2 * xf, "o"))
    if want("rope"):
        dh = d // H

        def build():
            g = Graph("ops")
            xi = g.input("x", (H, T, dh))
            o = rescale(g, rope(g, xi, style="half"), 14, name="o")
            g.set_kind(o, "public")
            return g
        xr = x.reshape(T, H, dh).transpose(1, 0, 2).copy()
        rows.append(run(f"rope {H}x{T}x{dh}", build, {"x": xr}, [], None, "o"))
    if want("embedding"):
        V = args.vocab
        E = quantize(rng.normal(0, 0.02, (V, d)), F)
        tok = rng.integers(0, V, T)

        def build():
            g = Graph("ops")
            ti, ei = g.input("tok", (T,), "public"), g.input("E", (V, d))
            o = embedding(g, ti, ei, name="o")
            g.set_kind(o, "public")
            return g
        rows.append(run(f"embedding {V}x{d}", build, {"tok": tok, "E": E}, ["E"], dequantize(E[tok], F), "o"))
    print_table(rows, ["op", "prove_s", "total_s", "verify_s", "proof_bytes", "max_err", "verified"])
    write_json(args.json, {"benchmark": "ops_bm", "machine": machine_info(dev), "args": vars(args), "results": rows})
    return 0 if all(r["verified"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
