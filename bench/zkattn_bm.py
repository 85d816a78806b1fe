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

--heads-per-proof N proves the LAYERS x HEADS instances N at a time, one proof (and
one statement) each, in sequence: the prover's memory is that of N heads (one 13B
layer's attention, 40 heads of 2048 x 2048 scores, does not fit 16 GiB in one graph:
its padded score tensor alone is 2^28 field elements, 8.6 GB, per copy). By default N is
the most instances whose estimated peak (SLOT_BYTES per padded score slot) fits
--mem-limit (default: the machine's memory); exit status 2 when not even one does.
Times, sizes and errors are then sums (maxima) over the proofs, and every proof is
verified.
"""
from __future__ import annotations

import resource
import sys
import time

import numpy as np

from common import base_parser, machine_info, mem_limit, print_table, resolve_device, write_json
from sumcheck_common import ns_per_mul as _ns_per_mul, sumcheck_floor_rows

from zkproof.nn import zkattn
from zkproof.nn.fixed_point import dequantize, quantize
from zkproof.commit import hyrax
from zkproof.nn import layout as L
from zkproof.nn.graph import default_gen_dim, prove, verify
from zkproof.sumcheck.core import MulCounter


def ns_per_mul() -> float:
    return _ns_per_mul("cpu")


# The prover's peak per padded score slot (H' T'^2, H' and T' the padded head count and
# length), measured with margin: 4 heads of 2048 x 2048 peaked at 8.9 GiB (550 B per
# slot), 1 head at 2.26 GiB (bench/RESULTS.md); BASE_BYTES for the rest of the process.
SLOT_BYTES = 640
BASE_BYTES = 1 << 29


def heads_that_fit(limit: int, H: int, T: int) -> int:
    """The most instances (at most H) one proof may hold within `limit` bytes (0: none)."""
    slots = (1 << (T - 1).bit_length()) ** 2
    fit = 0
    for n in range(1, H + 1):
        if BASE_BYTES + SLOT_BYTES * (1 << (n - 1).bit_length()) * slots > limit:
            break
        fit = n
    return fit


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("layers", type=int)
    p.add_argument("heads", type=int)
    p.add_argument("seq", type=int)
    p.add_argument("head_dim", type=int)
    p.add_argument("--preset", default="default", choices=sorted(zkattn.PRESETS))
    p.add_argument("--proof-out", metavar="FILE", help="write a proof file for `zkproof verify` "
                   "(with several proofs: FILE.0, FILE.1, ...)")
    p.add_argument("--heads-per-proof", type=int, default=0, metavar="N",
                   help="prove the instances N at a time, one proof each (default: as many as fit --mem-limit)")
    args = p.parse_args(argv)
    if min(args.layers, args.heads, args.seq, args.head_dim) < 1:
        p.error("all sizes must be >= 1")
    dev = resolve_device(args)
    if dev != "cpu":
        print("note: the nn graph runs its protocols on the CPU backend in this version")
    cfg = zkattn.PRESETS[args.preset]
    H, T, d = args.layers * args.heads, args.seq, args.head_dim
    if args.heads_per_proof < 0:
        p.error("--heads-per-proof must be >= 1")
    per = args.heads_per_proof
    if not per:
        limit = mem_limit(args, "cpu")
        per = heads_that_fit(limit, H, T)
        if not per:
            print(f"error: one instance of {T} x {T} scores needs about "
                  f"{(BASE_BYTES + SLOT_BYTES * (1 << (T - 1).bit_length()) ** 2) / 2**30:.1f} GiB but the "
                  f"memory limit is {limit / 2**30:.1f} GiB (--mem-limit)", file=sys.stderr)
            return 2
    rng = np.random.default_rng(args.seed)
    ins = {n: quantize(rng.standard_normal((H, T, d)), cfg.in_frac) for n in "qkv"}

    # public parameters (the Hyrax generators, derived by hashing to the curve and cached
    # per process), like zkLLM's ppgen: reported apart from the proof
    t0 = time.perf_counter()
    hyrax.row_generators(default_gen_dim(L.num_vars((min(per, H), T, T))))
    hyrax.ipa_generator()
    t_setup = time.perf_counter() - t0
    tm: dict = {}
    t_fwd = t_ver = 0.0
    proof_bytes, max_err, err_sum, ok = 0, 0.0, 0.0, True
    muls, records, files = 0, [], []
    chunks = [(a, min(H, a + per)) for a in range(0, H, per)]
    for i, (a, b) in enumerate(chunks):
        part = {n: x[a:b] for n, x in ins.items()}
        g = zkattn.attention_graph(b - a, T, d, cfg)
        t0 = time.perf_counter()
        wit = g.forward(part)
        t_fwd += time.perf_counter() - t0
        ref = zkattn.float_attention(part["q"], part["k"], part["v"], cfg)
        err = np.abs(dequantize(wit["o"], cfg.in_frac) - ref)
        max_err, err_sum = max(max_err, float(err.max())), err_sum + float(err.sum())
        del ref, err

        MulCounter.reset(record=True)
        part_tm: dict = {}
        st, proof = prove(g, wit, timings=part_tm)
        for k, v in part_tm.items():
            tm[k] = tm.get(k, 0.0) + v
        muls, records = muls + MulCounter.count, records + MulCounter.records
        MulCounter.reset()
        del wit
        t1 = time.perf_counter()
        try:
            verify(zkattn.attention_graph(b - a, T, d, cfg), st, proof)
        except Exception as e:  # report, exit 1
            print(f"REJECTED (instances {a}..{b - 1}): {type(e).__name__}: {e}")
            ok = False
        t_ver += time.perf_counter() - t1
        proof_bytes += len(proof)
        if args.proof_out:
            name = args.proof_out if len(chunks) == 1 else f"{args.proof_out}.{i}"
            data = zkattn.encode(b - a, T, d, cfg, st, proof)
            with open(name, "wb") as f:
                f.write(data)
            files.append((name, len(data)))
        del st, proof
    ns = ns_per_mul()
    floor = muls * ns * 1e-9
    matmul_s = tm.get("op_matmul_s", 0.0)
    ops_s = sum(v for k, v in tm.items() if k.startswith("op_")) - matmul_s
    row = {
        "instances": H, "seq": T, "head_dim": d, "preset": args.preset, "proofs": len(chunks),
        "prove_s": tm["prove_total_s"] - tm["commit_s"], "total_s": tm["prove_total_s"],
        "commit_s": tm["commit_s"], "matmuls_s": matmul_s, "other_ops_s": ops_s,
        "lookups_s": tm.get("lookups_s", 0.0), "openings_s": tm["openings_s"],
        "verify_s": t_ver, "proof_bytes": proof_bytes, "floor_s": floor, "forward_s": t_fwd, "setup_s": t_setup,
        "max_err": max_err, "mean_err": err_sum / (H * T * d),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
        "verified": ok,
    }
    print_table([row], ["instances", "seq", "head_dim", "proofs", "prove_s", "total_s", "verify_s", "proof_bytes",
                        "floor_s"])
    print_table([row], ["commit_s", "matmuls_s", "other_ops_s", "lookups_s", "openings_s", "forward_s", "setup_s",
                        "max_err", "mean_err", "peak_rss_gib"])
    per_sumcheck = sumcheck_floor_rows(records, ns, merge=len(chunks) > 1)
    print("core sumchecks (time vs their own floor" + (", summed over the proofs" if len(chunks) > 1 else "") + "):")
    print_table(per_sumcheck, ["sumcheck", "count", "time_s", "floor_s", "ratio"])
    row["sumchecks"] = per_sumcheck
    for name, size in files:
        print(f"wrote {name} ({size} bytes)")
    write_json(args.json, {"benchmark": "zkattn_bm", "machine": machine_info(dev), "results": [row]})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
