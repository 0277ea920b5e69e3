"""Killing the parent of a parallel sweep takes its workers with it: a real
sweep, a real SIGKILL / SIGTERM of the parent, and no process of it survives."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _has_torch(pid: int) -> bool:
    try:
        return "libtorch_cpu" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize(("launcher", "sig"), [("joblib", signal.SIGKILL),
                                                ("joblib", signal.SIGTERM),
                                                ("pool", signal.SIGKILL)],
                         ids=["joblib-SIGKILL", "joblib-SIGTERM", "pool-SIGKILL"])
def test_killing_a_parallel_sweep_parent_ends_its_workers(tmp_path, launcher, sig):
    # Trials that would train for hours: they are surely running when the parent dies.
    parent = subprocess.Popen(
        [sys.executable, "-m", "mabbench", "-m", f"launcher={launcher}", "seed=0,1",
         "task.train.epochs=1000000", "task.train.early_stopping.patience=null",
         "runtime.threads=1",
         f"runtime.results_dir={tmp_path / 'results'}"],
        cwd=REPO, env={**os.environ, "OMP_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            workers = [p for p in _descendants(parent.pid) if _has_torch(p)]
            if len(workers) >= 2:
                break
            assert parent.poll() is None, "the sweep ended before its workers started"
            time.sleep(0.5)
        else:
            pytest.fail(f"two {launcher} workers never started")
        time.sleep(5)  # into their trials
        family = _descendants(parent.pid)
        os.kill(parent.pid, sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_running(p) for p in family):
            time.sleep(0.5)
        survivors = [p for p in family if _running(p)]
        assert not survivors, f"{len(survivors)} of {len(family)} processes outlived the parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in family:  # never leave a runaway trial behind, even when the test fails
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
