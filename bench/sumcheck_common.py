"""Helpers shared by the sumcheck benchmarks (hadamard_bm.py, matmul_bm.py)."""
from __future__ import annotations

import time

import numpy as np

import common  # noqa: F401  (puts the checkout on sys.path)
from zkproof import FrTensor, _native
from zkproof.device import synchronize
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


def gaussian_ints(rng, shape) -> np.ndarray:
    """zkLLM's benchmark inputs: N(0, 1) * 2^16, rounded to integers."""
    return np.rint(rng.standard_normal(shape) * (1 << 16)).astype(np.int64)


def statement_point(label: str, seed: int, n: int) -> list[int]:
    """The claim point u of the benchmark statement (hash-derived from the seed; in a
    pipeline it is the challenge of the protocol that consumes this one's output)."""
    t = Transcript("zkproof/bench/point")
    t.absorb(label, seed.to_bytes(8, "little", signed=True))
    return t.challenges("u", n)
