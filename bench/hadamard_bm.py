"""Batched Hadamard-product proof benchmark with zkLLM's CLI: hadamard_bm.py NUM DIM.

NUM instances of c = a o b with DIM elements each, inputs Gaussian x 2^16 rounded (as
zkLLM makes them), one sumcheck for the whole batch (zkproof.hadamard). Reports the
prover time in zkLLM's sense (the sumcheck, excluding data generation and the claim
c(u), which is the statement), the verifier time, the proof size, and the arithmetic
floor (multiplications the prover performs x measured ns per multiply). The verifier's
remaining claims on the inputs are checked against the tensors (commitments and their
openings are measured by com_bm.py). Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import sys

import numpy as np

from common import base_parser, budget_exit, mem_limit, resolve_device
from sumcheck_common import add_proof_args, gaussian_ints, ns_per_mul, run_and_report, statement_point

from zkproof import FrTensor
from zkproof.stream import FR_BYTES, RESERVE, MemoryBudgetError, require
from zkproof.sumcheck import hadamard


def bytes_needed(num: int, dim: int) -> int:
    """Estimated peak: a, b, c as int64 and as field elements, and the prover's padded
    tables (a, b, the eq table and a fold buffer over 2^(num_vars) entries)."""
    return RESERVE + num * dim * (3 * 8 + 3 * FR_BYTES) + 4 * FR_BYTES * (1 << hadamard.num_vars(num, dim))


def main(argv=None) -> int:
    p = add_proof_args(base_parser(__doc__.splitlines()[0]))
    p.add_argument("num", type=int, help="number of instances (NUM)")
    p.add_argument("dim", type=int, help="elements per instance (DIM)")
    args = p.parse_args(argv)
    if args.num < 1 or args.dim < 1:
        p.error("NUM and DIM must be >= 1")
    dev = resolve_device(args)
    num, dim = args.num, args.dim
    try:
        require("hadamard_bm (not streamed)", f"NUM={num}, DIM={dim}", bytes_needed(num, dim), mem_limit(args, dev))
    except MemoryBudgetError as e:
        return budget_exit(e)

    ns = ns_per_mul(dev)
    rng = np.random.default_rng(args.seed)
    a_np, b_np = gaussian_ints(rng, num * dim), gaussian_ints(rng, num * dim)
    a, b = FrTensor.from_ints(a_np, dev), FrTensor.from_ints(b_np, dev)
    c = FrTensor.from_ints(a_np * b_np, dev)  # |a b| < 2^40: exact in int64
    u = statement_point("hadamard", args.seed, hadamard.num_vars(num, dim))
    y = hadamard.padded(c, num, dim).evaluate(u)

    def prove():
        return hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u, y)

    padded = {"a": hadamard.padded(a, num, dim), "b": hadamard.padded(b, num, dim)}
    return run_and_report(args, dev, ns, hadamard.PROTOCOL_ID, prove, padded, [dim], "hadamard_bm")


if __name__ == "__main__":
    sys.exit(main())
