"""Proving the segments of an inference as Ray tasks (zkproof.nn.models.inference).

    data, info = prove(qm, mc, tokens, workers=2, address="auto")

The driver runs the forward pass, commits the hidden state at every cut between segments
and computes the statement hash (so every boundary commitment is fixed before any
challenge), then sends one task per segment (its stages' weights, the boundary tensor
entering it, the model commitment and the boundary commitments) to Ray workers, which
prove independently; the driver gathers the segment proofs into one file, the same format
the single-machine prover writes, verified by the same `inference.verify`.

`address`: "auto" connects to a running cluster (RAY_ADDRESS or `ray start`) and, when
there is none, starts a local one on this machine (loopback, no dashboard) that `shutdown()`
stops; "local" always starts a local one; anything else is a cluster address. Workers get
this checkout on their PYTHONPATH (so an uninstalled worktree works on a local cluster) and
OMP_NUM_THREADS = cores / workers so that parallel tasks do not oversubscribe the CPU.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from .models import inference

log = logging.getLogger(__name__)

_started_here = False


def _package_root() -> str:
    return str(Path(__file__).resolve().parent.parent.parent)


def init(address: str = "auto", num_cpus: int | None = None) -> None:
    """Connect to (or start) a Ray cluster once per process."""
    global _started_here
    import ray

    if ray.is_initialized():
        return
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))}}
    if address == "auto":
        try:
            ray.init(address="auto", runtime_env=env, log_to_driver=False)
            return
        except (ConnectionError, RuntimeError):
            address = "local"
    if address == "local":
        ray.init(address="local", num_cpus=num_cpus or os.cpu_count(), include_dashboard=False,
                 _node_ip_address="127.0.0.1", runtime_env=env, log_to_driver=False)
        _started_here = True
    else:
        ray.init(address=address, runtime_env=env, log_to_driver=False)


def shutdown() -> None:
    """Stop the Ray connection (and the local cluster if this process started it)."""
    global _started_here
    import ray

    if ray.is_initialized():
        ray.shutdown()
    _started_here = False


def _task(job, threads: int):
    os.environ["OMP_NUM_THREADS"] = str(threads)
    t0 = time.perf_counter()
    out = inference.prove_segment(job)
    return out, time.perf_counter() - t0


def prove(qm, mc, tokens, cuts=None, workers: int = 2, address: str = "auto", profile: dict | None = None):
    """(proof file bytes, info) with the segments proved as Ray tasks. cuts default to `workers`
    segments of about equal numbers of stages. info: driver_s (forward + boundary commitments),
    tasks_s (wall time of the parallel phase), task_s (each task's own time)."""
    import ray

    init(address)
    cuts = cuts or inference.default_cuts(qm, workers)
    t0 = time.perf_counter()
    st, jobs = inference.prepare(qm, mc, tokens, cuts)
    for job in jobs:
        job.profile = profile is not None
    t1 = time.perf_counter()
    cpus = int(ray.cluster_resources().get("CPU", 1))
    threads = max(1, cpus // max(1, min(workers, len(jobs))))
    remote = ray.remote(num_cpus=max(1, cpus // max(1, min(workers, len(jobs)))))(_task)
    refs = [remote.remote(job, threads) for job in jobs]
    outs = ray.get(refs)
    t2 = time.perf_counter()
    results = [o for o, _ in outs]
    if profile is not None:
        for _, _, rows in results:
            for k, (t, b) in rows.items():
                row = profile.setdefault(k, [0.0, 0])
                row[0] += t
                row[1] += b
    data = inference.assemble(st, jobs, results, mc)
    info = {"driver_s": t1 - t0, "tasks_s": t2 - t1, "task_s": [t for _, t in outs], "segments": len(jobs),
            "threads_per_task": threads}
    log.info("ray proof: %s", info)
    return data, info
