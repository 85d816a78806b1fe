"""Helpers shared by the sumcheck benchmarks (hadamard_bm.py, matmul_bm.py)."""
from __future__ import annotations

import time

import sys

from common import Timer, machine_info, print_table, write_json  # (also puts the checkout on sys.path)
from zkproof import FrTensor, VerificationError, _native, proof_file
from zkproof.sumcheck import core as sc
from zkproof.claims import check_claims
from zkproof.demo import gaussian_ints  # noqa: F401  (zkLLM's inputs, shared with the demo)
from zkproof.field.device import synchronize
from zkproof.transcript import Transcript


def add_proof_args(p):
    p.add_argument("--proof-out", metavar="FILE", help="write the proof file (python -m zkproof verify FILE)")
    p.add_argument("--repeat", type=int, default=3, help="timed prover runs (best is reported); default 3")
    return p


def ns_per_mul(device: str, n: int = 1 << 20, repeat: int = 3, passes: int = 4) -> float:
    """Measured ns per field multiplication (all threads / the whole GPU, as the prover
    runs): fr_mul over n elements, `passes` back-to-back passes per timing (a window
    comparable to the prover's large rounds, so a momentarily idle shared machine does
    not make the floor unrepresentative), best of `repeat` timings."""
    a = FrTensor.random(n, seed=1, device=device)
    b = FrTensor.random(n, seed=2, device=device)
    o = FrTensor.empty(n, device)
    _native.fr_mul(o.data, a.data, b.data)
    best = float("inf")
    for _ in range(repeat):
        synchronize(device)
        t = time.perf_counter()
        for _ in range(passes):
            _native.fr_mul(o.data, a.data, b.data)
        synchronize(device)
        best = min(best, (time.perf_counter() - t) / passes)
    return best / n * 1e9


def statement_point(label: str, seed: int, n: int) -> list[int]:
    """The claim point u of the benchmark statement (hash-derived from the seed; in a
    pipeline it is the challenge of the protocol that consumes this one's output)."""
    t = Transcript("zkproof/bench/point")
    t.absorb(label, seed.to_bytes(8, "little", signed=True))
    return t.challenges("u", n)


def run_and_report(args, dev: str, ns: float, protocol_id: str, prove, inputs: dict, dims: list,
                   bench: str, warmup: bool = True, extra: dict | None = None) -> int:
    """Time `prove()` (warm-up excluded, best of args.repeat, the ns/multiply floor
    re-measured beside each run), encode the proof file, verify it, check the verifier's
    claims against `inputs` (name -> tensor in the claims' padded layout), print the
    table, write --json / --proof-out. Returns the exit status (1 if not verified)."""
    if warmup:
        prove()  # warm-up
    best, result, count = float("inf"), None, 0
    for _ in range(max(1, args.repeat)):
        # on a shared machine the floor and the prover then see the same conditions
        ns = min(ns, ns_per_mul(dev, repeat=1))
        sc.MulCounter.reset()
        with Timer(dev) as t:
            result = prove()
        count = sc.MulCounter.count
        best = min(best, t.seconds)
    st, proof, _ = result
    stmt, body = st.to_bytes(), proof.to_bytes()
    data = proof_file.encode(protocol_id, stmt, body)

    verified, reason = True, ""
    with Timer("cpu") as tv:
        try:
            _, claims = proof_file.verify_bytes(data)
        except VerificationError as e:
            verified, reason, claims = False, str(e), []
    if verified:
        try:
            check_claims(claims, inputs)
        except VerificationError as e:
            verified, reason = False, f"claim check: {e}"
    if args.proof_out:
        proof_file.write(args.proof_out, protocol_id, stmt, body)

    row = {
        "num": args.num, "dims": dims, "device": dev, "prove_s": best, "verify_s": tv.seconds,
        "proof_bytes": len(body), "file_bytes": len(data), "floor_s": count * ns * 1e-9,
        "muls": count, "ns_per_mul": ns, "verified": verified,
    }
    row["prove_over_floor"] = best / row["floor_s"] if row["floor_s"] else None
    row.update(extra or {})
    print_table([row], ["num", "dims", "device", "prove_s", "floor_s", "prove_over_floor", "verify_s",
                        "proof_bytes", "verified"])
    write_json(args.json, {**row, "bench": bench, "machine": machine_info(dev)})
    if not verified:
        print(f"error: the proof did not verify: {reason}", file=sys.stderr)
        return 1
    return 0


def sumcheck_floor_rows(records, ns: float, min_vars: int = 12, merge: bool = False) -> list[dict]:
    """One row per core sumcheck of at least 2^min_vars entries (MulCounter records):
    its time, its own arithmetic floor (multiplications x ns) and the ratio, largest
    first; with merge, one row per shape (count: how many; times and floors summed).
    Smaller sumchecks are summed into one last row (their cost is per-round overhead,
    not arithmetic)."""
    rows, small = {}, [0, 0, 0.0]
    for i, r in enumerate(records):
        if r.num_vars < min_vars:
            small[0] += 1
            small[1] += r.muls
            small[2] += r.seconds
            continue
        label = f"2^{r.num_vars} x {r.tables} tables, degree {r.degree}"
        row = rows.setdefault(label if merge else i, {"sumcheck": label, "count": 0, "time_s": 0.0, "floor_s": 0.0})
        row["count"] += 1
        row["time_s"] += r.seconds
        row["floor_s"] += r.muls * ns * 1e-9
    rows = sorted(rows.values(), key=lambda row: -row["time_s"])
    for row in rows:
        row["ratio"] = row["time_s"] / row["floor_s"] if row["floor_s"] else 0.0
    if small[0]:
        floor = small[1] * ns * 1e-9
        rows.append({"sumcheck": f"{small[0]} smaller (< 2^{min_vars})", "count": small[0], "time_s": small[2],
                     "floor_s": floor, "ratio": small[2] / floor if floor else 0.0})
    return rows
