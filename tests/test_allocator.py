"""``runtime.reuse_freed_memory`` (mabbench/runtime/allocator.py) changes speed, never
numbers: the same CNN trial in two fresh processes, one with glibc's defaults and
one keeping freed memory, stores bit-identical scores; and a point's extra metrics
(macro-F1 beside accuracy) come from the same forward as its metric."""
from __future__ import annotations

import json
import platform

import pytest
from conftest import run_cli

from mabbench.tasks.objectives import METRICS
from mabbench.trial.curve import point

CNN = ["task=image", "dataset=digits", "model=lenet", "task.train.epochs=2", "policy=magnitude",
       "pruning.levels=[0.25,0.5]", "runtime.threads=1"]


def _without_timings(value):
    """A record's values, without what is measured (times, latencies) or names the
    results folder (paths, the checksum over both)."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items()
                if not any(word in k for word in ("latency", "seconds", "timing", "path",
                                                  "sha256", "dir"))}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc setting")
def test_keeping_freed_memory_changes_no_stored_value(tmp_path):
    found = {}
    for reuse in ("false", "true"):
        results = tmp_path / reuse
        done = run_cli(*CNN, f"runtime.results_dir={results}",
                       f"runtime.data_dir={tmp_path / 'data'}",
                       f"runtime.reuse_freed_memory={reuse}", cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        [path] = results.glob("runs/image/digits/magnitude/*/seed=0/result.json")
        found[reuse] = _without_timings(json.loads(path.read_text()))
    assert found["false"] == found["true"]


def test_extra_metrics_are_those_of_separate_forwards(make_cfg):
    import torch

    from mabbench.models import build_model
    from mabbench.tasks import load_splits

    cfg = make_cfg("task=image", "dataset=digits", "model=lenet")
    splits = load_splits(cfg)
    torch.manual_seed(0)
    model = build_model(cfg.model, splits).eval()
    scored = point(model, splits, "accuracy", 0.0)
    with torch.no_grad():
        for role in ("select", "test"):
            data = getattr(splits, role)
            outputs = model(*data.inputs)
            assert scored[role] == METRICS.get("accuracy")(outputs, data.targets)
            assert scored[f"{role}_macro_f1"] == METRICS.get("macro_f1")(outputs, data.targets)
