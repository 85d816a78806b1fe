"""Device placement: 'cpu' arrays are NumPy, 'cuda' arrays are CuPy."""
from __future__ import annotations

import numpy as np

from .. import _native

_cupy = None


def cupy():
    """The cupy module, or a clear error when the CUDA backend cannot be used."""
    global _cupy
    if _cupy is None:
        if not _native.with_cuda:
            raise RuntimeError("zkproof was built without the CUDA backend; rebuild with nvcc available")
        try:
            import cupy as cp
        except ImportError as e:
            raise RuntimeError("device 'cuda' needs CuPy (pip install 'zkproof[cuda]')") from e
        _cupy = cp
    return _cupy


def cuda_available() -> bool:
    """True when the CUDA backend is built, CuPy imports, and a GPU is visible."""
    if not _native.with_cuda:
        return False
    try:
        cp = cupy()
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def default_device() -> str:
    return "cuda" if cuda_available() else "cpu"


def check_device(device: str) -> str:
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    return device


def xp(device: str):
    """The array module for a device."""
    return np if check_device(device) == "cpu" else cupy()


def device_of(arr) -> str:
    return "cpu" if isinstance(arr, np.ndarray) else "cuda"


def synchronize(device: str) -> None:
    if device == "cuda":
        cupy().cuda.Device().synchronize()
