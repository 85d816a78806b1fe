"""Lookup (LogUp) benchmark with zkLLM's CLI: tlookup_bm.py NUM DIM LOW LEN.

NUM instances of DIM random inputs in [LOW, LOW + LEN) looked up in the range table
[LOW, LOW + LEN), proved together (zkproof.tlookup: multiplicities by a native
histogram, committed with Hyrax; GKR fraction trees; an opening of m).

Reported, separately:
  prove_s   zkLLM's figure: multiplicities, fraction trees, their sumchecks and the
            openings (excluding data generation and the commitments);
  commit_s  committing m (and, with --commit-input, the inputs);
  total_s   the whole cost: commit_s + prove_s + verify_s;
  verify_s  the verifier on the proof file's bytes (decoding included);
  floor_s   the arithmetic floor of prove_s's field work: the prover's Fr
            multiplications (counted from the protocol's sizes, tlookup.prover_muls)
            x the measured ns per multiply (one core-saturating fr_mul pass); it
            excludes the histogram, additions, memory traffic and the group work of
            the opening.
Without --commit-input the inputs are not committed (as in zkLLM, where the layer
that produced them commits them) and the verifier's claim on them is checked against
the tensor, labelled "input claim checked against the tensor". With --commit-input
the statement carries the inputs' commitment and the proof opens it.

Memory. The inputs are generated and held as small integers (int16/int32). When the
unstreamed prover's field tensors would exceed --mem-limit (default: the device's
memory), or with --stream, the streamed prover (zkproof.lookup.streaming) proves the
same statement with the same proof bytes within the limit; a request that cannot fit
even streamed fails at once (exit status 2) with a message naming the sizes and the
limit. Reported: streamed, K (input-tree layers held as field elements), peak_rss (the
process's peak resident memory, CPU runs) and ns_per_elem (prove_s per input).
Exit status 1 if the proof does not verify.
"""
from __future__ import annotations

import sys

import numpy as np

from common import (Timer, base_parser, budget_exit, machine_info, mem_limit, peak_rss_bytes, print_table,
                    resolve_device, write_json)

from zkproof import FrTensor, VerificationError, _native, proof_file
from zkproof.commit import hyrax
from zkproof.lookup import streaming, tlookup
from zkproof.stream import MemoryBudgetError, fmt_bytes, int_dtype
from zkproof.claims import check_claims
from zkproof.field.device import synchronize
from zkproof.lookup.tables import Table


def zkproof_xp(dev):
    from zkproof.field.device import xp

    return xp(dev)


