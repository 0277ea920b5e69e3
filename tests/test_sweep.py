"""A seed sweep through real Hydra launchers: every trial lands in the store,
and re-issuing the sweep resumes instead of recomputing."""
from __future__ import annotations

import pytest

from conftest import TINY, run_cli


# submitit starts one process per trial (a minute here): `make test-all` runs it.
@pytest.mark.parametrize("launcher", ["joblib", pytest.param("submitit_local", marks=pytest.mark.slow)])
def test_seed_sweep_runs_every_trial_and_resumes(tmp_path, launcher):
    results = tmp_path / "results"
    args = ["-m", f"launcher={launcher}", "runtime.threads=1", "policy=ucb1,magnitude",
            "seed=0,1", *TINY, f"runtime.results_dir={results}"]
    first = run_cli(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    written = sorted(results.glob("runs/tabular/breast_cancer/*/*/seed=*/result.json"))
    assert [(p.parts[-4], p.parts[-2]) for p in written] == [
        ("magnitude", "seed=0"), ("magnitude", "seed=1"), ("ucb1", "seed=0"), ("ucb1", "seed=1")]
    stamps = [p.stat().st_mtime_ns for p in written]
    again = run_cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert [p.stat().st_mtime_ns for p in written] == stamps  # nothing recomputed
    assert not list(tmp_path.glob("outputs")) and not list(tmp_path.glob("multirun"))
