"""Batched Hadamard-product proof benchmark with zkLLM's CLI: hadamard_bm.py NUM DIM.

NUM instances of c = a o b with DIM elements each, inputs Gaussian x 2^16 rounded (as
zkLLM makes them), one sumcheck for the whole batch (zkproof.hadamard). Reports the
prover time in zkLLM's sense (the sumcheck, excluding data generation and the claim
c(u), which is the statement), the verifier time, the proof size, and the arithmetic
floor (multiplications the prover performs x measured ns per multiply). Until
commitments exist, the verifier's remaining claims on a and b are checked against the
tensors. Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import sys

import numpy as np

from common import Timer, base_parser, machine_info, print_table, resolve_device, write_json
from sumcheck_common import add_proof_args, gaussian_ints, ns_per_mul, statement_point

from zkproof import FrTensor, VerificationError, hadamard, proof_file
from zkproof import sumcheck as sc
from zkproof.claims import check_claims


def main(argv=None) -> int:
    p = add_proof_args(base_parser(__doc__.splitlines()[0]))
    p.add_argument("num", type=int, help="number of instances (NUM)")
    p.add_argument("dim", type=int, help="elements per instance (DIM)")
    args = p.parse_args(argv)
    if args.num < 1 or args.dim < 1:
        p.error("NUM and DIM must be >= 1")
    dev = resolve_device(args)
    num, dim = args.num, args.dim

    ns = ns_per_mul(dev)
    rng = np.random.default_rng(args.seed)
    a_np, b_np = gaussian_ints(rng, num * dim), gaussian_ints(rng, num * dim)
    a, b = FrTensor.from_ints(a_np, dev), FrTensor.from_ints(b_np, dev)
    c = FrTensor.from_ints(a_np * b_np, dev)  # |a b| < 2^40: exact in int64
    u = statement_point("hadamard", args.seed, hadamard.num_vars(num, dim))
    y = hadamard.padded(c, num, dim).evaluate(u)

    def prove():
        return hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u, y)

    prove()  # warm-up
    best, result, count = float("inf"), None, 0
    for _ in range(max(1, args.repeat)):
        # re-measure next to each run: on a shared machine the floor and the prover
        # then see the same conditions (both keep their best)
        ns = min(ns, ns_per_mul(dev, repeat=1))
        sc.MulCounter.reset()
        with Timer(dev) as t:
            result = prove()
        count = sc.MulCounter.count
        best = min(best, t.seconds)
    st, proof, _ = result
    stmt, body = st.to_bytes(), proof.to_bytes()
    data = proof_file.encode(hadamard.PROTOCOL_ID, stmt, body)

    verified, reason = True, ""
    with Timer("cpu") as tv:
        try:
            _, claims = proof_file.verify_bytes(data)
        except VerificationError as e:
            verified, reason, claims = False, str(e), []
    if verified:
        try:
            check_claims(claims, {"a": hadamard.padded(a, num, dim), "b": hadamard.padded(b, num, dim)})
        except VerificationError as e:
            verified, reason = False, f"claim check: {e}"
    if args.proof_out:
        proof_file.write(args.proof_out, hadamard.PROTOCOL_ID, stmt, body)

    row = {
        "num": num, "dims": [dim], "device": dev, "prove_s": best, "verify_s": tv.seconds,
        "proof_bytes": len(body), "file_bytes": len(data), "floor_s": count * ns * 1e-9,
        "muls": count, "ns_per_mul": ns, "verified": verified,
    }
    row["prove_over_floor"] = best / row["floor_s"] if row["floor_s"] else None
    print_table([row], ["num", "dims", "device", "prove_s", "floor_s", "prove_over_floor", "verify_s",
                        "proof_bytes", "verified"])
    write_json(args.json, {**row, "bench": "hadamard_bm", "machine": machine_info(dev)})
    if not verified:
        print(f"error: the proof did not verify: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
