"""Parallel workers share one console: on a terminal (a real pseudo-terminal here), a
joblib sweep's workers draw no progress bars over each other and every line is
whole: a trial's headline, a log line or the summary, never two workers' text
spliced. A single trial on the same terminal still draws its bars."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

from conftest import REPO, TINY

# a line of a parallel sweep's console: Hydra's launch lines, a job's log lines and
# headline block, and the sweep's summary
WHOLE = re.compile(
    r"^(\[\d{4}-\d\d-\d\d [\d:,]+\]\[HYDRA\] .*"
    r"|trial /\S+ on \S+ \(fp32\)|training dense model /\S+|dense model ready \([\d.]+ s training\)"
    r"|ranking done: \{.*\}|done: /\S+/result\.json"
    r"|tabular/\w+ mlp policy=\w+ seed=\d+  \(rows: .*\)|  (dense|at MACs|selected|target|pruning"
    r" cost|wrote) .*"
    r"|sweep: done \d+ / skipped \d+ / failed \d+)$")


def _on_a_terminal(args: list[str], cwd) -> str:
    """Run ``python -m mabbench <args>`` with stdout and stderr on one pseudo-terminal,
    as a user at a terminal would; returns everything it wrote."""
    leader, follower = pty.openpty()
    # a terminal's size, as a window gives one (tqdm draws nothing 0 columns wide)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    env.pop("CI", None)  # CI silences bars; a terminal user has none
    process = subprocess.Popen([sys.executable, "-m", "mabbench", *args], cwd=cwd,
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                               env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: every writer has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


def test_parallel_workers_write_whole_lines_and_no_bars(tmp_path):
    out = _on_a_terminal(["-m", "launcher=joblib", "policy=ucb1,thompson,magnitude,random",
                          "dataset=breast_cancer,pima", *TINY,
                          f"runtime.results_dir={tmp_path / 'results'}",
                          f"runtime.data_dir={tmp_path / 'data'}"], tmp_path)
    assert "sweep: done 8 / skipped 0 / failed 0" in out, out[-3000:]
    assert "\r" not in out.replace("\r\n", "\n")  # no bar redraws
    lines = [line for line in out.replace("\r\n", "\n").split("\n") if line.strip()]
    spliced = [line for line in lines if not WHOLE.match(line)]
    assert spliced == [], spliced[:5]


def test_a_single_trial_on_a_terminal_still_draws_its_bars(tmp_path):
    out = _on_a_terminal([*TINY, f"runtime.results_dir={tmp_path / 'results'}",
                          f"runtime.data_dir={tmp_path / 'data'}"], tmp_path)
    assert "wrote " in out, out[-3000:]
    assert "\r" in out.replace("\r\n", "\n")  # tqdm redraws its bar in place
