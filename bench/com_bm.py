"""com_bm.py NUM DIM GEN_DIM: commit NUM tensors of DIM small random integers (rows of
GEN_DIM, Hyrax) and open all of them at one random point with one batched proof.

zkLLM's figure for this benchmark is the opening (prove_s). We also print the commit
time, the verify time, the proof size and the whole cost (total_s = commit + open +
verify). Data generation and generator derivation are excluded.

floor_s, a lower bound on the opening from measured primitive rates:
    NUM * DIM * t_mul       every element enters the row fold (>= 1 Fr multiply each;
                            t_mul = per-element time of a large FrTensor multiply)
  + 2 * t_msm(GEN_DIM / 2)  the IPA's L and R terms need at least GEN_DIM - 1
                            full-scalar point products each (sum over the rounds),
                            no cheaper than one MSM of size GEN_DIM / 2 per side
                            (measured with random full-size scalars).
"""
from __future__ import annotations

import sys
import time

import numpy as np

from common import Timer, base_parser, machine_info, print_table, resolve_device, write_json

from zkproof import FrTensor, R
from zkproof import commit as H
from zkproof.g1 import msm
from zkproof.wire import Envelope


def parse():
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("num", type=int, help="NUM: number of committed tensors")
    p.add_argument("dim", type=int, help="DIM: length of each tensor")
    p.add_argument("gen_dim", type=int, help="GEN_DIM: row length (power of two)")
    p.add_argument("--bits", type=int, default=16, help="entries are signed ints of this many bits (default 16)")
    p.add_argument("--proof-out", metavar="FILE", help="write the proof file (verify with python -m zkproof verify FILE)")
    p.add_argument("--no-floor", action="store_true", help="skip measuring the floor")
    args = p.parse_args()
    if args.num < 1 or args.dim < 1:
        p.error("NUM and DIM must be >= 1")
    if args.gen_dim < 1 or args.gen_dim & (args.gen_dim - 1):
        p.error("GEN_DIM must be a power of two")
    if not 1 <= args.bits <= 62:
        p.error("--bits must be in 1..62")
    return args


def measure_floor(num: int, dim: int, gen_dim: int, device: str) -> float:
    n = min(1 << 20, max(1 << 14, num * dim))
    a = FrTensor.random(n, seed=1, device=device)
    b = FrTensor.random(n, seed=2, device=device)
    _ = a * b
    with Timer(device) as t:
        _ = a * b
    t_mul = t.seconds / n
    half = max(1, gen_dim // 2)
    gens = H.row_generators(gen_dim)[:half]
    s = FrTensor.random(half, seed=3)
    msm(s, gens)
    t0 = time.perf_counter()
    msm(s, gens)
    t_msm = time.perf_counter() - t0
    return num * dim * t_mul + (2 * t_msm if gen_dim > 1 else 0.0)


def main():
    args = parse()
    dev = resolve_device(args)
    num, dim, g = args.num, args.dim, args.gen_dim
    rng = np.random.default_rng(args.seed)
    lim = 1 << (args.bits - 1)
    tensors = [FrTensor.from_ints(rng.integers(-lim, lim, size=dim, dtype=np.int64), dev) for _ in range(num)]
    nvars = max(0, (dim - 1).bit_length())
    point = [int.from_bytes(rng.bytes(32), "little") % R for _ in range(nvars)]
    H.row_generators(g)  # derive (and cache) the generators outside the timings
    H.ipa_generator()

    with Timer(dev) as tc:
        coms = [H.commit(t, g) for t in tensors]
    with Timer(dev) as tp:
        values, proof = H.open_batch(H.transcript_for_file(), tensors, coms, point)
    proof_bytes = proof.to_bytes()
    with Timer("cpu") as tv:
        try:
            H.verify_batch(H.transcript_for_file(), coms, point, values, proof_bytes)
            verified = True
        except Exception as e:  # report, do not hide
            print(f"verification FAILED: {type(e).__name__}: {e}", file=sys.stderr)
            verified = False

    statement = H.OpeningStatement(tuple(coms), tuple(point), tuple(values)).to_bytes()
    if args.proof_out:
        with open(args.proof_out, "wb") as f:
            f.write(Envelope(H.PROTOCOL_ID, statement, proof_bytes).to_bytes())
        print(f"wrote {args.proof_out}")

    floor = None if args.no_floor else measure_floor(num, dim, g, dev)
    row = {
        "num": num,
        "dims": [dim],
        "gen_dim": g,
        "device": dev,
        "commit_s": tc.seconds,
        "prove_s": tp.seconds,
        "verify_s": tv.seconds,
        "total_s": tc.seconds + tp.seconds + tv.seconds,
        "floor_s": floor,
        "proof_bytes": len(proof_bytes),
        "commitment_bytes": sum(len(c.to_bytes()) for c in coms),
        "verified": verified,
    }
    print_table([row], ["num", "dims", "gen_dim", "device", "commit_s", "prove_s", "verify_s",
                        "total_s", "floor_s", "proof_bytes", "commitment_bytes", "verified"])
    write_json(args.json, {"benchmark": "com_bm", "args": vars(args), "machine": machine_info(dev), "result": row})
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
