"""A sweep ends with one line counting done / skipped / failed trials
(mabbench/experiments/sweep.py), and shows remote jobs' headlines on the launching console."""
from __future__ import annotations

from conftest import TINY, run_cli

from mabbench.experiments.sweep import Outcome, remote_headlines

OUTCOMES = [Outcome("done", headline="a: done"), Outcome("skipped", headline="b: skipped"),
            Outcome("failed", reason="boom")]


def test_remote_launchers_get_each_trials_headline_and_local_ones_do_not():
    target = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"
    assert remote_headlines(OUTCOMES, target) == ["a: done", "b: skipped"]
    assert remote_headlines(OUTCOMES, "hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher")
    joblib = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
    assert remote_headlines(OUTCOMES, joblib) == []


def test_a_reissued_sweep_reports_what_it_skipped(tmp_path):
    args = ["-m", *TINY, "pruning.oracle_rho=false", f"runtime.results_dir={tmp_path}"]
    first = run_cli(*args, "seed=0,1")
    assert "sweep: done 2 / skipped 0 / failed 0" in first.stdout + first.stderr, first.stderr
    again = run_cli(*args, "seed=1,2")
    assert "sweep: done 1 / skipped 1 / failed 0" in again.stdout + again.stderr, again.stderr
    assert not (tmp_path / ".sweep_status").exists()  # nothing left in the results folder
