"""Thin CMake driver: builds zkproof._native (CPU always, CUDA when nvcc is found).

Environment: ZKPROOF_CUDA=auto|on|off, ZKPROOF_CUDA_ARCHS="80;86;89;90",
ZKPROOF_BUILD_DIR (default build/) for incremental rebuilds.
"""
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


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        import pybind11

        out_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = Path(os.environ.get("ZKPROOF_BUILD_DIR", ROOT / "build" / "cmake"))
        build_dir.mkdir(parents=True, exist_ok=True)
        cfg = [
            f"-S{ROOT}",
            f"-B{build_dir}",
            f"-DCMAKE_LIBRARY_OUTPUT_DIRECTORY={build_dir / 'lib'}",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
            f"-DZKPROOF_CUDA={os.environ.get('ZKPROOF_CUDA', 'auto')}",
            "-DCMAKE_BUILD_TYPE=Release",
        ]
        try:
            import ninja  # noqa: F401

            cfg.append("-GNinja")
        except ImportError:
            pass
        cache = build_dir / "CMakeCache.txt"
        if cache.exists() and "Ninja" not in cache.read_text() and "-GNinja" in cfg:
            cfg.remove("-GNinja")
        subprocess.check_call(["cmake", *cfg])
        jobs = str(os.cpu_count() or 2)
        subprocess.check_call(["cmake", "--build", str(build_dir), "-j", jobs])
        # Copy (fresh mtime) from this build directory's own output, so switching
        # ZKPROOF_BUILD_DIR or flags never leaves another build's module in place.
        built = Path(self.get_ext_fullpath(ext.name)).name
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / "lib" / built, out_dir / built)


setup(ext_modules=[CMakeExtension("zkproof._native")], cmdclass={"build_ext": CMakeBuild})
