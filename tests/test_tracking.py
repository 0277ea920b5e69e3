"""runtime.wandb: off by default, a clear line when the package is missing,
and a finished trial's curve and headline numbers when it is on."""
from __future__ import annotations

import sys
import types

import pytest

from mabbench import store
from mabbench.errors import ConfigError
from mabbench.trial import run_trial


class FakeRun:
    def __init__(self, calls: dict) -> None:
        self.calls = calls
        self.summary: dict = {}
        calls["summary"] = self.summary

    def log(self, values: dict) -> None:
        self.calls.setdefault("logged", []).append(values)

    def finish(self) -> None:
        self.calls["finished"] = True


def test_trial_is_sent_to_wandb_when_asked(make_cfg, monkeypatch):
    calls: dict = {}
    fake = types.ModuleType("wandb")
    fake.init = lambda **kwargs: calls.update(init=kwargs) or FakeRun(calls)
    monkeypatch.setitem(sys.modules, "wandb", fake)
    record = run_trial(make_cfg("policy=magnitude", "runtime.wandb=true",
                                "runtime.wandb_project=unit"))
    assert calls["init"]["project"] == "unit"
    assert calls["init"]["config"]["policy"]["name"] == "magnitude"
    assert [step["curve/sparsity"] for step in calls["logged"]] == [0.25, 0.5]
    assert calls["summary"]["target_test"] == record["target"]["test"]
    assert calls["finished"]


def test_missing_wandb_is_one_line_and_writes_nothing(make_cfg, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # import wandb now raises ImportError
    cfg = make_cfg("runtime.wandb=true")
    with pytest.raises(ConfigError, match=r"runtime\.wandb=true needs the wandb package"):
        run_trial(cfg)
    assert not (store.results_root(cfg) / "runs").exists()
