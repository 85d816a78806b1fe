"""One GPT-2 block proved end to end: layer_bm.py SEQ D_MODEL HEADS D_FF
(GPT-2 small: 128 768 12 3072).

LayerNorm, Q/K/V projections, zkAttn (causal), output projection, residual, LayerNorm,
MLP with GELU, residual: one graph, every step proven, claims chained
(zkproof.nn.blocks.gpt2_block). Weights N(0, 0.02) at 2^-8 committed once outside the
timing (the model commitment); activations N(0, 1) at 2^-8. Prints the prover time
without and with the activation/advice commitments, the time split, the verify time and
the proof size. Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from common import base_parser, machine_info, print_table, resolve_device, write_json

from zkproof.nn.blocks import GPT2Config, gpt2_block
from zkproof.nn.fixed_point import quantize
from zkproof.nn.graph import Graph, commit_tensor, prove, verify


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    for a in ("seq", "d_model", "heads", "d_ff"):
        p.add_argument(a, type=int)
    args = p.parse_args(argv)
    dev = resolve_device(args)
    cfg = GPT2Config(args.d_model, args.heads, args.d_ff)
    T, F = args.seq, cfg.frac
    rng = np.random.default_rng(args.seed)

    def build():
        g = Graph("gpt2-block")
        x = g.input("x", (T, cfg.d_model))
        g.set_kind(gpt2_block(g, x, cfg, "h0"), "public")
        return g

    ins = {"x": quantize(rng.standard_normal((T, cfg.d_model)), F)}
    for k, s in cfg.weight_shapes().items():
        if k.endswith(".g"):
            ins[f"h0.{k}"] = quantize(np.ones(s), 8)
        elif k.startswith("ln"):
            ins[f"h0.{k}"] = np.zeros(s, dtype=np.int64)
        elif k.startswith("b"):
            ins[f"h0.{k}"] = np.zeros(s, dtype=np.int64)
        else:
            ins[f"h0.{k}"] = quantize(rng.normal(0, 0.02, s), F)
    g = build()
    t0 = time.perf_counter()
    wit = g.forward(ins)
    t_fwd = time.perf_counter() - t0
    model = {f"h0.{k}": commit_tensor(wit[f"h0.{k}"]) for k in cfg.weight_shapes()}
    tm: dict = {}
    st, proof = prove(g, wit, model, timings=tm)
    t1 = time.perf_counter()
    ok = True
    try:
        verify(build(), st, proof)
    except Exception as e:
        print(f"REJECTED: {type(e).__name__}: {e}")
        ok = False
    row = {"seq": T, "d_model": cfg.d_model, "heads": cfg.heads, "d_ff": cfg.d_ff,
           "prove_s": tm["prove_total_s"] - tm["commit_s"], "total_s": tm["prove_total_s"],
           "commit_s": tm["commit_s"], "backward_s": tm["backward_s"], "lookups_s": tm.get("lookups_s", 0.0),
           "openings_s": tm["openings_s"], "verify_s": time.perf_counter() - t1, "proof_bytes": len(proof),
           "forward_s": t_fwd, "verified": ok}
    print_table([row], ["seq", "d_model", "heads", "d_ff", "prove_s", "total_s", "verify_s", "proof_bytes"])
    print_table([row], ["commit_s", "backward_s", "lookups_s", "openings_s", "forward_s", "verified"])
    write_json(args.json, {"benchmark": "layer_bm", "machine": machine_info(dev), "results": [row]})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
