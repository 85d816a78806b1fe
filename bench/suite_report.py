"""Summarise a gpu_suite.sh run: OUT/summary.json and OUT/RESULTS_rows.md.

    python bench/suite_report.py OUT [--dry-run]

Reads OUT/status.tsv (step, exit status, seconds) and the benchmarks' JSON files
(OUT/<step>.json) and writes markdown rows ready to paste into bench/RESULTS.md: one
section per step with its command line (from OUT/<step>.log's absence or presence), the
exit status, and the figures of its JSON. Steps without JSON (build, tests, a request that
did not fit) get their status and the last line of their log.
"""
from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

# Columns shown per benchmark, in order, when present in its rows.
COLUMNS = {
    "field": ["device", "threads", "op", "n", "ns_per_op", "Mops_per_s"],
    "msm": ["log_n", "ours_full_s", "ours_16bit_s", "full/16"],
    "tlookup": ["num", "dims", "len", "device", "streamed", "K", "prove_s", "floor_s", "commit_s", "total_s",
                "verify_s", "proof_bytes", "ns_per_elem", "verified"],
    "hadamard": ["num", "dims", "device", "prove_s", "floor_s", "prove_over_floor", "verify_s", "proof_bytes",
                 "verified"],
    "matmul": ["num", "dims", "device", "prove_s", "floor_s", "prove_over_floor", "verify_s", "proof_bytes",
               "verified"],
    "com": ["num", "dims", "gen_dim", "device", "commit_s", "prove_s", "fold_s", "ipa_s", "verify_s", "total_s",
            "proof_bytes", "verified"],
    "zkattn": ["instances", "seq", "head_dim", "prove_s", "total_s", "commit_s", "lookups_s", "openings_s",
               "verify_s", "proof_bytes", "floor_s", "max_err", "verified"],
    "model": ["model", "seq", "weight_commit_s", "prove_s", "verify_s", "proof_bytes", "peak_rss_gib",
              "embedding_cosine", "top1_agreement", "max_logit_error"],
    "lora": ["prove_s", "verify_s", "proof_bytes", "commit_s", "call_prove_s", "call_verify_s"],
}
EXIT_MEANING = {"0": "ok", "64": "usage error (bad arguments)", "2": "does not fit (reported at once)", "124": "timed out", "137": "killed (time/memory)",
                "skipped": "skipped (suite budget spent)"}


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "x".join(str(x) for x in v)
    return str(v)


def rows_of(step: str, data) -> list[dict]:
    if isinstance(data, dict) and "rows" in data:
        return list(data["rows"])
    if isinstance(data, dict) and "result" in data:
        return [data["result"]]
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return list(data["results"])
    return [data] if isinstance(data, dict) else []


def table(rows: list[dict], cols: list[str]) -> list[str]:
    cols = [c for c in cols if any(c in r for r in rows)] or sorted({k for r in rows for k in r if k != "machine"})
    out = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for r in rows:
        out.append("| " + " | ".join(fmt(r.get(c, "")) for c in cols) + " |")
    return out


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    dry = "--dry-run" in args
    args = [a for a in args if a != "--dry-run"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(args[0])
    status = []
    st_file = out / "status.tsv"
    if st_file.exists():
        for line in st_file.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                status.append({"step": parts[0], "exit": parts[1], "seconds": float(parts[2])})
    machine = None
    md = [f"## {datetime.date.today().isoformat()} — bench/gpu_suite.sh{' --dry-run (CPU rehearsal)' if dry else ''}",
          ""]
    summary = {"dry_run": dry, "steps": []}
    for s in status:
        name = s["step"]
        jf = out / f"{name}.json"
        data = json.loads(jf.read_text()) if jf.exists() else None
        if isinstance(data, dict) and machine is None:
            machine = data.get("machine")
        log = out / f"{name}.log"
        last = ""
        if log.exists():
            lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
            last = lines[-1] if lines else ""
        meaning = EXIT_MEANING.get(s["exit"], "failed")
        md.append(f"### {name}: {meaning} (exit {s['exit']}, {s['seconds']:.1f} s)")
        md.append("")
        if data is not None:
            kind = name.split("_")[0]
            md += table(rows_of(name, data), COLUMNS.get(kind, []))
        elif last:
            md.append(f"    {last[:300]}")
        md.append("")
        summary["steps"].append({**s, "meaning": meaning, "json": data is not None, "last_line": last[:300]})
    if machine:
        md.insert(2, f"Machine: {json.dumps(machine)}")
        md.insert(3, "")
    summary["machine"] = machine
    (out / "RESULTS_rows.md").write_text("\n".join(md) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"wrote {out / 'RESULTS_rows.md'} and {out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
