"""The new method's jobs: the experiment's grid, sliced to the suite, the method and the
seeds, run by the grid sweeper in a child ``python -m mabbench -m`` (its launcher, its
resume, its pinned ``runtime.threads``), so they are the archive's jobs exactly.

The child's output goes to a log file; this process is the console's one writer: a
progress line while jobs finish, then the outcomes read from the sweep's status files.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from mabbench.compare.options import Options
from mabbench.config.location import CONF_DIR
from mabbench.experiments.preflight import preflight
from mabbench.experiments.sweep import JOB_LIST, Outcome, read_outcomes, status_dir

POLL_SECONDS = 2.0
PRINT_SECONDS = 30.0  # a progress line at most this often


def sweep_dir(options: Options) -> Path:
    return (options.results_dir / ".multirun" / options.label).resolve()


def log_path(options: Options) -> Path:
    return options.results_dir / "logs" / f"{options.label}.log"


def overrides(options: Options) -> list[str]:
    """The multirun's overrides: the experiment, the slice, the parts switched off, where
    results go. A grid-swept key (policy, task, seed) selects jobs; the rest apply to all."""
    grid = yaml.safe_load((CONF_DIR / "experiment" / f"{options.experiment}.yaml").read_text())
    parts = grid["hydra"]["sweeper"]["parts"]
    found = [f"+experiment={options.experiment}", f"policy={options.policy}",
             f"task={','.join(options.tasks)}",
             *(f"hydra.sweeper.parts.{part}=null" for part in parts if part not in options.parts),
             f"runtime.results_dir={options.results_dir.resolve()}",
             f"hydra.sweep.dir={sweep_dir(options)}"]
    if options.datasets is not None:
        found.append(f"dataset={','.join(options.datasets)}")
    if options.seeds is not None:
        found.append(f"seed={','.join(map(str, options.seeds))}")
    return [*found, *options.job_overrides]


def check_method(options: Options) -> None:
    """Before any job: the method's config composes with the given keys (a misspelt
    ``policy.<key>`` is named) and its class imports and is a policy or baseline
    (preflight's ``_target_`` check, mabbench/config/targets.py: a module off
    PYTHONPATH would otherwise fail every job, each after training its dense model)."""
    preflight([f"policy={options.policy}", *options.job_overrides])


def run_jobs(options: Options, echo=print) -> tuple[int, list[Outcome]]:
    """Run the jobs (finished ones are skipped by the store); (exit code, outcomes)."""
    log = log_path(options)
    log.parent.mkdir(parents=True, exist_ok=True)
    statuses = status_dir(sweep_dir(options))
    command = [sys.executable, "-m", "mabbench", "-m", *overrides(options)]
    with open(log, "w") as handle:
        handle.write(" ".join(command) + "\n")
        handle.flush()
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                 env={**os.environ, "PYTHONUNBUFFERED": "1"})
        shown, last = -1, time.monotonic()
        while child.poll() is None:
            time.sleep(POLL_SECONDS)
            done = sum(1 for p in statuses.glob("*.json") if p.stem.isdigit())
            total = _total(statuses)
            if total and done != shown and (shown < 0 or done == total
                                            or time.monotonic() - last >= PRINT_SECONDS):
                echo(f"  jobs finished: {done} / {total}")
                shown, last = done, time.monotonic()
    outcomes = read_outcomes(sweep_dir(options), None) if (statuses / JOB_LIST).is_file() else []
    return child.returncode, outcomes


def _total(statuses: Path) -> int:
    try:
        return len(yaml.safe_load((statuses / JOB_LIST).read_text())["jobs"])
    except (OSError, TypeError, KeyError, yaml.YAMLError):
        return 0
