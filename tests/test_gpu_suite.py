"""bench/gpu_suite.sh --dry-run: the GPU run's one command, rehearsed on the CPU with
small sizes (no CUDA build): every step runs and passes (or reports "does not fit" at
once), and the report has JSON and ready-to-paste RESULTS.md rows."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_suite_dry_run(tmp_path):
    env = dict(os.environ, OUT=str(tmp_path), SUITE_BUDGET_S="600")
    r = subprocess.run(["bash", str(ROOT / "bench" / "gpu_suite.sh"), "--dry-run"], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    status = {}
    for line in (tmp_path / "status.tsv").read_text().splitlines():
        step, rc, _secs = line.split("\t")
        status[step] = rc
    for step in ("field", "msm", "tlookup", "matmul_qk", "matmul_proj", "hadamard", "com", "cuda_tests"):
        assert status.get(step) == "0", (step, status, (tmp_path / f"{step}.log").read_text()[-2000:])
    assert status["hadamard_nofit"] == "2"  # reported at once, naming sizes and limit
    assert "NUM=1600" in (tmp_path / "hadamard_nofit.log").read_text()
    tl = json.loads((tmp_path / "tlookup.json").read_text())
    assert tl["streamed"] and tl["verified"] and tl["K"] == 12  # layers 13..16 streamed
    hd = json.loads((tmp_path / "hadamard.json").read_text())
    assert hd["streamed"] and hd["verified"] and hd["table_cap"] == 1024
    rows = (tmp_path / "RESULTS_rows.md").read_text()
    assert "### tlookup: ok" in rows and "| num | dims |" in rows
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["dry_run"] and {s["step"] for s in summary["steps"]} >= {"tlookup", "com"}
