"""``python -m mabbench.bench grid [override ...]``: run a slice of the reference grid
(``python -m mabbench -m +experiment=reference <slice>``) into a temporary folder and
print its wall time, trials per minute and where the time went.

The default slice is seed 0 of one dataset per task (every policy, the comparators,
the budget sweep: 152 jobs); any overrides given replace it (``seed=0 task=tabular``).
Each trial records its own phases (mabbench/runtime/timing.py); what the workers spent
outside trials (process start, imports, composing configs, Hydra's job set-up,
idle) is wall x workers minus the trials' time. The full grid's time is
extrapolated from the slice for the (part, task) pairs the slice has jobs of:
each pair's mean seconds per job times its job count in the full grid, plus the
slice's overhead per job, over the workers; it is an estimate, stated as one.
Pairs the slice has no job of are listed, not guessed (a tabular trial says
nothing of a VGG one).
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

NAME = "grid"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_SLICE = ["seed=0", "dataset=breast_cancer,concrete,digits,fine_food,babi_generated"]
PHASES = ("load", "dense_training", "ranking", "oracle", "curve", "latency", "fit")
WORKERS = 2  # conf/launcher/joblib.yaml, as the reference experiment runs


def full_grid_counts() -> dict[tuple[str, str], int]:
    """Jobs per (part, task) of the whole reference grid (no slice)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from mabbench.experiments import grid
    from mabbench.experiments.registration import register_schemas

    register_schemas()  # the schemas the grid's selectors read
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("config", overrides=["+experiment=reference"], return_hydra_config=True)
        catalog = grid.Catalog(GlobalHydra.instance().config_loader().repository)
        jobs = grid.expand(cfg.hydra.sweeper, catalog)
    GlobalHydra.instance().clear()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for job in jobs:
        counts[(job.part, job.value("task"))] += 1
    return counts


def job_part(path: Path, record: dict) -> str:
    """The experiment part a record came from: comparators by kind, the budget sweep
    by a pull budget other than the default."""
    if record.get("kind") == "reference":
        return "comparators"
    from mabbench.config.schemas import PruningConfig

    config = yaml.safe_load((path.parent / "config.yaml").read_text())
    default = PruningConfig().budget_per_arm
    return "budget" if config["pruning"]["budget_per_arm"] != default else "trials"


def run(args: list[str]) -> None:
    chosen = args or DEFAULT_SLICE
    with tempfile.TemporaryDirectory(prefix="mabbench-grid-") as folder:
        root = Path(folder) / "results"
        command = [sys.executable, "-m", "mabbench", "-m", "+experiment=reference", *chosen,
                   f"runtime.results_dir={root}", f"hydra.sweep.dir={folder}/multirun"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"grid slice failed (exit {done.returncode})")
        found = [(job_part(p, record), record) for p in sorted(root.rglob("result.json"))
                 for record in [json.loads(p.read_text())]]  # read before the folder goes
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    spent: dict[str, float] = defaultdict(float)
    per_job: dict[tuple[str, str], list[float]] = defaultdict(list)
    for part, record in found:
        timing = record.get("timing") or {}
        for phase, seconds in timing.items():
            spent[phase] += seconds
        per_job[(part, record["task"])].append(timing.get("total", 0.0))
    in_trials = spent.pop("total", 0.0)
    budget = wall * WORKERS
    outside = max(budget - in_trials, 0.0)
    print(f"slice: {' '.join(chosen)}  ({len(found)} records, {WORKERS} workers)")
    print(f"wall {wall:.1f} s   {len(found) / wall * 60:.0f} trials/min   "
          f"CPU {cpu:.1f} s (all processes)   load average {load_before:.1f} at start, "
          f"{os.getloadavg()[0]:.1f} at end")
    print(f"{'where the time went':<40}{'seconds':>9}{'share':>8}")
    rows = [("start-up & overhead (outside trials)", outside)]
    rows += [(name, spent.pop(name, 0.0)) for name in PHASES]
    rows += [("other, inside trials", in_trials - sum(s for _, s in rows[1:]))]
    for name, seconds in rows:
        print(f"  {name:<38}{seconds:>9.1f}{seconds / budget:>8.1%}")
    counts = full_grid_counts()
    overhead = outside / max(len(found), 1)
    covered = {key: n for key, n in counts.items() if key in per_job}
    estimate = sum(n * (sum(per_job[key]) / len(per_job[key]) + overhead)
                   for key, n in covered.items()) / WORKERS
    print(f"the reference grid's {sum(covered.values())} jobs of the (part, task) pairs in this "
          f"slice, extrapolated from it: {estimate / 60:.1f} min on {WORKERS} workers (an "
          f"estimate: the slice's data sets stand for their task; at this load average)")
    missing = {key: n for key, n in counts.items() if key not in covered}
    if missing:
        print(f"not estimated ({sum(missing.values())} jobs; no job of theirs in the slice): "
              f"{', '.join(sorted(f'{part}/{task}' for part, task in missing))}")
