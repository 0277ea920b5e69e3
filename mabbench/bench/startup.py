"""Start-up of the command line: `python -m mabbench.bench startup [--repeats 5]`.

Times, as a user meets them, ``--help``, a bad override's one-line error and a
re-run of a finished trial (a skip), each in a fresh process; prints the
median wall and CPU seconds (CPU time is steadier on a shared machine).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

NAME = "startup"
TINY = ["task.train.epochs=5", "pruning.levels=[0.5]", "runtime.threads=1"]


def _timed(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mabbench", *args], capture_output=True,
                   env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(args: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args(args).repeats
    with tempfile.TemporaryDirectory() as results:
        finished = [*TINY, f"runtime.results_dir={results}"]
        subprocess.run([sys.executable, "-m", "mabbench", *finished], capture_output=True,
                       check=True)
        cases = {"--help": ["--help"], "bad override": ["+pruning.sparsityy=0.3"],
                 "skip (finished trial)": finished}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(repeats):  # interleaved, so load hits every case alike
            for name, args in cases.items():
                times[name].append(_timed(args))
    print(f"median of {repeats}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"  {name:22s} wall {wall:5.2f} s   cpu {cpu:5.2f} s")
