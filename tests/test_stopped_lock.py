"""A build lock whose holder is stopped (SIGSTOP) is reported ("waiting for <pid>
building <folder>") and, past its limit (runtime.lock_break_s), broken safely: the waiter
builds. Real processes; before, the waiter waited forever without a word."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, TINY, run_cli

from mabbench.config.errors import ConfigError
from mabbench.store import identity
from mabbench.trial.validate import validate

HOLD = """
import os, signal, sys
from pathlib import Path
from mabbench.files.locks import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
"""
WAIT = """
import logging, sys
from pathlib import Path
from mabbench.files.locks import build_lock
logging.basicConfig(level=logging.WARNING, format="%(message)s")
with build_lock(Path(sys.argv[1]), break_after_s=1):
    print("built", flush=True)
"""


def test_a_stopped_holder_is_named_and_its_lock_broken_past_the_limit(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    folder = tmp_path / "dense"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], env=env, text=True,
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        waiter = subprocess.run([sys.executable, "-c", WAIT, str(folder)], env=env, text=True,
                                capture_output=True, timeout=60, check=False)
        assert waiter.returncode == 0, waiter.stderr
        assert waiter.stdout.strip() == "built"
        assert f"waiting for {holder.pid} building {folder}" in waiter.stderr
        assert f"process {holder.pid} holds the lock on {folder} but has been stopped" \
            in waiter.stderr
        assert time.monotonic() - start < 30
        assert (folder / f".lock.broken-{holder.pid}").exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_a_trial_breaks_a_stopped_dense_builder_after_runtime_lock_break_s(tmp_path, make_cfg):
    """The user's knob, end to end: a real trial waits on a dense model's folder whose
    lock a stopped process holds, names it, breaks it after runtime.lock_break_s and
    trains the model itself."""
    results, data = tmp_path / "results", tmp_path / "data"
    folder = identity.dense_dir(make_cfg(f"runtime.data_dir={data}"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], env=env, text=True,
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = run_cli(*TINY, f"runtime.results_dir={results}", f"runtime.data_dir={data}",
                       "runtime.lock_break_s=2", cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        said = done.stdout + done.stderr
        assert f"waiting for {holder.pid} building {folder}" in said
        assert "but has been stopped" in said
        assert len(list(results.glob("runs/tabular/*/*/*/seed=0/result.json"))) == 1
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_lock_break_limit_out_of_range_is_refused(tmp_path, make_cfg, value):
    with pytest.raises(ConfigError, match=f"^runtime.lock_break_s={value}"):
        validate(make_cfg(f"runtime.lock_break_s={value}"))
