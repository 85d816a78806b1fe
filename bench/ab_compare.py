"""In-process before/after comparison of two checkouts of the zkproof package.

    python bench/ab_compare.py OLD_CHECKOUT NEW_CHECKOUT [--reps 7] [--keys tl_prove,com_verify]

Each checkout's `zkproof/` directory (with its built `_native` module) is copied into a
temporary directory as `zk_old` / `zk_new` and both are imported into one process; every
timed call of one side is followed (or preceded, alternately) by the same call of the
other, so both see the same machine load. That is what makes before/after rows
comparable on a shared, loaded machine, where separate runs of the benchmark scripts
differ by tens of percent. The work timed is that of the benchmark scripts' timed
sections: tlookup_bm 1 1048576 0 65536 (prove, verify), com_bm 4 65536 1024 (commit,
open, verify), matmul_bm 1 1024 1024 1024 and hadamard_bm 1 1048576 / 16 65536 (prove).
Prints min and median seconds per side and their ratios.
"""
import argparse
import importlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

def setup(z):
    """The timed calls of one package (the same inputs for both sides)."""
    from importlib import import_module as im
    P = z.__name__
    FrTensor = z.FrTensor
    tl = im(P + ".lookup.tlookup"); tables = im(P + ".lookup.tables"); H = im(P + ".commit.hyrax")
    mm = im(P + ".sumcheck.matmul"); had = im(P + ".sumcheck.hadamard"); T = z.Transcript
    rng = np.random.default_rng(0)
    R = z.R
    # tlookup 1 x 2^20 in [0, 65536)
    x = FrTensor.from_ints(rng.integers(0, 65536, size=1 << 20))
    table = tables.Table.range(0, 65536)
    st = tl.make_statement(table, 1, 1 << 20)
    H.row_generators(st.gen_dim); H.ipa_generator(); H.row_generators(1024)
    def tl_prove():
        return tl.prove(tl.transcript_for_file(), table, x, statement=st)
    s0, p0 = tl_prove()
    pb = p0.to_bytes()
    def tl_verify():
        tl.verify(tl.transcript_for_file(), s0, pb)
    # com 4 x 65536 @ 1024
    ts = [FrTensor.from_ints(np.random.default_rng([0, j]).integers(-2**15, 2**15, size=65536)) for j in range(4)]
    point = [int(v) % R for v in rng.integers(0, 2**62, size=16)]
    def com_commit():
        return [H.commit(t, 1024) for t in ts]
    coms = com_commit()
    def com_open():
        folds = [H.fold_rows(t, point, 1024) for t in ts]
        return H.open_folded(H.transcript_for_file(), folds, coms, point)
    vals, pf = com_open()
    pfb = pf.to_bytes()
    def com_verify():
        H.verify_batch(H.transcript_for_file(), coms, point, vals, pfb)
    # matmul 1024^3
    A = FrTensor.from_ints(rng.integers(-2**16, 2**16, size=1 << 20)); B = FrTensor.from_ints(rng.integers(-2**16, 2**16, size=1 << 20))
    u = [int(v) % R for v in rng.integers(0, 2**62, size=20)]
    def mm_prove():
        return mm.prove(mm.new_transcript(), A, B, 1, 1024, 1024, 1024, u, 12345)
    # hadamard 1 x 2^20 and 16 x 65536
    a = FrTensor.from_ints(rng.integers(-2**16, 2**16, size=1 << 20)); b = FrTensor.from_ints(rng.integers(-2**16, 2**16, size=1 << 20))
    def had1():
        return had.prove(had.new_transcript(), a, b, 1, 1 << 20, u, 7)
    def had16():
        return had.prove(had.new_transcript(), a, b, 16, 65536, u, 7)
    return dict(tl_prove=tl_prove, tl_verify=tl_verify, com_commit=com_commit, com_open=com_open,
                com_verify=com_verify, mm_prove=mm_prove, had1_prove=had1, had16_prove=had16)

def main():
    p = argparse.ArgumentParser(description="in-process before/after comparison of two zkproof checkouts")
    p.add_argument("old", help="checkout (directory holding zkproof/) before the change")
    p.add_argument("new", help="checkout after the change")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--keys", default=None, help="comma-separated subset of the timed calls")
    p.add_argument("--json", default=None)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zk_ab_"))
    mods = {}
    for tag, src in (("old", args.old), ("new", args.new)):
        shutil.copytree(Path(src) / "zkproof", tmp / f"zk_{tag}", ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(tmp))
    for tag in ("old", "new"):
        mods[tag] = importlib.import_module(f"zk_{tag}")
    fns = {tag: setup(m) for tag, m in mods.items()}
    keys = args.keys.split(",") if args.keys else list(fns["old"])
    res = {tag: {k: [] for k in keys} for tag in fns}
    for k in keys:
        for i in range(args.reps):
            for tag in (("old", "new") if i % 2 == 0 else ("new", "old")):
                t0 = time.perf_counter()
                fns[tag][k]()
                res[tag][k].append(time.perf_counter() - t0)
    for k in keys:
        o, n = res["old"][k], res["new"][k]
        print(f"{k:12s} before min {min(o):.4f} med {statistics.median(o):.4f} | after min {min(n):.4f} "
              f"med {statistics.median(n):.4f} | after/before min {min(n) / min(o):.3f} "
              f"med {statistics.median(n) / statistics.median(o):.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(res))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
