"""Shared benchmark helpers: device-synchronised timing, table printing, JSON output."""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import zkproof  # noqa: E402
from zkproof.field.device import synchronize  # noqa: E402


def base_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--device", choices=["cpu", "cuda"], default=None,
                   help="default: cuda when available, else cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--mem-limit", default=None, metavar="BYTES",
                   help="memory budget (e.g. 1GiB, 80GB); default: what the device has (host RAM for "
                        "cpu, GPU memory for cuda). A request that cannot fit fails at once")
    return p


def mem_limit(args, device: str) -> int:
    """The --mem-limit in bytes (default: the device's memory)."""
    from zkproof.stream import resolve_limit

    return resolve_limit(getattr(args, "mem_limit", None), device)


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far: VmHWM of /proc/self/status on Linux
    (the high-water mark of this program's own address space), else the resource
    module's ru_maxrss. (Linux carries ru_maxrss across exec: a process started from a
    large parent reports at least the parent's size there.)"""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def budget_exit(err) -> int:
    """Report a MemoryBudgetError and return exit status 2."""
    print(f"error: {err}", file=sys.stderr)
    return 2


def resolve_device(args) -> str:
    from zkproof.progress import set_quiet

    set_quiet(getattr(args, "quiet", False))
    dev = args.device or zkproof.default_device()
    if dev == "cuda" and not zkproof.cuda_available():
        sys.exit("error: --device cuda but no CUDA GPU / CUDA build is available")
    return dev


class Timer:
    """Wall time of a block, synchronising the device before and after."""

    def __init__(self, device: str = "cpu"):
        self.device = device
        self.seconds = 0.0

    def __enter__(self):
        synchronize(self.device)
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc):
        synchronize(self.device)
        self.seconds = time.perf_counter() - self._t
        return False


def best_of(fn, repeat: int = 3, warmup: int = 1, device: str = "cpu") -> float:
    """Minimum wall time of fn() over `repeat` runs after `warmup` untimed runs."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        with Timer(device) as t:
            fn()
        best = min(best, t.seconds)
    return best


def print_table(rows: list[dict], columns: list[str]) -> None:
    def fmt(v):
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    widths = {c: max(len(c), *(len(fmt(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(fmt(r.get(c, "")).rjust(widths[c]) for c in columns))


def machine_info(device: str) -> dict:
    info = {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()}
    if device == "cuda":
        cp = zkproof.field.device.cupy()
        info["gpu"] = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    return info


def write_json(path: str | None, payload) -> None:
    if path:
        Path(path).write_text(json.dumps(payload, indent=2))
        print(f"wrote {path}")
