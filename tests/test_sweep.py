"""Sweeps through real Hydra launchers: every trial lands in the store,
re-issuing the sweep resumes, and one failing trial never stops the others."""
from __future__ import annotations

import pytest

from conftest import TINY, run_cli

# submitit starts one process per trial (a minute here): `make test-all` runs it.
LAUNCHERS = ["joblib", pytest.param("submitit_local", marks=pytest.mark.slow)]


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_seed_sweep_runs_every_trial_and_resumes(tmp_path, launcher):
    results = tmp_path / "results"
    args = ["-m", f"launcher={launcher}", "runtime.threads=1", "policy=ucb1,magnitude",
            "seed=0,1", *TINY, f"runtime.results_dir={results}"]
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    written = sorted(results.glob("runs/tabular/breast_cancer/*/*/seed=*/result.json"))
    assert [(p.parts[-4], p.parts[-2]) for p in written] == [
        ("magnitude", "seed=0"), ("magnitude", "seed=1"), ("ucb1", "seed=0"), ("ucb1", "seed=1")]
    assert "sweep: done 4 / skipped 0 / failed 0" in first.stdout
    stamps = [p.stat().st_mtime_ns for p in written]
    again = run_cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert [p.stat().st_mtime_ns for p in written] == stamps  # nothing recomputed
    assert "sweep: done 0 / skipped 4 / failed 0" in again.stdout
    assert not list(tmp_path.glob("outputs")) and not list(tmp_path.glob("multirun"))


@pytest.mark.parametrize("launcher", ["basic", *LAUNCHERS])
def test_a_failing_trial_leaves_the_others_running(tmp_path, launcher):
    """adult needs a download; offline it fails at run time, iris still runs."""
    results = tmp_path / "results"
    done = run_cli("-m", f"launcher={launcher}", "dataset=adult,iris", *TINY,
                   f"runtime.results_dir={results}", f"runtime.data_dir={tmp_path / 'data'}",
                   cwd=tmp_path, env={"MABBENCH_OFFLINE": "1"})
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(list(results.glob("runs/tabular/iris/ucb1/*/seed=0/result.json"))) == 1
    assert not list(results.glob("runs/tabular/adult/*/*/seed=0/result.json"))
    summary = done.stdout[done.stdout.index("sweep: done"):].splitlines()
    assert summary[0] == "sweep: done 1 / skipped 0 / failed 1"
    assert summary[1].startswith("  failed dataset=adult: ") and "needs a download" in summary[1]
