"""acc/: a small grid on a tiny model runs end to end, and the sweep's quantised output is
the prover's witness bit for bit."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ACC = Path(__file__).resolve().parents[2] / "acc"
sys.path.insert(0, str(ACC))

import main as acc_main  # noqa: E402
import sweep  # noqa: E402


def test_tiny_grid_runs(tmp_path):
    grid = json.loads((ACC / "grids" / "tiny.json").read_text())
    rows = sweep.run("tiny:gpt2", grid, tmp_path, n=3, cost_seq=4, prove_time=True)
    assert len(rows) == len(sweep.grid_points(grid)) == 4
    ok = [r for r in rows if not r["error"]]
    assert ok and all(0.5 <= r["accuracy"] <= 1.0 for r in ok)
    assert all(r["lookups"] > 0 and r["committed"] > 0 and r["layer_prove_s"] > 0 for r in ok)
    assert any(r["pareto"] for r in rows)
    for f in ("sweep.csv", "sweep.json", "pareto.png"):
        assert (tmp_path / f).stat().st_size > 0


def test_invalid_point_is_reported_not_fatal(tmp_path):
    rows = sweep.run("tiny:llama", {"points": [{"act_frac": 4, "lookup_frac": 8}]}, tmp_path, n=2,
                     prove_time=False)
    assert "lookup_frac" in rows[0]["error"]


def test_sweep_output_is_the_provers_witness(tiny_committed):
    """The integers the sweep scores are those of an actual, verified proof: a decoder's
    proved output is the last position's logits, the last row of what the sweep scores."""
    from zkproof.nn.models import inference as I

    qm, mc = tiny_committed["llama"]
    tokens = np.array([72, 101, 108, 108, 111])
    (swept,) = sweep.quantised_outputs(qm, [tokens])
    v = I.verify(I.prove(qm, mc, tokens), mc)
    assert swept.shape == (len(tokens), qm.config.vocab) and v.output.shape == (1, qm.config.vocab)
    assert swept.dtype == v.output.dtype and np.array_equal(swept[-1:], v.output)


def test_perplexity_float_vs_quantised():
    r = acc_main.perplexity("tiny:llama", 16, 2)
    assert r["samples"] == 2 and r["tokens"] == 30
    assert abs(r["ppl_quant"] / r["ppl_float"] - 1) < 0.05
