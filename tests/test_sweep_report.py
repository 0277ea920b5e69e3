"""Jobs' statuses come from what they returned, and a sweep ends with one line
counting done / skipped / failed trials (mabbench/sweep.py)."""
from __future__ import annotations

from hydra.core.utils import JobReturn, JobStatus

from conftest import TINY, run_cli
from mabbench.sweep_report import status_of


def job(value=None, error: Exception | None = None) -> JobReturn:
    ret = JobReturn()
    if error is None:
        ret.status, ret.return_value = JobStatus.COMPLETED, value
    else:
        ret.status, ret.return_value = JobStatus.FAILED, error
    return ret


def test_status_of_each_kind_of_job():
    assert status_of(job({"dense": {}, "task": "t"}))[0] == "done"
    assert status_of(job({"skipped": True, "path": "p"}))[0] == "skipped"
    assert status_of(job({"status": "failed", "path": "p"}))[0] == "failed"
    assert status_of(job(error=RuntimeError("boom"))) == ("failed", None)


def test_a_reissued_sweep_reports_what_it_skipped(tmp_path):
    args = ["-m", *TINY, "pruning.oracle_rho=false", f"runtime.results_dir={tmp_path}"]
    first = run_cli(*args, "seed=0,1")
    assert "sweep: done 2 / skipped 0 / failed 0" in first.stdout + first.stderr, first.stderr
    again = run_cli(*args, "seed=1,2")
    assert "sweep: done 1 / skipped 1 / failed 0" in again.stdout + again.stderr, again.stderr