def ns_per_mul(device: str, n: int = 1 << 20) -> float:
    import time

    a = FrTensor.random(n, seed=1, device=device)
    b = FrTensor.random(n, seed=2, device=device)
    o = FrTensor.empty(n, device)
    _native.fr_mul(o.data, a.data, b.data)
    best = float("inf")
    for _ in range(5):
        synchronize(device)
        t = time.perf_counter()
        _native.fr_mul(o.data, a.data, b.data)
        synchronize(device)
        best = min(best, time.perf_counter() - t)
    return best / n * 1e9


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("num", type=int, help="NUM: number of instances")
    p.add_argument("dim", type=int, help="DIM: inputs per instance")
    p.add_argument("low", type=int, help="LOW: the table is [LOW, LOW + LEN)")
    p.add_argument("len", type=int, help="LEN: table length")
    p.add_argument("--proof-out", metavar="FILE", help="write the proof file (python -m zkproof verify FILE)")
    p.add_argument("--repeat", type=int, default=1, help="timed prover runs, best reported (default 1)")
    p.add_argument("--commit-input", action="store_true", help="commit the inputs and open them in the proof")
    p.add_argument("--gen-dim", type=int, default=None, help="Hyrax row length for m (default about sqrt(LEN))")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stream", action="store_true", help="use the streamed prover even when the unstreamed one fits")
    mode.add_argument("--no-stream", action="store_true", help="never stream (fail at once when it does not fit)")
    p.add_argument("--stored-layers", type=int, default=None, metavar="K",
                   help="streamed prover: hold input-tree layers 0..K only (default: the most the limit allows; "
                        "smaller K rehearses zkLLM-size streaming at small sizes)")
    args = p.parse_args(argv)
    if args.num < 1 or args.dim < 1 or args.len < 1:
        p.error("NUM, DIM and LEN must be >= 1")
    dev = resolve_device(args)
    num, dim, low, length = args.num, args.dim, args.low, args.len
    limit = mem_limit(args, dev)

    # Decide before generating anything: unstreamed if it fits (and not --stream), else
    # streamed if that fits, else fail at once naming the sizes and the limit.
    need_full = streaming.unstreamed_bytes(num, dim, length) + (num * dim * 32 if args.commit_input else 0)
    streamed = args.stream or args.stored_layers is not None or need_full > limit
    try:
        if streamed and args.no_stream:
            raise MemoryBudgetError(
                f"tlookup (unstreamed) with NUM={num}, DIM={dim}, a table of {length} needs about "
                f"{fmt_bytes(need_full)} but the memory limit is {fmt_bytes(limit)}; drop --no-stream to stream")
        if streamed and args.commit_input:
            raise MemoryBudgetError(
                f"--commit-input is not streamed: NUM={num}, DIM={dim} needs about {fmt_bytes(need_full)} "
                f"unstreamed, the memory limit is {fmt_bytes(limit)}")
        plan = streaming.plan(num, dim, low, length, limit, dev, K=args.stored_layers) if streamed else None
    except MemoryBudgetError as e:
        return budget_exit(e)

    rng = np.random.default_rng(args.seed)
    dt = int_dtype(low, low + length - 1)
    mod = np if dev == "cpu" else zkproof_xp(dev)
    x_int = mod.asarray(rng.integers(low, low + length, size=num * dim, dtype=dt))
    x = None if streamed else FrTensor.from_ints(x_int, dev)
    table = Table.range(low, length)
    gen_dim = args.gen_dim or tlookup.default_gen_dim(length)
    hyrax.row_generators(gen_dim)  # derive (and cache) the generators outside the timings
    hyrax.ipa_generator()

    commit_in = 0.0
    coms = ()
    if args.commit_input:
        g_in = tlookup.default_gen_dim(num << max(0, (dim - 1).bit_length()))
        hyrax.row_generators(g_in)
        with Timer(dev) as tc:
            coms = tlookup.commit_inputs(x, None, num, dim, g_in)
        commit_in = tc.seconds
    st0 = tlookup.make_statement(table, num, dim, gen_dim, coms)

    def run():
        tm = {}
        with Timer(dev) as t:
            if streamed:
                st, proof = streaming.prove(tlookup.transcript_for_file(), table, x_int, num, limit, dev,
                                            statement=st0, timings=tm, plan_=plan)
            else:
                st, proof = tlookup.prove(tlookup.transcript_for_file(), table, x, num=num, statement=st0,
                                          timings=tm)
        return t.seconds, tm, st, proof

    best = None
    for _ in range(max(1, args.repeat)):
        res = run()
        if best is None or res[0] < best[0]:
            best = res
    whole, tm, st, proof = best
    stmt, body = st.to_bytes(), proof.to_bytes()
    data = proof_file.encode(tlookup.PROTOCOL_ID, stmt, body)

    verified, reason, claims = True, "", []
    with Timer("cpu") as tv:
        try:
            _, claims = proof_file.verify_bytes(data)
        except VerificationError as e:
            verified, reason = False, str(e)
    note = "inputs opened against their commitment" if args.commit_input else ""
    if verified and claims:
        try:
            if streamed:
                for c in claims:
                    if c.name != "x" or streaming.input_claim(x_int, num, dim, c.point, plan.chunk, dev) != c.value:
                        raise VerificationError(f"claim on {c.name!r} does not match the inputs")
            else:
                check_claims(claims, {"x": tlookup.layout(x, num, dim)})
            note = "input claim checked against the tensor (inputs not committed)"
        except VerificationError as e:
            verified, reason = False, f"claim check: {e}"
    if args.proof_out:
        proof_file.write(args.proof_out, tlookup.PROTOCOL_ID, stmt, body)
        print(f"wrote {args.proof_out}")

    ns = ns_per_mul(dev, min(1 << 20, plan.chunk) if streamed else 1 << 20)  # within the budget
    muls = tlookup.prover_muls(st)
    prove_s = whole - tm["commit_s"]
    commit_s = tm["commit_s"] + commit_in
    row = {
        "num": num, "dims": [dim], "low": low, "len": length, "device": dev,
        "prove_s": prove_s, "commit_s": commit_s, "verify_s": tv.seconds,
        "total_s": prove_s + commit_s + tv.seconds, "floor_s": muls * ns * 1e-9,
        "open_s": tm["open_s"], "proof_bytes": len(body), "file_bytes": len(data),
        "muls": muls, "ns_per_mul": ns, "gen_dim": gen_dim, "commit_input": args.commit_input,
        "verified": verified, "streamed": streamed, "K": plan.K if streamed else None,
        "mem_limit": limit, "peak_rss": peak_rss_bytes() if dev == "cpu" else None,
        "ns_per_elem": prove_s / (num * dim) * 1e9,
    }
    print_table([row], ["num", "dims", "low", "len", "device", "streamed", "prove_s", "floor_s", "commit_s", "total_s",
                        "verify_s", "proof_bytes", "ns_per_elem", "verified"])
    if dev == "cpu":
        print(f"peak resident memory {fmt_bytes(row['peak_rss'])} (limit {fmt_bytes(limit)})")
    if note:
        print(note)
    write_json(args.json, {**row, "bench": "tlookup_bm", "machine": machine_info(dev)})
    if not verified:
        print(f"error: the proof did not verify: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
