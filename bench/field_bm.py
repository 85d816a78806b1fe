"""Field benchmark: the measured peak rate of our Fr multiply (DESIGN.md section 5).

    python bench/field_bm.py                      # 2^20 .. 2^24 elements, every available backend
    python bench/field_bm.py --sizes 20 22 --device cpu --threads 1 2 --json out.json

Rows, per backend (and per CPU thread count):
  mul    vector multiply out[i] = a[i] * b[i]  (n multiplications; memory-bound at large n)
  sqr    vector square   out[i] = a[i]^2
  add    vector add      out[i] = a[i] + b[i]
  pow    elementwise a[i]^(r-2) over --pow-elems elements: 256 squarings plus one multiply
         per set exponent bit, per element, on 64 bytes of traffic, so it is compute-bound;
         its ns/op is the per-multiply cost that memory bandwidth hides in the mul row.

Columns: best wall time of --repeat runs after one warm-up run (outputs preallocated, inputs
generated before timing, device synchronised); ops/s and ns/op from wall time; ns/op/core =
wall ns/op x threads (the cost of one operation on one core if the threads scale);
cpu ns/op = process CPU time / ops (all threads), which stays honest when other processes
share the cores (wall time then includes time spent descheduled). CPU thread counts run in
child processes with OMP_NUM_THREADS set, since OpenMP fixes its pool at start-up.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import base_parser, machine_info, print_table, write_json

import zkproof  # noqa: E402  (common puts the repository on sys.path)
from zkproof import FrTensor, R, _native  # noqa: E402
from zkproof.field.device import synchronize  # noqa: E402

POW_EXP = R - 2
POW_OPS_PER_ELEM = 256 + bin(POW_EXP).count("1")  # fr_pow scans all 256 exponent bits


def parse_size(text: str) -> int:
    """'20', '2^20' -> 2^20 (a bare number up to 63 is a power of two); '1000000' -> 1000000."""
    t = text.strip().replace("**", "^")
    if t.startswith("2^"):
        return 1 << int(t[2:])
    v = int(t)
    if v < 0:
        raise ValueError(f"size must be non-negative, got {text!r}")
    return 1 << v if v <= 63 else v


def timed(fn, device: str, repeat: int) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run) of fn() after one warm-up run."""
    fn()
    synchronize(device)
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        synchronize(device)
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        synchronize(device)
        w, c = time.perf_counter() - w0, time.process_time() - c0
        if w < best[0]:
            best = (w, c)
    return best


def row(device, threads, op, n, ops, wall, cpu):
    r = {
        "device": device,
        "threads": threads,
        "op": op,
        "n": n,
        "ops": ops,
        "best_s": wall,
        "Mops_per_s": ops / wall / 1e6,
        "ns_per_op": wall / ops * 1e9,
    }
    if device == "cpu":
        r["ns_per_op_core"] = wall / ops * 1e9 * threads
        r["cpu_ns_per_op"] = cpu / ops * 1e9
    return r


def run_device(device: str, sizes, pow_elems: int, repeat: int, seed: int, threads) -> list[dict]:
    rows = []
    for n in sizes:
        a = FrTensor.random(n, seed, device)
        b = FrTensor.random(n, seed + 1, device)
        out = FrTensor.empty(n, device)
        for op, fn in (
            ("mul", lambda: _native.fr_mul(out.data, a.data, b.data)),
            ("sqr", lambda: _native.fr_sqr(out.data, a.data)),
            ("add", lambda: _native.fr_add(out.data, a.data, b.data)),
        ):
            wall, cpu = timed(fn, device, repeat)
            rows.append(row(device, threads, op, n, n, wall, cpu))
        del a, b, out
    if pow_elems > 0:
        a = FrTensor.random(pow_elems, seed + 2, device)
        out = FrTensor.empty(pow_elems, device)
        wall, cpu = timed(lambda: _native.fr_pow(out.data, a.data, POW_EXP), device, repeat)
        rows.append(row(device, threads, "pow", pow_elems, pow_elems * POW_OPS_PER_ELEM, wall, cpu))
    return rows


def cpu_threads_default() -> int:
    env = os.environ.get("OMP_NUM_THREADS")
    if env and env.split(",")[0].isdigit():
        return int(env.split(",")[0])
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_cpu_threads(args, sizes, thread_counts) -> list[dict]:
    """Each thread count in a child process with OMP_NUM_THREADS set."""
    rows = []
    for t in thread_counts:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--device", "cpu", "--child",
                   "--repeat", str(args.repeat), "--pow-elems", str(args.pow_elems),
                   "--seed", str(args.seed), "--json", str(out), "--sizes", *[str(n) for n in sizes]]
            env = dict(os.environ, OMP_NUM_THREADS=str(t))
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            rows += json.loads(out.read_text())
    return rows


def main(argv=None):
    p = base_parser(__doc__.split("\n")[0])
    p.set_defaults(device=None)
    p.add_argument("--sizes", nargs="+", default=["20", "21", "22", "23", "24"],
                   help="element counts: a number up to 63 means 2^number (default 20..24)")
    p.add_argument("--threads", nargs="+", type=int, default=None,
                   help="CPU thread counts to measure (default: 1 and all available)")
    p.add_argument("--pow-elems", type=int, default=1 << 14,
                   help="elements for the compute-bound pow row (0 to skip)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per row (best is kept)")
    p.add_argument("--child", action="store_true", help=__import__("argparse").SUPPRESS)
    args = p.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes]
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.mem_limit is not None and not args.child:  # three tensors of the largest size
        from zkproof.stream import RESERVE, MemoryBudgetError, parse_bytes, require

        try:
            require("field_bm", f"tensors of {max(sizes)} elements", RESERVE + 3 * 32 * max(sizes),
                    parse_bytes(args.mem_limit))
        except MemoryBudgetError as e:
            sys.exit(f"error: {e}")

    if args.child:  # one CPU configuration, rows to --json, nothing printed
        rows = run_device("cpu", sizes, args.pow_elems, args.repeat, args.seed, cpu_threads_default())
        Path(args.json).write_text(json.dumps(rows))
        return

    if args.device is None:
        devices = ["cpu"] + (["cuda"] if zkproof.cuda_available() else [])
    else:
        devices = [args.device]
        if args.device == "cuda" and not zkproof.cuda_available():
            sys.exit("error: --device cuda but no CUDA GPU / CUDA build is available")

    rows = []
    for dev in devices:
        if dev == "cpu":
            counts = args.threads or sorted({1, cpu_threads_default()})
            if any(t < 1 for t in counts):
                p.error("--threads must be positive")
            rows += run_cpu_threads(args, sizes, counts)
        else:
            rows += run_device(dev, sizes, args.pow_elems, args.repeat, args.seed, "gpu")

    print(f"Fr (BLS12-381 scalar field) throughput; pow row: {POW_OPS_PER_ELEM} sqr+mul per element")
    print_table(rows, ["device", "threads", "op", "n", "best_s", "Mops_per_s", "ns_per_op",
                       "ns_per_op_core", "cpu_ns_per_op"])
    info = {dev: machine_info(dev) for dev in devices}
    write_json(args.json, {"benchmark": "field_bm", "machine": info, "rows": rows})


if __name__ == "__main__":
    main()
