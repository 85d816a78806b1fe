"""Batched Hadamard-product proof benchmark with zkLLM's CLI: hadamard_bm.py NUM DIM.

NUM instances of c = a o b with DIM elements each, inputs Gaussian x 2^16 rounded (as
zkLLM makes them), one sumcheck for the whole batch (zkproof.hadamard). Reports the
prover time in zkLLM's sense (the sumcheck, excluding data generation and the claim
c(u), which is the statement), the verifier time, the proof size, and the arithmetic
floor (multiplications the prover performs x measured ns per multiply). The verifier's
remaining claims on the inputs are checked against the tensors (commitments and their
openings are measured by com_bm.py). Exit status 1 if the proof does not verify.

Memory: a and b are generated as int32 arrays in the padded layout. When the unstreamed
prover's field tensors would exceed --mem-limit (default: the device's memory), or with
--stream, the streamed prover (zkproof.sumcheck.streaming: same proof bytes) runs within
the limit; a request that cannot fit even streamed fails at once (exit status 2) naming
the sizes and the limit.
"""
from __future__ import annotations

import sys

import numpy as np

from common import base_parser, budget_exit, mem_limit, resolve_device
from sumcheck_common import add_proof_args, ns_per_mul, run_and_report, statement_point

from zkproof import FrTensor
from zkproof.field.device import xp
from zkproof.stream import MemoryBudgetError, fmt_bytes
from zkproof.sumcheck import hadamard
from zkproof.sumcheck import streaming as hs


def gaussian_padded(seed: int, num: int, dim: int, device: str):
    """zkLLM's inputs (N(0, 1) x 2^16, rounded) for a and b as int32 arrays in the padded
    layout, generated block by block of rows (on the GPU there)."""
    rows, cols = 1 << max(0, (num - 1).bit_length()), 1 << max(0, (dim - 1).bit_length())
    mod = xp(device)
    out = []
    per = max(1, (1 << 22) // dim)
    for which in range(2):
        pad = mod.zeros((rows, cols), dtype=np.int32)
        if device == "cuda":
            gen = mod.random.RandomState(seed * 2 + which)
        else:
            gen = np.random.default_rng([seed, which])
        for r0 in range(0, num, per):
            r1 = min(num, r0 + per)
            pad[r0:r1, :dim] = mod.rint(gen.standard_normal((r1 - r0, dim)) * (1 << 16)).astype(np.int32)
        out.append(pad.reshape(-1))
    return out


def main(argv=None) -> int:
    p = add_proof_args(base_parser(__doc__.splitlines()[0]))
    p.add_argument("num", type=int, help="number of instances (NUM)")
    p.add_argument("dim", type=int, help="elements per instance (DIM)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stream", action="store_true", help="use the streamed prover even when the unstreamed one fits")
    mode.add_argument("--no-stream", action="store_true", help="never stream (fail at once when it does not fit)")
    p.add_argument("--table-cap", type=int, default=None, metavar="N",
                   help="streamed prover: materialise the folded tables only at <= N entries (default: the most "
                        "the limit allows; a small N rehearses zkLLM-size streaming at small sizes)")
    args = p.parse_args(argv)
    if args.num < 1 or args.dim < 1:
        p.error("NUM and DIM must be >= 1")
    dev = resolve_device(args)
    num, dim = args.num, args.dim
    limit = mem_limit(args, dev)
    need_full = hs.unstreamed_bytes(num, dim)
    streamed = args.stream or args.table_cap is not None or need_full > limit
    try:
        if streamed and args.no_stream:
            raise MemoryBudgetError(f"hadamard_bm (unstreamed) with NUM={num}, DIM={dim} needs about "
                                    f"{fmt_bytes(need_full)} but the memory limit is {fmt_bytes(limit)}; "
                                    "drop --no-stream to stream")
        plan = hs.plan(num, dim, limit, dev, table_cap=args.table_cap) if streamed else None
    except MemoryBudgetError as e:
        return budget_exit(e)

    ns = ns_per_mul(dev)
    a_pad, b_pad = gaussian_padded(args.seed, num, dim, dev)
    u = statement_point("hadamard", args.seed, hadamard.num_vars(num, dim))
    if streamed:
        y = hs.claim(a_pad, b_pad, num, dim, u, plan.chunk, dev)

        def prove():
            return hs.prove(hadamard.new_transcript(), a_pad, b_pad, num, dim, u, y, limit, dev, plan)

        inputs = {"a": hs.PaddedInts(a_pad, plan.chunk, dev), "b": hs.PaddedInts(b_pad, plan.chunk, dev)}
    else:
        rows, cols = len(a_pad) // (1 << max(0, (dim - 1).bit_length())), 1 << max(0, (dim - 1).bit_length())
        a = FrTensor.from_ints(a_pad.reshape(rows, cols)[:num, :dim].reshape(-1).astype(np.int64), dev)
        b = FrTensor.from_ints(b_pad.reshape(rows, cols)[:num, :dim].reshape(-1).astype(np.int64), dev)
        y = hadamard.claim_on_c(a, b, num, dim, u)

        def prove():
            return hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u, y)

        inputs = {"a": hadamard.padded(a, num, dim), "b": hadamard.padded(b, num, dim)}
    return run_and_report(args, dev, ns, hadamard.PROTOCOL_ID, prove, inputs, [dim], "hadamard_bm",
                          warmup=not streamed, extra={"streamed": streamed, "mem_limit": limit,
                                                      "table_cap": plan.table_cap if streamed else None})


if __name__ == "__main__":
    sys.exit(main())
