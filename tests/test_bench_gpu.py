"""The GPU bench's own logic, on the CPU (``python -m mabbench.bench gpu``; the numbers
it measures are checked on a GPU by tools/gpu_check.sh, not here)."""
from __future__ import annotations

import json
import time

import pytest

from mabbench.bench import discover
from mabbench.bench._gpu_compare import differences, ranking_agreement
from mabbench.bench._gpu_guard import Cut, time_limit
from mabbench.bench.gpu import run


def test_gpu_bench_is_discovered():
    assert "gpu" in discover()


def test_differences_name_changed_numbers_and_leave_out_timings():
    a = {"curve": [{"test": 0.5, "latency_s": 1.0}], "cost": {"pulls": 10, "seconds": 2.0},
         "timing": {"total": 3.0}, "ranking": {"fc": [0, 1, 2]}}
    b = {"curve": [{"test": 0.25, "latency_s": 9.0}], "cost": {"pulls": 10, "seconds": 5.0},
         "timing": {"total": 1.0}, "ranking": {"fc": [0, 2, 1]}}
    found = differences(a, b)
    assert found["differ"] == 3  # curve.0.test, ranking.fc.1, ranking.fc.2
    assert found["max_abs"] == 1 and found["max_at"] == "ranking.fc.1"
    assert found["fields"] == {"curve.*.test": 1, "ranking.fc.*": 2}
    assert differences(a, a)["differ"] == 0


def test_ranking_agreement_counts_identical_orders():
    a = {"ranking": {"x": [0, 1, 2, 3], "y": [1, 0]}}
    b = {"ranking": {"x": [0, 1, 2, 3], "y": [0, 1]}}
    found = ranking_agreement(a, b)
    assert found["identical"] == 1 and found["layers"] == 2 and found["min_rho"] == -1


def test_time_limit_cuts_a_long_step():
    start = time.perf_counter()
    with pytest.raises(Cut), time_limit(0.2):
        while True:
            time.sleep(0.01)
    assert time.perf_counter() - start < 2


def test_quick_bench_on_the_cpu_writes_its_tables(tmp_path):
    out = tmp_path / "out"
    run(["--device", "cpu", "--quick", "--rows", "tabular", "--deep", "",
         "--sections", "sync,dev,bf16,rerun", "--threads", "1", "--out", str(out)])
    for name in ("summary.md", "phases.md", "bf16.md", "rerun.md", "sync.md", "results.json"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    runs = results["trials"]["tabular"]
    assert {kind: run["status"] for kind, run in runs.items()} == {
        "dev": "done", "bf16": "done", "rerun": "done"}
    assert runs["bf16"]["record"]["precision"] == "bf16"
    assert results["compare"]["tabular"]["rerun_vs_dev"]["differ"] == 0  # same seed, same CPU
