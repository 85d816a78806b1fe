"""MSM benchmark: zkproof.msm at 2^min-log .. 2^max-log points, full-width and
16-bit scalars, side by side with py-arkworks-bls12381 (when installed, CPU runs).

    python bench/msm_bm.py [--min-log 10] [--max-log 18] [--repeat 3] [--no-arkworks] [--json FILE]
                           [--device cuda] [--mem-limit BYTES]

With --device cuda the CUDA bucket MSM runs on scalars already on the GPU, and every
result is compared with the CPU MSM's (exit status 1 on a difference).

Times exclude generating points and scalars and converting them to either library's
format (best of --repeat runs after one warm-up). `ratio` = arkworks time / ours (> 1: we
are faster); `full/16` = our full-scalar time / our 16-bit time.
"""
from __future__ import annotations

import random
import time

import sys

from common import base_parser, best_of, budget_exit, machine_info, mem_limit, print_table, resolve_device, write_json

from zkproof import FrTensor, R, generators, msm
from zkproof.stream import RESERVE, MemoryBudgetError, require


def main():
    p = base_parser(__doc__.split("\n\n")[0])
    p.add_argument("--min-log", type=int, default=10)
    p.add_argument("--max-log", type=int, default=18)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-arkworks", action="store_true", help="skip the arkworks comparison")
    args = p.parse_args()
    dev = resolve_device(args)
    try:  # points (96 B), two scalar tensors (32 B each), the GPU MSM's sort scratch (16 B per entry)
        require("msm_bm", f"2^{args.max_log} points", RESERVE + ((96 + 64 + 16 * 16) << args.max_log),
                mem_limit(args, dev))
    except MemoryBudgetError as e:
        return budget_exit(e)

    ark = None
    if not args.no_arkworks and dev == "cpu":
        try:
            import py_arkworks_bls12381 as ark
        except ImportError:
            print("py-arkworks-bls12381 not installed: ours only")

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    pts_all = generators(1 << args.max_log, "bench/msm_bm")
    print(f"generators(2^{args.max_log}): {time.perf_counter() - t0:.2f} s (cached afterwards)")
    rows = []
    for lg in range(args.min_log, args.max_log + 1):
        n = 1 << lg
        pts = pts_all[:n]
        full = [rng.randrange(R) for _ in range(n)]
        small = [rng.randrange(1 << 16) for _ in range(n)]
        Sf, Ss = FrTensor.from_ints(full), FrTensor.from_ints(small)
        reps = args.repeat if n <= (1 << 16) else max(1, args.repeat - 1)
        if dev == "cuda":
            want_f, want_s = msm(Sf, pts), msm(Ss, pts)
            Sf, Ss = Sf.to("cuda"), Ss.to("cuda")
            if msm(Sf, pts) != want_f or msm(Ss, pts) != want_s:
                print(f"error: the CUDA MSM differs from the CPU MSM at n = 2^{lg}", file=sys.stderr)
                return 1
        ours_f = best_of(lambda: msm(Sf, pts), repeat=reps, device=dev)
        ours_s = best_of(lambda: msm(Ss, pts), repeat=reps, device=dev)
        row = {"log_n": lg, "n": n, "ours_full_s": ours_f, "ours_16bit_s": ours_s,
               "full/16": ours_f / ours_s}
        if ark is not None and dev == "cpu":
            enc = pts.to_bytes()
            apts = [ark.G1Point.from_compressed_bytes(enc[48 * i : 48 * i + 48]) for i in range(n)]
            af = [ark.Scalar(s) for s in full]
            as_ = [ark.Scalar(s) for s in small]
            want = ark.G1Point.multiexp_unchecked(apts, af)
            assert bytes(want.to_compressed_bytes()) == msm(Sf, pts).to_bytes(), "MSM mismatch"
            ark_f = best_of(lambda: ark.G1Point.multiexp_unchecked(apts, af), repeat=reps)
            ark_s = best_of(lambda: ark.G1Point.multiexp_unchecked(apts, as_), repeat=reps)
            row.update({"ark_full_s": ark_f, "ark_16bit_s": ark_s,
                        "ratio_full": ark_f / ours_f, "ratio_16bit": ark_s / ours_s})
        rows.append(row)
        print_table([row], list(row))
    cols = ["log_n", "ours_full_s", "ark_full_s", "ratio_full", "ours_16bit_s", "ark_16bit_s",
            "ratio_16bit", "full/16"]
    print()
    print_table(rows, [c for c in cols if c in rows[0]])
    write_json(args.json, {"benchmark": "msm", "device": dev, "machine": machine_info(dev), "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
