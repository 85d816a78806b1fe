"""Proving within a memory budget: streamed tlookup gives the unstreamed proof's bytes,
streamed commitments equal hyrax.commit, budgets fail at once naming sizes and limit,
and a benchmark run under a limit stays within it (peak RSS via the resource module in
a subprocess)."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from zkproof import FrTensor, OutOfTableError
from zkproof.commit import hyrax
from zkproof.commit.streaming import commit_ints
from zkproof.lookup import streaming, tlookup
from zkproof.lookup.tables import Table
from zkproof.stream import MemoryBudgetError, fmt_bytes, int_dtype, parse_bytes

ROOT = Path(__file__).resolve().parent.parent
BIG = 1 << 40


def _inputs(num, dim, low, length, seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(low, low + length, size=num * dim, dtype=int_dtype(low, low + length - 1))


def _both(num, dim, low, length, K, cap, chunk, device="cpu"):
    x = _inputs(num, dim, low, length)
    table = Table.range(low, length)
    st0, pr0 = tlookup.prove(tlookup.transcript_for_file(), table, FrTensor.from_ints(x.astype(np.int64)), num=num)
    pl = dataclasses.replace(streaming.plan(num, dim, low, length, BIG, device, chunk=chunk, K=K), table_cap=cap)
    xs = x
    if device == "cuda":
        from zkproof.field.device import cupy

        xs = cupy().asarray(x)
    st1, pr1 = streaming.prove(tlookup.transcript_for_file(), table, xs, num, BIG, device, plan_=pl)
    return (st0, pr0), (st1, pr1), x


# num, dim, low, length, K (stored layers), table_cap (materialise at), chunk (leaves per pass)
CASES = [
    (4, 16, -8, 8, 3, 2, 16),       # streamed layers 3..5, tables materialised at 2 entries
    (4, 16, -8, 16, 4, 4, 16),
    (3, 10, 0, 5, 3, 1, 8),         # padding in both dimensions, every round streamed
    (8, 64, 5, 20, 5, 4, 64),
    (1, 256, 0, 7, 3, 8, 32),       # one instance
    (5, 7, 0, 4, 2, 1, 4),          # tiny chunks
    (16, 32, 0, 4, 2, 2, 1024),     # chunk larger than a layer
    (4, 64, -3, 6, 8, 1 << 20, 64),  # K = a: nothing streamed
]


@pytest.mark.parametrize("case", CASES)
def test_streamed_tlookup_is_byte_identical(case):
    (st0, pr0), (st1, pr1), _ = _both(*case)
    assert st1.to_bytes() == st0.to_bytes()
    assert pr1.to_bytes() == pr0.to_bytes()


def test_streamed_proof_verifies_and_input_claim_matches():
    num, dim, low, length = 6, 20, -4, 9
    (st0, pr0), (st1, pr1), x = _both(num, dim, low, length, 4, 2, 32)
    claims = tlookup.verify(tlookup.transcript_for_file(), st1, pr1.to_bytes()).remaining()
    assert [c.name for c in claims] == ["x"]
    c = claims[0]
    want = tlookup.layout(FrTensor.from_ints(x.astype(np.int64)), num, dim).evaluate(list(c.point))
    assert streaming.input_claim(x, num, dim, c.point, chunk=16) == want == c.value


def test_streamed_out_of_table_raises_before_proving():
    x = _inputs(4, 16, 0, 8).astype(np.int32)
    x[37] = 8
    x[50] = -1
    with pytest.raises(OutOfTableError, match=r"2 input values are not in the range \[0, 8\); the first is inputs\[37\] = 8"):
        streaming.prove(tlookup.transcript_for_file(), Table.range(0, 8), x, 4, BIG)


def test_streamed_rejects_what_it_does_not_stream():
    x = _inputs(2, 8, 0, 4)
    with pytest.raises(ValueError, match="range tables without a mapping"):
        streaming.prove(tlookup.transcript_for_file(), Table.tensor(FrTensor.from_ints([1, 2, 3])), x, 2, BIG)
    with pytest.raises(TypeError, match="integer array"):
        streaming.prove(tlookup.transcript_for_file(), Table.range(0, 4), x.astype(float), 2, BIG)


def test_budget_that_cannot_fit_fails_at_once_naming_sizes_and_limit():
    with pytest.raises(MemoryBudgetError) as e:
        streaming.plan(1600, 1 << 22, 0, 1 << 16, 1 << 30)
    msg = str(e.value)
    assert "NUM=1600" in msg and "DIM=4194304" in msg and "1073741824 bytes" in msg and "16-bit" in msg


def test_plan_streams_only_when_needed():
    assert not streaming.plan(4, 1024, 0, 256, 8 << 30).streamed
    pl = streaming.plan(64, 1 << 20, 0, 1 << 16, 1 << 30)
    assert pl.streamed and pl.b <= pl.K < pl.a and pl.need <= 1 << 30


def test_parse_and_format_bytes():
    assert parse_bytes("1GiB") == 1 << 30 and parse_bytes("512M") == 512 << 20 and parse_bytes("2GB") == 2 * 10**9
    assert parse_bytes(123) == 123 and fmt_bytes(3 << 30) == "3.00 GiB"
    for bad in ("", "1 parsec", "-1G", "0"):
        with pytest.raises(ValueError):
            parse_bytes(bad)


@pytest.mark.parametrize("D,g,lo,hi,limit", [
    (1000, 16, -50, 50, None), (1024, 32, 0, 9, None), (77, 8, -3, 3, 300 << 20),
    (4096, 64, -32768, 32767, 200 << 20), (5, 8, 1, 2, None), (64, 8, 0, 1, None)])
def test_commit_ints_equals_hyrax_commit(D, g, lo, hi, limit):
    x = np.random.default_rng(D).integers(lo, hi, size=D, dtype=np.int32)
    assert commit_ints(x, g, limit=limit) == hyrax.commit(FrTensor.from_ints(x.astype(np.int64)), g)


def test_commit_ints_budget_error():
    with pytest.raises(MemoryBudgetError, match="rows of 4096"):
        commit_ints(np.zeros(8192, dtype=np.int16), 4096, limit=1 << 20)


def _bench(tmp_path, name, *args):
    out = tmp_path / f"{name}.json"
    proof = tmp_path / f"{name}.proof"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "tlookup_bm.py"), *args, "-q", "--device", "cpu",
                        "--json", str(out), "--proof-out", str(proof)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(out.read_text()), proof.read_bytes()


def test_tlookup_bm_streams_within_a_memory_cap(tmp_path):
    """16 x 2^16 inputs: unstreamed needs about 430 MiB; with --mem-limit 300MiB the
    benchmark streams, its peak RSS (measured in the subprocess: VmHWM, the high-water
    mark of its own address space) stays under the limit, and the proof file is the
    unstreamed one, byte for byte."""
    limit = 300 << 20
    assert streaming.unstreamed_bytes(16, 1 << 16, 4096) > limit
    row, proof = _bench(tmp_path, "streamed", "16", "65536", "-100", "4096", "--mem-limit", str(limit))
    assert row["streamed"] and row["verified"] and row["K"] < 20
    assert row["peak_rss"] <= limit, f"peak {fmt_bytes(row['peak_rss'])} over the limit"
    row0, proof0 = _bench(tmp_path, "full", "16", "65536", "-100", "4096", "--no-stream")
    assert not row0["streamed"] and row0["verified"]
    assert proof == proof0


def test_tlookup_bm_fails_at_once_when_nothing_fits(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "tlookup_bm.py"), "1600", "4194304", "0", "65536",
                        "--device", "cpu", "--mem-limit", "1GiB"], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 2
    assert "NUM=1600" in r.stderr and "memory limit is 1.00 GiB" in r.stderr


@pytest.mark.cuda
@pytest.mark.parametrize("case", CASES[:4])
def test_cuda_streamed_tlookup_is_byte_identical(case):
    (st0, pr0), (st1, pr1), _ = _both(*case, device="cuda")
    assert pr1.to_bytes() == pr0.to_bytes()


@pytest.mark.cuda
def test_cuda_commit_ints_equals_cpu():
    from zkproof.field.device import cupy

    x = np.random.default_rng(3).integers(-1000, 1000, size=64 * 256 + 17, dtype=np.int32)
    assert commit_ints(cupy().asarray(x), 64, "cuda") == commit_ints(x, 64)


# ----------------------------------------------------------------------------- hadamard
from zkproof.demo import gaussian_ints  # noqa: E402
from zkproof.sumcheck import hadamard  # noqa: E402
from zkproof.sumcheck import streaming as hs  # noqa: E402


@pytest.mark.parametrize("num,dim,cap,chunk", [
    (1, 8, 2, 4), (4, 16, 8, 16), (3, 10, 1, 8), (5, 7, 4, 1024), (16, 64, 64, 128), (2, 2, 1, 1), (1, 1, 1, 4),
    (8, 32, 1 << 20, 64)])
def test_streamed_hadamard_is_byte_identical(num, dim, cap, chunk):
    rng = np.random.default_rng(num * 100 + dim)
    a, b = gaussian_ints(rng, num * dim), gaussian_ints(rng, num * dim)
    u = [int(x) for x in rng.integers(1, 2**60, size=hadamard.num_vars(num, dim))]
    st0, pr0, cl0 = hadamard.prove(hadamard.new_transcript(), FrTensor.from_ints(a), FrTensor.from_ints(b), num, dim, u)
    ap, bp = hs.padded_ints(a, num, dim), hs.padded_ints(b, num, dim)
    pl = hs.plan(num, dim, BIG, chunk=chunk, table_cap=cap)
    st1, pr1, cl1 = hs.prove(hadamard.new_transcript(), ap, bp, num, dim, u, plan_=pl)
    assert st1.to_bytes() == st0.to_bytes() and pr1.to_bytes() == pr0.to_bytes() and cl1 == cl0
    for c, t in zip(cl1, (ap, bp)):
        assert hs.mle_padded(t, c.point, chunk) == c.value


def test_streamed_hadamard_budget_error():
    with pytest.raises(MemoryBudgetError, match=r"NUM=1600, DIM=4194304 .* memory limit is 8.00 GiB"):
        hs.plan(1600, 1 << 22, 8 << 30)


def test_hadamard_bm_stream_equals_no_stream(tmp_path):
    files = []
    for mode in (["--stream", "--table-cap", "64"], ["--no-stream"]):
        f = tmp_path / f"h{len(files)}.proof"
        r = subprocess.run([sys.executable, str(ROOT / "bench" / "hadamard_bm.py"), "3", "1000", "-q", "--device",
                            "cpu", "--repeat", "1", "--proof-out", str(f), *mode], capture_output=True, text=True,
                           cwd=ROOT)
        assert r.returncode == 0, r.stdout + r.stderr
        files.append(f.read_bytes())
    assert files[0] == files[1]


@pytest.mark.cuda
def test_cuda_streamed_hadamard_is_byte_identical():
    from zkproof.field.device import cupy

    num, dim = 5, 100
    rng = np.random.default_rng(5)
    a, b = gaussian_ints(rng, num * dim), gaussian_ints(rng, num * dim)
    u = [int(x) for x in rng.integers(1, 2**60, size=hadamard.num_vars(num, dim))]
    st0, pr0, _ = hadamard.prove(hadamard.new_transcript(), FrTensor.from_ints(a), FrTensor.from_ints(b), num, dim, u)
    ap, bp = (cupy().asarray(hs.padded_ints(t, num, dim)) for t in (a, b))
    pl = hs.plan(num, dim, BIG, "cuda", chunk=64, table_cap=16)
    st1, pr1, _ = hs.prove(hadamard.new_transcript(), ap, bp, num, dim, u, device="cuda", plan_=pl)
    assert pr1.to_bytes() == pr0.to_bytes()
