"""examples/optimized_lora_example.py: server and prove over loopback (tiny model)."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "optimized_lora_example.py")


def test_example_server_and_prove(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    srv = subprocess.Popen([sys.executable, EXAMPLE, "server", "--tiny", "--rank", "4", "--port", "0",
                            "--out-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, env=env)
    try:
        port, lines, deadline = None, [], time.monotonic() + 120
        while port is None and time.monotonic() < deadline:
            line = srv.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("serving on "):
                port = int(line.split()[2].split(":")[1])
            if line.startswith("manifest digest"):
                digest = line.split()[-1]
        assert port, "".join(lines)
        out = subprocess.run([sys.executable, EXAMPLE, "prove", "--tiny", "--rank", "4", "--port", str(port),
                              "--pin", digest], capture_output=True, text=True, timeout=180, env=env)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "all verified" in out.stdout and "verified in" in out.stdout
        assert (tmp_path / "manifest.json").exists()
    finally:
        srv.terminate()
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()
