"""One job cannot take a sweep down: a policy that kills its process (SIGSEGV) is that
job's failure, named in the summary and in the trial's failed.json, and the other
job still runs, on the basic (in-process), joblib, pool and submitit_local launchers
(Ray: tests/test_ray.py, with the optional extra). Before: the basic
launcher exited 139 with no summary and ucb1 never ran; joblib failed both."""
from __future__ import annotations

import json

import pytest
from conftest import REPO, TINY, run_cli

USER = REPO / "tests" / "user_crash"


@pytest.mark.parametrize("launcher", ["basic", "joblib", "pool", "submitit_local"])
def test_a_job_whose_process_dies_is_its_failure_and_the_rest_run(tmp_path, launcher):
    results = tmp_path / "results"
    args = ["-m", f"launcher={launcher}", "policy=crash,ucb1", *TINY,
            f"hydra.searchpath=[file://{USER / 'conf'}]", f"runtime.results_dir={results}",
            f"runtime.data_dir={tmp_path / 'data'}"]
    done = run_cli(*args, cwd=tmp_path, env={"PYTHONPATH": f"{REPO}:{USER}"})
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout[done.stdout.index("sweep: done"):].splitlines()
    assert summary[0] == "sweep: done 1 / skipped 0 / failed 1", done.stdout[-3000:]
    assert "Traceback" not in done.stderr + done.stdout  # a launcher's death is one line
    assert summary[1].startswith("  failed policy=crash: the job's process died (Fatal Python "
                                 "error: Segmentation fault")
    assert len(list(results.glob("runs/tabular/*/ucb1/*/seed=0/result.json"))) == 1
    [failed] = results.glob("runs/tabular/*/crash/*/seed=0/failed.json")
    # recorded in the store too, so re-issuing the sweep skips it (test_failures.py)
    assert "Segmentation fault" in json.loads(failed.read_text())["reason"]
