"""What the store writes can be read by whoever a plain ``open()`` would let read it:
the atomic writers' temp files (mkstemp, mode 0600) used to keep every result.json,
config.yaml and archive from the rest of a shared cluster's group. Real processes
under umask 022 and 077."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from conftest import REPO, TINY

WRITE = """
import os, sys
from pathlib import Path
os.umask(int(sys.argv[2], 8))
from mabbench.files.atomic import atomic_write_text
atomic_write_text(Path(sys.argv[1]) / "a.txt", "x")
"""


@pytest.mark.parametrize("umask, mode", [("022", 0o644), ("077", 0o600), ("002", 0o664)])
def test_an_atomic_write_gets_the_mode_open_would_give(tmp_path, umask, mode):
    subprocess.run([sys.executable, "-c", WRITE, str(tmp_path), umask], check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == mode


def test_a_trials_files_and_the_archive_are_readable_by_the_group(tmp_path):
    results = tmp_path / "results"
    trial = subprocess.run(
        ["sh", "-c", f"umask 022 && {sys.executable} -m mabbench {' '.join(TINY)} "
                     f"runtime.results_dir={results} runtime.data_dir={tmp_path / 'data'} && "
                     f"{sys.executable} -m mabbench.store.compact --results {results}"],
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"},
        capture_output=True, text=True, check=False)
    assert trial.returncode == 0, trial.stderr[-2000:]
    written = [*results.glob("runs/**/result.json"), *results.glob("runs/**/config.yaml"),
               results / "records.parquet"]
    assert len(written) == 3
    assert {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
