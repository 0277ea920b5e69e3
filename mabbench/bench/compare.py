"""``python -m mabbench.bench compare [key=value ...]``: one compare (mabbench.compare),
timed by phase, beside what re-running the rivals it read from the archive would cost.

The words are compare's (default ``policy=ucb1 policy.c=1.0 suite=tabular``: a new
bandit variant, shown beside the archive's ``ucb1 (archive)``). Results go to a fresh
temporary folder unless ``results_dir=`` is given, so dense models are trained and the
archive read uncached: the cost a first compare pays. On a shared machine the wall
clock grows with the load; compare the seconds inside the trials (timed by the
records) with the rivals' (timed by the reference run).
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from mabbench.compare.command import compare
from mabbench.compare.options import parse
from mabbench.compare.records import archive_slice

NAME = "compare"
DEFAULT = ["policy=ucb1", "policy.c=1.0", "suite=tabular"]


def _timing(record: dict) -> tuple[float, float]:
    """(seconds inside the trial, seconds training its dense model if it did)."""
    timing = record.get("timing") or {}
    trained = "dense_training" in timing
    return float(timing.get("total", 0.0)), (
        float((record.get("dense") or {}).get("train_seconds", 0.0)) if trained else 0.0)


def _subject_seconds(outcomes) -> tuple[float, float, int]:
    trial = dense = 0.0
    count = 0
    for outcome in outcomes:
        if outcome.status == "done" and outcome.path:
            total, trained = _timing(json.loads(Path(outcome.path).read_text()))
            trial, dense, count = trial + total, dense + trained, count + 1
    return trial, dense, count


def _rival_seconds(archive: Path, tasks, blocks: set) -> dict[str, tuple[float, int]]:
    """Per kind of rival, (seconds recorded by the reference run, records), on ``blocks``;
    plus the dense models' training, once per (task, dataset, model, seed)."""
    found: dict[str, tuple[float, int]] = {}
    dense: dict[tuple, float] = {}
    for entry in archive_slice(archive, tasks):
        record = json.loads(entry.data())
        key = (record["task"], record["dataset"], record["model"], record["seed"])
        if key[:2] not in blocks:
            continue
        seconds, count = found.get(record["kind"], (0.0, 0))
        found[record["kind"]] = (seconds + _timing(record)[0], count + 1)
        train = (record.get("dense") or {}).get("train_seconds")
        if record["kind"] in ("bandit", "baseline") and train is not None:
            dense.setdefault(key, float(train))
    found["dense training"] = (sum(dense.values()), len(dense))
    return found


def run(args: list[str]) -> None:
    words = list(args) or DEFAULT
    scratch = None
    if not any(word.startswith("results_dir=") for word in words):
        scratch = tempfile.TemporaryDirectory(prefix="mabbench-bench-compare-")
        words.append(f"results_dir={scratch.name}")
    options = parse(words)
    start = time.perf_counter()
    done = compare(options, echo=lambda line: None)
    wall = time.perf_counter() - start
    trial, dense, ran = _subject_seconds(done.outcomes)
    print(f"compare {' '.join(args or DEFAULT)}: {wall:.1f} s wall on {os.cpu_count()} cores "
          f"({len(done.outcomes)} jobs, {ran} run, the rest already done)")
    for phase, seconds in done.seconds.items():
        print(f"  {phase:<8} {seconds:7.1f} s")
    print(f"  inside the jobs: trials {trial:.1f} s, dense training {dense:.1f} s (as the "
          f"records timed them; the jobs' remaining time is process start, composition, data "
          f"loading and waiting for a core)")
    blocks = {(t, d) for t, d, _, _ in done.loaded.have}
    print("re-running the rivals it read from the archive instead (seconds inside the "
          "trials as the reference run recorded them, these datasets, every archived seed):")
    total = 0.0
    for kind, (seconds, count) in sorted(_rival_seconds(options.archive, options.tasks,
                                                        blocks).items()):
        print(f"  {kind:<15} {seconds:8.1f} s over {count} records")
        total += seconds
    print(f"  total           {total:8.1f} s of trial time (plus each job's start-up), "
          f"against this compare's {wall:.1f} s wall")
    if scratch is not None:
        scratch.cleanup()
