"""One measured run of a grid slice with one checkout's code, for ``bench grid``.

``measure(code, slice)`` runs ``python -m mabbench -m +experiment=reference <slice>``
in its own process with ``code`` first on the import path (this checkout, or a
git worktree of an older commit for ``--against``) into a temporary results root,
and reads back every record's phases and its (part, task, row).
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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORKERS = 2  # conf/launcher/joblib.yaml, as the reference experiment runs
SHALLOW = ("tabular", "regression")  # the tasks of the trials/comparators/budget/ablation parts


@dataclass
class Measured:
    """What one slice run cost: wall and CPU seconds, load averages, seconds per
    phase summed over records, and each (part, task, row)'s trial totals."""

    label: str
    wall: float
    cpu: float
    load: tuple[float, float]
    records: int
    spent: dict[str, float] = field(default_factory=dict)
    per_key: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    found: dict[str, dict] = field(default_factory=dict)  # records by path under the root

    @property
    def in_trials(self) -> float:
        return self.spent.get("total", 0.0)

    @property
    def outside(self) -> float:
        """Worker time not inside a trial: process start, imports, composing, idle."""
        return max(self.wall * WORKERS - self.in_trials, 0.0)


def suite_rows(repo: Path) -> dict[tuple[str, str, str], str]:
    """(task, dataset, model) -> the deep suite's row name (conf/suite/deep.yaml)."""
    rows = yaml.safe_load((repo / "conf" / "suite" / "deep.yaml").read_text())["rows"]
    named = {}
    for row in rows:
        values = dict(o.split("=", 1) for o in row["overrides"][:3])
        named[(values["task"], values["dataset"], values["model"])] = row["name"]
    return named


def record_key(path: Path, record: dict, rows: dict) -> tuple[str, str, str]:
    """(part, task, row) of a record: comparators by kind, deep by task, budget and
    ablation by the pruning keys those parts sweep away from the defaults."""
    from mabbench.config.schemas import PruningConfig

    task = record["task"]
    if record.get("kind") == "reference":
        return "comparators", task, "-"
    if task not in SHALLOW:
        row = rows.get((task, record["dataset"], record["model"]), record["model"])
        return "deep", task, row
    pruning = yaml.safe_load((path.parent / "config.yaml").read_text())["pruning"]
    default = PruningConfig()
    if pruning["budget_per_arm"] != default.budget_per_arm:
        return "budget", task, "-"
    if (pruning["reward"]["transform"] != default.reward.transform
            or pruning["schedule"] != default.schedule):
        return "ablation", task, "-"
    return "trials", task, "-"


def measure(label: str, code: Path, chosen: list[str], rows: dict) -> Measured:
    """Run the slice with ``code``'s modules in a fresh process; nothing is kept."""
    with tempfile.TemporaryDirectory(prefix="mabbench-grid-") as folder:
        root = Path(folder) / "results"
        command = [sys.executable, "-m", "mabbench", "-m", "+experiment=reference", *chosen,
                   f"runtime.results_dir={root}", f"hydra.sweep.dir={folder}/multirun"]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(code)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=code, capture_output=True, text=True, check=False,
                              env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{label}: grid slice failed (exit {done.returncode})")
        spent: dict[str, float] = defaultdict(float)
        per_key: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        found = {}
        for path in sorted(root.rglob("result.json")):  # read before the folder goes
            record = json.loads(path.read_text())
            found[str(path.relative_to(root))] = record
            timing = record.get("timing") or {}
            for phase, seconds in timing.items():
                spent[phase] += seconds
            per_key[record_key(path, record, rows)].append(timing.get("total", 0.0))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Measured(label, wall, cpu, (load_before, os.getloadavg()[0]), len(found),
                    dict(spent), dict(per_key), found)


class Checkout:
    """A detached git worktree of ``commit`` in a temporary folder, removed on exit
    (the old code runs from its own files, in its own process)."""

    def __init__(self, repo: Path, commit: str) -> None:
        self.repo, self.commit = repo, commit
        self.folder = Path(tempfile.mkdtemp(prefix="mabbench-against-")) / "code"

    def __enter__(self) -> Path:
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(self.folder),
                        self.commit], cwd=self.repo, check=True)
        return self.folder

    def __exit__(self, *exc) -> None:
        subprocess.run(["git", "worktree", "remove", "--force", str(self.folder)],
                       cwd=self.repo, check=False)
        self.folder.parent.rmdir()
