"""Batched matrix-product proof benchmark with zkLLM's CLI: matmul_bm.py NUM DIM0 DIM1 DIM2.

NUM instances of C = A B with A of DIM0 x DIM1 and B of DIM1 x DIM2, inputs Gaussian x
2^16 rounded (as zkLLM makes them); one protocol run for the batch (zkproof.matmul:
batched partial evaluations, then one sumcheck over the inner dimension and the
batch). Reports the prover time in zkLLM's sense (partial evaluations + sumcheck,
excluding data generation, the product C and the claim C(u), which is the statement),
the verifier time, the proof size and the arithmetic floor (multiplications x measured
ns per multiply). The verifier's remaining claims on A and B are checked against the
tensors (commitments and openings are measured by com_bm.py). Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import sys

import numpy as np

from common import base_parser, budget_exit, mem_limit, resolve_device
from sumcheck_common import add_proof_args, gaussian_ints, ns_per_mul, run_and_report, statement_point

from zkproof import FrTensor
from zkproof.field.device import xp
from zkproof.stream import FR_BYTES, RESERVE, MemoryBudgetError, require
from zkproof.sumcheck import matmul


def bytes_needed(num: int, m: int, k: int, n: int) -> int:
    """Estimated peak: A, B, C as int64 and as field elements, the padded A and B the
    prover folds, and the claim's eq tables."""
    sizes = num * (m * k + k * n + m * n)
    return RESERVE + sizes * (8 + FR_BYTES) + 3 * FR_BYTES * num * (m * k + k * n)


def main(argv=None) -> int:
    p = add_proof_args(base_parser(__doc__.splitlines()[0]))
    p.add_argument("num", type=int, help="number of instances (NUM)")
    p.add_argument("dim0", type=int, help="rows of A (DIM0)")
    p.add_argument("dim1", type=int, help="columns of A = rows of B (DIM1)")
    p.add_argument("dim2", type=int, help="columns of B (DIM2)")
    args = p.parse_args(argv)
    num, m, k, n = args.num, args.dim0, args.dim1, args.dim2
    if min(num, m, k, n) < 1:
        p.error("NUM, DIM0, DIM1 and DIM2 must be >= 1")
    if k > 1 << 20:
        p.error("DIM1 above 2^20 would overflow the int64 reference product")
    dev = resolve_device(args)
    try:
        require("matmul_bm (not streamed)", f"NUM={num}, DIM0={m}, DIM1={k}, DIM2={n}", bytes_needed(num, m, k, n),
                mem_limit(args, dev))
    except MemoryBudgetError as e:
        return budget_exit(e)

    ns = ns_per_mul(dev)
    rng = np.random.default_rng(args.seed)
    A_np, B_np = gaussian_ints(rng, (num, m, k)), gaussian_ints(rng, (num, k, n))
    # |A B| < 2^21 * 2^21 * k: exact in int64 for k <= 2^20 (on the GPU there: NumPy's
    # integer matmul at 13B projection sizes takes minutes on a CPU)
    mod = xp(dev)
    C_np = mod.matmul(mod.asarray(A_np), mod.asarray(B_np))
    A, B = FrTensor.from_ints(A_np.reshape(-1), dev), FrTensor.from_ints(B_np.reshape(-1), dev)
    C = FrTensor.from_ints(C_np.reshape(-1), dev)
    del C_np
    c_vars = matmul.Statement(num, m, k, n, (), 0).c_vars
    u = statement_point("matmul", args.seed, c_vars)
    y = matmul.claim_on_c(C, num, m, n, u)

    def prove():
        return matmul.prove(matmul.new_transcript(), A, B, num, m, k, n, u, y)

    padded = {"A": matmul.padded_a(A, num, m, k), "B": matmul.padded_b(B, num, k, n)}
    return run_and_report(args, dev, ns, matmul.PROTOCOL_ID, prove, padded, [m, k, n], "matmul_bm")


if __name__ == "__main__":
    sys.exit(main())
