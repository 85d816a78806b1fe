"""zkAttn benchmark: zkattn_bm.py LAYERS HEADS SEQ HEAD_DIM (e.g. 40 40 2048 128 for
LLaMA-2-13B, 1 12 128 64 for one GPT-2 layer).

Q, K, V drawn like real activations (N(0, 1) per entry, quantised at 2^in_frac), all
LAYERS x HEADS heads in one graph (the instance index in the top variables), every step
proven (zkproof.nn.zkattn). Prints the prover time in zkLLM's sense (the backward pass,
lookups and openings: everything after the commitments), the whole time (commitments
included), the split (matmuls, lookups, commitments, openings, other ops), the verify
time, the proof size, the public parameters' setup (setup_s: deriving the Hyrax
generators, once per process, apart from the proof as zkLLM's ppgen), the arithmetic
floor of the sumchecks (field multiplications the sumcheck core performs x measured ns
per multiply; lookups' and openings' own work is not in it) and each sumcheck against
its own floor, and the attention output's maximum and mean error against float softmax
attention. Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import resource
import sys
import time

import numpy as np

from common import base_parser, machine_info, print_table, resolve_device, write_json
from sumcheck_common import ns_per_mul as _ns_per_mul, sumcheck_floor_rows

from zkproof.nn import zkattn
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.commit import hyrax
from zkproof.nn import layout as L
from zkproof.nn.graph import default_gen_dim, prove, verify
from zkproof.sumcheck.core import MulCounter


def ns_per_mul() -> float:
    return _ns_per_mul("cpu")


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("layers", type=int)
    p.add_argument("heads", type=int)
    p.add_argument("seq", type=int)
    p.add_argument("head_dim", type=int)
    p.add_argument("--preset", default="default", choices=sorted(zkattn.PRESETS))
    p.add_argument("--proof-out", metavar="FILE", help="write a proof file for `zkproof verify`")
    args = p.parse_args(argv)
    if min(args.layers, args.heads, args.seq, args.head_dim) < 1:
        p.error("all sizes must be >= 1")
    dev = resolve_device(args)
    if dev != "cpu":
        print("note: the nn graph runs its protocols on the CPU backend in this version")
    cfg = zkattn.PRESETS[args.preset]
    H, T, d = args.layers * args.heads, args.seq, args.head_dim
    rng = np.random.default_rng(args.seed)
    ins = {n: quantize(rng.standard_normal((H, T, d)), cfg.in_frac) for n in "qkv"}

    g = zkattn.attention_graph(H, T, d, cfg)
    # public parameters (the Hyrax generators, derived by hashing to the curve and cached
    # per process), like zkLLM's ppgen: reported apart from the proof
    t0 = time.perf_counter()
    hyrax.row_generators(default_gen_dim(L.num_vars((H, T, T))))
    hyrax.ipa_generator()
    t_setup = time.perf_counter() - t0
    t0 = time.perf_counter()
    wit = g.forward(ins)
    t_fwd = time.perf_counter() - t0
    ref = zkattn.float_attention(ins["q"], ins["k"], ins["v"], cfg)
    err = np.abs(dequantize(wit["o"], cfg.in_frac) - ref)

    MulCounter.reset(record=True)
    tm: dict = {}
    st, proof = prove(g, wit, timings=tm)
    muls, records = MulCounter.count, MulCounter.records
    MulCounter.reset()
    t1 = time.perf_counter()
    ok = True
    try:
        verify(zkattn.attention_graph(H, T, d, cfg), st, proof)
    except Exception as e:  # report, exit 1
        print(f"REJECTED: {type(e).__name__}: {e}")
        ok = False
    t_ver = time.perf_counter() - t1
    ns = ns_per_mul()
    floor = muls * ns * 1e-9
    matmul_s = tm.get("op_matmul_s", 0.0)
    ops_s = sum(v for k, v in tm.items() if k.startswith("op_")) - matmul_s
    row = {
        "instances": H, "seq": T, "head_dim": d, "preset": args.preset,
        "prove_s": tm["prove_total_s"] - tm["commit_s"], "total_s": tm["prove_total_s"],
        "commit_s": tm["commit_s"], "matmuls_s": matmul_s, "other_ops_s": ops_s,
        "lookups_s": tm.get("lookups_s", 0.0), "openings_s": tm["openings_s"],
        "verify_s": t_ver, "proof_bytes": len(proof), "floor_s": floor, "forward_s": t_fwd, "setup_s": t_setup,
        "max_err": float(err.max()), "mean_err": float(err.mean()),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
        "verified": ok,
    }
    print_table([row], ["instances", "seq", "head_dim", "prove_s", "total_s", "verify_s", "proof_bytes", "floor_s"])
    print_table([row], ["commit_s", "matmuls_s", "other_ops_s", "lookups_s", "openings_s", "forward_s", "setup_s",
                        "max_err", "mean_err", "peak_rss_gib"])
    per_sumcheck = sumcheck_floor_rows(records, ns)
    print("core sumchecks (time vs their own floor):")
    print_table(per_sumcheck, ["sumcheck", "time_s", "floor_s", "ratio"])
    row["sumchecks"] = per_sumcheck
    if args.proof_out:
        data = zkattn.encode(H, T, d, cfg, st, proof)
        with open(args.proof_out, "wb") as f:
            f.write(data)
        print(f"wrote {args.proof_out} ({len(data)} bytes)")
    write_json(args.json, {"benchmark": "zkattn_bm", "machine": machine_info(dev), "results": [row]})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
