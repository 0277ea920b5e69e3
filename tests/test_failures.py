"""Issue 12 item 1 - failure records. Faults injected: a diverging learning
rate (``task.train.optimizer=sgd task.train.lr=1e6``) in a real process, an
exception mid-trial, a NaN metric."""
from __future__ import annotations

import json
import math

import pytest
from conftest import TINY, run_cli

from mabbench.files.integrity import write_checked_json
from mabbench.store import identity
from mabbench.store.failures import FAILED_NAME
from mabbench.trial import run as trial
from mabbench.trial.run import run_trial

DIVERGING = ["task.train.optimizer=sgd", "task.train.lr=1e6", "task.train.epochs=3"]


def test_diverging_training_is_recorded_as_failed_and_never_cached(tmp_path):
    """A real `python -m mabbench` run with lr=1e6: exit 1, one line, failed.json,
    no result.json, no cached dense model."""
    results = tmp_path / "results"
    done = run_cli(*TINY, *DIVERGING, f"runtime.results_dir={results}")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "failed at dense training: Diverged" in done.stdout
    [failed] = list(results.rglob(FAILED_NAME))
    record = json.loads(failed.read_text())
    assert record["stage"] == "dense training" and "non-finite loss" in record["reason"]
    assert record["config_hash"] == failed.parent.parent.name
    assert record["traceback"] and record["time"].endswith("Z")
    assert not list(results.rglob("result.json"))
    assert not list(results.rglob("model.pt")) and not list(results.rglob("meta.json"))


def test_regression_divergence_never_writes_a_bare_nan(make_cfg):
    cfg = make_cfg("task=regression", "dataset=diabetes", *DIVERGING)
    outcome = run_trial(cfg)
    assert outcome["status"] == "failed" and outcome["stage"] == "dense training"
    assert not (identity.run_dir(cfg) / "result.json").exists()
    assert not (identity.dense_dir(cfg) / "model.pt").exists()


def test_failed_trial_is_skipped_until_retry_is_asked(make_cfg, monkeypatch):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("injected fault in the curve")

    monkeypatch.setattr(trial, "sparsity_curve", broken)
    first = run_trial(make_cfg("policy=magnitude"))
    assert first == {"status": "failed", "reason": "RuntimeError: injected fault in the curve",
                     "stage": "sparsity curve", "path": first["path"]}
    again = run_trial(make_cfg("policy=magnitude"))  # re-issued: skipped, and says why
    assert again["status"] == "failed" and again["skipped"] and len(calls) == 1
    monkeypatch.undo()
    retried = run_trial(make_cfg("policy=magnitude", "runtime.retry_failed=true"))
    assert retried["status"] == "done"
    folder = identity.run_dir(make_cfg("policy=magnitude"))
    assert (folder / "result.json").exists() and not (folder / FAILED_NAME).exists()
    assert run_trial(make_cfg("policy=magnitude"))["status"] == "skipped"


def test_a_nan_metric_fails_the_trial_instead_of_being_recorded(make_cfg, monkeypatch):
    real_point = trial.sparsity_curve

    def nan_curve(*args, **kwargs):
        curve = real_point(*args, **kwargs)
        curve[-1]["test"] = math.nan
        return curve

    monkeypatch.setattr(trial, "sparsity_curve", nan_curve)
    outcome = run_trial(make_cfg("policy=magnitude"))
    assert outcome["status"] == "failed" and outcome["stage"] == "write result"
    assert "curve[1].test" in outcome["reason"]
    assert not (identity.run_dir(make_cfg("policy=magnitude")) / "result.json").exists()


def test_checked_writer_refuses_non_finite_numbers(tmp_path):
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            write_checked_json(tmp_path / "r.json", {"r2": bad})
    assert not list(tmp_path.iterdir())
