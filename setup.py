"""Thin CMake driver: builds zkproof._native (CPU always, CUDA when nvcc is found).

Environment: ZKPROOF_CUDA=auto|on|off, ZKPROOF_CUDA_ARCHS="80;86;89;90",
ZKPROOF_NATIVE_ARCH=on|off, ZKPROOF_BUILD_DIR (default build/cmake) for incremental
rebuilds.

pip builds in a temporary environment that it deletes afterwards, and CMake caches
absolute paths. So nothing of that environment may end up in the build directory:
the ninja binary and the pybind11 headers are copied into the build directory (only
when they changed, so their paths and mtimes stay put and rebuilds stay incremental),
and every run passes the make program again, which repairs a cache written by an
older build that did remember a temporary path.
"""
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


def _copy_if_changed(src: Path, dst: Path) -> None:
    if dst.exists() and filecmp.cmp(src, dst, shallow=False):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def _stable_pybind11_headers(build_dir: Path) -> Path:
    """pybind11's headers under build_dir, in a folder named after their version."""
    import pybind11

    dst = build_dir / "deps" / f"pybind11-{pybind11.__version__}" / "include"
    if not (dst / "pybind11" / "pybind11.h").exists():
        tmp = dst.with_name("include.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(pybind11.get_include(), tmp)
        shutil.rmtree(dst, ignore_errors=True)
        os.replace(tmp, dst)
    return dst


def _stable_ninja(build_dir: Path):
    """A copy of the ninja binary that pip's build environment provides, or None."""
    try:
        import ninja
    except ImportError:
        return None
    src = Path(ninja.BIN_DIR) / ("ninja.exe" if os.name == "nt" else "ninja")
    if not src.exists():
        return None
    dst = build_dir / "tools" / src.name
    _copy_if_changed(src, dst)
    return dst


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        out_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = Path(os.environ.get("ZKPROOF_BUILD_DIR", ROOT / "build" / "cmake")).resolve()
        build_dir.mkdir(parents=True, exist_ok=True)
        cfg = [
            f"-S{ROOT}",
            f"-B{build_dir}",
            f"-DCMAKE_LIBRARY_OUTPUT_DIRECTORY={build_dir / 'lib'}",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DZKPROOF_PYBIND11_INCLUDE={_stable_pybind11_headers(build_dir)}",
            f"-DZKPROOF_CUDA={os.environ.get('ZKPROOF_CUDA', 'auto')}",
            "-DCMAKE_BUILD_TYPE=Release",
        ]
        cache = build_dir / "CMakeCache.txt"
        generator = None
        if cache.exists():
            for line in cache.read_text(errors="replace").splitlines():
                if line.startswith("CMAKE_GENERATOR:INTERNAL="):
                    generator = line.split("=", 1)[1]
        ninja = _stable_ninja(build_dir)
        if generator in (None, "Ninja") and ninja is not None:
            if generator is None:
                cfg.append("-GNinja")
            cfg.append(f"-DCMAKE_MAKE_PROGRAM={ninja}")
        elif generator == "Ninja":
            raise RuntimeError(f"{build_dir} was configured for Ninja but no ninja is available now; "
                               f"remove that directory or install the 'ninja' package")
        subprocess.check_call(["cmake", *cfg])
        jobs = str(os.cpu_count() or 2)
        subprocess.check_call(["cmake", "--build", str(build_dir), "-j", jobs])
        # Copy (fresh mtime) from this build directory's own output, so switching
        # ZKPROOF_BUILD_DIR or flags never leaves another build's module in place.
        built = Path(self.get_ext_fullpath(ext.name)).name
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / "lib" / built, out_dir / built)


setup(ext_modules=[CMakeExtension("zkproof._native")], cmdclass={"build_ext": CMakeBuild})
