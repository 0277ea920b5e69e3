"""A build lock whose holder is stopped (SIGSTOP) is reported ("waiting for <pid>
building <folder>") and, past MABBENCH_LOCK_BREAK_S, broken safely: the waiter
builds. Real processes; before, the waiter waited forever without a word."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import REPO

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
with build_lock(Path(sys.argv[1])):
    print("built", flush=True)
"""


def test_a_stopped_holder_is_named_and_its_lock_broken_past_the_limit(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "MABBENCH_LOCK_BREAK_S": "1"}
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
