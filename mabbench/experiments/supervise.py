"""A sweep outlives a job whose process dies.

Hydra's basic launcher runs every job in its own process, so a policy that crashed
it (SIGSEGV) ended the sweep with no summary and the remaining jobs never ran; under
joblib a dead worker failed every job in flight. So the command line runs Hydra in a
child process and watches it. Each job leaves ``<n>.started`` (its trial folder and
hash) before its trial runs and ``<n>.json`` after; a job started but never finished
when the child ends is one whose process died. It is recorded as that job's failure,
in the sweep's summary and as the trial's ``failed.json`` (so re-issuing the sweep
skips it unless ``runtime.retry_failed``), and Hydra is launched again for the rest
(finished trials are skipped by the store). Where several jobs were in flight (joblib),
a job is blamed once it has been in flight at two deaths, or alone at one.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mabbench.experiments.sweep import Outcome, clear_outcomes, read_outcomes, status_dir

CHILD_ENV = "MABBENCH_SWEEP_CHILD"  # set in the watched Hydra process
STARTED = ".started"


def started_jobs(sweep_dir) -> dict[int, dict]:
    """Job number -> what its ``<n>.started`` marker says."""
    found = {}
    for path in status_dir(sweep_dir).glob(f"*{STARTED}"):
        try:
            found[int(path.name.removesuffix(STARTED))] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return found


def crash_line(sweep_dir, number: int) -> str:
    """The first line faulthandler wrote for job ``number`` (e.g. 'Fatal Python error:
    Segmentation fault'), or '' when its process died without one (SIGKILL)."""
    try:
        text = (status_dir(sweep_dir) / f"{number}.crash").read_text(errors="replace")
    except OSError:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _death(code: int) -> str:
    if code < 0:
        try:
            return f"the job's process died ({signal.Signals(-code).name})"
        except ValueError:
            return f"the job's process died (signal {-code})"
    return f"the job's process died (its sweep process exited with {code})"


def _record(marker: dict, reason: str) -> None:
    """The dead job's failed.json, so the store knows the trial failed (not 'never ran')."""
    from mabbench.store.failures import write_failure

    folder, config_hash = marker.get("folder"), marker.get("config_hash")
    if folder and config_hash:
        try:
            write_failure(Path(folder), RuntimeError(reason), "unknown (the process died)",
                          config_hash)
        except OSError:  # a store that cannot be written: the summary still says it
            pass


def supervise(argv: list[str], sweep_dir, jobs) -> tuple[int, list[Outcome]]:
    """Run ``python -m mabbench <argv>`` (a multirun) until every job has an outcome or
    none died; returns (the last launch's exit code, one outcome per job)."""
    settled: dict[int, Outcome] = {}
    suspects: Counter = Counter()
    outcomes: list[Outcome] = []
    code, launches = 0, 0
    # a dead job is blamed within two launches, so 2 x jobs + 1 launches suffice
    # (a grid's job count is known once its sweeper has listed them)
    while launches <= 2 * len(outcomes or jobs or []) + 1:
        launches += 1
        clear_outcomes(sweep_dir)
        code = subprocess.run([sys.executable, "-m", "mabbench", *argv], check=False,
                              env={**os.environ, CHILD_ENV: "1"}).returncode
        if code == 2:  # bad input refused by the sweeper: nothing ran
            return code, []
        outcomes = read_outcomes(sweep_dir, jobs)
        finished = {int(p.stem) for p in status_dir(sweep_dir).glob("*.json") if p.stem.isdigit()}
        for number in finished:
            settled.setdefault(number, outcomes[number])  # the first launch's word wins
        died = {n: m for n, m in started_jobs(sweep_dir).items() if n not in finished}
        if not died:
            break
        crashed = {n: crash_line(sweep_dir, n) for n in died}
        crashed = {n: line for n, line in crashed.items() if line}
        for number, marker in died.items():
            suspects[number] += 1
            if number in crashed:
                reason = f"the job's process died ({crashed[number]})"
            elif not crashed and (len(died) == 1 or suspects[number] >= 2):
                reason = _death(code) if len(died) == 1 else "the job's worker process died"
            else:
                continue  # in flight when another job killed the process: run it again
            _record(marker, reason)
            settled[number] = Outcome("failed", marker.get("overrides", []), reason)
        if len(settled) >= len(outcomes):
            break
    return code, [settled.get(n, o) for n, o in enumerate(outcomes)]
