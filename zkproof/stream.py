"""Memory budgets for proving within a limit (host RAM on the CPU, GPU memory on CUDA).

A budget is a number of bytes. `parse_bytes("1GiB")` reads one from the command line
(`--mem-limit` of every benchmark); `device_memory(device)` is the default: the physical
RAM of this machine (cgroup limit included) for "cpu", the total memory of the current
GPU for "cuda".

Provers that can stream (zkproof.lookup.streaming, zkproof.commit.streaming) hold their
inputs as small integers (int16/int32, 2-4 bytes per element instead of 32) and expand
them to field elements chunk by chunk; `plan` says whether a request fits unstreamed,
only streamed, or not at all, and `MemoryBudgetError` is raised at once, before any
work, naming the sizes, the bytes needed and the limit.

Every estimate here is an estimate of the prover's own arrays (field tensors, integer
inputs, trees); `RESERVE` bytes are set aside for the interpreter, NumPy and the
native module.
"""
from __future__ import annotations

import logging
import os
import re

log = logging.getLogger(__name__)

# Bytes set aside for the interpreter, imported modules, generators and small arrays.
RESERVE = 192 << 20
FR_BYTES = 32

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 10**3, "kib": 1 << 10, "m": 1 << 20, "mb": 10**6, "mib": 1 << 20,
          "g": 1 << 30, "gb": 10**9, "gib": 1 << 30, "t": 1 << 40, "tb": 10**12, "tib": 1 << 40}


class MemoryBudgetError(ValueError):
    """A request that cannot be proved within the memory limit, even streamed."""


def parse_bytes(text) -> int:
    """'1GiB', '512M', '2.5GB', '1073741824' -> bytes (K/M/G/T without 'B' are binary)."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise ValueError(f"a memory limit must be positive, got {text}")
        return text
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"cannot read a memory size from {text!r} (examples: 1GiB, 512M, 2.5GB, 1073741824)")
    n = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if n <= 0:
        raise ValueError(f"a memory limit must be positive, got {text!r}")
    return n


def fmt_bytes(n: int) -> str:
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def _host_memory() -> int:
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                v = f.read().strip()
            if v.isdigit():
                total = min(total, int(v))
        except OSError:
            pass
    return total


# Share of a GPU's memory a default budget uses: the rest is left to the CUDA context,
# CUB's sort scratch and fragmentation of CuPy's memory pool.
CUDA_SHARE = 0.9


def device_memory(device: str) -> int:
    """What the device has: host RAM (cgroup limit included) for 'cpu'; for 'cuda',
    CUDA_SHARE of the current GPU's total memory."""
    if device == "cuda":
        from .field.device import cupy

        return int(CUDA_SHARE * cupy().cuda.runtime.memGetInfo()[1])
    if device != "cpu":
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    return _host_memory()


_MALLOC_SET = False


def return_freed_memory() -> None:
    """Make freed host arrays leave the process at once (glibc only; no-op elsewhere).

    glibc serves allocations below a dynamic threshold (raised up to 32 MiB each time a
    large block is freed) from its heap, where freed blocks stay resident; a prover that
    allocates and frees many chunk-sized arrays then holds far more than it uses. Fixing
    the mmap threshold at 1 MiB returns every array of 1 MiB or more to the system when
    it is freed. Called by the streamed provers; process-wide and idempotent."""
    global _MALLOC_SET
    if _MALLOC_SET:
        return
    _MALLOC_SET = True
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_MMAP_THRESHOLD = -3
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        log.debug("mallopt unavailable; freed memory may stay resident")


def resolve_limit(limit, device: str) -> int:
    """A limit from the command line (None: what the device has)."""
    return device_memory(device) if limit is None else parse_bytes(limit)


def int_dtype(low: int, high: int):
    """The smallest integer dtype holding [low, high]: (u)int16, (u)int32 or int64
    (unsigned when low >= 0, so zkLLM's [0, 65536) takes 2 bytes per element)."""
    import numpy as np

    for dt in ((np.uint16, np.uint32) if low >= 0 else (np.int16, np.int32)):
        info = np.iinfo(dt)
        if info.min <= low and high <= info.max:
            return dt
    return np.int64


def require(what: str, sizes: str, need: int, limit: int, hint: str = "") -> None:
    """Raise MemoryBudgetError when `need` bytes exceed `limit`."""
    if need > limit:
        raise MemoryBudgetError(
            f"{what} with {sizes} needs at least {fmt_bytes(need)} ({need} bytes) but the memory limit is "
            f"{fmt_bytes(limit)} ({limit} bytes){'; ' + hint if hint else ''}")
