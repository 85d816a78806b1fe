"""com_bm.py NUM DIM GEN_DIM: commit NUM tensors of DIM small random integers (rows of
GEN_DIM, Hyrax) and open all of them at one random point with one batched proof.

zkLLM's figure for this benchmark is the opening (prove_s). We also print the commit
time, the verify time, the proof size and the whole cost (total_s = commit + open +
verify). Data generation and generator derivation are excluded. prove_s = fold_s (the
row folds, one pass over each tensor) + ipa_s (combination and the inner-product
argument). Tensors are generated one at a time from (seed, index), so memory holds one
tensor, the commitments and the folded rows, never all NUM tensors.

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

from common import Timer, base_parser, budget_exit, machine_info, mem_limit, print_table, resolve_device, write_json

from zkproof import FrTensor, R
from zkproof.commit import hyrax as H
from zkproof import proof_file
from zkproof.commit.g1 import msm
from zkproof.commit.streaming import commit_ints
from zkproof.field.device import xp
from zkproof.stream import FR_BYTES, RESERVE, MemoryBudgetError, require


def parse():
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("num", type=int, help="NUM: number of committed tensors")
    p.add_argument("dim", type=int, help="DIM: length of each tensor")
    p.add_argument("gen_dim", type=int, help="GEN_DIM: row length (power of two)")
    p.add_argument("--bits", type=int, default=16, help="entries are signed ints of this many bits (default 16)")
    p.add_argument("--hiding", action="store_true", help="hiding commitments and a zero-knowledge opening")
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
    lim = 1 << (args.bits - 1)
    limit = mem_limit(args, dev)
    rows = -(-dim // g)
    need = (RESERVE + dim * (8 + 8 + FR_BYTES)  # the integers, their int64 copy, the tensor folded
            + num * (rows * 96 + g * FR_BYTES)  # commitments and folded rows
            + (g + 1) * (FR_BYTES + 8 + 64))    # one row block of the commitment
    try:
        require("com_bm", f"NUM={num}, DIM={dim}, GEN_DIM={g}", need, limit)
    except MemoryBudgetError as e:
        return budget_exit(e)
    idt = np.int16 if args.bits <= 16 else np.int32 if args.bits <= 32 else np.int64

    def ints(j: int):
        # regenerated from (seed, j) when needed: one tensor in memory at a time, as in
        # zkLLM's benchmark, which loads each tensor from disk (on the GPU: generated there)
        if dev == "cuda":
            cp = xp("cuda")
            return cp.random.RandomState(args.seed * 1000003 + j).randint(-lim, lim, size=dim).astype(idt)
        rng = np.random.default_rng([args.seed, j])
        return rng.integers(-lim, lim, size=dim, dtype=idt)

    def tensor(j: int) -> FrTensor:
        return FrTensor.from_ints(ints(j), dev)

    prng = np.random.default_rng([args.seed, num])
    nvars = max(0, (dim - 1).bit_length())
    point = [int.from_bytes(prng.bytes(32), "little") % R for _ in range(nvars)]
    H.row_generators(g)  # derive (and cache) the generators outside the timings
    H.ipa_generator()
    H.blinding_generator()

    commit_s = fold_s = 0.0
    coms, blinds, folds = [], [], []
    for j in range(num):
        x = ints(j)  # data generation: not timed
        t = FrTensor.from_ints(x, dev) if args.hiding else None
        with Timer(dev) as tc:
            if args.hiding:
                c, b = H.commit_hiding(t, g)
            else:
                c, b = commit_ints(x, g, dev, limit), None
        commit_s += tc.seconds
        coms.append(c)
        blinds.append(b)
    for j in range(num):
        t = tensor(j)
        with Timer(dev) as tf:
            folds.append(H.fold_rows(t, point, g))
        fold_s += tf.seconds
        del t
    with Timer(dev) as tp:
        values, proof = H.open_folded(H.transcript_for_file(), folds, coms, point, blinds=blinds)
    prove_s = fold_s + tp.seconds
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
        proof_file.write(args.proof_out, H.PROTOCOL_ID, statement, proof_bytes)
        print(f"wrote {args.proof_out}")

    floor = None if args.no_floor else measure_floor(num, dim, g, dev)
    row = {
        "num": num,
        "dims": [dim],
        "gen_dim": g,
        "hiding": args.hiding,
        "device": dev,
        "commit_s": commit_s,
        "prove_s": prove_s,
        "fold_s": fold_s,
        "ipa_s": tp.seconds,
        "verify_s": tv.seconds,
        "total_s": commit_s + prove_s + tv.seconds,
        "floor_s": floor,
        "proof_bytes": len(proof_bytes),
        "commitment_bytes": sum(len(c.to_bytes()) for c in coms),
        "verified": verified,
    }
    print_table([row], ["num", "dims", "gen_dim", "hiding", "device", "commit_s", "prove_s", "fold_s", "ipa_s", "verify_s",
                        "total_s", "floor_s", "proof_bytes", "commitment_bytes", "verified"])
    write_json(args.json, {"benchmark": "com_bm", "args": vars(args), "machine": machine_info(dev), "result": row})
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
